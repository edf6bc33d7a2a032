package lab07

import (
	"context"
	"strings"
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

// newState returns lab 7's state for one fake run.
func newState(fake *enginefake.Fake) *state {
	r := &grader.Run{
		ID: "0123456789abcdef0123",
		Spec: &lab.Spec{Lab: "lab7", Params: map[string]string{"subnet": "10.77.0.0/24", "db-ip": "10.77.0.10", "port": "8087",
			"canary-port": "18087", "probe-image": "ddlab/probe:1", "probe-timeout": "2s", "script-timeout": "60s"}},
		Engine:   fake,
		Cleanup:  &grader.Cleanup{},
		Progress: func(check.Text) {},
		Detail:   func(string) {},
	}
	return &state{run: r, probeTimeout: 2 * time.Second}
}

func goodNetworks() (*engine.Network, *engine.Network) {
	f := &engine.Network{Name: front, Driver: "bridge", Labels: map[string]string{"ddlab.lab": "lab7"}}
	b := &engine.Network{Name: back, Driver: "bridge", Internal: true, Subnets: []string{"10.77.0.0/24"},
		Labels: map[string]string{"ddlab.lab": "lab7"}}
	return f, b
}

func TestNetworkProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(f, b *engine.Network) (*engine.Network, *engine.Network)
		want   []string
	}{
		{"good", func(f, b *engine.Network) (*engine.Network, *engine.Network) { return f, b }, nil},
		{"both missing", func(f, b *engine.Network) (*engine.Network, *engine.Network) { return nil, nil },
			[]string{"lab7-front n'existe pas", "lab7-back n'existe pas"}},
		{"back not internal", func(f, b *engine.Network) (*engine.Network, *engine.Network) { b.Internal = false; return f, b },
			[]string{"lab7-back n'est pas --internal"}},
		{"front internal", func(f, b *engine.Network) (*engine.Network, *engine.Network) { f.Internal = true; return f, b },
			[]string{"lab7-front est --internal"}},
		{"wrong subnet", func(f, b *engine.Network) (*engine.Network, *engine.Network) {
			b.Subnets = []string{"172.30.0.0/16"}
			return f, b
		},
			[]string{"sous-réseau 172.30.0.0/16, pas 10.77.0.0/24"}},
		{"no label, overlay", func(f, b *engine.Network) (*engine.Network, *engine.Network) {
			f.Labels = nil
			b.Driver = "overlay"
			return f, b
		}, []string{"lab7-front n'a pas le label", "pilote \"overlay\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b := tt.change(goodNetworks())
			got := check.Join(networkProblems(f, b, "10.77.0.0/24"), "\n", "\n").FR
			if tt.want == nil {
				assert.Empty(t, got)
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

func ctr(name string, nets ...string) *engine.Container {
	c := &engine.Container{ID: name + "-id-000000000000", Name: name, Running: true, Status: "running",
		Labels: map[string]string{"ddlab.lab": "lab7"}, Networks: map[string]engine.Endpoint{}}
	for _, n := range nets {
		c.Networks[n] = engine.Endpoint{IP: "10.77.0.9"}
	}
	return c
}

func TestAttachmentProblems(t *testing.T) {
	good := func() map[string]*engine.Container {
		return map[string]*engine.Container{web: ctr(web, front, back), api: ctr(api, back), db: ctr(db, back)}
	}
	tests := []struct {
		name   string
		change func(m map[string]*engine.Container)
		want   []string
	}{
		{"good", func(map[string]*engine.Container) {}, nil},
		{"db also on front", func(m map[string]*engine.Container) { m[db] = ctr(db, back, front) },
			[]string{"lab7-db est sur [lab7-back lab7-front], attendu [lab7-back]"}},
		{"api on the default bridge", func(m map[string]*engine.Container) { m[api] = ctr(api, "bridge") },
			[]string{"lab7-api est sur [bridge]"}},
		{"web missing", func(m map[string]*engine.Container) { delete(m, web) }, []string{"lab7-web n'existe pas"}},
		{"stopped, unlabelled", func(m map[string]*engine.Container) {
			m[api].Running, m[api].Status, m[api].Labels = false, "exited", nil
		}, []string{"lab7-api n'est pas démarré (exited)", "lab7-api n'a pas le label"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			tt.change(m)
			got := check.Join(attachmentProblems(m), "\n", "\n").FR
			if tt.want == nil {
				assert.Empty(t, got)
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

func TestPublishProblems(t *testing.T) {
	bind := func(ip, port string) engine.PortBinding {
		return engine.PortBinding{ContainerPort: "8080/tcp", HostIP: ip, HostPort: port}
	}
	withPorts := func(name string, p ...engine.PortBinding) engine.Container {
		return engine.Container{Name: name, Ports: p}
	}
	tests := []struct {
		name string
		ctrs []engine.Container
		want []string
	}{
		{"good", []engine.Container{withPorts(web, bind("127.0.0.1", "8087")), withPorts(api, engine.PortBinding{ContainerPort: "8080/tcp"})}, nil},
		{"all interfaces", []engine.Container{withPorts(web, bind("0.0.0.0", "8087"), bind("::", "8087"))},
			[]string{"publie sur 0.0.0.0:8087", "publie sur [::]:8087"}},
		{"wrong port", []engine.Container{withPorts(web, bind("127.0.0.1", "8080"))}, []string{"127.0.0.1:8080→8080/tcp, attendu 127.0.0.1:8087"}},
		{"api publishes too", []engine.Container{withPorts(web, bind("127.0.0.1", "8087")), withPorts(api, bind("127.0.0.1", "9000"))},
			[]string{"lab7-api publie 127.0.0.1:9000→8080/tcp : seul lab7-web doit publier"}},
		{"web publishes nothing", []engine.Container{withPorts(web)}, []string{"lab7-web ne publie aucun port"}},
		{"no web", nil, []string{"lab7-web n'existe pas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check.Join(publishProblems(tt.ctrs, "8087"), "\n", "\n").FR
			if tt.want == nil {
				assert.Empty(t, got)
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

func TestCompareTopology(t *testing.T) {
	base := func() topo {
		return topo{
			Networks: map[string]string{front: "f1", back: "b1"},
			Containers: map[string]ctrTopo{
				web: {ID: "w1", Running: true, Networks: map[string]string{front: "", back: ""}, Ports: "127.0.0.1:8087→8080/tcp"},
				db:  {ID: "d1", Running: true, Networks: map[string]string{back: "database,db"}},
			},
		}
	}
	tests := []struct {
		name   string
		change func(t *topo)
		want   []string
	}{
		{"unchanged", func(*topo) {}, nil},
		{"container recreated with the same attachments", func(t *topo) {
			c := t.Containers[db]
			c.ID = "d2"
			t.Containers[db] = c
		}, nil},
		{"network recreated", func(t *topo) { t.Networks[back] = "b2" }, []string{"le réseau lab7-back a été recréé"}},
		{"network gone", func(t *topo) { delete(t.Networks, front) }, []string{"le réseau lab7-front a disparu"}},
		{"second copy of a container", func(t *topo) { t.Containers["lab7-db2"] = ctrTopo{} }, []string{"un conteneur lab7-db2 est apparu"}},
		{"alias dropped", func(t *topo) { t.Containers[db].Networks[back] = "db" }, []string{"les alias de lab7-db sur lab7-back ont changé"}},
		{"stopped", func(t *topo) {
			c := t.Containers[web]
			c.Running = false
			t.Containers[web] = c
		}, []string{"le conteneur lab7-web ne tourne plus"}},
		{"attached twice", func(t *topo) { t.Containers[db].Networks[front] = "" }, []string{"lab7-db est maintenant aussi sur lab7-front"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := base()
			tt.change(&after)
			got := check.Join(compareTopology(base(), after), "\n", "\n").FR
			if tt.want == nil {
				assert.Empty(t, got)
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

func TestTopoOfDropsEngineAliases(t *testing.T) {
	c := engine.Container{ID: "0123456789abcdef", Name: db, Networks: map[string]engine.Endpoint{
		back: {Aliases: []string{"0123456789ab", "database", db, "db", "db"}},
	}}
	assert.Equal(t, "database,db", topoOf(c).Networks[back])
}

func TestEgressSkippedOnRemoteEngine(t *testing.T) {
	s := newState(&enginefake.Fake{}) // any engine call would fail: none may be made
	s.remote = true
	out, err := s.checkEgress(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Skip, out.Status)
	assert.True(t, out.Excluded, "the environment's doing: left out of the score")
	assert.Contains(t, out.Message.FR, "distant")
}

func TestControlFailed(t *testing.T) {
	onFront := ctr(web, front, back)
	tests := []struct {
		name    string
		web     *engine.Container
		want    check.Status
		wantErr string
	}{
		{"web not on front: the student's topology explains it", ctr(web, back), check.Skip, ""},
		{"web missing", nil, check.Skip, ""},
		{"web fine: the environment is at fault", onFront, 0, "positive control failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &enginefake.Fake{InspectContainerFn: func(context.Context, string) (engine.Container, error) {
				if tt.web == nil {
					return engine.Container{}, engine.ErrNotFound
				}
				return *tt.web, nil
			}}
			out, err := newState(fake).controlFailed(context.Background(), check.Lit("contrôle", "control"), probeResult{Code: "timeout", MS: 2000}, front)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Status)
			assert.False(t, out.Excluded)
			assert.Contains(t, out.Message.FR, "lab7.attachments")
		})
	}
}

// TestIsolationControlFirst: a failing control never turns into a verdict on the student.
func TestIsolationControlFirst(t *testing.T) {
	dbc := ctr(db, back)
	webc := ctr(web, front, back)
	var script string
	fake := &enginefake.Fake{
		InspectContainerFn: func(_ context.Context, id string) (engine.Container, error) {
			if id == db {
				return *dbc, nil
			}
			return *webc, nil
		},
		InspectNetworkFn: func(_ context.Context, name string) (engine.Network, error) {
			f, _ := goodNetworks()
			return *f, nil
		},
		RunFn: func(_ context.Context, spec engine.RunSpec) (string, error) {
			script = spec.Entrypoint[2]
			assert.Equal(t, front, spec.NetworkMode)
			assert.Equal(t, "lab7", spec.Labels["ddlab.lab"])
			return "probe0000000", nil
		},
		WaitFn: func(context.Context, string) (int, error) { return 0, nil },
		ReadLogsFn: func(context.Context, string, engine.LogOptions) (engine.Logs, error) {
			// The control (web by name) fails, and so do the negatives: no verdict may come of it.
			line := `{"ok":false,"code":"timeout","error":"timeout","ms":2000}`
			return engine.Logs{Stdout: strings.Repeat(line+"\n", 5)}, nil
		},
		RemoveFn: func(context.Context, engine.Ref) error { return nil },
	}
	_, err := newState(fake).checkIsolation(context.Background())
	require.Error(t, err, "web is on front and running: the environment is at fault")
	assert.Contains(t, script, "'dns' '-timeout' '2s' 'lab7-web'")
	assert.Contains(t, script, "'tcp' '-timeout' '2s' '10.77.0.9:8080'")
}
