package labkit

import (
	"bufio"
	"os"
	"strings"
)

// ReadProcStatus lit un fichier au format de /proc/self/status
// (« Clé:\tvaleur » par ligne) et renvoie ses champs. Hors de Linux, ou si
// le fichier est illisible, la table est vide et l'erreur est renvoyée.
func ReadProcStatus(path string) (map[string]string, error) {
	fields := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return fields, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return fields, sc.Err()
}
