//go:build unix

package labkit

import (
	"io/fs"
	"syscall"
)

// owner renvoie l'UID et le GID numériques du fichier.
func owner(fi fs.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}
