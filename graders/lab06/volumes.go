package lab06

import (
	"context"
	"fmt"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// mountAt returns the mount whose destination is dst, if any.
func mountAt(mounts []engine.Mount, dst string) (engine.Mount, bool) {
	for _, m := range mounts {
		if strings.TrimRight(m.Destination, "/") == dst {
			return m, true
		}
	}
	return engine.Mount{}, false
}

// describe shows a mount as the student would read it in `docker inspect`.
func describe(m engine.Mount) check.Text {
	rw := "RW=true"
	if m.ReadOnly {
		rw = "RW=false"
	}
	if m.Type == "volume" && anonymousName.MatchString(m.Source) {
		return check.T("Type=%s Source=%s… (anonyme) Destination=%s %s", "Type=%s Source=%s… (anonymous) Destination=%s %s",
			m.Type, check.ShortID(m.Source), m.Destination, rw)
	}
	return check.Same(fmt.Sprintf("Type=%s Source=%s Destination=%s %s", m.Type, m.Source, m.Destination, rw))
}

func describeAll(mounts []engine.Mount) check.Text {
	if len(mounts) == 0 {
		return check.Lit("(aucun montage)", "(no mount)")
	}
	out := make([]check.Text, len(mounts))
	for i, m := range mounts {
		out[i] = describe(m)
	}
	return check.Join(out, "\n", "\n")
}

// checkNamedVolume: lab6-kv mounts the named volume lab6-data on /data, and the volume
// carries the lab's label. It is the first check to need up.sh, so it also says why up.sh
// left nothing to grade.
func (s *state) checkNamedVolume(ctx context.Context) (check.Outcome, error) {
	var o namedVolumeObs
	var err error
	if o.Start, err = s.start(ctx); o.Start != nil || err != nil {
		return check.Verdict(o.Start), err
	}
	c, err := s.run.Engine.InspectContainer(ctx, kvName)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Mounts = c.Mounts
	if out, done := judgeNamedVolume(o); done {
		return out, nil
	}
	v, err := s.run.Engine.InspectVolume(ctx, volumeName)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Labels, o.Volume = v.Labels, true
	out, _ := judgeNamedVolume(o)
	return out, nil
}

func labelsText(l map[string]string) check.Text {
	if len(l) == 0 {
		return check.Lit("(aucun label)", "(no label)")
	}
	var out []string
	for _, k := range sortedKeys(l) {
		out = append(out, k+"="+l[k])
	}
	return check.Same(strings.Join(out, ", "))
}

// checkPersistence: a value written through the app survives down.sh and up.sh, which must
// have removed and re-created the container.
func (s *state) checkPersistence(ctx context.Context) (check.Outcome, error) {
	if fail, err := s.seed(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	o := persistenceObs{Nonce: s.nonce, Before: s.kvID}
	down, err := s.down(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Down = down.res
	if out, done := judgePersistence(o); done {
		return out, nil
	}
	if fail, err := s.reup(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	o.After = s.reupID
	if out, done := judgePersistence(o); done {
		return out, nil
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	get := ask(s.get(ctx))
	o.Get = &get
	out, _ := judgePersistence(o)
	return out, nil
}

// checkDownKeeps: down.sh removes the lab's containers and keeps the volume.
func (s *state) checkDownKeeps(ctx context.Context) (check.Outcome, error) {
	down, err := s.down(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeDownKeeps(leftObs{Script: down.res, Left: s.downLeft, HasVolume: s.downHasVo}), nil
}

// checkNoAnonymous: across up, down and up, no lab container mounted an anonymous volume
// (ddlab/kv declares VOLUME /data: leaving /data unmounted makes one per container).
func (s *state) checkNoAnonymous(ctx context.Context) (check.Outcome, error) {
	if _, err := s.reup(ctx); err != nil {
		return check.Outcome{}, err
	}
	var seen []check.Text
	var left []string
	for _, n := range s.anonymous() {
		s.anonMu.Lock()
		seen = append(seen, s.anon[n])
		s.anonMu.Unlock()
		if _, err := s.run.Engine.InspectVolume(ctx, n); err == nil {
			left = append(left, check.ShortID(n)+"…")
		}
	}
	return judgeNoAnonymous(seen, left), nil
}

// checkIdempotent: two up.sh in a row both exit 0 and leave lab6-kv running.
func (s *state) checkIdempotent(ctx context.Context) (check.Outcome, error) {
	fail, err := s.start(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeIdempotent(s.up, fail), nil
}

// checkPurge: purge.sh removes the containers and the volume; the next up.sh starts empty.
func (s *state) checkPurge(ctx context.Context) (check.Outcome, error) {
	purge, err := s.purge(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o := purgeObs{leftObs: leftObs{Script: purge.res, Left: s.purgeLeft, HasVolume: s.purgeHasVo}}
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Remote, o.Host = !engineSeesFolder(info), s.run.Engine.Host()
	if out, done := judgePurge(o); done {
		return out, nil
	}
	res, err := s.run.Script(ctx, "up.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	o.Up = &res
	if out, done := judgePurge(o); done {
		return out, nil
	}
	if err := s.observe(ctx, check.Lit("après purge.sh puis up.sh", "after purge.sh then up.sh")); err != nil {
		return check.Outcome{}, err
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	get := ask(s.get(ctx))
	o.Get = &get
	out, _ := judgePurge(o)
	return out, nil
}
