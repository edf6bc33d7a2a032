package grade

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/report"
)

// progress shows long steps. On a terminal it redraws one status line (the step and the
// latest build log line); piped, it prints each step once and never the build log.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	lang  string // the run's language
	steps int
	step  string
	drawn bool
	last  time.Time
}

func (p *progress) Step(msg check.Text) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps++
	p.step = msg.In(p.lang)
	if p.lang != "en" {
		p.step = check.Typeset(p.step)
	}
	if !p.tty {
		fmt.Fprintf(p.w, "… %s\n", report.Sanitize(p.step))
		return
	}
	p.draw("")
}

func (p *progress) Detail(line string) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Redrawing on every log line would flood a slow terminal.
	if time.Since(p.last) < 80*time.Millisecond {
		return
	}
	p.draw(line)
}

func (p *progress) draw(detail string) {
	p.last = time.Now()
	line := "⏳ " + p.step
	if d := strings.TrimSpace(report.Sanitize(detail)); d != "" {
		line += "  " + d
	}
	if r := []rune(line); len(r) > 100 {
		line = string(r[:99]) + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", line)
	p.drawn = true
}

// Done clears the status line before the report is printed.
func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
}
