// Command server est l'API du lab 8. Elle tourne derrière la passerelle web
// (qui retire le préfixe /api) et garde ses données dans le magasin
// clé/valeur db (ddlab/kv:1).
//
//	server              sert HTTP sur :8080 (ou $PORT) jusqu'à SIGTERM/SIGINT
//	server healthcheck  appelle http://127.0.0.1:8080/health : code 0 si 200, 1 sinon
//
// En plus des routes communes de labkit (/health, /version, /whoami…) :
//
//	GET  /hello       la valeur de $GREETING, en texte (« Bonjour » + saut de ligne)
//	POST /items       {"name":"…"} : range l'élément dans $KV_URL, répond 201 en JSON
//	GET  /items       la liste JSON des noms rangés, par exemple ["café","thé"]
//	GET  /static/…    les fichiers de $STATIC_DIR (défaut /app/static)
//
// Variables d'environnement lues :
//
//	GREETING    la salutation de /hello (obligatoire : sans elle, /hello répond 500)
//	KV_URL      l'adresse du magasin clé/valeur, par exemple http://db:8080
//	STATIC_DIR  le dossier servi sous /static/ (défaut /app/static)
//	PORT        le port d'écoute (défaut 8080)
//
// Le binaire est statique avec CGO_ENABLED=0 : il tourne dans une image
// FROM scratch, sans shell, d'où la sous-commande healthcheck.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"example.com/ddlab/lab8/api/internal/labkit"
)

// version est remplacée par -ldflags "-X main.version=…".
var version = labkit.DefaultVersion

const (
	defaultPort        = "8080"
	defaultStaticDir   = "/app/static"
	healthcheckTimeout = 2 * time.Second
	// kvTimeout borne chaque appel au magasin : mieux vaut un 502 rapide
	// qu'une requête suspendue quand db ne répond plus.
	kvTimeout = 5 * time.Second
	// itemPrefix distingue les éléments de l'API des autres clés du magasin.
	itemPrefix   = "item-"
	maxItemBody  = 4 << 10 // corps JSON de POST /items
	maxNameBytes = 200
	maxDumpBytes = 32 << 20 // réponse de GET $KV_URL/dump
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run est main sans os.Exit, pour les tests. Il renvoie le code de sortie.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runCtx(ctx, args, getenv, stdout, stderr)
}

// runCtx est run jusqu'à l'annulation de ctx.
func runCtx(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "healthcheck" {
			return healthcheck(getenv, stdout, stderr)
		}
		fmt.Fprintf(stderr, "arguments ignorés : %s (reconnu : healthcheck)\n", strings.Join(args, " "))
	}
	cfg := labkit.FromEnv(getenv, version)
	log := labkit.NewLogger(stdout, cfg.LogFormat)
	a := newAPI(getenv)
	cfg.Routes = a.routes
	log.Info("configuration de l'api", "kv_url", a.kvURL, "static_dir", a.staticDir, "greeting_set", a.greeting != "")
	if a.kvURL == "" {
		log.Warn("KV_URL n'est pas définie : /items répondra 502")
	}
	app := labkit.New(cfg, log)
	if err := app.Serve(ctx, listenAddr(getenv("PORT"))); err != nil {
		log.Error("le serveur s'est arrêté sur une erreur", "err", err)
		return 1
	}
	return 0
}

// api porte la configuration des routes propres au lab 8.
type api struct {
	greeting  string
	kvURL     string // sans « / » final
	staticDir string
	client    *http.Client
	log       *slog.Logger
}

// newAPI lit la configuration dans l'environnement.
func newAPI(getenv func(string) string) *api {
	static := strings.TrimSpace(getenv("STATIC_DIR"))
	if static == "" {
		static = defaultStaticDir
	}
	return &api{
		greeting:  getenv("GREETING"),
		kvURL:     strings.TrimRight(strings.TrimSpace(getenv("KV_URL")), "/"),
		staticDir: static,
		// Pas de proxy : db se joint directement sur le réseau du projet.
		client: &http.Client{Timeout: kvTimeout, Transport: &http.Transport{Proxy: nil}},
		log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// routes ajoute les routes de l'API au multiplexeur de labkit : elles
// profitent ainsi du journal, de X-Request-ID, de X-Served-By et des métriques.
func (a *api) routes(mux *http.ServeMux, log *slog.Logger) {
	if log != nil {
		a.log = log
	}
	mux.HandleFunc("GET /hello", a.hello)
	mux.HandleFunc("POST /items", a.createItem)
	mux.HandleFunc("GET /items", a.listItems)
	mux.HandleFunc("GET /static/", a.static)
}

// hello répond la salutation telle quelle : c'est ce que compose y a mis
// (GREETING=${API_GREETING:-Bonjour}).
func (a *api) hello(w http.ResponseWriter, r *http.Request) {
	if a.greeting == "" {
		writeText(w, http.StatusInternalServerError, "GREETING n'est pas définie : ajoutez-la à environment dans compose.yaml")
		return
	}
	writeText(w, http.StatusOK, a.greeting)
}

// item est le corps de POST /items et sa réponse.
type item struct {
	Name string `json:"name"`
	Key  string `json:"key,omitempty"`
}

// errorBody est la réponse JSON d'une erreur.
type errorBody struct {
	Error string `json:"error"`
}

// createItem range {"name":"…"} dans le magasin sous la clé item-…
func (a *api) createItem(w http.ResponseWriter, r *http.Request) {
	var in item
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxItemBody))
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{"corps invalide : attendu du JSON comme {\"name\":\"café\"} (" + err.Error() + ")"})
		return
	}
	name, msg := cleanName(in.Name)
	if msg != "" {
		writeJSON(w, http.StatusBadRequest, errorBody{msg})
		return
	}
	key := itemKey(name)
	if status, err := a.kvPut(r.Context(), key, name); err != nil {
		a.kvFailed(w, r, status, err)
		return
	}
	writeJSON(w, http.StatusCreated, item{Name: name, Key: key})
}

