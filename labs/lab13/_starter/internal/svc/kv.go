package svc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
)

// ErrNotFound : la clé n'existe pas dans le magasin.
var ErrNotFound = errors.New("clé absente")

// maxKVBody borne ce qu'on lit d'une réponse du magasin.
const maxKVBody = 4 << 20

// KV parle à un magasin clé/valeur ddlab/kv:1 (labkit en mode kv) :
// PUT/GET /kv/{clé}, GET /dump, GET /health.
type KV struct {
	base   string
	client *http.Client
}

// NewKV crée un client pour le magasin à base (« http://orders-db:8080 »).
// Chaque appel est borné par timeout.
func NewKV(base string, timeout time.Duration) *KV {
	return &KV{base: strings.TrimRight(base, "/"), client: NewClient(timeout)}
}

// NewClient renvoie un client HTTP sans keep-alive ni proxy : chaque appel
// ouvre une connexion et résout donc le nom de service à nouveau. Un
// conteneur recréé (nouvelle adresse IP) ou une réplique ajoutée est vu dès
// l'appel suivant, sans garder de connexion vers une adresse disparue.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true, DialContext: (&net.Dialer{Timeout: timeout}).DialContext},
	}
}

// Base renvoie l'URL du magasin.
func (k *KV) Base() string { return k.base }

func (k *KV) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, k.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxKVBody))
	return resp.StatusCode, data, err
}

// Put écrit value sous key.
func (k *KV) Put(ctx context.Context, key string, value []byte) error {
	code, data, err := k.do(ctx, http.MethodPut, "/kv/"+url.PathEscape(key), value)
	if err != nil {
		return fmt.Errorf("magasin %s : écriture de %s : %w", k.base, key, err)
	}
	if code != http.StatusOK {
		return fmt.Errorf("magasin %s : écriture de %s : %d %s", k.base, key, code, strings.TrimSpace(string(data)))
	}
	return nil
}

// Get lit la valeur de key ; ErrNotFound si elle n'existe pas.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	code, data, err := k.do(ctx, http.MethodGet, "/kv/"+url.PathEscape(key), nil)
	switch {
	case err != nil:
		return nil, fmt.Errorf("magasin %s : lecture de %s : %w", k.base, key, err)
	case code == http.StatusNotFound:
		return nil, ErrNotFound
	case code != http.StatusOK:
		return nil, fmt.Errorf("magasin %s : lecture de %s : %d %s", k.base, key, code, strings.TrimSpace(string(data)))
	}
	return data, nil
}

// List renvoie les entrées dont la clé commence par prefix, triées par clé.
func (k *KV) List(ctx context.Context, prefix string) ([]labkit.DumpEntry, error) {
	code, data, err := k.do(ctx, http.MethodGet, "/dump", nil)
	if err != nil {
		return nil, fmt.Errorf("magasin %s : liste : %w", k.base, err)
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("magasin %s : liste : %d %s", k.base, code, strings.TrimSpace(string(data)))
	}
	var d labkit.Dump
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("magasin %s : liste illisible : %w", k.base, err)
	}
	out := []labkit.DumpEntry{}
	for _, e := range d.Items {
		if strings.HasPrefix(e.Key, prefix) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Ping renvoie nil si le magasin répond 200 sur /health.
func (k *KV) Ping(ctx context.Context) error {
	code, _, err := k.do(ctx, http.MethodGet, "/health", nil)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("/health a répondu %d", code)
	}
	return nil
}

// WaitReady appelle Ping toutes les every jusqu'à une réponse, ou jusqu'à
// l'annulation de ctx (il renvoie alors la dernière erreur).
func (k *KV) WaitReady(ctx context.Context, every time.Duration) error {
	for {
		err := k.Ping(ctx)
		if err == nil {
			return nil
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("magasin %s injoignable : %w", k.base, err)
		case <-t.C:
		}
	}
}
