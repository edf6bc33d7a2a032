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
	bad := &gradebook.Record{ID: "bob", Status: gradebook.Timeout, Error: "over 2m: killed", Seconds: 150}

	t.Run("plain lines in CI", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, false, 4, clock)
		p.Started()
		p.Finished(ok, "7/10")
		p.Started()
		p.Finished(bad, "")
		p.Done()
		assert.Equal(t, "[1/4] alice : graded 7/10 (42s)\n[2/4] bob : timeout — over 2m: killed (150s)\n", buf.String())
	})
	t.Run("a bar on a terminal", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, true, 4, clock)
		assert.Contains(t, buf.String(), "0/4 · 0 en cours · 0 non corrigé(s) · reste ?")
		p.Started()
		now = now.Add(time.Minute)
		p.Finished(ok, "7/10")
		assert.Contains(t, buf.String(), "███████░", "a quarter of the bar")
		assert.Contains(t, buf.String(), "1/4 · 0 en cours · 0 non corrigé(s) · reste ~3m0s")
		assert.NotContains(t, buf.String(), "alice", "graded submissions only move the bar")
		p.Started()
		p.Finished(bad, "")
		assert.Contains(t, buf.String(), "\r\x1b[2K[2/4] bob : timeout — over 2m: killed (150s)\n", "failures get a line above the bar")
		assert.Contains(t, buf.String(), "2/4 · 0 en cours · 1 non corrigé(s) · reste ~1m0s")
		buf.Reset()
		p.Done()
		assert.Equal(t, "\r\x1b[2K", buf.String())
	})
}
