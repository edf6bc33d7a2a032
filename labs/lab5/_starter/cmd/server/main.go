// Command server est l'application web du lab 5.
//
//	server              sert HTTP sur :8080 (ou $PORT) jusqu'à SIGTERM/SIGINT
//	server healthcheck  appelle http://127.0.0.1:8080/health : code 0 si 200, 1 sinon
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

// run est main sans os.Exit, pour les tests. Il renvoie le code de sortie.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(getenv, stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 {
		fmt.Fprintf(stderr, "arguments ignorés : %s (seul « healthcheck » est reconnu)\n", strings.Join(args, " "))
	}
	return serve(ctx, getenv, stdout)
}

// serve sert l'application jusqu'à l'annulation de ctx ; 0 si l'arrêt est propre.
func serve(ctx context.Context, getenv func(string) string, stdout io.Writer) int {
	cfg := labkit.FromEnv(getenv, version)
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
