// Package svc regroupe le peu que les trois services du lab 13 partagent :
// l'adresse d'écoute ($PORT), la sous-commande healthcheck, le lancement du
// serveur labkit, l'identifiant de requête et un client du magasin clé/valeur
// (ddlab/kv:1, voir kv.go).
//
// Chaque service reste un binaire autonome (services/<nom>/main.go) : un
// conteneur = un processus = un rôle.
package svc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
)

const (
	// DefaultPort est le port d'écoute sans $PORT.
	DefaultPort = "8080"
	// HealthcheckTimeout borne la sous-commande healthcheck.
	HealthcheckTimeout = 2 * time.Second
)

// SignalContext est annulé à SIGTERM (docker stop) ou SIGINT (Ctrl-C).
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Env renvoie getenv(key), ou def si la variable est vide.
func Env(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

// Duration lit une durée Go (« 800ms », « 2s ») dans key, ou def.
func Duration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(strings.TrimSpace(getenv(key))); err == nil && d > 0 {
		return d
	}
	return def
}

// ListenAddr transforme $PORT (« 8080 » ou « hôte:port ») en adresse d'écoute.
func ListenAddr(port string) string {
	port = strings.TrimSpace(port)
	switch {
	case port == "":
		return ":" + DefaultPort
	case strings.Contains(port, ":"):
		return port
	default:
		return ":" + port
	}
}

// probeAddr donne l'adresse locale à sonder pour le même $PORT.
func probeAddr(port string) string {
	host, p, err := net.SplitHostPort(ListenAddr(port))
	if err != nil || p == "" {
		p = DefaultPort
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, p)
}

// Healthcheck est la sous-commande « healthcheck » : 0 si /health répond 200
// sous 2 s, 1 sinon. Elle sert au healthcheck en forme exec d'une image
// FROM scratch, qui n'a ni shell ni curl :
//
//	healthcheck:
//	  test: ["CMD", "/app/service", "healthcheck"]
func Healthcheck(getenv func(string) string, stdout, stderr io.Writer) int {
	url := "http://" + probeAddr(getenv("PORT")) + "/health"
	ctx, cancel := context.WithTimeout(context.Background(), HealthcheckTimeout)
	defer cancel()
	if err := labkit.Healthcheck(ctx, url, HealthcheckTimeout); err != nil {
		fmt.Fprintln(stderr, "healthcheck : échec :", err)
		return 1
	}
	fmt.Fprintln(stdout, "healthcheck : ok")
	return 0
}

// Serve sert l'application labkit décrite par cfg jusqu'à l'annulation de
// ctx ; 0 si l'arrêt est propre, 1 sinon.
func Serve(ctx context.Context, cfg labkit.Config, log *slog.Logger, port string) int {
	app := labkit.New(cfg, log)
	if err := app.Serve(ctx, ListenAddr(port)); err != nil {
		log.Error("le serveur s'est arrêté sur une erreur", "err", err)
		return 1
	}
	return 0
}

// RequestID renvoie l'identifiant de la requête en cours : celui reçu dans
// X-Request-ID, sinon celui que labkit vient de créer (il le pose sur la
// réponse avant d'appeler le gestionnaire). Le recopier sur les appels
// sortants permet de suivre une requête d'un service à l'autre.
func RequestID(w http.ResponseWriter, r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); id != "" {
		return id
	}
	return w.Header().Get("X-Request-ID")
}

// WriteJSON répond v en JSON avec le code donné.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// Error est le corps JSON des réponses d'erreur des services.
type Error struct {
	Error string `json:"error"`
}

// WriteError répond {"error": msg} avec le code donné.
func WriteError(w http.ResponseWriter, code int, msg string) {
	WriteJSON(w, code, Error{Error: msg})
}
