package labkit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/greet"
)

// Limites des paramètres des points d'entrée « destructeurs ».
const (
	maxAllocMiB = 4096
	maxWriteMiB = 1024
	mib         = 1 << 20
)

// App est le serveur d'un lab : configuration, journal et métriques.
type App struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics

	mu   sync.Mutex
	held [][]byte // mémoire gardée par /alloc
}

// New crée l'application. Un journal nil écrit dans os.Stdout.
func New(cfg Config, log *slog.Logger) *App {
	if log == nil {
		log = NewLogger(os.Stdout, cfg.LogFormat)
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Exit == nil {
		cfg.Exit = os.Exit
	}
	if cfg.StatusPath == "" {
		cfg.StatusPath = "/proc/self/status"
	}
	cfg.DataDir = orDefault(cfg.DataDir, "/data")
	cfg.ConfigDir = orDefault(cfg.ConfigDir, "/etc/kv")
	cfg.TmpDir = orDefault(cfg.TmpDir, os.TempDir())
	return &App{cfg: cfg, log: log, metrics: NewMetrics()}
}

// Handler renvoie toutes les routes, avec le journal et les métriques.
// /metrics n'y figure pas si METRICS_ADDR la sert ailleurs.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.root)
	mux.HandleFunc("GET /health", a.health)
	mux.HandleFunc("GET /version", a.version)
	mux.HandleFunc("GET /whoami", a.whoami)
	mux.HandleFunc("GET /env/{name}", a.env)
	mux.HandleFunc("POST /crash", a.crash)
	mux.HandleFunc("POST /alloc", a.alloc)
	mux.HandleFunc("POST /write", a.write)
	mux.HandleFunc("GET /file", a.file)
	if a.cfg.KV {
		a.kvRoutes(mux)
	}
	if a.cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", a.MetricsHandler())
	}
	if a.cfg.Routes != nil {
		a.cfg.Routes(mux, a.log)
	}
	return a.instrument(a.gateway(mux)) // gateway.go : mode passerelle si ROUTES est fixée
}

// MetricsHandler sert les métriques au format texte de Prometheus.
func (a *App) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		a.metrics.WriteText(w)
	})
}

// instrument journalise chaque requête sur une ligne, compte les requêtes
// et ajoute les en-têtes X-Request-ID et X-Served-By.
func (a *App) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		w.Header().Set("X-Served-By", a.cfg.Hostname)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		a.metrics.Observe(r.Method, r.URL.Path, rec.status, d)
		a.log.Info("requête",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration_ms", float64(d.Microseconds())/1000,
			"request_id", id,
			"remote", r.RemoteAddr,
		)
	})
}

// statusRecorder retient le code HTTP envoyé.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap permet à http.ResponseController d'atteindre Flush.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func newRequestID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b[:])
}

// Greeting renvoie le message de GET / : « $GREETING depuis $HOSTNAME ».
func (a *App) Greeting() string {
	g := a.cfg.Greeting
	if g == "" {
		g = greet.Hello("Docker")
	}
	return g + " depuis " + a.cfg.Hostname
}

func (a *App) root(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusOK, a.Greeting())
}

func (a *App) health(w http.ResponseWriter, r *http.Request) {
	if a.cfg.HealthFail {
		writeText(w, http.StatusServiceUnavailable, "échec (HEALTH_FAIL=1)")
		return
	}
	writeText(w, http.StatusOK, "ok")
}

func (a *App) version(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusOK, a.cfg.Version)
}

// Whoami est la réponse de GET /whoami. Les quatre derniers champs viennent
// de /proc/self/status ; ils sont vides si ce fichier est illisible.
type Whoami struct {
	UID        int    `json:"uid"`
	GID        int    `json:"gid"`
	PID        int    `json:"pid"`
	Hostname   string `json:"hostname"`
	CapEff     string `json:"capEff"`
	CapBnd     string `json:"capBnd"`
	NoNewPrivs string `json:"noNewPrivs"`
	Seccomp    string `json:"seccomp"`
}

// Whoami décrit le processus : identité numérique (sans /etc/passwd),
// capacités et restrictions du noyau.
func (a *App) Whoami() Whoami {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = a.cfg.Hostname
	}
	st, _ := ReadProcStatus(a.cfg.StatusPath)
	return Whoami{
		UID:        os.Getuid(),
		GID:        os.Getgid(),
		PID:        os.Getpid(),
		Hostname:   host,
		CapEff:     st["CapEff"],
		CapBnd:     st["CapBnd"],
		NoNewPrivs: st["NoNewPrivs"],
		Seccomp:    st["Seccomp"],
	}
}

func (a *App) whoami(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.Whoami())
}

// EnvAllowed dit si GET /env/{NAME} peut révéler la variable name :
// quelques variables connues et celles qui commencent par APP_, jamais
// un nom qui évoque un secret.
func EnvAllowed(name string) bool {
	up := strings.ToUpper(name)
	for _, s := range []string{"SECRET", "PASSWORD", "PASSWD", "TOKEN", "KEY", "CREDENTIAL"} {
		if strings.Contains(up, s) {
			return false
		}
	}
	switch name {
	case "GREETING", "VERSION", "HOSTNAME", "PORT", "HEALTH_FAIL", "LOG_FORMAT",
		"LOG_LEVEL", "METRICS_ADDR", "STARTUP_DELAY", "TZ", "LANG", "DATA_DIR", "CONFIG_DIR":
		return true
	}
	return strings.HasPrefix(name, "APP_") && len(name) > len("APP_")
}

