package lab08

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// web serves the gateway on this port inside its namespace, whatever it publishes.
const webPort = "8080"

// call sends requests to web from inside its own namespace, so the checks work on a remote
// engine too. Each cmd is a labprobe http command relative to web.
func (s *state) call(ctx context.Context, p *types.Project, cmds ...[]string) ([]probe.Result, *check.Outcome, error) {
	return s.Through(ctx, p, web, cmds...)
}

func (s *state) get(path string, retries int) []string {
	return probe.HTTP("http://127.0.0.1:"+webPort+path, s.ProbeTimeout, retries)
}

func (s *state) post(path, body string) []string {
	return []string{"http", "-timeout", s.ProbeTimeout.String(), "-retries", "3", "-method", "POST",
		"-header", "Content-Type:application/json", "-data", body, "http://127.0.0.1:" + webPort + path}
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// checkE2E: POST /api/items through web answers 201 and the next GET /api/items lists the item
// (web → api → db).
func (s *state) checkE2E(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	name := "n-" + nonce()
	res, o, err := s.call(ctx, s.Sess.Project(), s.post("/api/items", fmt.Sprintf(`{"name":%q}`, name)), s.get("/api/items", 0))
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	out := judgeE2E(name, res[0], res[1])
	if out.Status == check.Pass {
		s.item = name
	}
	return out, nil
}

// cycle runs `down` (with volumes or not) then `up` of the project, waits for health, and
// reads GET /api/items through web. Only the caller's cancelled context is an error.
func (s *state) cycle(ctx context.Context, volumes bool) (*cycleObs, *check.Outcome, error) {
	err := s.Sess.Down(ctx, volumes)
	if err != nil {
		err = fmt.Errorf("down: %w", err)
	} else {
		err = s.Run.Up(ctx, s.Sess.Project(), engine.UpOptions{Wait: true, WaitTimeout: s.HealthWait})
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return &cycleObs{Err: err}, nil, nil
	}
	res, o, err := s.call(ctx, s.Sess.Project(), s.get("/api/items", 5))
	if o != nil || err != nil {
		return nil, o, err
	}
	return &cycleObs{Items: res[0]}, nil, nil
}

// checkPersistence: the item survives `down` + `up`, and is gone after `down -v` + `up`; the
// data lives in the project's named volume dbdata, mounted on /data.
func (s *state) checkPersistence(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	obs := persistenceObs{Item: s.item}
	if vol, ok := s.Sess.Project().Volumes["dbdata"]; ok {
		obs.Volume = vol.Name
	}
	cs, err := composelab.Containers(ctx, s.Run.Engine, s.Sess.Project(), db)
	if err != nil {
		return check.Outcome{}, err
	}
	obs.DB = cs
	if out, done := judgePersistence(obs); done {
		return out, nil
	}
	if obs.Item == "" {
		name := "n-" + nonce()
		res, o, err := s.call(ctx, s.Sess.Project(), s.post("/api/items", fmt.Sprintf(`{"name":%q}`, name)))
		if o != nil || err != nil {
			return check.Verdict(o), err
		}
		obs.Created, obs.Item = &res[0], name
		if out, done := judgePersistence(obs); done {
			return out, nil
		}
		s.item = name
	}
	for _, volumes := range []bool{false, true} {
		if volumes {
			s.Run.Progress(check.Lit("lab8 : down -v puis up…", "lab8: down -v then up…"))
		} else {
			s.Run.Progress(check.Lit("lab8 : down puis up (sans -v)…", "lab8: down then up (without -v)…"))
		}
		c, o, err := s.cycle(ctx, volumes)
		if o != nil || err != nil {
			return check.Verdict(o), err
		}
		if volumes {
			obs.DownV = c
		} else {
			obs.Down = c
		}
		if out, done := judgePersistence(obs); done {
			return out, nil
		}
	}
	return check.Outcome{}, fmt.Errorf("persistence: no verdict after down -v") // judgePersistence decides once DownV is set
}

// checkEnv: with .env as given /api/hello says the default greeting; with API_GREETING set in
// the grader's environment, that value wins over .env.
func (s *state) checkEnv(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	obs := envObs{Want: s.Param("greeting"), Override: s.Param("greeting-override")}
	res, o, err := s.call(ctx, s.Sess.Project(), s.get("/api/hello", 5))
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.Before = &res[0]
	if out, done := judgeEnv(obs); done {
		return out, nil
	}
	v, probs, err := s.Sess.LoadVariant(ctx, "", map[string]string{"API_GREETING": obs.Override}, nil)
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Loaded, obs.Problems = true, probs
	if v != nil {
		s.useBuiltImages(v)
		obs.Greeting = v.Services[api].Environment["GREETING"]
	}
	if out, done := judgeEnv(obs); done {
		return out, nil
	}
	s.Run.Progress(check.T("lab8 : api recréé avec API_GREETING=%s…", "lab8: api recreated with API_GREETING=%s…", obs.Override))
	err = s.Run.Up(ctx, v, engine.UpOptions{Services: []string{api}, NoDeps: true, Wait: true, WaitTimeout: s.HealthWait})
	if err != nil && ctx.Err() != nil {
		return check.Outcome{}, err
	}
	obs.Recreated, obs.RecreateErr = true, err
	if out, done := judgeEnv(obs); done {
		return out, nil
	}
	res, o, err = s.call(ctx, v, s.get("/api/hello", 5))
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.After = &res[0]
	out, _ := judgeEnv(obs)
	return out, nil
}

// useBuiltImages gives a variant of the project the images the grader built for the
// original: a variant never builds again.
func (s *state) useBuiltImages(p *types.Project) {
	for _, b := range s.Sess.Builds {
		if svc, ok := p.Services[b.Service]; ok && svc.Build != nil {
			svc.Image, svc.Build, svc.PullPolicy = b.Tag, nil, types.PullPolicyNever
			p.Services[b.Service] = svc
		}
	}
}

// checkScale: api scaled to 3 replicas, all healthy, and 20 requests through web reach at
// least 2 of them.
func (s *state) checkScale(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.Sess.Project()
	obs := scaleObs{ContainerName: p.Services[api].ContainerName, N: s.Scale, Requests: s.requests}
	if out, done := judgeScale(obs); done {
		return out, nil
	}
	s.Run.Progress(check.T("lab8 : api passe à %d répliques…", "lab8: scaling api to %d replicas…", obs.N))
	err := s.Sess.Scale(ctx, api, obs.N, s.HealthWait)
	if err != nil && ctx.Err() != nil {
		return check.Outcome{}, err
	}
	obs.Scaled, obs.ScaleErr = true, err
	if err == nil {
		if obs.Containers, err = composelab.Containers(ctx, s.Run.Engine, p, api); err != nil {
			return check.Outcome{}, err
		}
	}
	if out, done := judgeScale(obs); done {
		return out, nil
	}
	cmds := make([][]string, s.requests)
	for i := range cmds {
		cmds[i] = s.get("/api/hello", 1)
	}
	res, o, err := s.call(ctx, p, cmds...)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.Results = res
	out, _ := judgeScale(obs)
	return out, nil
}

// checkDevOverride: compose.override.yaml bind-mounts ./api/static into api, and a file
// written there on the host is served through web without a rebuild.
func (s *state) checkDevOverride(ctx context.Context) (check.Outcome, error) {
	_, err := os.Stat(filepath.Join(s.Run.Files, "compose.override.yaml"))
	obs := devObs{Override: err == nil, Remote: s.Remote, Host: s.Sess.Run.Engine.Host()}
	static := filepath.Join(s.Run.Files, "api", "static")
	for _, v := range s.Sess.Project().Services[api].Volumes {
		if v.Type == types.VolumeTypeBind && filepath.Clean(v.Source) == static {
			obs.Bound = true
		}
	}
	if out, done := judgeDevOverride(obs); done {
		return out, nil
	}
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	obs.Name, obs.Body = "grade-"+nonce()+".txt", "grade dev-override "+nonce()
	if err := os.WriteFile(filepath.Join(static, obs.Name), []byte(obs.Body), 0o644); err != nil {
		return check.Outcome{}, err
	}
	res, o, err := s.call(ctx, s.Sess.Project(), s.get("/api/static/"+obs.Name, 3))
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.Served = &res[0]
	out, _ := judgeDevOverride(obs)
	return out, nil
}

// checkProfiles: a debug service under profile debug is not started by a plain up, and is
// started with --profile debug.
func (s *state) checkProfiles(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.Sess.Project()
	var obs profilesObs
	d, disabled := p.DisabledServices["debug"]
	_, obs.Enabled = p.Services["debug"]
	obs.Disabled, obs.Profiles = disabled, d.Profiles
	if out, done := judgeProfiles(obs); done {
		return out, nil
	}
	cs, err := composelab.Containers(ctx, s.Run.Engine, p, "debug")
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Plain = cs
	if out, done := judgeProfiles(obs); done {
		return out, nil
	}
	v, probs, err := s.Sess.LoadVariant(ctx, "", nil, []string{"debug"})
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Loaded, obs.Problems = true, probs
	if out, done := judgeProfiles(obs); done {
		return out, nil
	}
	s.useBuiltImages(v)
	s.Run.Progress(check.Lit("lab8 : up --profile debug…", "lab8: up --profile debug…"))
	ctx2, cancel := context.WithTimeout(ctx, s.HealthWait+30*time.Second)
	defer cancel()
	err = s.Run.Up(ctx2, v, engine.UpOptions{Services: []string{"debug"}, NoDeps: true})
	if err != nil && ctx.Err() != nil {
		return check.Outcome{}, err
	}
	obs.Up, obs.UpErr = true, err
	if err == nil {
		if obs.After, err = composelab.Containers(ctx, s.Run.Engine, v, "debug"); err != nil {
			return check.Outcome{}, err
		}
	}
	out, _ := judgeProfiles(obs)
	return out, nil
}
