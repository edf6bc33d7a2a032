package lab02

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

func (s *state) checkAPICreate(ctx context.Context) (check.Outcome, error) {
	sr, err := s.apiRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeAPICreate(sr.res, parseCalls(sr.recs), ctrID(s.apiCtr)), nil
}

// judgeAPICreate: api.sh succeeds, and created and started lab2-api through the proxy (judgeCreate).
func judgeAPICreate(res script.Result, calls []call, id string) check.Outcome {
	if f := scriptlab.JudgeScript("api.sh", res); f != nil {
		return *f
	}
	return judgeCreate(calls, id)
}

func ctrID(c *engine.Container) string {
	if c == nil {
		return ""
	}
	return c.ID
}

// judgeCreate wants a versioned create of lab2-api, then its start, neither from the CLI.
func judgeCreate(calls []call, id string) check.Outcome {
	seen := summary(calls, 12)
	if len(calls) == 0 {
		return check.Failf("Le proxy n'a vu aucune requête pendant api.sh : envoyez-les à $DOCKER_API_URL.",
			"The proxy saw no request during api.sh: send them to $DOCKER_API_URL.").
			WithT(check.Same("POST /v1.41/containers/create?name=lab2-api"), seen)
	}
	ci := slices.IndexFunc(calls, func(c call) bool { return isCreate(c, apiName) })
	if ci < 0 {
		return check.Failf("Le proxy n'a pas vu POST …/containers/create?name=%s pendant api.sh.",
			"The proxy did not see POST …/containers/create?name=%s during api.sh.", apiName).
			WithT(check.Same("POST /v1.41/containers/create?name=lab2-api"), seen)
	}
	create := calls[ci]
	switch {
	case fromCLI(create):
		return check.Failf("La création de %s vient du CLI docker (User-Agent %s) : api.sh doit utiliser curl.",
			"%s was created by the docker CLI (User-Agent %s): api.sh must use curl.", apiName, create.UserAgent).
			WithT(check.Lit("un User-Agent autre que Docker-Client/…", "a User-Agent other than Docker-Client/…"), seen)
	case create.version == "":
		return check.Failf("Chemin non versionné : %s %s. Préfixez-le par la version de l'API (/v1.41/…).",
			"Unversioned path: %s %s. Prefix it with the API version (/v1.41/…).", create.Method, create.Path).
			WithT(check.Same("POST /v1.41/containers/create?name=lab2-api"), seen)
	case create.Status != 201:
		return check.Failf("Le démon a refusé la création de %s (HTTP %d).", "The engine refused to create %s (HTTP %d).", apiName, create.Status).
			WithT(check.Same("HTTP 201"), seen)
	}
	si := slices.IndexFunc(calls[ci+1:], func(c call) bool { return targets(c, "POST", "/start", apiName, id) })
	if si < 0 {
		return check.Failf("Après la création, le proxy n'a pas vu POST …/containers/{id}/start pour %s.",
			"After the create, the proxy did not see POST …/containers/{id}/start for %s.", apiName).
			WithT(check.Same("POST /v1.41/containers/<id>/start"), seen)
	}
	start := calls[ci+1+si]
	switch {
	case fromCLI(start):
		return check.Failf("Le démarrage de %s vient du CLI docker (User-Agent %s).", "%s was started by the docker CLI (User-Agent %s).", apiName, start.UserAgent).
			WithT(check.Lit("un User-Agent autre que Docker-Client/…", "a User-Agent other than Docker-Client/…"), seen)
	case start.version == "":
		return check.Failf("Chemin non versionné : %s %s.", "Unversioned path: %s %s.", start.Method, start.Path).
			WithT(check.Same("POST /v1.41/containers/<id>/start"), seen)
	case start.Status != 204 && start.Status != 304:
		return check.Failf("Le démon a refusé le démarrage de %s (HTTP %d).", "The engine refused to start %s (HTTP %d).", apiName, start.Status).
			WithT(check.Same("HTTP 204"), seen)
	}
	return check.Passf("POST %s (HTTP %d) puis POST %s (HTTP %d), User-Agent %s.",
		"POST %s (HTTP %d) then POST %s (HTTP %d), User-Agent %s.",
		create.Path, create.Status, check.Cut(start.Path, 60), start.Status, check.Cut(create.UserAgent, 40))
}

// apiContainerObs is what lab2.api-container observes: lab2-api inspected again after
// api.sh, then GET / on its published port.
type apiContainerObs struct {
	Found          bool
	C              engine.Container
	Port, Greeting string
	Remote         bool   // the engine is remote: its 127.0.0.1 is not ours
	Asked          bool   // GET / was sent
	Body           string // its answer
	GetErr         error  // why nothing answered
}

