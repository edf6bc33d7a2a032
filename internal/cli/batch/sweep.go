package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/gradebook"
	"github.com/ddlab/grade/internal/grader"
)

// sweeper removes the engine objects of a grading process that did not finish its own
// cleanup. It opens one engine client, on first need, for the whole batch.
type sweeper struct {
	f    *cliutil.Factory
	once sync.Once
	e    engine.Engine
	err  error
}

func (s *sweeper) sweep(ctx context.Context, runID, dir string) {
	s.once.Do(func() { s.e, s.err = s.f.Engine() })
	err := s.err
	if err == nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		err = grader.Sweep(sctx, s.e, grader.RunLabelOf(runID))
		cancel()
	}
	if err != nil {
		msg := s.f.Sayf("grade batch : le nettoyage des objets ddlab.run=%s a échoué (%s)\n", "grade batch: the cleanup of the objects ddlab.run=%s failed (%s)\n",
			runID, cliutil.Message(err, s.f.Lang()))
		fmt.Fprint(s.f.IO.ErrOut, msg)
		if fh, ferr := os.OpenFile(filepath.Join(dir, gradebook.LogFile), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644); ferr == nil {
			fmt.Fprint(fh, msg)
			fh.Close()
		}
	}
}

func (s *sweeper) close() {
	if s.e != nil {
		s.e.Close()
	}
}
