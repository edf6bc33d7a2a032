// Command gateway est le point d'entrée unique du lab 13 : la passerelle
// de labkit, configurée uniquement par l'environnement.
//
//	gateway              sert HTTP sur :8080 (ou $PORT) jusqu'à SIGTERM/SIGINT
//	gateway healthcheck  code 0 si http://127.0.0.1:8080/health répond 200, 1 sinon
//
// Variables lues par labkit :
//
//	ROUTES             « /api/catalog=http://catalog:8080,/api/orders=http://orders:8080 » :
//	                   le préfixe le plus long gagne et il est retiré avant l'envoi
//	                   (/api/catalog/products/p1 → http://catalog:8080/products/p1)
//	UPSTREAM_TIMEOUT   délai maximal d'un appel amont (défaut 30s) : au-delà, 504
//	PROPAGATE_HEADERS  en-têtes recopiés vers l'amont, par exemple X-Request-ID
//
// Les chemins qui ne correspondent à aucune route (/health, /version…) sont
// servis par la passerelle elle-même. Chaque requête ouvre une nouvelle
// connexion, donc une nouvelle résolution DNS : les répliques d'un service se
// partagent la charge et un conteneur recréé est trouvé à sa nouvelle adresse.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"example.com/ddlab/lab13/internal/labkit"
	"example.com/ddlab/lab13/internal/svc"
)

// version est remplacée par -ldflags "-X main.version=…".
var version = labkit.DefaultVersion

func main() {
	ctx, stop := svc.SignalContext()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run est main sans os.Exit, pour les tests : il renvoie le code de sortie.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "healthcheck":
			return svc.Healthcheck(getenv, stdout, stderr)
		default:
			fmt.Fprintf(stderr, "arguments ignorés : %s (reconnu : healthcheck)\n", strings.Join(args, " "))
		}
	}
	cfg := labkit.FromEnv(getenv, version)
	log := labkit.NewLogger(stdout, cfg.LogFormat)
	if strings.TrimSpace(getenv("ROUTES")) == "" {
		log.Warn("ROUTES est vide : la passerelle ne route rien")
	}
	return svc.Serve(ctx, cfg, log, getenv("PORT"))
}