func (s *state) checkAPIContainer(ctx context.Context) (check.Outcome, error) {
	if _, err := s.apiRun(ctx); err != nil {
		return check.Outcome{}, err
	}
	o := apiContainerObs{Found: s.apiCtr != nil}
	var err error
	if out, done := judgeAPIContainer(o); done {
		return out, nil
	}
	if o.Port, err = s.kit.Param("port"); err != nil {
		return check.Outcome{}, err
	}
	if o.Greeting, err = s.kit.Param("greeting"); err != nil {
		return check.Outcome{}, err
	}
	// Inspect again: the container may have died since api.sh.
	if o.C, err = s.run.Engine.InspectContainer(ctx, s.apiCtr.ID); err != nil {
		return check.Outcome{}, err
	}
	if out, done := judgeAPIContainer(o); done {
		return out, nil
	}
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if o.Remote = info.Remote; !o.Remote {
		wait, err := s.kit.Duration("startup-wait")
		if err != nil {
			return check.Outcome{}, err
		}
		o.Body, o.GetErr = httpGet(ctx, "http://127.0.0.1:"+o.Port+"/", wait)
		o.Asked = true
	}
	out, _ := judgeAPIContainer(o)
	return out, nil
}

// judgeAPIContainer: lab2-api exists, is what the create request should have set
// (judgeContainer), and answers GET / with the greeting.
func judgeAPIContainer(o apiContainerObs) (out check.Outcome, decided bool) {
	switch {
	case !o.Found:
		return check.Failf("Le conteneur %s n'existe pas après api.sh.", "Container %s does not exist after api.sh.", apiName).
			WithT(check.T("%s démarré", "%s running", apiName), check.Lit("absent", "missing")), true
	case o.C.ID == "":
		return check.Outcome{}, false
	}
	if c := judgeContainer(o.C, o.Port, o.Greeting); c.Status != check.Pass {
		return c, true
	}
	switch {
	case o.Remote:
		out := check.Skipf("Conteneur conforme ; GET / non vérifié : le moteur est distant, son 127.0.0.1:%s n'est pas joignable d'ici.",
			"Container as required; GET / not checked: the engine is remote, its 127.0.0.1:%s cannot be reached from here.", o.Port)
		out.Excluded = true
		return out, true
	case !o.Asked:
		return check.Outcome{}, false
	case o.GetErr != nil:
		return check.Failf("GET http://127.0.0.1:%s/ ne répond pas.", "GET http://127.0.0.1:%s/ gets no answer.", o.Port).
			WithT(greeting(o.Greeting), check.Same(o.GetErr.Error())), true
	case !strings.HasPrefix(o.Body, o.Greeting):
		return check.Failf("GET / ne commence pas par %q : GREETING n'atteint pas l'application ?",
			"GET / does not start with %q: does GREETING reach the app?", o.Greeting).
			WithT(greeting(o.Greeting), check.Same(check.Cut(o.Body, 200))), true
	}
	return check.Passf("%s tourne (GREETING=%s, label, 127.0.0.1:%s→8080) ; GET / répond « %s ».",
		"%s is running (GREETING=%s, label, 127.0.0.1:%s→8080); GET / answers %q.",
		apiName, o.Greeting, o.Port, check.Cut(strings.TrimSpace(o.Body), 80)), true
}

// greeting is what GET / must answer: the app's own words, quoted.
func greeting(g string) check.Text {
	return check.T("« %s depuis … »", "\"%s depuis …\"", g)
}

// judgeContainer checks what the create request should have set.
func judgeContainer(c engine.Container, port, greeting string) check.Outcome {
	var fr, en []string
	if !c.Running {
		return check.Failf("%s n'est pas démarré (état %s, code %d).", "%s is not running (state %s, code %d).", apiName, c.Status, c.ExitCode).
			With("running", c.Status)
	}
	if !slices.Contains(c.Env, "GREETING="+greeting) {
		fr, en = append(fr, "Env sans GREETING="+greeting), append(en, "Env without GREETING="+greeting)
	}
	if k, v, _ := strings.Cut(labLabel, "="); c.Labels[k] != v {
		fr, en = append(fr, "label "+labLabel+" absent"), append(en, "label "+labLabel+" missing")
	}
	bound := false
	var ports []string
	for _, p := range c.Ports {
		ports = append(ports, fmt.Sprintf("%s:%s→%s", p.HostIP, p.HostPort, p.ContainerPort))
		if p.ContainerPort == "8080/tcp" && p.HostIP == "127.0.0.1" && p.HostPort == port {
			bound = true
		}
	}
	seen := orNone(ports)
	if !bound {
		fr = append(fr, "pas de publication 127.0.0.1:"+port+"→8080/tcp (vu : "+seen.FR+")")
		en = append(en, "8080/tcp not published on 127.0.0.1:"+port+" (seen: "+seen.EN+")")
	}
	if len(fr) > 0 {
		got := fmt.Sprintf("Env %v, Labels %v, ports ", c.Env, c.Labels)
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("%s ne correspond pas au contrat : %s.", apiName, strings.Join(fr, " ; ")),
			EN: fmt.Sprintf("%s does not match the contract: %s.", apiName, strings.Join(en, "; ")),
		}}.WithT(check.Same("Env GREETING="+greeting+", Labels "+labLabel+", HostConfig.PortBindings 8080/tcp → 127.0.0.1:"+port),
			check.Lit(got+seen.FR, got+seen.EN))
	}
	return check.Passf("ok", "ok")
}

