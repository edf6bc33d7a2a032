package lab06

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// key is the key the grader writes through the app (docs/labs/lab6.md: `PUT /kv/k`).
const key = "k"

// state is the scenario lab 6's checks share for one run. Each step runs at most once and
// keeps what it saw; the mutex makes a check that overran its deadline (and still runs in
// the background) wait instead of racing the next one.
type state struct {
	run *grader.Run
	kit *scriptlab.Session
	mu  sync.Mutex

	nonce   string // the value written at key
	kv      kvClient
	cleaned bool // the cleanup of student leftovers is registered

	// start: up.sh twice in a row.
	started   bool
	up        []script.Result
	startFail *check.Outcome
	kvID      string // lab6-kv once up.sh has run

	// anon: anonymous volumes seen mounted in the lab's containers, name → where. It has its
	// own lock since the cleanup reads it while a stuck check may still hold mu.
	anonMu sync.Mutex
	anon   map[string]check.Text

	deaf *deafApp // the lab6-kv that never answered, if any

	seeded   bool
	seedFail *check.Outcome

	readerDone bool
	readerRes  script.Result

	downDone  bool
	downRes   script.Result
	downLeft  []string // containers left after down.sh
	downHasVo bool     // lab6-data still exists after down.sh

	reupDone bool
	reupFail *check.Outcome
	reupID   string

	purgeDone  bool
	purgeRes   script.Result
	purgeLeft  []string
	purgeHasVo bool
}

func newState(r *grader.Run) *state {
	s := &state{run: r, kit: scriptlab.New(r), anon: map[string]check.Text{}}
	if r.ID != "" {
		s.nonce = "lab6-" + check.ShortID(r.ID)
	}
	return s
}

// locked runs a check with the scenario to itself.
func (s *state) locked(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return run(ctx)
	}
}

// engineSeesFolder is the one place that decides whether the engine can bind-mount the
// submission's folder and publish on our loopback: only a local engine can (docs/labs/README.md §0.3).
func engineSeesFolder(info engine.Info) bool { return !info.Remote }

// reason is the environment skip of a check that needs a local engine.
type reason func(s *state) check.Outcome

// folderReason: the bind mount of ./config needs the engine to see the lab folder.
func folderReason(s *state) check.Outcome {
	return check.RemoteSkip(s.run.Engine.Host(), "il ne voit pas le dossier du lab, donc ./config ne peut pas y être monté (bind mount).",
		"it cannot see the lab folder, so ./config cannot be bind-mounted there.")
}

// portReason: the app's checks dial the port the engine publishes on its own loopback.
func portReason(s *state) check.Outcome {
	return check.RemoteSkip(s.run.Engine.Host(), "le correcteur ne peut pas joindre le port 127.0.0.1:"+s.port()+" qu'il publie.",
		"the grader cannot reach the 127.0.0.1:"+s.port()+" port it publishes.")
}

// needLocal returns the skip a remote engine gives, or nil on a local one.
func (s *state) needLocal(ctx context.Context) (*check.Outcome, error) {
	info, err := s.kit.EngineInfo(ctx)
	if err != nil || engineSeesFolder(info) {
		return nil, err
	}
	o := portReason(s)
	return &o, nil
}

// start runs up.sh twice in a row (lab6.idempotent) and leaves lab6-kv running, or says why
// it is not.
func (s *state) start(ctx context.Context) (*check.Outcome, error) {
	if s.started {
		return s.startFail, nil
	}
	s.cleanupLeftovers()
	for i := range 2 {
		res, err := s.run.Script(ctx, "up.sh")
		if err != nil {
			return nil, err
		}
		s.up = append(s.up, res)
		when := [2]check.Text{check.Lit("après le premier up.sh", "after the first up.sh"), check.Lit("après le second up.sh", "after the second up.sh")}[i]
		if err := s.observe(ctx, when); err != nil {
			return nil, err
		}
		if i == 0 && res.ExitCode != 0 {
			o := grader.ScriptFailed("up.sh", res)
			s.started, s.startFail = true, &o
			return s.startFail, nil
		}
	}
	id, fail, err := s.running(ctx, kvName, check.Same("up.sh"))
	if err != nil {
		return nil, err
	}
	s.started, s.startFail, s.kvID = true, fail, id
	return fail, nil
}

