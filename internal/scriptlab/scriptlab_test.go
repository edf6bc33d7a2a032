package scriptlab

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/script"
)

func newSession(fake *enginefake.Fake, params map[string]string) *Session {
	return New(&grader.Run{ID: "0123456789abcdef", Spec: &lab.Spec{Lab: "lab1", Params: params}, Engine: fake,
		Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}})
}

func TestEngineInfoOnce(t *testing.T) {
	calls := 0
	fake := &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) {
		calls++
		return engine.Info{Remote: true}, nil
	}}
	s := newSession(fake, nil)
	for range 3 {
		info, err := s.EngineInfo(context.Background())
		require.NoError(t, err)
		assert.True(t, info.Remote)
	}
	assert.Equal(t, 1, calls)

	o, err := s.LocalOnly(context.Background(), "il ne voit pas le dossier.", "it cannot see the folder.")
	require.NoError(t, err)
	require.NotNil(t, o)
	assert.Equal(t, check.Skip, o.Status)
	assert.True(t, o.Excluded, "an environment skip leaves the denominator")
	assert.Contains(t, o.Message.FR, "il ne voit pas le dossier.")
	assert.Contains(t, o.Message.EN, "it cannot see the folder.")

	// A grader error is not kept: the next check asks again.
	boom := errors.New("engine gone")
	fake.InfoFn = func(context.Context) (engine.Info, error) { return engine.Info{}, boom }
	s = newSession(fake, nil)
	_, err = s.LocalOnly(context.Background(), "", "")
	assert.ErrorIs(t, err, boom)
	fake.InfoFn = func(context.Context) (engine.Info, error) { return engine.Info{}, nil }
	o, err = s.LocalOnly(context.Background(), "", "")
	require.NoError(t, err)
	assert.Nil(t, o, "a local engine supports the check")
}

func TestParams(t *testing.T) {
	s := newSession(nil, map[string]string{"wait": "2s", "zero": "0s", "n": "7", "neg": "-1", "word": "x", "big": "268435456"})
	tests := []struct {
		name    string
		get     func() (any, error)
		want    any
		wantErr string
	}{
		{"duration", func() (any, error) { return s.Duration("wait") }, 2 * time.Second, ""},
		{"zero duration", func() (any, error) { return s.Duration("zero") }, time.Duration(0), "not a positive duration"},
		{"not a duration", func() (any, error) { return s.Duration("word") }, time.Duration(0), "not a positive duration"},
		{"missing", func() (any, error) { return s.Duration("nope") }, time.Duration(0), "params.nope is missing"},
		{"int", func() (any, error) { return s.Int("n") }, 7, ""},
		{"negative int", func() (any, error) { return s.Int("neg") }, 0, "not a non-negative integer"},
		{"int64", func() (any, error) { return s.Int64("big") }, int64(268435456), ""},
		{"string", func() (any, error) { return s.Param("word") }, "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestJudgeScript(t *testing.T) {
	assert.Nil(t, JudgeScript("run.sh", script.Result{}))
	o := JudgeScript("run.sh", script.Result{ExitCode: 2, Output: "boom"})
	require.NotNil(t, o)
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "code 2")
	o = JudgeScript("run.sh", script.Result{TimedOut: true, Duration: time.Second})
	require.NotNil(t, o)
	assert.Contains(t, o.Message.FR, "n'a pas fini")
}

func TestScriptRefusedRunsOnce(t *testing.T) {
	s := newSession(nil, nil)
	s.Run.Refused = []buildctx.Problem{{Path: "run.sh", Message: check.T("lien hors du dossier", "link out of the folder")}}
	first, err := s.Once(context.Background(), "run.sh")
	require.NoError(t, err)
	require.NotNil(t, first.Fail)
	assert.Equal(t, "run.sh est refusé : lien hors du dossier", first.Fail.Message.FR)
	again, err := s.Once(context.Background(), "run.sh")
	require.NoError(t, err)
	assert.Same(t, first, again)
}

func TestGetReady(t *testing.T) {
	tries := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries++
		if tries < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("X-Served-By", "a")
		_, _ = w.Write([]byte("Bonjour " + r.Header.Get("X-Test") + " " + r.UserAgent()))
	}))
	defer srv.Close()
	c := NewClient(time.Second)
	c.UserAgent = "ddlab-grade"

	// Any answer ends the wait, a 503 too.
	rep := c.GetReady(context.Background(), srv.URL, time.Second, nil, nil)
	require.NoError(t, rep.Err)
	assert.Equal(t, http.StatusServiceUnavailable, rep.Status)

	// Until a 200, with a header sent.
	rep = c.GetReady(context.Background(), srv.URL, 5*time.Second, map[string]string{"X-Test": "t"},
		func(r Reply) bool { return r.Status == http.StatusOK })
	require.NoError(t, rep.Err)
	assert.Equal(t, "Bonjour t ddlab-grade", rep.Body)
	assert.Equal(t, "a", rep.Header.Get("X-Served-By"))
	assert.Equal(t, 3, tries)
}

func TestGetReadyNoAnswer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String()
	require.NoError(t, l.Close())

	start := time.Now()
	rep := NewClient(time.Second).GetReady(context.Background(), url, 500*time.Millisecond, nil, nil)
	assert.Error(t, rep.Err)
	assert.False(t, rep.Answered())
	assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "retried for the whole wait")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep = NewClient(time.Second).GetReady(ctx, url, time.Minute, nil, nil)
	assert.Error(t, rep.Err, "a cancelled context ends the wait at once")
}
