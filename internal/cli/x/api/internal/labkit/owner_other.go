//go:build !unix

package labkit

import "io/fs"

// owner n'a pas de sens hors Unix : -1, -1.
func owner(fs.FileInfo) (uid, gid int) { return -1, -1 }
