package lab04

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

// fakeApp is lab4-app as the engine and its published port show it: an HTTP server on
// loopback, and a container state that /crash and /alloc change the way the policy says.
type fakeApp struct {
	mu      sync.Mutex
	c       engine.Container
	events  []engine.Event
	restart bool // the engine restarts it after a crash or a kill
	limited bool // /alloc gets it killed
	srv     *httptest.Server
	stopped bool
	revive  bool // something starts it again after a manual stop
}

func newFakeApp(t *testing.T, policy engine.RestartPolicy) *fakeApp {
	a := &fakeApp{restart: policy.Name != "no" && policy.Name != "", limited: true}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			w.WriteHeader(http.StatusOK)
		case "/crash":
			a.die(3, false)
		case "/alloc":
			if a.limited {
				a.die(137, true)
				return
			}
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	t.Cleanup(a.srv.Close)
	_, port, err := net.SplitHostPort(a.srv.Listener.Addr().String())
	require.NoError(t, err)
	a.c = engine.Container{ID: "app", Name: "lab4-app", Status: "running", Running: true, Restart: policy,
		StartedAt: time.Unix(1000, 0), Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "127.0.0.1", HostPort: port}}}
	return a
}

func (a *fakeApp) die(code int, oom bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, engine.Event{ID: "app", Action: "die", Attrs: map[string]string{"exitCode": itoa(code)}, Time: time.Now()})
	if oom {
		a.events = append(a.events, engine.Event{ID: "app", Action: "oom", Time: time.Now()})
		a.c.OOMKilled = true
	}
	a.c.ExitCode = code
	if a.restart {
		a.c.RestartCount++
		a.c.StartedAt = a.c.StartedAt.Add(time.Minute)
		return
	}
	a.c.Running, a.c.Status = false, "exited"
}

func itoa(n int) string { return map[int]string{3: "3", 137: "137"}[n] }

func (a *fakeApp) engine(info engine.Info) *enginefake.Fake {
	return &enginefake.Fake{
		InfoFn: func(context.Context) (engine.Info, error) { return info, nil },
		InspectContainerFn: func(context.Context, string) (engine.Container, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.stopped && a.revive {
				a.c.Running, a.c.Status, a.c.StartedAt = true, "running", a.c.StartedAt.Add(time.Minute)
			}
			return a.c, nil
		},
		EventsFn: func(context.Context, engine.EventFilter) ([]engine.Event, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			return append([]engine.Event(nil), a.events...), nil
		},
		StopFn: func(context.Context, string, time.Duration) error {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.stopped, a.c.Running, a.c.Status, a.c.ExitCode = true, false, "exited", 0
			return nil
		},
		LogsFn: func(context.Context, string, int) (string, error) { return "", nil },
	}
}

func newTestState(t *testing.T, e engine.Engine) *state {
	t.Helper()
	params := map[string]string{"host-ip": "127.0.0.1", "host-port": "8084", "app-mode": "prod", "restart-retries": "3",
		"restart-wait": "2s", "oom-mb": "128", "oom-wait": "3s", "manual-stop-wait": "1s", "memory": "67108864"}
	r := &grader.Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab4", Params: params}, Engine: e,
		Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	s := stateFor(r)
	s.appID = "app"
	return s
}

var local = engine.Info{MemoryLimit: true}

func TestCheckRestart(t *testing.T) {
	tests := []struct {
		name   string
		policy engine.RestartPolicy
		want   check.Status
		msg    string
	}{
		{"on-failure:3 restarts", engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}, check.Pass, "redémarré"},
		{"always is not the contract", engine.RestartPolicy{Name: "always"}, check.Fail, "est always"},
		{"on-failure:1", engine.RestartPolicy{Name: "on-failure", MaxRetries: 1}, check.Fail, "on-failure:1"},
		{"no policy", engine.RestartPolicy{Name: "no"}, check.Fail, "aucun redémarrage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newFakeApp(t, tt.policy)
			s := newTestState(t, app.engine(local))
			o, err := s.checkRestart(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR+o.Actual.FR, tt.msg)
			if tt.want == check.Fail {
				assert.Empty(t, app.events, "a wrong policy is judged without crashing the app")
			}
		})
	}
}

func TestCheckRestartNeverBack(t *testing.T) {
	app := newFakeApp(t, engine.RestartPolicy{Name: "on-failure", MaxRetries: 3})
	app.restart = false // the engine gave up (retries exhausted)
	s := newTestState(t, app.engine(local))
	o, err := s.checkRestart(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "ne redémarre pas")
	assert.Contains(t, o.Actual.FR, "exited, code 3")
}

