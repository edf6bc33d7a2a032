package lab06

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
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
func describe(m engine.Mount) string {
	rw := "RW=true"
	if m.ReadOnly {
		rw = "RW=false"
	}
	src := m.Source
	if m.Type == "volume" && anonymousName.MatchString(src) {
		src = check.ShortID(src) + "… (anonyme)"
	}
	return fmt.Sprintf("Type=%s Source=%s Destination=%s %s", m.Type, src, m.Destination, rw)
}

func describeAll(mounts []engine.Mount) string {
	if len(mounts) == 0 {
		return "(aucun montage)"
	}
	var out []string
	for _, m := range mounts {
		out = append(out, describe(m))
	}
	return strings.Join(out, "\n")
}

// checkNamedVolume: lab6-kv mounts the named volume lab6-data on /data, and the volume
// carries the lab's label. It is the first check to need up.sh, so it also says why up.sh
// left nothing to grade.
func (s *state) checkNamedVolume(ctx context.Context) (check.Outcome, error) {
	if fail, err := s.start(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	c, err := s.run.Engine.InspectContainer(ctx, kvName)
	if err != nil {
		return check.Outcome{}, err
	}
	want := "Type=volume Source=" + volumeName + " Destination=/data"
	m, ok := mountAt(c.Mounts, "/data")
	switch {
	case !ok:
		return check.Failf("Rien n'est monté sur /data dans %s.", "Nothing is mounted on /data in %s.", kvName).
			With(want, describeAll(c.Mounts)), nil
	case m.Type != "volume":
		return check.Failf("/data est un montage %s, pas le volume nommé %s.", "/data is a %s mount, not the named volume %s.", m.Type, volumeName).
			With(want, describe(m)), nil
	case anonymousName.MatchString(m.Source):
		return check.Failf("/data est un volume anonyme (créé par VOLUME de l'image), pas le volume nommé %s.",
			"/data is an anonymous volume (made by the image's VOLUME), not the named volume %s.", volumeName).With(want, describe(m)), nil
	case m.Source != volumeName:
		return check.Failf("/data est le volume %s, pas %s.", "/data is volume %s, not %s.", m.Source, volumeName).With(want, describe(m)), nil
	}
	v, err := s.run.Engine.InspectVolume(ctx, volumeName)
	if err != nil {
		return check.Outcome{}, err
	}
	if v.Labels["ddlab.lab"] != "lab6" {
		return check.Failf("Le volume %s n'a pas le label ddlab.lab=lab6.", "Volume %s lacks the label ddlab.lab=lab6.", volumeName).
			With("ddlab.lab=lab6", labelsText(v.Labels)), nil
	}
	return check.Passf("%s monte le volume nommé %s sur /data ; le volume porte ddlab.lab=lab6.",
		"%s mounts the named volume %s on /data; the volume carries ddlab.lab=lab6.", kvName, volumeName), nil
}

func labelsText(l map[string]string) string {
	if len(l) == 0 {
		return "(aucun label)"
	}
	var out []string
	for _, k := range sortedKeys(l) {
		out = append(out, k+"="+l[k])
	}
	return strings.Join(out, ", ")
}

// checkPersistence: a value written through the app survives down.sh and up.sh, which must
// have removed and re-created the container.
func (s *state) checkPersistence(ctx context.Context) (check.Outcome, error) {
	if fail, err := s.seed(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	before := s.kvID
	down, err := s.down(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if fail := down.failed(); fail != nil {
		return *fail, nil
	}
	if fail, err := s.reup(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	if s.reupID == before {
		return check.Failf("%s n'a pas été recréé : down.sh ne l'a pas supprimé et up.sh l'a gardé, la persistance n'est pas prouvée.",
			"%s was not re-created: down.sh did not remove it and up.sh kept it, so persistence is not shown.", kvName).
			With("un nouveau conteneur après down.sh puis up.sh", "le même conteneur "+check.ShortID(before)), nil
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	r, err := s.get(ctx)
	if err != nil {
		return check.Failf("GET /kv/%s après up.sh n'a pas de réponse.", "GET /kv/%s after up.sh gets no answer.", key).
			With(s.nonce, check.OneLine(err.Error(), 200)), nil
	}
	if r.Status != http.StatusOK || r.Body != s.nonce {
		return check.Failf("La valeur écrite avant down.sh a disparu après up.sh : /data n'est pas dans le volume %s.",
			"The value written before down.sh is gone after up.sh: /data is not in volume %s.", volumeName).
			With("HTTP 200 "+s.nonce, r.String()), nil
	}
	return check.Passf("PUT /kv/%s avant down.sh, relu après up.sh dans un nouveau conteneur (%s → %s).",
		"PUT /kv/%s before down.sh, read back after up.sh in a new container (%s → %s).", key, check.ShortID(before), check.ShortID(s.reupID)), nil
}

// checkDownKeeps: down.sh removes the lab's containers and keeps the volume.
func (s *state) checkDownKeeps(ctx context.Context) (check.Outcome, error) {
	down, err := s.down(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if fail := down.failed(); fail != nil {
		return *fail, nil
	}
	if len(s.downLeft) > 0 {
		return check.Failf("Après down.sh, des conteneurs du lab existent encore : %s.", "After down.sh, lab containers still exist: %s.",
			strings.Join(s.downLeft, ", ")).With("aucun conteneur lab6", strings.Join(s.downLeft, ", ")), nil
	}
	if !s.downHasVo {
		return check.Failf("down.sh a supprimé le volume %s : les données sont perdues.", "down.sh removed volume %s: the data is lost.", volumeName).
			With("le volume "+volumeName+" existe encore", "volume absent"), nil
	}
	return check.Passf("Après down.sh : plus aucun conteneur lab6, le volume %s existe toujours.",
		"After down.sh: no lab6 container left, volume %s still exists.", volumeName), nil
}

// checkNoAnonymous: across up, down and up, no lab container mounted an anonymous volume
// (ddlab/kv declares VOLUME /data: leaving /data unmounted makes one per container).
func (s *state) checkNoAnonymous(ctx context.Context) (check.Outcome, error) {
	if _, err := s.reup(ctx); err != nil {
		return check.Outcome{}, err
	}
	names := s.anonymous()
	if len(names) == 0 {
		return check.Passf("Aucun volume anonyme dans les conteneurs du lab (up.sh, down.sh, up.sh).",
			"No anonymous volume in the lab's containers (up.sh, down.sh, up.sh)."), nil
	}
	var seen, left []string
	for _, n := range names {
		s.anonMu.Lock()
		seen = append(seen, s.anon[n])
		s.anonMu.Unlock()
		if _, err := s.run.Engine.InspectVolume(ctx, n); err == nil {
			left = append(left, check.ShortID(n)+"…")
		}
	}
	actual := "volumes anonymes montés : " + strings.Join(seen, "; ")
	if len(left) > 0 {
		actual += "\nencore présents sur le moteur : " + strings.Join(left, ", ")
	}
	return check.Failf("%d volume(s) anonyme(s) monté(s) par les conteneurs du lab, dont %d laissé(s) sur le moteur.",
		"%d anonymous volume(s) mounted by the lab's containers, %d of them left on the engine.", len(names), len(left)).
		With("aucun volume anonyme (64 caractères hexadécimaux)", actual), nil
}

// checkIdempotent: two up.sh in a row both exit 0 and leave lab6-kv running.
func (s *state) checkIdempotent(ctx context.Context) (check.Outcome, error) {
	fail, err := s.start(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(s.up) > 0 && s.up[0].ExitCode != 0 {
		return grader.ScriptFailed("up.sh (premier lancement)", s.up[0]), nil
	}
	if len(s.up) > 1 && s.up[1].ExitCode != 0 {
		return grader.ScriptFailed("up.sh (second lancement, juste après le premier)", s.up[1]), nil
	}
	if fail != nil {
		return *fail, nil
	}
	return check.Passf("Deux up.sh de suite : code 0 les deux fois, %s tourne.", "Two up.sh in a row: exit 0 both times, %s runs.", kvName), nil
}

// checkPurge: purge.sh removes the containers and the volume; the next up.sh starts empty.
func (s *state) checkPurge(ctx context.Context) (check.Outcome, error) {
	purge, err := s.purge(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if fail := purge.failed(); fail != nil {
		return *fail, nil
	}
	if s.purgeHasVo {
		return check.Failf("Après purge.sh, le volume %s existe encore.", "After purge.sh, volume %s still exists.", volumeName).
			With("volume "+volumeName+" supprimé", "le volume existe"), nil
	}
	if len(s.purgeLeft) > 0 {
		return check.Failf("Après purge.sh, des conteneurs du lab existent encore : %s.", "After purge.sh, lab containers still exist: %s.",
			strings.Join(s.purgeLeft, ", ")).With("aucun conteneur lab6", strings.Join(s.purgeLeft, ", ")), nil
	}
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if !engineSeesFolder(info) {
		return check.Passf("Après purge.sh : ni conteneur ni volume %s (le redémarrage à vide n'est pas vérifiable sur un moteur distant).",
			"After purge.sh: no container and no volume %s (the empty restart cannot be checked on a remote engine).", volumeName), nil
	}
	res, err := s.run.Script(ctx, "up.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	if fail := (&scriptRun{"up.sh (après purge.sh)", res}).failed(); fail != nil {
		return *fail, nil
	}
	if err := s.observe(ctx, "après purge.sh puis up.sh"); err != nil {
		return check.Outcome{}, err
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	r, err := s.get(ctx)
	if err != nil {
		return check.Failf("GET /kv/%s après purge.sh et up.sh n'a pas de réponse.", "GET /kv/%s after purge.sh and up.sh gets no answer.", key).
			With("HTTP 404", check.OneLine(err.Error(), 200)), nil
	}
	if r.Status != http.StatusNotFound {
		return check.Failf("Après purge.sh puis up.sh, GET /kv/%s ne renvoie pas 404 : les anciennes données sont encore là.",
			"After purge.sh then up.sh, GET /kv/%s does not return 404: the old data is still there.", key).With("HTTP 404", r.String()), nil
	}
	return check.Passf("Après purge.sh : ni conteneur ni volume ; up.sh repart à vide (GET /kv/%s → 404).",
		"After purge.sh: no container, no volume; up.sh starts empty (GET /kv/%s → 404).", key), nil
}
