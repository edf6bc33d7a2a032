package script

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The sandbox is bubblewrap (bwrap, Debian's package bubblewrap), the tool Flatpak runs its
// applications in: a script sees the system's programs read-only, its copy of the lab folder
// and a private home read-write, an empty /tmp, and nothing else of the host: no other
// files, no engine socket, no other process. It keeps the host's network so that the
// engine proxy and the ports the script publishes stay reachable on 127.0.0.1.

// Bwrap finds bubblewrap and proves it can make a sandbox here (it needs namespaces that a
// container or a hardened kernel may deny). The error says why in French and English.
func Bwrap(ctx context.Context) (string, error) {
	path, err := exec.LookPath("bwrap")
	if err != nil {
		return "", errors.New("bubblewrap (bwrap) n'est pas installé / is not installed: apt-get install bubblewrap")
	}
	dir, err := os.MkdirTemp("", "grade-sandbox-probe-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	args := append(sandboxArgs(dir, dir), "sh", "-c", "test ! -e /var/run/docker.sock")
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("bubblewrap ne peut pas isoler les scripts ici / cannot sandbox scripts here: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return path, nil
}

// sandboxArgs are bwrap's options for a script that works in dir with home as HOME.
func sandboxArgs(dir, home string) []string {
	args := []string{
		"--die-with-parent", // the grader's kill of bwrap ends the whole sandbox
		"--new-session",     // no TIOCSTI into the grader's terminal
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--cap-drop", "ALL",
		"--ro-bind", "/usr", "/usr",
		"--proc", "/proc", "--dev", "/dev",
		"--tmpfs", "/tmp", "--tmpfs", "/run", "--tmpfs", "/var",
	}
	// Merged /usr (Debian 12) has /bin → usr/bin links; older systems have folders.
	for _, d := range []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"} {
		st, err := os.Lstat(d)
		switch {
		case err != nil:
		case st.Mode()&os.ModeSymlink != 0:
			if target, err := os.Readlink(d); err == nil {
				args = append(args, "--symlink", target, d)
			}
		case st.IsDir():
			args = append(args, "--ro-bind", d, d)
		}
	}
	// Of /etc, what the labs' tools need (name resolution, users, TLS roots, Debian's
	// alternatives for awk and friends); the rest stays out of sight.
	for _, e := range []string{"passwd", "group", "hosts", "resolv.conf", "nsswitch.conf", "host.conf",
		"alternatives", "ssl", "ca-certificates", "localtime", "os-release"} {
		args = append(args, "--ro-bind-try", filepath.Join("/etc", e), filepath.Join("/etc", e))
	}
	// After the tmpfs mounts, so that a folder under /tmp shows through them.
	args = append(args, "--bind", dir, dir)
	if home != dir {
		args = append(args, "--bind", home, home)
	}
	return append(args, "--chdir", dir)
}
