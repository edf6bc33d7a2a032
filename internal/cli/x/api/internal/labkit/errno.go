package labkit

import (
	"errors"
	"io/fs"
	"strconv"
	"syscall"
)

// errnoNames donne le nom symbolique des erreurs système attendues par les
// labs (système de fichiers en lecture seule, disque plein, droits…).
var errnoNames = map[syscall.Errno]string{
	syscall.EROFS:   "EROFS",
	syscall.EACCES:  "EACCES",
	syscall.EPERM:   "EPERM",
	syscall.ENOSPC:  "ENOSPC",
	syscall.EDQUOT:  "EDQUOT",
	syscall.ENOENT:  "ENOENT",
	syscall.ENOTDIR: "ENOTDIR",
	syscall.EISDIR:  "EISDIR",
	syscall.EEXIST:  "EEXIST",
	syscall.EINVAL:  "EINVAL",
	syscall.EIO:     "EIO",
	syscall.EFBIG:   "EFBIG",
	syscall.ENOMEM:  "ENOMEM",
}

// ErrnoName renvoie le nom de l'erreur système contenue dans err
// (« EROFS »…), « ERRNO_<n> » si elle est inconnue, "" s'il n'y en a pas.
func ErrnoName(err error) string {
	var e syscall.Errno
	if !errors.As(err, &e) {
		return ""
	}
	if name, ok := errnoNames[e]; ok {
		return name
	}
	// Hors de Linux (Windows…), les codes diffèrent : on garde l'essentiel.
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "ENOENT"
	case errors.Is(err, fs.ErrPermission):
		return "EACCES"
	case errors.Is(err, fs.ErrExist):
		return "EEXIST"
	}
	return "ERRNO_" + strconv.Itoa(int(e))
}
