package batch

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ddlab/grade/internal/gradebook"
	"github.com/ddlab/grade/internal/report"
)

// progress shows the batch going: on a terminal a bar redrawn in place (done/total, failures,
// time left) with a line above it for each submission not graded; piped (CI logs), one plain
// line per finished submission.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	now     func() time.Time
	start   time.Time
	total   int
	done    int
	failed  int // not graded: error or timeout
	running int
}

func newProgress(w io.Writer, tty bool, total int, now func() time.Time) *progress {
	p := &progress{w: w, tty: tty, total: total, now: now, start: now()}
	if tty && total > 0 {
		p.draw()
	}
	return p
}

// Started counts a submission as being graded.
func (p *progress) Started() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running++
	if p.tty {
		p.draw()
	}
}

// Finished records a submission's end.
func (p *progress) Finished(rec *gradebook.Record, score string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.running--
	bad := rec.Status != gradebook.Graded
	if bad {
		p.failed++
	}
	line := fmt.Sprintf("[%d/%d] %s : %s", p.done, p.total, rec.ID, rec.Status)
	if score != "" {
		line += " " + score
	}
	if rec.Error != "" {
		line += " — " + report.Sanitize(rec.Error)
	}
	line += fmt.Sprintf(" (%.0fs)", rec.Seconds)
	switch {
	case !p.tty:
		fmt.Fprintln(p.w, line)
	case bad:
		fmt.Fprintf(p.w, "\r\x1b[2K%s\n", line)
		p.draw()
	default:
		p.draw()
	}
}

// Done clears the bar.
func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}

func (p *progress) draw() {
	const width = 30
	filled := 0
	if p.total > 0 {
		filled = width * p.done / p.total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.w, "\r\x1b[2K%s %d/%d · %d en cours · %d non corrigé(s) · %s", bar, p.done, p.total, p.running, p.failed, p.eta())
}

// eta guesses the time left from the mean time per finished submission so far.
func (p *progress) eta() string {
	if p.done == 0 {
		return "reste ?"
	}
	per := p.now().Sub(p.start) / time.Duration(p.done)
	left := (per * time.Duration(p.total-p.done)).Round(time.Second)
	return "reste ~" + left.String()
}
