// Package labkit est le petit serveur HTTP commun aux labs ddlab.
//
// Il expose les sondes dont le correcteur (grade) a besoin :
//
//	GET  /health            200 « ok », ou 503 si HEALTH_FAIL=1
//	GET  /                  « $GREETING depuis $HOSTNAME », en-tête X-Served-By
//	GET  /version           la version (ldflags -X main.version=… ou $VERSION)
//	GET  /whoami            JSON : uid, gid, pid, hostname, capEff, capBnd, noNewPrivs, seccomp
//	GET  /env/{NAME}        valeur d'une variable autorisée (voir EnvAllowed)
//	POST /crash?code=N      termine le processus avec le code N
//	POST /alloc?mb=N        alloue et garde N Mio de mémoire
//	POST /write?path=P&mb=N écrit un fichier, répond {"ok":…,"errno":…}
//	GET  /file?path=P       sha256, mode et uid d'un fichier (jamais son contenu)
//	GET  /metrics           métriques au format texte Prometheus
//
// En mode kv (Config.KV, « labapp kv »), il sert aussi un petit magasin
// clé/valeur dans $DATA_DIR (voir kv.go).
//
// Chaque requête produit une ligne de journal (LOG_FORMAT=json pour du JSON).
// Serve s'arrête proprement en moins d'une seconde quand son contexte est
// annulé (SIGTERM ou SIGINT dans cmd/server).
//
// Le paquet n'utilise que la bibliothèque standard et example.com/greet, et
// ne lit jamais /etc/passwd : il fonctionne dans une image FROM scratch.
package labkit

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

// DefaultVersion est la version d'un binaire compilé sans -ldflags.
const DefaultVersion = "dev"

// Config regroupe tout ce que le serveur lit dans l'environnement.
// FromEnv la remplit ; les tests la construisent à la main.
type Config struct {
	Version      string        // servie par /version
	Greeting     string        // GREETING ; vide : greet.Hello("Docker")
	Hostname     string        // HOSTNAME, sinon os.Hostname()
	HealthFail   bool          // HEALTH_FAIL=1 : /health répond 503
	LogFormat    string        // LOG_FORMAT : "json" ou texte (défaut)
	MetricsAddr  string        // METRICS_ADDR : /metrics sur une autre adresse
	StartupDelay time.Duration // STARTUP_DELAY : attente avant d'écouter

	KV        bool   // mode kv : routes /kv, /config, /tmpfill, /dump
	DataDir   string // DATA_DIR, défaut /data : une valeur par fichier
	ConfigDir string // CONFIG_DIR, défaut /etc/kv : kv.conf y est relu à chaque requête
	TmpDir    string // TMPDIR, défaut /tmp : /tmpfill y écrit

	// Routes ajoute les routes propres à un service (labs 8 et 13) au même
	// multiplexeur : elles ont le journal, les en-têtes et les métriques des autres.
	Routes func(mux *http.ServeMux, log *slog.Logger)

	Getenv     func(string) string // pour /env/{NAME} ; défaut os.Getenv
	Exit       func(code int)      // pour /crash ; défaut os.Exit
	StatusPath string              // défaut /proc/self/status
}

// ResolveVersion choisit la version servie : celle fixée à la compilation
// (-ldflags "-X main.version=…") si elle existe, sinon $VERSION, sinon "dev".
func ResolveVersion(build, env string) string {
	build, env = strings.TrimSpace(build), strings.TrimSpace(env)
	switch {
	case build != "" && build != DefaultVersion:
		return build
	case env != "":
		return env
	default:
		return DefaultVersion
	}
}

// FromEnv construit la configuration à partir de getenv (os.Getenv en
// production) et de la version fixée à la compilation.
func FromEnv(getenv func(string) string, buildVersion string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	host := getenv("HOSTNAME")
	if host == "" {
		host, _ = os.Hostname()
	}
	delay, _ := time.ParseDuration(getenv("STARTUP_DELAY"))
	return Config{
		Version:      ResolveVersion(buildVersion, getenv("VERSION")),
		Greeting:     getenv("GREETING"),
		Hostname:     host,
		HealthFail:   getenv("HEALTH_FAIL") == "1",
		LogFormat:    getenv("LOG_FORMAT"),
		MetricsAddr:  getenv("METRICS_ADDR"),
		StartupDelay: max(delay, 0),
		DataDir:      orDefault(getenv("DATA_DIR"), "/data"),
		ConfigDir:    orDefault(getenv("CONFIG_DIR"), "/etc/kv"),
		TmpDir:       orDefault(getenv("TMPDIR"), "/tmp"),
		Getenv:       getenv,
	}
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

// NewLogger renvoie le journal du serveur : une ligne par événement, en JSON
// si format vaut "json", en texte clé=valeur sinon.
func NewLogger(w io.Writer, format string) *slog.Logger {
	if strings.EqualFold(format, "json") {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
