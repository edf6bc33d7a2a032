package lab01

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ddlab/grade/internal/apiproxy"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

// observation is one run of observe.sh and the truth read from the engine around it.
type observation struct {
	skip   *check.Outcome // nothing to observe: lab1-web is not running
	fail   *check.Outcome // observe.sh failed, or printed what the grader cannot read
	values map[string]string
	kernel string           // the engine's /info KernelVersion
	truth  engine.Container // lab1-web right after observe.sh
	remote bool
	host   string // the engine's address, to say why a check is excused when it is remote
	// nonce is the path the grader requested just before observe.sh; nonceErr says why
	// that request did not reach lab1-web.
	nonce    string
	nonceErr error
	// inside is how observe.sh looked inside the containers, when known (a local engine,
	// where the proxy records its requests).
	inside evidence
}

// evidence is what observe.sh did to see a container from the inside: values a script could
// write in advance (PID 1, the host's own kernel) or read from outside (Config.Hostname) count
// only when it did.
type evidence struct {
	known    bool
	whoami   bool // lab1-web's log holds a GET /whoami: its own view of /proc/self/status
	execWeb  bool // a docker exec into lab1-web
	ran      bool // a container created or an exec anywhere: a process that asked the kernel
	pidNS    bool // a container joined lab1-web's PID namespace
	netNS    bool // a container joined lab1-web's network namespace, and so its hostname
	requests []string
}

// observe runs observe.sh once, while lab1-web runs, right after the grader's own request.
func (s *state) observe(ctx context.Context) (*observation, error) {
	if s.obs != nil {
		return s.obs, nil
	}
	o, err := s.doObserve(ctx)
	if err != nil {
		return nil, err
	}
	s.obs = o
	return o, nil
}

func (s *state) doObserve(ctx context.Context) (*observation, error) {
	if err := s.runs(ctx); err != nil {
		return nil, err
	}
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return nil, err
	}
	o := &observation{kernel: info.KernelVersion, remote: info.Remote, host: s.run.Engine.Host()}
	before, found, err := s.web(ctx)
	if err != nil {
		return nil, err
	}
	if !found || !before.Running {
		sk := check.Skipf("Non évalué : %s ne tourne pas, observe.sh n'a rien à observer (voir lab1.run).",
			"Not evaluated: %s is not running, observe.sh has nothing to observe (see lab1.run).", webName)
		o.skip = &sk
		return o, nil
	}
	if !o.remote {
		port, err := s.kit.Param("host-port")
		if err != nil {
			return nil, err
		}
		wait, err := s.kit.Duration("http-wait")
		if err != nil {
			return nil, err
		}
		o.nonce = "/bonjour-" + nonce()
		if _, o.nonceErr = get(ctx, "http://127.0.0.1:"+port+o.nonce, wait); o.nonceErr != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	sr, err := s.kit.Script(ctx, "observe.sh")
	if err != nil {
		return nil, err
	}
	var after engine.Container
	afterFound := false
	if sr.Fail == nil {
		if after, afterFound, err = s.web(ctx); err != nil {
			return nil, err
		}
	}
	o.values, o.fail = judgeObserveRun(sr, before, after, afterFound)
	o.truth = after
	if sr.Res.Requests != nil && afterFound {
		logs, err := s.run.Engine.ReadLogs(ctx, after.ID, engine.LogOptions{MaxBytes: 256 << 10})
		if err != nil {
			return nil, err
		}
		o.inside = evidenceOf(sr.Res.Requests, sr.Res.Joins, logs.Stdout+logs.Stderr, after.ID)
	}
	return o, nil
}

// evidenceOf reads what observe.sh asked: its engine requests, the namespaces its containers
// joined, and lab1-web's log (id).
func evidenceOf(requests, joins []string, log, id string) evidence {
	e := evidence{known: true, whoami: strings.Contains(log, "path=/whoami "), requests: requests}
	for _, j := range joins {
		kind, ref, _ := strings.Cut(j, "=container:")
		if !isWeb(ref, id) {
			continue
		}
		// A container in lab1-web's PID namespace sees its processes (pid); one in its network
		// namespace gets its hostname too (hostname).
		switch kind {
		case "pid":
			e.pidNS = true
		case "network":
			e.netNS = true
		}
	}
	for _, r := range requests {
		method, path, _ := strings.Cut(r, " ")
		m := execOrCreate.FindStringSubmatch(method + " " + apiproxy.Unversioned(path))
		if m == nil {
			continue
		}
		e.ran = true
		if isWeb(m[1], id) {
			e.execWeb = true
		}
	}
	return e
}

