// Command catalog est le service « catalogue » du lab 13 : il possède les
// produits, rangés dans SA base (un magasin ddlab/kv:1 joint par $KV_URL).
//
//	catalog              écrit les produits dans la base, puis sert HTTP sur :8080
//	catalog healthcheck  code 0 si http://127.0.0.1:8080/health répond 200, 1 sinon
//
// Routes (derrière la passerelle, préfixées par /api/catalog) :
//
//	GET /products        la liste des produits (JSON)
//	GET /products/{id}   un produit (200), ou 404 s'il n'existe pas
//
// Variables : KV_URL (défaut http://catalog-db:8080), KV_TIMEOUT (défaut 2s),
// SEED_TIMEOUT (défaut 30s), PORT, LOG_FORMAT=json.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
	"example.com/ddlab/lab13/internal/svc"
)

// version est remplacée par -ldflags "-X main.version=…".
var version = labkit.DefaultVersion

// Product est un produit du catalogue. Le prix est en centimes : jamais de
// flottant pour de l'argent.
type Product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
}

// products est le catalogue écrit dans la base à chaque démarrage.
var products = []Product{
	{ID: "p1", Name: "Clavier mécanique", PriceCents: 8990},
	{ID: "p2", Name: "Souris sans fil", PriceCents: 2950},
	{ID: "p3", Name: "Écran 27 pouces", PriceCents: 24900},
}

// keyPrefix préfixe les clés des produits dans la base : product-p1…
const keyPrefix = "product-"

// validID limite les identifiants acceptés dans l'URL (ils deviennent des clés).
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

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
	c := &catalog{kv: svc.NewKV(svc.Env(getenv, "KV_URL", "http://catalog-db:8080"), svc.Duration(getenv, "KV_TIMEOUT", 2*time.Second))}

	// On n'écoute qu'une fois le catalogue écrit : le healthcheck ne passe
	// donc au vert que lorsque le service sait vraiment répondre.
	seedCtx, cancel := context.WithTimeout(ctx, svc.Duration(getenv, "SEED_TIMEOUT", 30*time.Second))
	err := c.seed(seedCtx, log)
	cancel()
	if err != nil {
		log.Error("catalogue non initialisé : arrêt (l'orchestrateur relancera le service)", "kv", c.kv.Base(), "err", err)
		return 1
	}
	cfg.Routes = c.routes
	return svc.Serve(ctx, cfg, log, getenv("PORT"))
}

// catalog est le service : il ne connaît que sa propre base.
type catalog struct {
	kv *svc.KV
}

// seed attend la base puis y écrit les produits (écriture idempotente :
// chaque réplique et chaque redémarrage réécrivent les mêmes valeurs).
func (c *catalog) seed(ctx context.Context, log *slog.Logger) error {
	if err := c.kv.WaitReady(ctx, 500*time.Millisecond); err != nil {
		return err
	}
	for _, p := range products {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := c.kv.Put(ctx, keyPrefix+p.ID, b); err != nil {
			return err
		}
	}
	log.Info("catalogue écrit dans la base", "kv", c.kv.Base(), "products", len(products))
	return nil
}

func (c *catalog) routes(mux *http.ServeMux, _ *slog.Logger) {
	mux.HandleFunc("GET /products", c.list)
	mux.HandleFunc("GET /products/{id}", c.get)
}

func (c *catalog) list(w http.ResponseWriter, r *http.Request) {
	entries, err := c.kv.List(r.Context(), keyPrefix)
	if err != nil {
		svc.WriteError(w, http.StatusBadGateway, "base du catalogue injoignable : "+err.Error())
		return
	}
	out := make([]Product, 0, len(entries))
	for _, e := range entries {
		var p Product
		if json.Unmarshal([]byte(e.Value), &p) == nil {
			out = append(out, p)
		}
	}
	svc.WriteJSON(w, http.StatusOK, out)
}

func (c *catalog) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID.MatchString(id) {
		svc.WriteError(w, http.StatusNotFound, "produit inconnu : identifiant invalide")
		return
	}
	data, err := c.kv.Get(r.Context(), keyPrefix+id)
	switch {
	case errors.Is(err, svc.ErrNotFound):
		svc.WriteError(w, http.StatusNotFound, "produit inconnu : "+id)
		return
	case err != nil:
		svc.WriteError(w, http.StatusBadGateway, "base du catalogue injoignable : "+err.Error())
		return
	}
	var p Product
	if err := json.Unmarshal(data, &p); err != nil {
		svc.WriteError(w, http.StatusInternalServerError, "produit illisible dans la base : "+id)
		return
	}
	svc.WriteJSON(w, http.StatusOK, p)
}
