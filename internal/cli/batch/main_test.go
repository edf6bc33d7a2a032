package batch_test

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ddlab/grade/internal/cli"
)

// TestMain lets the test binary stand for the children that grade batch starts:
// BATCH_TEST_CHILD=grade makes it the real grade command, the other values hostile processes.
func TestMain(m *testing.M) {
	switch os.Getenv("BATCH_TEST_CHILD") {
	case "grade":
		os.Exit(cli.Main())
	case "endless":
		// Ignores SIGTERM and leaves a grandchild in its group that ignores it too: only a
		// SIGKILL to the whole group ends both.
		signal.Ignore(syscall.SIGTERM)
		gc := exec.Command(os.Args[0])
		gc.Env = append(os.Environ(), "BATCH_TEST_CHILD=sleeper")
		if err := gc.Start(); err == nil {
			_ = os.WriteFile(filepath.Join(os.Getenv("BATCH_TEST_PIDDIR"), "grandchild"), []byte(itoa(gc.Process.Pid)), 0o644)
		}
		time.Sleep(time.Hour)
		os.Exit(0)
	case "sleeper":
		signal.Ignore(syscall.SIGTERM)
		time.Sleep(time.Hour)
		os.Exit(0)
	case "polite":
		// Stops on SIGTERM as grade does on Ctrl-C.
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		_ = os.WriteFile(filepath.Join(os.Getenv("BATCH_TEST_PIDDIR"), "ready"), nil, 0o644)
		<-ch
		os.Exit(130)
	}
	os.Exit(m.Run())
}

func itoa(n int) string {
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