// isWeb tells whether ref names lab1-web, whose ID is id.
func isWeb(ref, id string) bool {
	return ref == webName || len(ref) >= 12 && strings.HasPrefix(id, ref)
}

// execOrCreate matches an exec into a container (its reference in group 1) or a container
// create.
var execOrCreate = regexp.MustCompile(`^POST /containers/(?:([^/?]+)/exec|create)`)

// fromInside fails a value observe.sh could have printed without looking inside: where the
// requests are known and it neither asked /whoami, nor went into lab1-web, nor joined the
// namespace that shows the value (ns).
func (o *observation) fromInside(key string, ns bool) *check.Outcome {
	if !o.inside.known || o.inside.whoami || o.inside.execWeb || ns {
		return nil
	}
	f := check.Failf("%s a la bonne valeur, mais observe.sh ne l'a pas observée de l'intérieur : ni GET /whoami à %s, ni docker exec dedans. Une valeur écrite d'avance ou lue par docker inspect ne prouve rien.",
		"%s has the right value, but observe.sh did not observe it from the inside: no GET /whoami to %s, no docker exec into it. A value written in advance or read with docker inspect proves nothing.",
		key, webName).WithT(check.T("curl …/whoami (ou docker exec %s …)", "curl …/whoami (or docker exec %s …)", webName), grader.Requests(o.inside.requests))
	return &f
}

// judgeObserveRun reads observe.sh's output, or says why the grader cannot: it failed, it
// stopped or replaced lab1-web (before and after it ran), its output is too long, or some
// line is not key=value.
func judgeObserveRun(sr *scriptRun, before, after engine.Container, found bool) (map[string]string, *check.Outcome) {
	if sr.Fail != nil {
		return nil, sr.Fail
	}
	if !found || !after.Running || after.ID != before.ID {
		f := check.Failf("observe.sh a arrêté ou remplacé %s : il doit seulement observer.",
			"observe.sh stopped or replaced %s: it must only observe.", webName).
			WithT(check.T("%s %s en marche", "%s %s running", webName, check.ShortID(before.ID)), describe(after, found))
		return nil, &f
	}
	if sr.Res.StdoutTruncated {
		f := check.Failf("La sortie de observe.sh est trop longue : le correcteur n'en a gardé que la fin.",
			"observe.sh's output is too long: the grader kept only its end.").
			WithT(check.Lit("six lignes clé=valeur", "six key=value lines"), check.Same(check.Clip(sr.Res.Output, 200)))
		return nil, &f
	}
	values, problems := parseKeyValues(sr.Res.Stdout, observeKeys)
	if len(problems) > 0 {
		var fr, en []string
		for i, p := range problems {
			if i == 5 {
				more := fmt.Sprintf("… (+%d)", len(problems)-5)
				fr, en = append(fr, more), append(en, more)
				break
			}
			t := p.text()
			fr, en = append(fr, t.FR), append(en, t.EN)
		}
		p := problems[0]
		f := check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("La sortie de observe.sh n'est pas lisible, ligne %d : %s. N'affichez que des lignes clé=valeur (envoyez le reste vers /dev/null).", p.Line, p.Why.FR),
			EN: fmt.Sprintf("observe.sh's output cannot be read, line %d: %s. Print only key=value lines (send the rest to /dev/null).", p.Line, p.Why.EN),
		}, Expected: check.Lit("une ligne clé=valeur par clé", "one key=value line per key"), Actual: check.Lit(strings.Join(fr, "\n"), strings.Join(en, "\n")), File: "observe.sh"}
		return nil, &f
	}
	return values, nil
}