// orNone lists xs, or says there are none.
func orNone(xs []string) check.Text {
	if len(xs) == 0 {
		return check.Lit("aucune", "none")
	}
	return check.Same(strings.Join(xs, ", "))
}

func (s *state) checkAPIOnly(ctx context.Context) (check.Outcome, error) {
	sr, err := s.apiRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeAPIOnly(parseCalls(sr.recs), s.apiEvts), nil
}

// judgeAPIOnly pairs every create and start event of lab2-api with a request the proxy
// forwarded: an event without one came through another door (the socket, the CLI).
func judgeAPIOnly(calls []call, evts []engine.Event) check.Outcome {
	if i := slices.IndexFunc(calls, fromCLI); i >= 0 {
		return check.Failf("api.sh a utilisé le CLI docker (%s %s, User-Agent %s) : seulement curl vers $DOCKER_API_URL.",
			"api.sh used the docker CLI (%s %s, User-Agent %s): only curl to $DOCKER_API_URL.",
			calls[i].Method, check.Cut(calls[i].Path, 60), check.Cut(calls[i].UserAgent, 40)).
			WithT(check.Lit("aucune requête Docker-Client/…", "no Docker-Client/… request"), summary(calls, 12))
	}
	var mine []engine.Event
	for _, ev := range evts {
		if ev.Action == "create" || ev.Action == "start" {
			mine = append(mine, ev)
		}
	}
	if len(mine) == 0 {
		return check.Failf("Le démon n'a créé ni démarré %s pendant api.sh.", "The engine neither created nor started %s during api.sh.", apiName).
			WithT(check.T("événements create et start de %s", "create and start events of %s", apiName), check.Lit("aucun", "none"))
	}
	used := make([]bool, len(calls))
	for _, ev := range mine {
		found := false
		for i, c := range calls {
			if used[i] || !ok2xx(c.Status) {
				continue
			}
			if ev.Action == "create" && isCreate(c, apiName) || ev.Action == "start" && targets(c, "POST", "/start", apiName, ev.ID) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return check.Failf("Le démon a fait « %s » de %s (%s) sans requête correspondante au proxy : api.sh est passé à côté de $DOCKER_API_URL (socket direct ou CLI ?).",
				"The engine did %q on %s (%s) with no matching request at the proxy: api.sh went around $DOCKER_API_URL (the socket directly, or the CLI?).",
				ev.Action, apiName, ev.Time.Format(time.TimeOnly)).
				WithT(check.T("chaque create/start de %s passe par le proxy", "every create/start of %s goes through the proxy", apiName), summary(calls, 12))
		}
	}
	return check.Passf("Les %d événements create/start de %s correspondent à des requêtes vues par le proxy.",
		"The %d create/start events of %s match requests the proxy saw.", len(mine), apiName)
}

func (s *state) checkNegotiate(ctx context.Context) (check.Outcome, error) {
	sr, err := s.apiRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeNegotiate(parseCalls(sr.recs)), nil
}

// judgeNegotiate wants /_ping first, then every path under the version it announced.
func judgeNegotiate(calls []call) check.Outcome {
	if len(calls) == 0 {
		return check.Failf("Le proxy n'a vu aucune requête pendant api.sh.", "The proxy saw no request during api.sh.").
			WithT(check.Lit("GET /_ping en premier", "GET /_ping first"), check.Lit("aucune", "none"))
	}
	first := calls[0]
	if (first.Method != "GET" && first.Method != "HEAD") || first.rest != "/_ping" || first.version != "" {
		return check.Failf("La première requête d'api.sh est %s %s, pas GET /_ping.", "api.sh's first request is %s %s, not GET /_ping.",
			first.Method, check.Cut(first.Path, 80)).WithT(check.Same("GET /_ping"), summary(calls, 5))
	}
	v := first.APIVersion
	if v == "" {
		return check.Failf("/_ping n'a pas renvoyé d'en-tête API-Version (HTTP %d).", "/_ping returned no API-Version header (HTTP %d).", first.Status).
			WithT(check.Same("API-Version: 1.xx"), check.Lit("absent", "missing"))
	}
	for _, c := range calls[1:] {
		if c.rest == "/_ping" && c.version == "" {
			continue
		}
		if c.version != v {
			o := check.Failf("%s %s n'utilise pas la version négociée v%s (non versionné).", "%s %s does not use the negotiated version v%s (unversioned).",
				c.Method, check.Cut(c.Path, 80), v)
			if c.version != "" {
				o = check.Failf("%s %s n'utilise pas la version négociée v%s (v%s).", "%s %s does not use the negotiated version v%s (v%s).",
					c.Method, check.Cut(c.Path, 80), v, c.version)
			}
			return o.WithT(check.Same("/v"+v+"/…"), summary(calls, 12))
		}
	}
	return check.Passf("GET /_ping d'abord (API-Version %s), puis %d requêtes en /v%s/….",
		"GET /_ping first (API-Version %s), then %d requests under /v%s/….", v, len(calls)-1, v)
}
