package lab

import (
	"fmt"
	"path"
	"strings"

	"github.com/docker/go-units"
)

// Names Go's embed refuses or that would bloat the binary are stored under another name and
// restored by WriteFiles:
//   - a folder named `_git` is written as `.git` (embed never holds a .git folder; lab 3's
//     starter has one as a build-context trap);
//   - a file `name.gen` holding `random <size>` is written as `name`, filled with that many
//     deterministic pseudo-random bytes (lab 3's big.bin trap costs a few bytes in the repo
//     and in the binary).
const (
	gitFolder    = "_git"
	genSuffix    = ".gen"
	maxGenerated = 256 << 20
)

// targetName is the name an embedded path is written under.
func targetName(p string) string {
	parts := strings.Split(p, "/")
	for i, el := range parts {
		if el == gitFolder {
			parts[i] = ".git"
		}
	}
	last := parts[len(parts)-1]
	switch {
	case last == "go.mod"+templateSuffix:
		parts[len(parts)-1] = "go.mod"
	case strings.HasSuffix(last, genSuffix) && len(last) > len(genSuffix):
		parts[len(parts)-1] = strings.TrimSuffix(last, genSuffix)
	}
	return path.Join(parts...)
}

// content is what an embedded file p with data is written as.
func content(p string, data []byte) ([]byte, error) {
	base := path.Base(p)
	if !strings.HasSuffix(base, genSuffix) || len(base) == len(genSuffix) {
		return data, nil
	}
	kind, size, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	n, err := units.RAMInBytes(strings.TrimSpace(size))
	if kind != "random" || err != nil || n < 0 || n > maxGenerated {
		return nil, fmt.Errorf("%s: want `random <size>` (at most 256MB), got %q", p, data)
	}
	return pseudoRandom(int(n)), nil
}

// pseudoRandom returns n incompressible bytes, the same on every call (xorshift32).
func pseudoRandom(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
