package batch

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradebook"
	"github.com/ddlab/grade/internal/report"
)

// interrupted is the status the progress shows for a submission cut short by Ctrl-C; it has
// no record.
const interrupted gradebook.Status = "interrupted"

// statusText says a submission's status in lang.
func statusText(lang string, s gradebook.Status) string {
	switch s {
	case gradebook.Graded:
		return cliutil.Say(lang, "corrigé", "graded")
	case gradebook.Timeout:
		return cliutil.Say(lang, "délai dépassé", "over the time limit")
	case gradebook.Failed:
		return cliutil.Say(lang, "non corrigé", "not graded")
	case interrupted:
		return cliutil.Say(lang, "interrompu", "interrupted")
	}
	return string(s)
}

// progress shows the batch going: on a terminal a bar redrawn in place (done/total, failures,
// time left) with a line above it for each submission not graded; piped (CI logs), one plain
// line per finished submission.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	lang    string
	now     func() time.Time
	start   time.Time
	total   int
	done    int
	failed  int // not graded: error or timeout
	running int
}

func newProgress(w io.Writer, tty bool, total int, now func() time.Time, lang string) *progress {
	p := &progress{w: w, tty: tty, total: total, now: now, start: now(), lang: lang}
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
	line := fmt.Sprintf("[%d/%d] %s", p.done, p.total, cliutil.Sayf(p.lang, "%s : %s", "%s: %s", rec.ID, statusText(p.lang, rec.Status)))
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
	fmt.Fprintf(p.w, "\r\x1b[2K%s %d/%d · %s · %s · %s", bar, p.done, p.total,
		cliutil.Sayf(p.lang, "%d en cours", "%d running", p.running),
		cliutil.Count(p.lang, p.failed, "non corrigé", "non corrigés", "not graded", "not graded"), p.eta())
}

// eta guesses the time left from the mean time per finished submission so far.
func (p *progress) eta() string {
	if p.done == 0 {
		return cliutil.Say(p.lang, "reste ?", "time left: ?")
	}
	per := p.now().Sub(p.start) / time.Duration(p.done)
	left := (per * time.Duration(p.total-p.done)).Round(time.Second)
	return cliutil.Say(p.lang, "reste ~", "time left: ~") + left.String()
}