func TestCheckOOM(t *testing.T) {
	onFailure := engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}
	t.Run("killed and restarted", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		o, err := newTestState(t, app.engine(local)).checkOOM(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Pass, o.Status, o.Message.FR)
		assert.Contains(t, o.Message.FR, "OOMKilled")
	})
	t.Run("no memory limit", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		app.limited = false
		o, err := newTestState(t, app.engine(local)).checkOOM(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Fail, o.Status)
		assert.Contains(t, o.Message.FR, "sans être tué")
	})
	t.Run("killed, never restarted", func(t *testing.T) {
		app := newFakeApp(t, engine.RestartPolicy{Name: "no"})
		o, err := newTestState(t, app.engine(local)).checkOOM(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Fail, o.Status)
		assert.Contains(t, o.Message.FR, "n'a pas redémarré")
	})
	t.Run("engine without memory cgroup", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		o, err := newTestState(t, app.engine(engine.Info{MemoryLimit: false})).checkOOM(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Skip, o.Status)
		assert.True(t, o.Excluded)
		assert.Contains(t, o.Message.FR, "cgroup mémoire")
	})
	t.Run("remote engine", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		o, err := newTestState(t, app.engine(engine.Info{MemoryLimit: true, Remote: true})).checkOOM(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Skip, o.Status)
		assert.True(t, o.Excluded)
		assert.Contains(t, o.Message.FR, "distant")
	})
}

func TestCheckManualStop(t *testing.T) {
	onFailure := engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}
	t.Run("stays stopped", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		o, err := newTestState(t, app.engine(local)).checkManualStop(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Pass, o.Status, o.Message.FR)
	})
	t.Run("something starts it again", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		app.revive = true
		o, err := newTestState(t, app.engine(local)).checkManualStop(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Fail, o.Status)
		assert.Contains(t, o.Message.FR, "a redémarré après un arrêt manuel")
	})
	t.Run("not running beforehand", func(t *testing.T) {
		app := newFakeApp(t, onFailure)
		app.c.Running, app.c.Status, app.c.ExitCode = false, "exited", 137
		s := newTestState(t, app.engine(local))
		s.run.Spec.Params["restart-wait"] = "300ms"
		o, err := s.checkManualStop(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Fail, o.Status)
		assert.Contains(t, o.Message.FR, "devait être démarré")
		assert.Contains(t, o.Actual.FR, "exited, code 137")
	})
}

func TestRemoteSkipsPublishedPortChecks(t *testing.T) {
	app := newFakeApp(t, engine.RestartPolicy{Name: "on-failure", MaxRetries: 3})
	s := newTestState(t, app.engine(engine.Info{Remote: true, MemoryLimit: true}))
	for name, run := range map[string]func(context.Context) (check.Outcome, error){"env": s.checkEnv, "restart": s.checkRestart, "logs": s.checkLogs} {
		if name == "logs" {
			s.run.Spec.Params["log-requests"], s.run.Spec.Params["log-lines"] = "7", "5"
		}
		o, err := run(context.Background())
		require.NoError(t, err, name)
		assert.Equal(t, check.Skip, o.Status, name)
		assert.True(t, o.Excluded, name)
	}
	assert.Empty(t, app.events)
}

func TestCheckEnv(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   check.Status
		msg    string
	}{
		{"prod", func(w http.ResponseWriter) { _, _ = w.Write([]byte("prod")) }, check.Pass, ""},
		{"dev", func(w http.ResponseWriter) { _, _ = w.Write([]byte("dev")) }, check.Fail, "vaut « dev »"},
		{"unset", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }, check.Fail, "n'est pas définie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "/env/APP_MODE", r.URL.Path)
				tt.answer(w)
			}))
			defer srv.Close()
			_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
			c := engine.Container{ID: "app", Status: "running", Running: true,
				Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "0.0.0.0", HostPort: port}}}
			fake := &enginefake.Fake{
				InfoFn:             func(context.Context) (engine.Info, error) { return local, nil },
				InspectContainerFn: func(context.Context, string) (engine.Container, error) { return c, nil },
			}
			o, err := newTestState(t, fake).checkEnv(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestWithAppSkipsWithoutContainer(t *testing.T) {
	s := newTestState(t, &enginefake.Fake{})
	s.appID = ""
	o, err := s.withApp(s.checkLimits)(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Skip, o.Status)
	assert.Contains(t, o.Message.FR, "lab4.run")
}

func TestContractAndChecks(t *testing.T) {
	g := New()
	assert.Equal(t, []string{"lab4-app", "lab4-fixed"}, g.Meta().Contract.Containers)
	assert.Equal(t, grader.Scripts, g.Meta().Kind)
	ids := grader.CheckIDs(g)
	// The order the design requires: crash, then OOM, then the manual stop.
	pos := map[string]int{}
	for i, id := range ids {
		pos[id] = i
	}
	assert.Less(t, pos["lab4.restart"], pos["lab4.oom"])
	assert.Less(t, pos["lab4.oom"], pos["lab4.manual-stop"])
	assert.Equal(t, "lab4.cleanup", ids[len(ids)-1])
}
