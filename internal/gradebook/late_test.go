package gradebook

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{name: "full", in: "due: 2026-12-01T23:59:00+01:00\ngrace: 15m\npenalty-per-day: 10\nmax-late-days: 3\n"},
		{name: "due only", in: "due: 2026-12-01T23:59:00Z\n"},
		{name: "no due", in: "grace: 1h\n", wantErr: "due: missing"},
		{name: "unknown key", in: "due: 2026-12-01T23:59:00Z\npenalty: 5\n", wantErr: "field penalty not found"},
		{name: "bad grace", in: "due: 2026-12-01T23:59:00Z\ngrace: soon\n", wantErr: `grace: "soon"`},
		{name: "penalty over 100", in: "due: 2026-12-01T23:59:00Z\npenalty-per-day: 150\n", wantErr: "penalty-per-day"},
		{name: "negative days", in: "due: 2026-12-01T23:59:00Z\nmax-late-days: -1\n", wantErr: "max-late-days"},
		{name: "not a time", in: "due: tomorrow\n", wantErr: "deadline file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tt.in))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.False(t, p.Due.IsZero())
		})
	}
}

func TestPolicyApply(t *testing.T) {
	p, err := ParsePolicy([]byte("due: 2026-12-01T23:59:00Z\ngrace: 15m\npenalty-per-day: 10\nmax-late-days: 3\n"))
	require.NoError(t, err)
	due := p.Due
	tests := []struct {
		name string
		at   time.Time
		want Late
	}{
		{name: "unknown time", at: time.Time{}, want: Late{}},
		{name: "early", at: due.Add(-time.Hour), want: Late{}},
		{name: "within grace", at: due.Add(14 * time.Minute), want: Late{}},
		{name: "just after grace", at: due.Add(16 * time.Minute), want: Late{Days: 1, Penalty: 10}},
		{name: "a day and a minute", at: due.Add(24*time.Hour + 16*time.Minute), want: Late{Days: 2, Penalty: 20}},
		{name: "three days", at: due.Add(72*time.Hour + 15*time.Minute), want: Late{Days: 3, Penalty: 30}},
		{name: "past the limit", at: due.Add(80 * time.Hour), want: Late{Days: 4, Penalty: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, p.Apply(tt.at))
		})
	}
	assert.Equal(t, Late{}, (*Policy)(nil).Apply(due.Add(1000*time.Hour)))
	assert.Equal(t, 6.3, Final(7, Late{Days: 1, Penalty: 10}))
	assert.Equal(t, 0.0, Final(7, Late{Days: 9, Penalty: 100}))
}

func FuzzParsePolicy(f *testing.F) {
	f.Add("due: 2026-12-01T23:59:00+01:00\ngrace: 15m\npenalty-per-day: 10\nmax-late-days: 3\n")
	f.Add("due: x\n")
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePolicy([]byte(in))
		if err != nil {
			return
		}
		l := p.Apply(p.Due.Add(50 * time.Hour))
		if l.Penalty < 0 || l.Penalty > 100 {
			t.Fatalf("penalty %v out of range", l.Penalty)
		}
	})
}