// observed turns a judge of observe.sh's values into a check.
func (s *state) observed(judge func(*observation) check.Outcome) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		o, err := s.observe(ctx)
		if err != nil {
			return check.Outcome{}, err
		}
		return judge(o), nil
	}
}

// unread is the verdict of every judge of observe.sh's values when there are none: nothing
// to observe, or observe.sh could not be read (judgeObserveRun).
func (o *observation) unread() *check.Outcome {
	if o.skip != nil {
		return o.skip
	}
	return o.fail
}

func (s *state) checkLogs(ctx context.Context) (check.Outcome, error) {
	o, err := s.observe(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeLogs(o), nil
}

// missing fails when observe.sh did not print one of keys.
func missing(values map[string]string, keys ...string) *check.Outcome {
	for _, k := range keys {
		if _, ok := values[k]; !ok {
			o := check.Failf("observe.sh n'affiche pas de ligne %s=….", "observe.sh prints no %s=… line.", k).
				WithT(check.Same(k+"=…"), check.Lit("absente", "missing"))
			return &o
		}
	}
	return nil
}

func judgeKernel(o *observation) check.Outcome {
	if u := o.unread(); u != nil {
		return *u
	}
	if m := missing(o.values, "noyau_hote", "noyau_conteneur"); m != nil {
		return *m
	}
	host, ctr := o.values["noyau_hote"], o.values["noyau_conteneur"]
	got := fmt.Sprintf("noyau_hote=%s, noyau_conteneur=%s", check.CutLine(host, 80), check.CutLine(ctr, 80))
	want := fmt.Sprintf("noyau_hote=%s, noyau_conteneur=%s (docker info)", o.kernel, o.kernel)
	switch {
	case host != o.kernel:
		return check.Failf("noyau_hote vaut « %s », mais le moteur Docker tourne sur le noyau %s.",
			"noyau_hote is \"%s\", but the Docker engine runs on kernel %s.", check.CutLine(host, 80), o.kernel).With(want, got)
	case ctr != o.kernel:
		return check.Failf("noyau_conteneur vaut « %s » : un conteneur voit pourtant le noyau de l'hôte, %s.",
			"noyau_conteneur is \"%s\": yet a container sees the host's kernel, %s.", check.CutLine(ctr, 80), o.kernel).With(want, got)
	case o.inside.known && !o.inside.ran:
		// The same kernel is the lesson: copying noyau_hote proves nothing until a container says so.
		return check.Failf("noyau_conteneur a la bonne valeur, mais observe.sh n'a lancé aucun conteneur ni docker exec pour la lire : c'est celle de l'hôte, recopiée.",
			"noyau_conteneur has the right value, but observe.sh started no container and no docker exec to read it: it is the host's, copied.").
			WithT(check.Same("docker run --rm ddlab/busybox:1 uname -r"), grader.Requests(o.inside.requests))
	}
	return check.Passf("Hôte et conteneur voient le même noyau, %s, celui du moteur : un conteneur n'a pas de noyau à lui.",
		"Host and container see the same kernel, %s, the engine's: a container has no kernel of its own.", o.kernel)
}

func judgePID(o *observation) check.Outcome {
	if u := o.unread(); u != nil {
		return *u
	}
	if m := missing(o.values, "pid_conteneur", "pid_hote"); m != nil {
		return *m
	}
	truth := o.truth.Pid
	want := fmt.Sprintf("pid_conteneur=1, pid_hote=%d (State.Pid)", truth)
	got := fmt.Sprintf("pid_conteneur=%s, pid_hote=%s", check.CutLine(o.values["pid_conteneur"], 30), check.CutLine(o.values["pid_hote"], 30))
	inCtr, err := strconv.Atoi(o.values["pid_conteneur"])
	if err != nil {
		return check.Failf("pid_conteneur n'est pas un nombre.", "pid_conteneur is not a number.").With(want, got)
	}
	onHost, err := strconv.Atoi(o.values["pid_hote"])
	if err != nil {
		return check.Failf("pid_hote n'est pas un nombre.", "pid_hote is not a number.").With(want, got)
	}
	switch {
	case inCtr != 1:
		return check.Failf("pid_conteneur vaut %d : dans son espace de noms PID, l'application est le PID 1 (voyez /whoami).",
			"pid_conteneur is %d: in its PID namespace the app is PID 1 (see /whoami).", inCtr).With(want, got)
	case onHost == 1:
		return check.Failf("pid_hote vaut 1 : c'est le PID vu dans le conteneur ; sur l'hôte, le même processus a un autre PID.",
			"pid_hote is 1: that is the PID seen inside; on the host the same process has another PID.").With(want, got)
	case onHost != truth:
		return check.Failf("pid_hote vaut %d, mais le processus principal de %s a le PID %d sur l'hôte.",
			"pid_hote is %d, but %s's main process has PID %d on the host.", onHost, webName, truth).With(want, got)
	}
	if f := o.fromInside("pid_conteneur", o.inside.pidNS); f != nil {
		return *f
	}
	return check.Passf("Le même processus est le PID 1 dans le conteneur et le PID %d sur l'hôte.",
		"The same process is PID 1 inside the container and PID %d on the host.", truth)
}

func judgeHostname(o *observation) check.Outcome {
	if u := o.unread(); u != nil {
		return *u
	}
	if m := missing(o.values, "hostname_conteneur"); m != nil {
		return *m
	}
	got, want := o.values["hostname_conteneur"], o.truth.Hostname
	if got != want {
		return check.Failf("hostname_conteneur vaut « %s », mais le nom d'hôte de %s est %s (Config.Hostname).",
			"hostname_conteneur is \"%s\", but %s's hostname is %s (Config.Hostname).", check.CutLine(got, 80), webName, want).
			With("hostname_conteneur="+want, "hostname_conteneur="+check.CutLine(got, 80))
	}
	if f := o.fromInside("hostname_conteneur", o.inside.netNS); f != nil {
		return *f
	}
	if strings.HasPrefix(o.truth.ID, want) {
		return check.Passf("Le conteneur a son propre nom d'hôte, %s : le début de son ID.",
			"The container has its own hostname, %s: the start of its ID.", want)
	}
	return check.Passf("Le conteneur a son propre nom d'hôte, %s.", "The container has its own hostname, %s.", want)
}

// judgeLogs: observe.sh read lab1-web's logs after the grader's request and before its own.
// The grader's request is sent from this machine: with a remote engine there is none.
func judgeLogs(o *observation) check.Outcome {
	switch {
	case o.skip != nil:
		return *o.skip
	case o.remote:
		return remoteSkip(o.host)
	case o.fail != nil:
		return *o.fail
	case o.nonceErr != nil:
		return check.Failf("La requête du correcteur GET %s n'a pas atteint %s sur le port publié (voir lab1.http).",
			"The grader's request GET %s did not reach %s on the published port (see lab1.http).", o.nonce, webName).
			WithT(check.T("GET %s reçue", "GET %s received", o.nonce), check.Same(check.Clip(o.nonceErr.Error(), 200)))
	}
	if m := missing(o.values, "derniere_requete"); m != nil {
		return *m
	}
	got := o.values["derniere_requete"]
	if got != o.nonce {
		return check.Failf("derniere_requete vaut « %s », mais la dernière requête reçue par %s avant observe.sh était GET %s : lisez les journaux avant que votre script ne fasse ses propres requêtes.",
			"derniere_requete is \"%s\", but the last request %s got before observe.sh was GET %s: read the logs before your script makes its own requests.",
			check.CutLine(got, 80), webName, o.nonce).With("derniere_requete="+o.nonce, "derniere_requete="+check.CutLine(got, 80))
	}
	return check.Passf("derniere_requete=%s : la requête que le correcteur venait d'envoyer.", "derniere_requete=%s: the request the grader had just sent.", got)
}

// nonce is a fresh path segment, so a script cannot guess the grader's request.
func nonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func describe(c engine.Container, found bool) check.Text {
	switch {
	case !found:
		return check.Lit("supprimé", "removed")
	case !c.Running:
		return check.Same(fmt.Sprintf("%s %s (code %d)", check.ShortID(c.ID), c.Status, c.ExitCode))
	}
	return check.T("%s (un autre conteneur)", "%s (another container)", check.ShortID(c.ID))
}