// listItems renvoie les noms de tous les éléments, triés.
func (a *api) listItems(w http.ResponseWriter, r *http.Request) {
	dump, status, err := a.kvDump(r.Context())
	if err != nil {
		a.kvFailed(w, r, status, err)
		return
	}
	names := []string{} // [] et non null quand le magasin est vide
	for _, e := range dump.Items {
		if strings.HasPrefix(e.Key, itemPrefix) {
			names = append(names, e.Value)
		}
	}
	sort.Strings(names)
	writeJSON(w, http.StatusOK, names)
}

// cleanName vérifie un nom d'élément ; le message d'erreur est vide s'il est bon.
func cleanName(name string) (string, string) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", "le champ name est vide ou absent"
	case len(name) > maxNameBytes:
		return "", fmt.Sprintf("le champ name dépasse %d octets", maxNameBytes)
	case !utf8.ValidString(name):
		return "", "le champ name n'est pas de l'UTF-8 valide"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", "le champ name contient des caractères de contrôle"
	}
	return name, ""
}

// itemKey donne la clé d'un nom dans le magasin : item-<nom> si le nom est
// une clé valide (lettres ASCII, chiffres, « . », « _ », « - »), sinon
// item-<empreinte sha256>, car le magasin refuse les autres caractères.
// La valeur rangée est toujours le nom lui-même.
func itemKey(name string) string {
	if k := itemPrefix + name; labkit.ValidKey(k) {
		return k
	}
	sum := sha256.Sum256([]byte(name))
	return itemPrefix + hex.EncodeToString(sum[:16])
}

// kvError est une panne du magasin : injoignable, ou réponse inattendue.
type kvError struct {
	msg string
	err error
}

func (e *kvError) Error() string {
	if e.err != nil {
		return e.msg + " : " + e.err.Error()
	}
	return e.msg
}

func (e *kvError) Unwrap() error { return e.err }

// kvPut écrit value sous key : PUT $KV_URL/kv/<key>.
func (a *api) kvPut(ctx context.Context, key, value string) (int, error) {
	if a.kvURL == "" {
		return 0, &kvError{msg: "KV_URL n'est pas définie"}
	}
	u := a.kvURL + "/kv/" + key
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, strings.NewReader(value))
	if err != nil {
		return 0, &kvError{msg: "KV_URL invalide (" + a.kvURL + ")", err: err}
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, &kvError{msg: "magasin clé/valeur injoignable à " + a.kvURL, err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, &kvError{msg: fmt.Sprintf("le magasin clé/valeur a répondu %s à PUT %s (%s)", resp.Status, u, bytes.TrimSpace(body))}
	}
	return resp.StatusCode, nil
}

// kvDump lit tout le magasin : GET $KV_URL/dump.
func (a *api) kvDump(ctx context.Context) (labkit.Dump, int, error) {
	var d labkit.Dump
	if a.kvURL == "" {
		return d, 0, &kvError{msg: "KV_URL n'est pas définie"}
	}
	u := a.kvURL + "/dump"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return d, 0, &kvError{msg: "KV_URL invalide (" + a.kvURL + ")", err: err}
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return d, 0, &kvError{msg: "magasin clé/valeur injoignable à " + a.kvURL, err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return d, resp.StatusCode, &kvError{msg: fmt.Sprintf("le magasin clé/valeur a répondu %s à GET %s", resp.Status, u)}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDumpBytes)).Decode(&d); err != nil {
		return d, resp.StatusCode, &kvError{msg: "réponse illisible de GET " + u, err: err}
	}
	return d, resp.StatusCode, nil
}

// kvFailed répond 502 (Bad Gateway) : l'API va bien, c'est sa dépendance
// qui manque. Le journal garde la cause.
func (a *api) kvFailed(w http.ResponseWriter, r *http.Request, upstream int, err error) {
	a.log.Error("appel au magasin clé/valeur en échec",
		"path", r.URL.Path, "upstream_status", upstream, "err", err,
		"request_id", w.Header().Get("X-Request-ID"))
	writeJSON(w, http.StatusBadGateway, errorBody{err.Error()})
}

// static sert les fichiers de $STATIC_DIR sous /static/ : /static/ donne
// index.html. Cache-Control: no-cache, pour qu'une modification (montée
// par compose.override.yaml) se voie au rechargement suivant.
func (a *api) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	name = strings.TrimSuffix(name, "/")
	if name == "" {
		name = "."
	}
	if !fs.ValidPath(name) {
		writeText(w, http.StatusNotFound, "fichier introuvable")
		return
	}
	fsys := os.DirFS(a.staticDir)
	st, err := fs.Stat(fsys, name)
	if err == nil && st.IsDir() {
		name = path.Join(name, "index.html")
		st, err = fs.Stat(fsys, name)
	}
	if err != nil || !st.Mode().IsRegular() {
		writeText(w, http.StatusNotFound, "fichier introuvable : "+name)
		return
	}
	f, err := fsys.Open(name)
	if err != nil {
		writeText(w, http.StatusNotFound, "fichier illisible : "+name)
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		writeText(w, http.StatusInternalServerError, "fichier illisible : "+name)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	// ServeContent, et non http.FileServer : pas de redirection de
	// …/index.html vers …/, qui se comprend mal derrière la passerelle.
	http.ServeContent(w, r, name, st.ModTime(), rs)
}

func writeText(w http.ResponseWriter, code int, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, s+"\n")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeText(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
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
