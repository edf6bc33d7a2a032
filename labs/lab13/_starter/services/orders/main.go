// Command orders est le service « commandes » du lab 13. Il possède les
// commandes, rangées dans SA base (ddlab/kv:1 joint par $KV_URL), et vérifie
// chaque produit auprès du service catalog, par HTTP et par son nom de service.
//
//	orders              sert HTTP sur :8080 (ou $PORT) jusqu'à SIGTERM/SIGINT
//	orders healthcheck  code 0 si http://127.0.0.1:8080/health répond 200, 1 sinon
//	orders migrate      tâche d'initialisation : attend la base, y écrit
//	                    schema-version=1, puis s'arrête (code 0 si tout va bien)
//
// Routes. La passerelle retire le préfixe /api/orders : POST /api/orders
// arrive ici en POST /, et GET /api/orders/orders en GET /orders.
//
//	POST /        {"product":"p1"} → 201 et la commande (JSON) ;
//	POST /orders  (même chose) 400 corps invalide, 422 produit inconnu du
//	              catalogue, 502 catalogue ou base en panne, 504 catalogue trop lent
//	GET  /orders  la liste des commandes (JSON)
//
// Chaque requête vers ces routes ajoute une ligne au journal d'accès
// $ACCESS_LOG (défaut /logs/access.log), que le sidecar expédie :
//
//	time=… level=INFO msg=accès method=POST path=/ status=201 request_id=… duration_ms=…
//
// Variables : KV_URL (défaut http://orders-db:8080), CATALOG_URL (défaut
// http://catalog:8080), CATALOG_TIMEOUT (défaut 800ms), KV_TIMEOUT (défaut 2s),
// ACCESS_LOG, MIGRATE_TIMEOUT (défaut 30s), PORT, LOG_FORMAT=json.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
	"example.com/ddlab/lab13/internal/svc"
)

// version est remplacée par -ldflags "-X main.version=…".
var version = labkit.DefaultVersion

const (
	orderPrefix   = "order-"         // clés des commandes : order-<horodatage>-<aléa>
	schemaKey     = "schema-version" // écrite par « orders migrate »
	schemaVersion = "1"
	maxBody       = 64 << 10
)

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
		case "migrate":
			return migrate(ctx, getenv, stdout, stderr)
		default:
			fmt.Fprintf(stderr, "arguments ignorés : %s (reconnus : healthcheck, migrate)\n", strings.Join(args, " "))
		}
	}
	cfg := labkit.FromEnv(getenv, version)
	log := labkit.NewLogger(stdout, cfg.LogFormat)
	o := newOrders(getenv, log)
	defer o.access.Close()
	go o.checkSchema(ctx)
	cfg.Routes = o.routes
	return svc.Serve(ctx, cfg, log, getenv("PORT"))
}

// migrate est la tâche d'initialisation (« init job ») : elle prépare la
// base puis s'arrête. Compose la lance avant orders grâce à
// depends_on: condition: service_completed_successfully.
func migrate(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	kv := svc.NewKV(svc.Env(getenv, "KV_URL", "http://orders-db:8080"), svc.Duration(getenv, "KV_TIMEOUT", 2*time.Second))
	ctx, cancel := context.WithTimeout(ctx, svc.Duration(getenv, "MIGRATE_TIMEOUT", 30*time.Second))
	defer cancel()
	fmt.Fprintf(stdout, "migration : attente de la base %s…\n", kv.Base())
	if err := kv.WaitReady(ctx, 500*time.Millisecond); err != nil {
		fmt.Fprintln(stderr, "migration : échec :", err)
		return 1
	}
	if err := kv.Put(ctx, schemaKey, []byte(schemaVersion)); err != nil {
		fmt.Fprintln(stderr, "migration : échec :", err)
		return 1
	}
	fmt.Fprintf(stdout, "migration : schéma des commandes en version %s, base %s prête\n", schemaVersion, kv.Base())
	return 0
}

// Order est une commande enregistrée.
type Order struct {
	ID         string    `json:"id"`
	Product    string    `json:"product"`
	Name       string    `json:"name"`
	PriceCents int       `json:"price_cents"`
	CreatedAt  time.Time `json:"created_at"`
	RequestID  string    `json:"request_id,omitempty"`
}

// product est ce que catalog renvoie pour GET /products/{id}.
type product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
}

type orders struct {
	log        *slog.Logger
	kv         *svc.KV
	catalogURL string
	catalog    *http.Client
	timeout    time.Duration
	access     *accessLog
}

func newOrders(getenv func(string) string, log *slog.Logger) *orders {
	timeout := svc.Duration(getenv, "CATALOG_TIMEOUT", 800*time.Millisecond)
	return &orders{
		log:        log,
		kv:         svc.NewKV(svc.Env(getenv, "KV_URL", "http://orders-db:8080"), svc.Duration(getenv, "KV_TIMEOUT", 2*time.Second)),
		catalogURL: strings.TrimRight(svc.Env(getenv, "CATALOG_URL", "http://catalog:8080"), "/"),
		// Un délai court et explicite : si catalog ne répond plus, orders
		// répond vite une erreur au lieu de bloquer à son tour.
		catalog: svc.NewClient(timeout),
		timeout: timeout,
		access:  &accessLog{path: svc.Env(getenv, "ACCESS_LOG", "/logs/access.log"), log: log},
	}
}