// running inspects a container a script (by: "up.sh (après down.sh)") must have left running.
func (s *state) running(ctx context.Context, name string, by check.Text) (string, *check.Outcome, error) {
	c, err := s.run.Engine.InspectContainer(ctx, name)
	if errors.Is(err, engine.ErrNotFound) {
		o := check.Failf("%[1]s a réussi mais aucun conteneur %[3]s n'existe ensuite.", "%[2]s succeeded but no %[3]s container exists afterwards.", by.FR, by.EN, name).
			WithT(check.T("un conteneur %s en marche", "a running %s container", name), check.Lit("(aucun)", "(none)"))
		return "", &o, nil
	}
	if err != nil {
		return "", nil, err
	}
	if !c.Running {
		logs, _ := s.run.Engine.ReadLogs(ctx, c.ID, engine.LogOptions{Tail: 10, MaxBytes: 4 << 10})
		o := check.Failf("%s existe mais ne tourne pas (état %s, code de sortie %d).", "%s exists but is not running (state %s, exit code %d).",
			name, c.Status, c.ExitCode).WithT(check.T("%s en marche", "%s running", name), check.Same(strings.TrimSpace(logs.Stdout+logs.Stderr)))
		return c.ID, &o, nil
	}
	return c.ID, nil, nil
}

var anonymousName = regexp.MustCompile(`^[0-9a-f]{64}$`)

// observe notes every anonymous volume mounted in the lab's containers now: they are the
// lab6.no-anonymous findings, and they are removed at the end of the run, since a container
// removed without -v leaves its anonymous volumes behind with no label to find them by.
func (s *state) observe(ctx context.Context, when check.Text) error {
	cs, err := s.labContainers(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		ins, err := s.run.Engine.InspectContainer(ctx, c.ID)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		s.anonMu.Lock()
		for _, name := range anonymousMounts(ins.Mounts) {
			if _, seen := s.anon[name]; !seen {
				s.anon[name] = check.T("%[1]s… (%[2]s, %[3]s)", "%[1]s… (%[2]s, %[4]s)", check.ShortID(name), ins.Name, when.FR, when.EN)
			}
		}
		s.anonMu.Unlock()
	}
	return nil
}

// anonymousMounts lists the anonymous volumes among mounts.
func anonymousMounts(mounts []engine.Mount) []string {
	var out []string
	for _, m := range mounts {
		if m.Type == "volume" && anonymousName.MatchString(m.Source) {
			out = append(out, m.Source)
		}
	}
	return out
}

// labContainers lists the lab's containers: those the contract names and those labelled
// ddlab.lab=lab6, running or not.
func (s *state) labContainers(ctx context.Context) ([]engine.ContainerSummary, error) {
	e := s.run.Engine
	seen := map[string]bool{}
	var out []engine.ContainerSummary
	add := func(f engine.ContainerFilter) error {
		cs, err := e.ListContainers(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range cs {
			// The name filter matches substrings: keep exact names only.
			if (f.Name == "" || c.Name == f.Name) && !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
		return nil
	}
	for _, n := range []string{kvName, readerName} {
		if err := add(engine.ContainerFilter{Name: n, All: true}); err != nil {
			return nil, err
		}
	}
	if err := add(engine.ContainerFilter{Labels: []string{"ddlab.lab=lab6"}, All: true}); err != nil {
		return nil, err
	}
	return out, nil
}

// leftNames lists the names of the lab's containers that exist now.
func (s *state) leftNames(ctx context.Context) ([]string, error) {
	cs, err := s.labContainers(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names, nil
}

// volumeExists tells whether lab6-data exists.
func (s *state) volumeExists(ctx context.Context) (bool, error) {
	_, err := s.run.Engine.InspectVolume(ctx, volumeName)
	if errors.Is(err, engine.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// cleanupLeftovers registers, once, the removal of what the student's scripts may leave
// without the lab's label: the contract's containers first (with their anonymous volumes),
// then the anonymous volumes seen on the way. The run's own clearing of the lab follows.
func (s *state) cleanupLeftovers() {
	if s.cleaned || s.run.Cleanup == nil {
		return
	}
	s.cleaned = true
	e := s.run.Engine
	s.run.Cleanup.Add("lab6 leftovers", func(ctx context.Context) error {
		var errs []error
		for _, n := range []string{kvName, readerName} {
			if err := e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: n}); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, err)
			}
		}
		for _, n := range s.anonymous() {
			if err := e.Remove(ctx, engine.Ref{Kind: engine.KindVolume, ID: n}); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}

// anonymous lists the anonymous volumes seen so far, by name.
func (s *state) anonymous() []string {
	s.anonMu.Lock()
	defer s.anonMu.Unlock()
	names := make([]string, 0, len(s.anon))
	for n := range s.anon {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// deafApp is a lab6-kv instance (container and start time) that never answered.
type deafApp struct {
	instance string
	fail     check.Outcome
}
