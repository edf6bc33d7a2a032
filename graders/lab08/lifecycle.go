package lab08

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	return s.sess.ProbeIn(ctx, p, web, s.param("probe-image"), s.probeTimeout, cmds...)
}

func (s *state) get(path string, retries int) []string {
	return probe.HTTP("http://127.0.0.1:"+webPort+path, s.probeTimeout, retries)
}

func (s *state) post(path, body string) []string {
	return []string{"http", "-timeout", s.probeTimeout.String(), "-retries", "3", "-method", "POST",
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
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	name := "n-" + nonce()
	res, o, err := s.call(ctx, s.sess.Project(), s.post("/api/items", fmt.Sprintf(`{"name":%q}`, name)), s.get("/api/items", 0))
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if res[0].Status != 201 {
		return check.Failf("POST /api/items via web répond %s au lieu de 201.", "POST /api/items through web answers %s instead of 201.", res[0].Why()).
			With("201", fmt.Sprintf("%s %s", res[0].Why(), check.Clip(res[0].Body, 200))), nil
	}
	if res[1].Status != 200 || !strings.Contains(res[1].Body, name) {
		return check.Failf("GET /api/items via web ne contient pas l'élément %s créé juste avant.", "GET /api/items through web does not list item %s created just before.", name).
			With(name, check.Clip(res[1].Body, 300)), nil
	}
	s.item = name
	return check.Passf("POST puis GET /api/items via web : l'élément %s est stocké par db.", "POST then GET /api/items through web: item %s is stored by db.", name), nil
}

// cycle runs `down` (with volumes or not) then `up` of the project, and waits for health.
func (s *state) cycle(ctx context.Context, volumes bool) error {
	if err := s.sess.Down(ctx, volumes); err != nil {
		return fmt.Errorf("down: %w", err)
	}
	return s.run.Up(ctx, s.sess.Project(), engine.UpOptions{Wait: true, WaitTimeout: s.healthWait})
}

// items reads GET /api/items through web.
func (s *state) items(ctx context.Context) (string, *check.Outcome, error) {
	res, o, err := s.call(ctx, s.sess.Project(), s.get("/api/items", 5))
	if o != nil || err != nil {
		return "", o, err
	}
	if res[0].Status != 200 {
		o := check.Failf("GET /api/items via web répond %s.", "GET /api/items through web answers %s.", res[0].Why()).With("200", res[0].Why())
		return "", &o, nil
	}
	return res[0].Body, nil, nil
}

// checkPersistence: the item survives `down` + `up`, and is gone after `down -v` + `up`; the
// data lives in the project's named volume dbdata, mounted on /data.
func (s *state) checkPersistence(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	vol, ok := s.sess.Project().Volumes["dbdata"]
	if !ok {
		return check.Failf("Aucun volume nommé dbdata au niveau racine.", "No named volume dbdata at top level.").With("volumes: dbdata", "absent"), nil
	}
	d, o, err := s.sess.Running(ctx, db)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if !mounts(d, vol.Name, "/data") {
		return check.Failf("db ne monte pas le volume %s sur /data.", "db does not mount volume %s on /data.", vol.Name).
			With(vol.Name+":/data", mountList(d)), nil
	}
	if s.item == "" {
		name := "n-" + nonce()
		res, o, err := s.call(ctx, s.sess.Project(), s.post("/api/items", fmt.Sprintf(`{"name":%q}`, name)))
		if o != nil || err != nil {
			return composelab.Verdict(o), err
		}
		if res[0].Status != 201 {
			return check.Failf("Impossible de créer un élément (POST /api/items : %s).", "Cannot create an item (POST /api/items: %s).", res[0].Why()).With("201", res[0].Why()), nil
		}
		s.item = name
	}
	s.run.Progress("lab8 : down puis up (sans -v)…")
	if err := s.cycle(ctx, false); err != nil {
		return s.cycleFailure(ctx, "down puis up", err)
	}
	body, o, err := s.items(ctx)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if !strings.Contains(body, s.item) {
		return check.Failf("Après down puis up, l'élément %s a disparu : les données ne sont pas dans un volume nommé.",
			"After down then up, item %s is gone: the data is not in a named volume.", s.item).With(s.item, check.Clip(body, 300)), nil
	}
	s.run.Progress("lab8 : down -v puis up…")
	if err := s.cycle(ctx, true); err != nil {
		return s.cycleFailure(ctx, "down -v puis up", err)
	}
	body, o, err = s.items(ctx)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if strings.Contains(body, s.item) {
		return check.Failf("Après down -v puis up, l'élément %s est toujours là : les données ne sont pas dans le volume du projet.",
			"After down -v then up, item %s is still there: the data is not in the project's volume.", s.item).With("liste vide", check.Clip(body, 300)), nil
	}
	return check.Passf("L'élément survit à down/up et disparaît avec down -v (volume %s).", "The item survives down/up and goes with down -v (volume %s).", vol.Name), nil
}

func (s *state) cycleFailure(ctx context.Context, what string, err error) (check.Outcome, error) {
	if ctx.Err() != nil {
		return check.Outcome{}, err
	}
	return check.Failf("Le projet ne redémarre pas après %s : %v", "The project does not come back after %s: %v", what, err).
		With("projet sain", check.Clip(err.Error(), 300)), nil
}

func mounts(c engine.Container, volume, target string) bool {
	for _, m := range c.Mounts {
		if m.Type == "volume" && m.Source == volume && m.Destination == target {
			return true
		}
	}
	return false
}

func mountList(c engine.Container) string {
	var out []string
	for _, m := range c.Mounts {
		out = append(out, fmt.Sprintf("%s %s:%s", m.Type, m.Source, m.Destination))
	}
	if len(out) == 0 {
		return "aucun montage"
	}
	return strings.Join(out, ", ")
}

// hello reads GET /api/hello through the web of project p.
func (s *state) hello(ctx context.Context, p *types.Project) (string, *check.Outcome, error) {
	res, o, err := s.call(ctx, p, s.get("/api/hello", 5))
	if o != nil || err != nil {
		return "", o, err
	}
	if res[0].Status != 200 {
		o := check.Failf("GET /api/hello via web répond %s.", "GET /api/hello through web answers %s.", res[0].Why()).With("200", res[0].Why())
		return "", &o, nil
	}
	return strings.TrimSpace(res[0].Body), nil, nil
}

// checkEnv: with .env as given /api/hello says the default greeting; with API_GREETING set in
// the grader's environment, that value wins over .env.
func (s *state) checkEnv(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	want, override := s.param("greeting"), s.param("greeting-override")
	got, o, err := s.hello(ctx, s.sess.Project())
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if got != want {
		return check.Failf("Avec le .env fourni, /api/hello répond %q au lieu de %q.", "With the given .env, /api/hello answers %q instead of %q.", got, want).
			With(want, got), nil
	}
	v, probs, err := s.sess.LoadVariant(ctx, "", map[string]string{"API_GREETING": override}, nil)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(probs) > 0 {
		return check.Failf("Avec API_GREETING=%s, le projet ne se charge plus : %s", "With API_GREETING=%s, the project no longer loads: %s", override, probs[0].String()).
			With("projet valide", composelab.Text(probs)), nil
	}
	s.useBuiltImages(v)
	if got := v.Services[api].Environment["GREETING"]; got == nil || *got != override {
		return check.Failf("Avec API_GREETING=%s dans l'environnement, GREETING de api ne change pas : interpolez ${API_GREETING:-…}.",
			"With API_GREETING=%s in the environment, api's GREETING does not change: interpolate ${API_GREETING:-…}.", override).
			With("GREETING="+override, "GREETING="+value(got)), nil
	}
	s.run.Progress("lab8 : api recréé avec API_GREETING=" + override + "…")
	if err := s.run.Up(ctx, v, engine.UpOptions{Services: []string{api}, NoDeps: true, Wait: true, WaitTimeout: s.healthWait}); err != nil {
		return s.cycleFailure(ctx, "la recréation de api", err)
	}
	got, o, err = s.hello(ctx, v)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if got != override {
		return check.Failf("Avec API_GREETING=%s, /api/hello répond %q.", "With API_GREETING=%s, /api/hello answers %q.", override, got).With(override, got), nil
	}
	return check.Passf("/api/hello : %q avec .env, %q quand l'environnement fixe API_GREETING.", "/api/hello: %q with .env, %q when the environment sets API_GREETING.", want, got), nil
}

// useBuiltImages gives a variant of the project the images the grader built for the
// original: a variant never builds again.
func (s *state) useBuiltImages(p *types.Project) {
	for _, b := range s.sess.Builds {
		if svc, ok := p.Services[b.Service]; ok && svc.Build != nil {
			svc.Image, svc.Build, svc.PullPolicy = b.Tag, nil, types.PullPolicyNever
			p.Services[b.Service] = svc
		}
	}
}

// checkScale: api scaled to 3 replicas, all healthy, and 20 requests through web reach at
// least 2 of them.
func (s *state) checkScale(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	svc := p.Services[api]
	if svc.ContainerName != "" {
		return check.Failf("api a un container_name (%s) : un nom fixe interdit plusieurs répliques.", "api has a container_name (%s): a fixed name forbids replicas.", svc.ContainerName).
			With("pas de container_name", svc.ContainerName), nil
	}
	n := s.scale
	s.run.Progress(fmt.Sprintf("lab8 : api passe à %d répliques…", n))
	if err := s.sess.Scale(ctx, api, n, s.healthWait); err != nil {
		if ctx.Err() != nil {
			return check.Outcome{}, err
		}
		return check.Failf("api ne passe pas à %d répliques : %v", "api does not scale to %d replicas: %v", n, err).With(fmt.Sprint(n)+" répliques saines", check.Clip(err.Error(), 300)), nil
	}
	cs, err := composelab.Containers(ctx, s.run.Engine, p, api)
	if err != nil {
		return check.Outcome{}, err
	}
	healthy := 0
	for _, c := range cs {
		if c.Running && c.Health == "healthy" {
			healthy++
		}
	}
	if healthy < n {
		return check.Failf("%d répliques de api sur %d sont saines.", "%d of %d api replicas are healthy.", healthy, n).With(fmt.Sprint(n), fmt.Sprint(healthy)), nil
	}
	cmds := make([][]string, s.requests)
	for i := range cmds {
		cmds[i] = s.get("/api/hello", 1)
	}
	res, o, err := s.call(ctx, p, cmds...)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	seen := composelab.ServedBy(res)
	if seen < 2 {
		return check.Failf("%d requêtes via web n'ont atteint que %d réplique(s) de api.", "%d requests through web reached only %d api replica(s).", s.requests, seen).
			With("au moins 2 X-Served-By distincts", fmt.Sprint(seen)), nil
	}
	return check.Passf("api à %d répliques saines ; %d requêtes via web en ont atteint %d.", "api at %d healthy replicas; %d requests through web reached %d.",
		n, s.requests, seen), nil
}

// checkDevOverride: compose.override.yaml bind-mounts ./api/static into api, and a file
// written there on the host is served through web without a rebuild.
func (s *state) checkDevOverride(ctx context.Context) (check.Outcome, error) {
	if _, err := os.Stat(filepath.Join(s.run.Files, "compose.override.yaml")); err != nil {
		return check.Failf("Pas de compose.override.yaml.", "No compose.override.yaml.").With("compose.override.yaml", "absent"), nil
	}
	if s.remote {
		return check.Skipf("Moteur distant : il ne voit pas les fichiers de cette machine, le bind mount ne peut pas être observé.",
			"Remote engine: it cannot see this machine's files, the bind mount cannot be observed."), nil
	}
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	static := filepath.Join(s.run.Files, "api", "static")
	bound := false
	for _, v := range s.sess.Project().Services[api].Volumes {
		if v.Type == types.VolumeTypeBind && filepath.Clean(v.Source) == static {
			bound = true
		}
	}
	if !bound {
		return check.Failf("compose.override.yaml ne monte pas ./api/static dans api.", "compose.override.yaml does not bind-mount ./api/static into api.").
			With("./api/static monté dans api", "absent"), nil
	}
	name := "grade-" + nonce() + ".txt"
	body := "vu sans rebuild " + nonce()
	if err := os.WriteFile(filepath.Join(static, name), []byte(body), 0o644); err != nil {
		return check.Outcome{}, err
	}
	res, o, err := s.call(ctx, s.sess.Project(), s.get("/api/static/"+name, 3))
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if res[0].Status != 200 || !strings.Contains(res[0].Body, body) {
		return check.Failf("Un fichier écrit dans ./api/static n'est pas servi par /api/static/%s (%s).", "A file written in ./api/static is not served at /api/static/%s (%s).", name, res[0].Why()).
			With(body, check.Clip(res[0].Body, 200)), nil
	}
	return check.Passf("Une modification de ./api/static est servie aussitôt, sans rebuild.", "An edit in ./api/static is served at once, without a rebuild."), nil
}

// checkProfiles: a debug service under profile debug is not started by a plain up, and is
// started with --profile debug.
func (s *state) checkProfiles(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	d, ok := p.DisabledServices["debug"]
	if !ok {
		if _, on := p.Services["debug"]; on {
			return check.Failf("Le service debug démarre avec un `up` ordinaire : mettez-le sous `profiles: [debug]`.",
				"Service debug starts with a plain `up`: put it under `profiles: [debug]`.").With("profiles: [debug]", "aucun profil"), nil
		}
		return check.Failf("Pas de service debug.", "No debug service.").With("services.debug (profil debug)", "absent"), nil
	}
	if !slices.Contains(d.Profiles, "debug") {
		return check.Failf("Le service debug a les profils %v, pas debug.", "Service debug has profiles %v, not debug.", d.Profiles).With("[debug]", fmt.Sprint(d.Profiles)), nil
	}
	if cs, err := composelab.Containers(ctx, s.run.Engine, p, "debug"); err != nil {
		return check.Outcome{}, err
	} else if len(cs) > 0 {
		return check.Failf("debug a été démarré par un `up` sans profil.", "debug was started by an `up` without profile.").With("aucun conteneur debug", cs[0].Name), nil
	}
	v, probs, err := s.sess.LoadVariant(ctx, "", nil, []string{"debug"})
	if err != nil {
		return check.Outcome{}, err
	}
	if len(probs) > 0 {
		return check.Failf("Avec --profile debug, le projet ne se charge pas : %s", "With --profile debug, the project does not load: %s", probs[0].String()).
			With("projet valide", composelab.Text(probs)), nil
	}
	s.useBuiltImages(v)
	s.run.Progress("lab8 : up --profile debug…")
	ctx2, cancel := context.WithTimeout(ctx, s.healthWait+30*time.Second)
	defer cancel()
	if err := s.run.Up(ctx2, v, engine.UpOptions{Services: []string{"debug"}, NoDeps: true}); err != nil {
		if ctx.Err() != nil {
			return check.Outcome{}, err
		}
		return check.Failf("`up --profile debug` échoue : %v", "`up --profile debug` fails: %v", err).With("debug démarré", check.Clip(err.Error(), 300)), nil
	}
	cs, err := composelab.Containers(ctx, s.run.Engine, v, "debug")
	if err != nil {
		return check.Outcome{}, err
	}
	if len(cs) == 0 || !cs[0].Running {
		return check.Failf("Avec --profile debug, le service debug ne tourne pas.", "With --profile debug, service debug is not running.").With("debug démarré", "arrêté ou absent"), nil
	}
	return check.Passf("debug ne démarre qu'avec --profile debug.", "debug starts only with --profile debug."), nil
}

// value is what an environment entry holds; "" when it is declared without a value.
func value(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
