package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ErrNotFound is returned for a repository, tag or manifest the registry does not hold.
var ErrNotFound = errors.New("registry: not found")

// maxManifest bounds what the read side accepts as a manifest or a tag list.
const maxManifest = 4 << 20

// manifestTypes are the manifest media types a client may get back, Docker's and OCI's.
var manifestTypes = []string{
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.index.v1+json",
}

// Manifest is what a tag or digest resolves to.
type Manifest struct {
	Digest    string // "sha256:…" of the manifest bytes: what `repo@digest` pulls
	MediaType string
	// ConfigDigest is the image config's digest ("sha256:…"), which Docker ≤ 28's classic
	// store uses as the image ID; "" for an index (a multi-platform push).
	ConfigDigest string
	Layers       int
}

// Tags lists the tags of repo ("lab3/site"), sorted as the registry returns them.
func (r *Registry) Tags(ctx context.Context, repo string) ([]string, error) {
	body, _, err := r.get(ctx, "/v2/"+repo+"/tags/list", "")
	if err != nil {
		return nil, err
	}
	var list struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("registry: tags of %s: %w", repo, err)
	}
	return list.Tags, nil
}

// Resolve reads the manifest that ref (a tag or "sha256:…") names in repo.
func (r *Registry) Resolve(ctx context.Context, repo, ref string) (Manifest, error) {
	body, mediaType, err := r.get(ctx, "/v2/"+repo+"/manifests/"+url.PathEscape(ref), strings.Join(manifestTypes, ", "))
	if err != nil {
		return Manifest{}, err
	}
	return parseManifest(body, mediaType)
}

// parseManifest reads a manifest's digest, type and config digest.
func parseManifest(body []byte, mediaType string) (Manifest, error) {
	sum := sha256.Sum256(body)
	m := Manifest{Digest: "sha256:" + hex.EncodeToString(sum[:]), MediaType: mediaType}
	var doc struct {
		MediaType string `json:"mediaType"`
		Config    *struct {
			Digest string `json:"digest"`
		} `json:"config"`
		Layers []json.RawMessage `json:"layers"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return Manifest{}, fmt.Errorf("registry: manifest: %w", err)
	}
	if m.MediaType == "" {
		m.MediaType = doc.MediaType
	}
	if doc.Config != nil {
		m.ConfigDigest = doc.Config.Digest
	}
	m.Layers = len(doc.Layers)
	return m, nil
}

func (r *Registry) get(ctx context.Context, path, accept string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.addr+path, nil)
	if err != nil {
		return nil, "", err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("registry: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return nil, "", fmt.Errorf("registry: GET %s: %w", path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, "", fmt.Errorf("%w: %s", ErrNotFound, path)
	case resp.StatusCode != http.StatusOK:
		return nil, "", fmt.Errorf("registry: GET %s: %s", path, resp.Status)
	case len(body) > maxManifest:
		return nil, "", fmt.Errorf("registry: GET %s: answer larger than %d bytes", path, maxManifest)
	}
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return body, strings.TrimSpace(mt), nil
}