func (a *App) env(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !EnvAllowed(name) {
		writeText(w, http.StatusForbidden, "variable non autorisée : "+name)
		return
	}
	v := a.cfg.Getenv(name)
	if v == "" {
		writeText(w, http.StatusNotFound, "variable absente : "+name)
		return
	}
	writeText(w, http.StatusOK, v)
}

func (a *App) crash(w http.ResponseWriter, r *http.Request) {
	code, err := intParam(r, "code", 1, 0, 255)
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	a.log.Warn("arrêt demandé par /crash", "code", code)
	writeText(w, http.StatusOK, fmt.Sprintf("arrêt avec le code %d", code))
	_ = http.NewResponseController(w).Flush()
	a.cfg.Exit(code)
}

func (a *App) alloc(w http.ResponseWriter, r *http.Request) {
	n, err := intParam(r, "mb", -1, 1, maxAllocMiB)
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	b := make([]byte, n*mib)
	for i := 0; i < len(b); i += 4096 { // toucher chaque page pour qu'elle compte
		b[i] = 1
	}
	a.mu.Lock()
	a.held = append(a.held, b)
	total := 0
	for _, h := range a.held {
		total += len(h) / mib
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "mb": n, "heldMb": total})
}

// WriteResult est la réponse de POST /write.
type WriteResult struct {
	OK    bool   `json:"ok"`
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	Errno string `json:"errno,omitempty"` // EROFS, EACCES, ENOSPC…
	Error string `json:"error,omitempty"`
}

func (a *App) write(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query().Get("path")
	n, err := intParam(r, "mb", 1, 0, maxWriteMiB)
	if err == nil && p == "" {
		err = errors.New("paramètre path manquant")
	}
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	written, err := writeZeros(p, n)
	res := WriteResult{OK: err == nil, Path: p, Bytes: written}
	if err != nil {
		// Un échec (EROFS, ENOSPC…) n'est pas un succès HTTP : le code le dit aussi.
		res.Errno, res.Error = ErrnoName(err), err.Error()
		writeJSON(w, ErrnoStatus(res.Errno), res)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// writeZeros crée (ou vide) le fichier p et y écrit n Mio de zéros.
func writeZeros(p string, n int) (int64, error) {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	chunk := make([]byte, mib)
	var total int64
	for i := 0; i < n; i++ {
		k, err := f.Write(chunk)
		total += int64(k)
		if err != nil {
			f.Close()
			return total, err
		}
	}
	return total, f.Close()
}

// FileInfo est la réponse de GET /file : jamais le contenu du fichier.
type FileInfo struct {
	OK     bool   `json:"ok"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size"`
	Mode   string `json:"mode,omitempty"` // octal avec setuid/setgid/sticky, ex. "0644", "4755"
	IsDir  bool   `json:"isDir"`
	UID    int    `json:"uid"`
	GID    int    `json:"gid"`
	Errno  string `json:"errno,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (a *App) file(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query().Get("path")
	if p == "" {
		writeText(w, http.StatusBadRequest, "paramètre path manquant")
		return
	}
	info, err := statFile(p)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, fs.ErrNotExist) {
			status = http.StatusNotFound
		} else if errors.Is(err, fs.ErrPermission) {
			status = http.StatusForbidden
		}
		writeJSON(w, status, FileInfo{Path: p, UID: -1, GID: -1, Errno: ErrnoName(err), Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func statFile(p string) (FileInfo, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return FileInfo{}, err
	}
	uid, gid := owner(fi)
	info := FileInfo{OK: true, Path: p, Size: fi.Size(), Mode: octalMode(fi.Mode()), IsDir: fi.IsDir(), UID: uid, GID: gid}
	if fi.Mode().IsRegular() {
		f, err := os.Open(p)
		if err != nil {
			return FileInfo{}, err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return FileInfo{}, err
		}
		info.SHA256 = hex.EncodeToString(h.Sum(nil))
	}
	return info, nil
}

// octalMode écrit les permissions comme chmod : 0644, 4755, 1777…
func octalMode(m fs.FileMode) string {
	v := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	return fmt.Sprintf("%04o", v)
}

// intParam lit un paramètre entier de la requête, borné à [lo, hi].
// def < 0 rend le paramètre obligatoire.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		if def < 0 {
			return 0, fmt.Errorf("paramètre %s manquant", name)
		}
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("paramètre %s invalide : %q (attendu : entier entre %d et %d)", name, s, lo, hi)
	}
	return n, nil
}

// writeText envoie s suivi d'un saut de ligne, en text/plain.
func writeText(w http.ResponseWriter, code int, s string) {
	body := s + "\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeText(w, http.StatusInternalServerError, err.Error())
		return
	}
	body = append(body, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
