package labkit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Limites du mode kv.
const (
	maxKeyLen     = 128
	maxValueBytes = 1 << 20
	maxTmpfillMiB = 1024
	maxConfBytes  = 64 << 10
	tmpPrefix     = ".tmp-" // fichiers temporaires des écritures atomiques
	tmpfillName   = "tmpfill"
)

// kvRoutes ajoute les routes du mode kv (labapp kv) :
//
//	PUT|GET|DELETE /kv/{key}  une valeur par fichier, $DATA_DIR/<key>
//	GET  /config              $CONFIG_DIR/kv.conf relu à chaque requête (JSON)
//	GET  /config/{name}       une valeur de kv.conf, en texte
//	POST /tmpfill?mb=N        écrit N Mio dans $TMPDIR/tmpfill
//	GET  /dump                clés et valeurs triées, avec leur sha256
func (a *App) kvRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /kv/{key}", a.kvPut)
	mux.HandleFunc("GET /kv/{key}", a.kvGet)
	mux.HandleFunc("DELETE /kv/{key}", a.kvDelete)
	mux.HandleFunc("GET /config", a.config)
	mux.HandleFunc("GET /config/{name}", a.configValue)
	mux.HandleFunc("POST /tmpfill", a.tmpfill)
	mux.HandleFunc("GET /dump", a.dump)
}

// ValidKey dit si key peut nommer un fichier de $DATA_DIR : lettres ASCII,
// chiffres, « . », « _ » et « - », sans point initial (ni « .. », ni
// fichier caché, ni fichier temporaire), 128 caractères au plus.
func ValidKey(key string) bool {
	if key == "" || len(key) > maxKeyLen || key[0] == '.' {
		return false
	}
	for _, c := range []byte(key) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// KVResult est la réponse JSON des écritures et des erreurs du mode kv.
type KVResult struct {
	OK    bool   `json:"ok"`
	Key   string `json:"key,omitempty"`
	Path  string `json:"path,omitempty"`
	Bytes int64  `json:"bytes"`
	Errno string `json:"errno,omitempty"` // EROFS, ENOSPC, EACCES…
	Error string `json:"error,omitempty"`
}

// ErrnoStatus donne le code HTTP d'une écriture qui a échoué : 507 si le
// disque est plein, 403 si l'écriture est interdite (lecture seule, droits),
// 404 si le chemin n'existe pas, 500 sinon.
func ErrnoStatus(errno string) int {
	switch errno {
	case "ENOSPC", "EDQUOT", "EFBIG":
		return http.StatusInsufficientStorage
	case "EROFS", "EACCES", "EPERM":
		return http.StatusForbidden
	case "ENOENT", "ENOTDIR":
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// kvKey lit et vérifie la clé de la requête ; false si la réponse est faite.
func kvKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.PathValue("key")
	if !ValidKey(key) {
		writeJSON(w, http.StatusBadRequest, KVResult{Key: key, Error: "clé invalide : lettres, chiffres, « . », « _ » et « - » seulement (128 au plus, pas de point initial)"})
		return "", false
	}
	return key, true
}

// writeFailure répond à une écriture qui a échoué en nommant l'errno.
func writeFailure(w http.ResponseWriter, res KVResult, err error) {
	res.OK, res.Errno, res.Error = false, ErrnoName(err), err.Error()
	writeJSON(w, ErrnoStatus(res.Errno), res)
}

func (a *App) kvPut(w http.ResponseWriter, r *http.Request) {
	key, ok := kvKey(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxValueBytes))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, KVResult{Key: key, Error: "valeur trop grande ou illisible (1 Mio au plus) : " + err.Error()})
		return
	}
	p := filepath.Join(a.cfg.DataDir, key)
	res := KVResult{Key: key, Path: p}
	if err := WriteFileAtomic(p, body); err != nil {
		writeFailure(w, res, err)
		return
	}
	res.OK, res.Bytes = true, int64(len(body))
	writeJSON(w, http.StatusOK, res)
}

// WriteFileAtomic écrit data dans p sans qu'un lecteur voie jamais un fichier
// à moitié écrit : fichier temporaire dans le même dossier, fsync, rename.
func WriteFileAtomic(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), tmpPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func (a *App) kvGet(w http.ResponseWriter, r *http.Request) {
	key, ok := kvKey(w, r)
	if !ok {
		return
	}
	p := filepath.Join(a.cfg.DataDir, key)
	data, err := readRegular(p, maxValueBytes)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeJSON(w, http.StatusNotFound, KVResult{Key: key, Path: p, Errno: "ENOENT", Error: "clé absente : " + key})
			return
		}
		res := KVResult{Key: key, Path: p, Errno: ErrnoName(err), Error: err.Error()}
		writeJSON(w, http.StatusInternalServerError, res)
		return
	}
	// La valeur telle quelle, sans saut de ligne ajouté : c'est aussi le
	// contenu du fichier $DATA_DIR/<key>.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// readRegular lit un fichier ordinaire d'au plus limit octets.
