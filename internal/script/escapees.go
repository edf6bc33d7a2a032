package script

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killTagged kills every process whose environment holds tag: what a script started and put
// out of its process group (setsid, nohup … &) still inherits the environment. Rounds repeat
// while they find some, since a survivor may fork meanwhile. Where /proc cannot be read (not
// Linux, not allowed) it does nothing more than the group kill did.
func killTagged(tag string) {
	want := []byte(tag + "\x00")
	self := os.Getpid()
	for round := 0; round < 5; round++ {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		killed := 0
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == self {
				continue
			}
			env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
			if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) {
				continue
			}
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
		if killed == 0 {
			return
		}
	}
}