// checkSchema prévient si « orders migrate » n'a pas tourné. Le service
// démarre quand même : c'est un avertissement, pas une panne.
func (o *orders) checkSchema(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := o.kv.Get(ctx, schemaKey)
	switch {
	case errors.Is(err, svc.ErrNotFound):
		o.log.Warn("schéma absent de la base : lancez d'abord « orders migrate » (service orders-migrate)", "kv", o.kv.Base())
	case err != nil:
		o.log.Warn("version du schéma illisible", "kv", o.kv.Base(), "err", err)
	case strings.TrimSpace(string(v)) != schemaVersion:
		o.log.Warn("version du schéma inattendue", "want", schemaVersion, "got", strings.TrimSpace(string(v)))
	default:
		o.log.Info("schéma de la base à jour", "version", schemaVersion)
	}
}

func (o *orders) routes(mux *http.ServeMux, _ *slog.Logger) {
	// « /{$} » : la racine seule. GET / reste la page d'accueil de labkit.
	mux.Handle("POST /{$}", o.access.wrap(http.HandlerFunc(o.create)))
	mux.Handle("POST /orders", o.access.wrap(http.HandlerFunc(o.create)))
	mux.Handle("GET /orders", o.access.wrap(http.HandlerFunc(o.list)))
}

func (o *orders) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Product string `json:"product"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&in); err != nil {
		svc.WriteError(w, http.StatusBadRequest, `corps JSON attendu : {"product":"p1"}`)
		return
	}
	in.Product = strings.TrimSpace(in.Product)
	if in.Product == "" {
		svc.WriteError(w, http.StatusBadRequest, `champ "product" manquant : {"product":"p1"}`)
		return
	}
	rid := svc.RequestID(w, r)
	p, code, err := o.lookup(r.Context(), in.Product, rid)
	if err != nil {
		o.log.Warn("vérification du produit impossible", "product", in.Product, "status", code, "err", err, "request_id", rid)
		svc.WriteError(w, code, err.Error())
		return
	}
	ord := Order{
		ID:         newOrderID(),
		Product:    p.ID,
		Name:       p.Name,
		PriceCents: p.PriceCents,
		CreatedAt:  time.Now().UTC().Truncate(time.Millisecond),
		RequestID:  rid,
	}
	b, _ := json.Marshal(ord)
	if err := o.kv.Put(r.Context(), ord.ID, b); err != nil {
		svc.WriteError(w, http.StatusBadGateway, "base des commandes injoignable : "+err.Error())
		return
	}
	svc.WriteJSON(w, http.StatusCreated, ord)
}

// lookup demande le produit id à catalog, en recopiant X-Request-ID pour
// que les journaux des deux services se recoupent. En cas d'échec, il
// renvoie le code HTTP à répondre au client.
func (o *orders) lookup(ctx context.Context, id, rid string) (product, int, error) {
	var p product
	u := o.catalogURL + "/products/" + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return p, http.StatusBadGateway, fmt.Errorf("catalogue : requête impossible : %v", err)
	}
	if rid != "" {
		req.Header.Set("X-Request-ID", rid)
	}
	resp, err := o.catalog.Do(req)
	if err != nil {
		if isTimeout(err) {
			return p, http.StatusGatewayTimeout, fmt.Errorf("catalogue sans réponse en %s", o.timeout)
		}
		return p, http.StatusBadGateway, fmt.Errorf("catalogue injoignable : %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return p, http.StatusUnprocessableEntity, fmt.Errorf("produit inconnu du catalogue : %s", id)
	case resp.StatusCode != http.StatusOK:
		return p, http.StatusBadGateway, fmt.Errorf("le catalogue a répondu %d : %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, &p); err != nil || p.ID == "" {
		return p, http.StatusBadGateway, fmt.Errorf("réponse du catalogue illisible")
	}
	return p, 0, nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

func (o *orders) list(w http.ResponseWriter, r *http.Request) {
	entries, err := o.kv.List(r.Context(), orderPrefix)
	if err != nil {
		svc.WriteError(w, http.StatusBadGateway, "base des commandes injoignable : "+err.Error())
		return
	}
	out := make([]Order, 0, len(entries))
	for _, e := range entries {
		var ord Order
		if json.Unmarshal([]byte(e.Value), &ord) == nil {
			out = append(out, ord)
		}
	}
	svc.WriteJSON(w, http.StatusOK, out)
}

// newOrderID renvoie une clé triable par date : order-<ms depuis 1970>-<6 hex>.
func newOrderID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%013d-%s", orderPrefix, time.Now().UnixMilli(), hex.EncodeToString(b[:]))
}

// accessLog ajoute une ligne par requête au fichier path, créé (avec son
// dossier) au premier besoin. Si le fichier ne peut pas être ouvert (volume
// absent, droits), l'erreur est journalisée et le service continue.
type accessLog struct {
	path string
	log  *slog.Logger

	mu     sync.Mutex
	f      *os.File
	warned bool
}

// Write écrit une ligne complète (slog fait un seul Write par ligne).
func (a *accessLog) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		if err := os.MkdirAll(filepath.Dir(a.path), 0o755); err != nil && !a.warned {
			a.log.Error("journal d'accès : dossier impossible à créer", "path", a.path, "err", err)
		}
		f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			if !a.warned {
				a.log.Error("journal d'accès impossible à ouvrir (volume monté ? droits ?)", "path", a.path, "err", err)
				a.warned = true
			}
			return 0, err
		}
		a.f = f
	}
	return a.f.Write(p)
}

// Close ferme le fichier s'il est ouvert.
func (a *accessLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}

// wrap journalise chaque requête de next dans le journal d'accès.
func (a *accessLog) wrap(next http.Handler) http.Handler {
	line := slog.New(slog.NewTextHandler(a, nil))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		line.Info("accès",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"request_id", svc.RequestID(w, r),
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
		)
	})
}

// statusWriter retient le code HTTP envoyé.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}