func readRegular(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errors.New("pas un fichier ordinaire")}
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

func (a *App) kvDelete(w http.ResponseWriter, r *http.Request) {
	key, ok := kvKey(w, r)
	if !ok {
		return
	}
	p := filepath.Join(a.cfg.DataDir, key)
	res := KVResult{Key: key, Path: p}
	if err := os.Remove(p); err != nil {
		writeFailure(w, res, err)
		return
	}
	res.OK = true
	writeJSON(w, http.StatusOK, res)
}

// ParseConf lit un fichier kv.conf : une ligne « clé=valeur » par réglage,
// espaces autour retirés ; lignes vides, commentaires (#) et lignes sans
// « = » ignorés ; la dernière occurrence d'une clé l'emporte.
func ParseConf(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxConfBytes)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		out[k] = strings.TrimSpace(v)
	}
	return out
}

// readConf relit $CONFIG_DIR/kv.conf : jamais de cache, pour qu'une
// modification du fichier monté se voie sans redémarrer.
func (a *App) readConf() (string, map[string]string, error) {
	p := filepath.Join(a.cfg.ConfigDir, "kv.conf")
	data, err := readRegular(p, maxConfBytes)
	if err != nil {
		return p, nil, err
	}
	return p, ParseConf(data), nil
}

// confError répond qu'on ne peut pas lire kv.conf.
func confError(w http.ResponseWriter, p string, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, fs.ErrNotExist) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, KVResult{Path: p, Errno: ErrnoName(err), Error: err.Error()})
}

func (a *App) config(w http.ResponseWriter, r *http.Request) {
	p, conf, err := a.readConf()
	if err != nil {
		confError(w, p, err)
		return
	}
	writeJSON(w, http.StatusOK, conf)
}

func (a *App) configValue(w http.ResponseWriter, r *http.Request) {
	p, conf, err := a.readConf()
	if err != nil {
		confError(w, p, err)
		return
	}
	name := r.PathValue("name")
	v, ok := conf[name]
	if !ok {
		writeText(w, http.StatusNotFound, "réglage absent de "+p+" : "+name)
		return
	}
	writeText(w, http.StatusOK, v)
}

func (a *App) tmpfill(w http.ResponseWriter, r *http.Request) {
	n, err := intParam(r, "mb", -1, 1, maxTmpfillMiB)
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	p := filepath.Join(a.cfg.TmpDir, tmpfillName)
	written, err := writeZeros(p, n)
	res := KVResult{Path: p, Bytes: written}
	if err != nil {
		// Un /tmp plein bloquerait tout le reste : on libère la place.
		os.Remove(p)
		writeFailure(w, res, err)
		return
	}
	res.OK = true
	writeJSON(w, http.StatusOK, res)
}

// DumpEntry est une clé du magasin et sa valeur.
type DumpEntry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Dump est la réponse de GET /dump : les clés triées, et le sha256 de
// « clé=valeur\n » concaténés dans cet ordre, pour comparer deux magasins.
type Dump struct {
	OK     bool        `json:"ok"`
	Count  int         `json:"count"`
	Items  []DumpEntry `json:"items"`
	SHA256 string      `json:"sha256"`
}

// ReadDump lit toutes les clés valides de dir, triées.
func ReadDump(dir string) (Dump, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Dump{}, err
	}
	var names []string
	for _, e := range entries {
		if ValidKey(e.Name()) && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	d := Dump{OK: true, Items: []DumpEntry{}}
	h := sha256.New()
	for _, k := range names {
		v, err := readRegular(filepath.Join(dir, k), maxValueBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue // supprimée entre-temps
		}
		if err != nil {
			return Dump{}, err
		}
		d.Items = append(d.Items, DumpEntry{Key: k, Value: string(v)})
		io.WriteString(h, k+"="+string(v)+"\n")
	}
	d.Count, d.SHA256 = len(d.Items), hex.EncodeToString(h.Sum(nil))
	return d, nil
}

func (a *App) dump(w http.ResponseWriter, r *http.Request) {
	d, err := ReadDump(a.cfg.DataDir)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, KVResult{Path: a.cfg.DataDir, Errno: ErrnoName(err), Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, d)
}
