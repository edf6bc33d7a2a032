package docker

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/cli/cli/command"
	"github.com/docker/cli/cli/flags"
	"github.com/docker/compose/v2/pkg/api"
	"github.com/docker/compose/v2/pkg/compose"

	"github.com/ddlab/grade/internal/engine"
)

// stopTimeout bounds a graceful stop before SIGKILL in Down and Stop: the grader never waits
// the default 10 s per container of a student's project.
const stopTimeout = 3 * time.Second

// Composer returns the real Compose engine driving this engine's client. Compose prints
// progress on the CLI's streams; here they are one line writer that feeds progress.
func (e *Engine) Composer(progress func(line string)) (engine.Composer, error) {
	w := &lineWriter{emit: progress}
	cli, err := command.NewDockerCli(
		command.WithInputStream(io.NopCloser(strings.NewReader(""))),
		command.WithOutputStream(w), command.WithErrorStream(w))
	if err != nil {
		return nil, err
	}
	if err := cli.Initialize(flags.NewClientOptions(), command.WithAPIClient(e.cli)); err != nil {
		return nil, err
	}
	return &composer{svc: compose.NewComposeService(cli, compose.WithPrompt(never))}, nil
}

// never answers Compose's questions with no: asked whether to recreate a volume whose
// configuration changed, Compose must keep the data rather than decide alone.
func never(string, bool) (bool, error) { return false, nil }

type composer struct{ svc api.Compose }

func (c *composer) Up(ctx context.Context, p *types.Project, o engine.UpOptions) error {
	p = withComposeLabels(p)
	recreate, deps := api.RecreateDiverged, api.RecreateDiverged
	if o.Recreate {
		recreate = api.RecreateForce
	}
	services := o.Services
	if o.NoDeps && len(services) > 0 {
		// --no-deps: Compose then leaves the dependencies as they are.
		q, err := p.WithSelectedServices(services, types.IgnoreDependencies)
		if err != nil {
			return err
		}
		p = q
		deps = api.RecreateNever
	}
	timeout := stopTimeout
	return c.svc.Up(ctx, p, api.UpOptions{
		Create: api.CreateOptions{
			Services: services, Recreate: recreate, RecreateDependencies: deps,
			RemoveOrphans: false, Inherit: true, Timeout: &timeout, QuietPull: true,
		},
		Start: api.StartOptions{Project: p, Services: services, Wait: o.Wait, WaitTimeout: o.WaitTimeout},
	})
}

func (c *composer) Down(ctx context.Context, p *types.Project, volumes bool) error {
	timeout := stopTimeout
	return c.svc.Down(ctx, p.Name, api.DownOptions{Project: p, Volumes: volumes, RemoveOrphans: true, Timeout: &timeout})
}

func (c *composer) Stop(ctx context.Context, p *types.Project, services ...string) error {
	timeout := stopTimeout
	return c.svc.Stop(ctx, p.Name, api.StopOptions{Project: p, Services: services, Timeout: &timeout})
}

func (c *composer) Start(ctx context.Context, p *types.Project, services ...string) error {
	return c.svc.Start(ctx, p.Name, api.StartOptions{Project: p, Services: services})
}

func (c *composer) Pause(ctx context.Context, p *types.Project, services ...string) error {
	return c.svc.Pause(ctx, p.Name, api.PauseOptions{Project: p, Services: services})
}

func (c *composer) Unpause(ctx context.Context, p *types.Project, services ...string) error {
	return c.svc.UnPause(ctx, p.Name, api.PauseOptions{Project: p, Services: services})
}

// withComposeLabels gives every service the labels the Compose CLI adds when it loads a
// project: without them Compose's own Down, Stop and ps find nothing.
func withComposeLabels(p *types.Project) *types.Project {
	q := *p
	q.Services = types.Services{}
	for name, s := range p.Services {
		labels := types.Labels{}
		for k, v := range s.CustomLabels {
			labels[k] = v
		}
		labels[api.ProjectLabel] = p.Name
		labels[api.ServiceLabel] = name
		labels[api.VersionLabel] = api.ComposeVersion
		labels[api.WorkingDirLabel] = p.WorkingDir
		labels[api.ConfigFilesLabel] = strings.Join(p.ComposeFiles, ",")
		labels[api.OneoffLabel] = "False"
		s.CustomLabels = labels
		q.Services[name] = s
	}
	return &q
}

// lineWriter turns Compose's output into whole lines for the grader's progress.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			break
		}
		if line := strings.TrimSpace(string(w.buf[:i])); line != "" && w.emit != nil {
			w.emit(line)
		}
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a line that never ends is not progress
		w.buf = w.buf[:0]
	}
	return len(b), nil
}
