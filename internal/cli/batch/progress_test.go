package batch

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/gradebook"
)

func TestProgress(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ok := &gradebook.Record{ID: "alice", Status: gradebook.Graded, Seconds: 42}
	bad := &gradebook.Record{ID: "bob", Status: gradebook.Timeout, Error: "plus de 2m\u00a0: arrêté", Seconds: 150}

	t.Run("plain lines in CI", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, false, 4, clock, "fr")
		p.Started()
		p.Finished(ok, "7/10")
		p.Started()
		p.Finished(bad, "")
		p.Started()
		p.Finished(&gradebook.Record{ID: "carol", Status: interrupted}, "")
		p.Done()
		assert.Equal(t, "[1/4] alice\u00a0: corrigé 7/10 (42s)\n[2/4] bob\u00a0: délai dépassé — plus de 2m\u00a0: arrêté (150s)\n"+
			"[3/4] carol\u00a0: interrompu (0s)\n", buf.String())
	})
	t.Run("plain lines in English", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, false, 2, clock, "en")
		p.Started()
		p.Finished(ok, "7/10")
		p.Started()
		p.Finished(&gradebook.Record{ID: "bob", Status: gradebook.Failed, Error: "no report", Seconds: 3}, "")
		assert.Equal(t, "[1/2] alice: graded 7/10 (42s)\n[2/2] bob: not graded — no report (3s)\n", buf.String())
	})
	t.Run("a bar on a terminal", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, true, 4, clock, "fr")
		assert.Contains(t, buf.String(), "0/4 · 0 en cours · 0 non corrigé · reste\u00a0?")
		p.Started()
		now = now.Add(time.Minute)
		p.Finished(ok, "7/10")
		assert.Contains(t, buf.String(), "███████░", "a quarter of the bar")
		assert.Contains(t, buf.String(), "1/4 · 0 en cours · 0 non corrigé · reste ~3m0s")
		assert.NotContains(t, buf.String(), "alice", "graded submissions only move the bar")
		p.Started()
		p.Finished(bad, "")
		assert.Contains(t, buf.String(), "\r\x1b[2K[2/4] bob\u00a0: délai dépassé — plus de 2m\u00a0: arrêté (150s)\n", "failures get a line above the bar")
		assert.Contains(t, buf.String(), "2/4 · 0 en cours · 1 non corrigé · reste ~1m0s")
		buf.Reset()
		p.Done()
		assert.Equal(t, "\r\x1b[2K", buf.String())
	})
	t.Run("a bar in English", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, true, 4, clock, "en")
		p.Started()
		assert.Contains(t, buf.String(), "0/4 · 1 running · 0 not graded · time left: ?")
	})
}
