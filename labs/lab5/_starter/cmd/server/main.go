// Command server est l'application web du lab 5.
//
//	server              sert HTTP sur :8080 (ou $PORT) jusqu'à SIGTERM/SIGINT
//	server healthcheck  appelle http://127.0.0.1:8080/health : code 0 si 200, 1 sinon
//	server kv           sert aussi le magasin clé/valeur (/kv/{clé}, /config, /dump…)
//	server legacy       une « vieille » application : sans $DATABASE_URL, elle
//	                    s'arrête aussitôt avec le code 3 ; sinon elle sert HTTP
//
// La version se fixe à la compilation :
//
//	go build -ldflags "-X main.version=1.2.3" -o server ./cmd/server
//
// Sans ldflags, la variable d'environnement VERSION la remplace.
// Le binaire est statique avec CGO_ENABLED=0 et tourne dans une image
// FROM scratch : il n'a besoin ni de shell ni de /etc/passwd.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/ddlab/lab5/internal/labkit"
)

// version est remplacée par -ldflags "-X main.version=…".
var version = labkit.DefaultVersion

const (
	defaultPort        = "8080"
	healthcheckTimeout = 2 * time.Second
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// exitMissingConfig est le code de sortie du mode legacy sans $DATABASE_URL.
const exitMissingConfig = 3

// run est main sans os.Exit, pour les tests. Il renvoie le code de sortie.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runCtx(ctx, args, getenv, stdout, stderr)
}

// runCtx est run jusqu'à l'annulation de ctx.
func runCtx(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	mode := ""
	if len(args) > 0 {
		mode = args[0]
	}
	switch mode {
	case "healthcheck":
		return healthcheck(getenv, stdout, stderr)
	case "legacy":
		if code, ok := legacyPreflight(getenv, stdout, stderr); !ok {
			return code
		}
	case "", "kv":
	default:
		fmt.Fprintf(stderr, "arguments ignorés : %s (reconnus : healthcheck, kv, legacy)\n", strings.Join(args, " "))
		mode = ""
	}
	return serve(ctx, mode, getenv, stdout)
}

// legacyPreflight imite une application qui exige sa configuration au
// démarrage : sans $DATABASE_URL, elle le dit sur stderr et échoue avec le
// code 3 (le lab 4 fait diagnostiquer cette panne avec docker logs/inspect).
func legacyPreflight(getenv func(string) string, stdout, stderr io.Writer) (int, bool) {
	fmt.Fprintln(stdout, "legacy : lecture de la configuration…")
	if strings.TrimSpace(getenv("DATABASE_URL")) == "" {
		fmt.Fprintln(stderr, "ERREUR: variable DATABASE_URL manquante")
		return exitMissingConfig, false
	}
	// Jamais la valeur : une URL de base de données contient souvent un mot de passe.
	fmt.Fprintln(stdout, "legacy : DATABASE_URL fournie, démarrage")
	return 0, true
}

// serve sert l'application jusqu'à l'annulation de ctx ; 0 si l'arrêt est propre.
func serve(ctx context.Context, mode string, getenv func(string) string, stdout io.Writer) int {
	cfg := labkit.FromEnv(getenv, version)
	cfg.KV = mode == "kv"
	log := labkit.NewLogger(stdout, cfg.LogFormat)
	app := labkit.New(cfg, log)
	if err := app.Serve(ctx, listenAddr(getenv("PORT"))); err != nil {
		log.Error("le serveur s'est arrêté sur une erreur", "err", err)
		return 1
	}
	return 0
}

// healthcheck renvoie 0 si /health répond 200 sous 2 s, 1 sinon.
func healthcheck(getenv func(string) string, stdout, stderr io.Writer) int {
	url := "http://" + probeAddr(getenv("PORT")) + "/health"
	ctx, cancel := context.WithTimeout(context.Background(), healthcheckTimeout)
	defer cancel()
	if err := labkit.Healthcheck(ctx, url, healthcheckTimeout); err != nil {
		fmt.Fprintln(stderr, "healthcheck : échec :", err)
		return 1
	}
	fmt.Fprintln(stdout, "healthcheck : ok")
	return 0
}

// listenAddr transforme $PORT (« 8080 » ou « hôte:port ») en adresse d'écoute.
func listenAddr(port string) string {
	port = strings.TrimSpace(port)
	switch {
	case port == "":
		return ":" + defaultPort
	case strings.Contains(port, ":"):
		return port
	default:
		return ":" + port
	}
}

// probeAddr donne l'adresse locale à sonder pour le même $PORT.
func probeAddr(port string) string {
	host, p, err := net.SplitHostPort(listenAddr(port))
	if err != nil || p == "" {
		p = defaultPort
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, p)
}
