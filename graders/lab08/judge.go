package lab08

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// Lab 8's verdicts, each decided by a pure function from what its check observed, so
// checks_test.go judges every case (the failing fixtures' included) without an engine.
// A check that acts on the project (down/up, scale, recreate) observes in stages: its judge
// returns decided=false while the observation so far holds no verdict and the next stage
// must be observed.

// judgeValid: the project is named lab8 and its services are exactly web, api and db.
func judgeValid(l *compose.Loaded) check.Outcome {
	if l.Declared == "" {
		return check.Failf("Aucune clé `name:` au niveau racine : le projet doit s'appeler lab8.", "No top-level `name:`: the project must be named lab8.").
			WithT(check.Same("name: lab8"), missing)
	}
	if l.Declared != "lab8" {
		return check.Failf("Le projet doit s'appeler lab8 (clé `name:` au niveau racine), il s'appelle %q.",
			"The project must be named lab8 (top-level `name:`), it is %q.", l.Declared).With("name: lab8", l.Declared)
	}
	got := l.Project.ServiceNames()
	sort.Strings(got)
	if strings.Join(got, ",") != "api,db,web" {
		return check.Failf("Les services doivent être exactement web, api et db ; le projet a : %s.",
			"The services must be exactly web, api and db; the project has: %s.", strings.Join(got, ", ")).
			With("api, db, web", strings.Join(got, ", "))
	}
	return check.Passf("Le projet lab8 se charge (%s) avec web, api et db.", "Project lab8 loads (%s) with web, api and db.",
		strings.Join(l.Files, " + "))
}

// offlineObs is what lab8.offline-images observes.
type offlineObs struct {
	Pulled  map[string]string // service → image, for the services without build:
	Missing map[string]string // service → image the engine does not have
}

// judgeOffline: every image that is not built is a ddlab/* one, and the engine has it.
func judgeOffline(o offlineObs) check.Outcome {
	var bad []string
	for n, img := range o.Pulled {
		if !strings.HasPrefix(img, "ddlab/") {
			bad = append(bad, fmt.Sprintf("%s: %q", n, img))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return check.Failf("Images hors ddlab/* (elles devraient être téléchargées, impossible hors ligne) : %s.",
			"Images outside ddlab/* (they would have to be pulled, impossible offline): %s.", strings.Join(bad, ", ")).
			WithT(check.Lit("ddlab/* ou build:", "ddlab/* or build:"), check.Same(strings.Join(bad, ", ")))
	}
	if len(o.Missing) > 0 {
		var list []string
		for n, img := range o.Missing {
			list = append(list, n+": "+img)
		}
		sort.Strings(list)
		return check.Failf("Images absentes de la machine (rien n'est téléchargé ; `grade images` construit les ddlab/*) : %s.",
			"Images missing from this machine (nothing is pulled; `grade images` builds the ddlab/* ones): %s.", strings.Join(list, ", ")).
			WithT(check.Lit("images présentes localement", "images present locally"), check.Same(strings.Join(list, ", ")))
	}
	return check.Passf("Toutes les images sont locales (ddlab/*) ou construites (build:).",
		"Every image is local (ddlab/*) or built (build:).")
}

// healthObs is one look at the three services after the first up.
type healthObs struct {
	Containers map[string][]engine.Container // by service, ordered by name
	Late       bool                          // the health wait is over
	UpFailure  check.Text                    // why Compose's up failed (empty when it did not)
	Wait       time.Duration                 // the health wait
	Elapsed    time.Duration                 // since the up started
}

// judgeUpHealthy: web, api and db each run one container that is healthy. decided is false
// while a healthcheck still says « starting » and the wait is not over.
func judgeUpHealthy(o healthObs) (out check.Outcome, decided bool) {
	var waiting []string
	var bad []check.Text
	for _, svc := range []string{web, api, db} {
		cs := o.Containers[svc]
		switch {
		case len(cs) == 0:
			bad = append(bad, check.T("%s : aucun conteneur", "%s: no container", svc))
		case !cs[0].Running:
			bad = append(bad, check.T("%s : %s (code %d)", "%s: %s (code %d)", svc, cs[0].Status, cs[0].ExitCode))
		case cs[0].Health == "":
			bad = append(bad, check.T("%s : pas de healthcheck", "%s: no healthcheck", svc))
		case cs[0].Health == "starting":
			waiting = append(waiting, svc)
		case cs[0].Health != "healthy" && len(cs[0].HealthLog) == 0:
			bad = append(bad, check.T("%s : %s", "%s: %s", svc, cs[0].Health))
		case cs[0].Health != "healthy":
			bad = append(bad, check.T("%s : %s (« %s »)", "%s: %s (%s)", svc, cs[0].Health, check.Clip(strings.Join(cs[0].HealthLog, " | "), 200)))
		}
	}
	if len(bad) > 0 || (len(waiting) > 0 && o.Late) {
		for _, s := range waiting {
			bad = append(bad, check.T("%s : encore « starting »", "%s: still \"starting\"", s))
		}
		msg := check.Join(bad, " ; ", "; ")
		if o.UpFailure.FR != "" {
			msg = check.Join([]check.Text{msg, o.UpFailure}, " — ", " — ")
		}
		return check.Failf("Les trois services ne sont pas tous sains après `up` : %[1]s.", "The three services are not all healthy after `up`: %[2]s.", msg.FR, msg.EN).
			WithT(check.T("web, api et db healthy en %s", "web, api and db healthy within %s", o.Wait), msg), true
	}
	if len(waiting) > 0 {
		return check.Outcome{}, false
	}
	return check.Passf("web, api et db tournent et sont sains (%s après up).", "web, api and db run and are healthy (%s after up).",
		o.Elapsed.Round(time.Second)), true
}

// dependsObs is what lab8.depends-healthy observes: the conditions in the file and the
// engine's container events during the first up.
type dependsObs struct {
	Conditions map[[2]string]string // {service, dependency} → condition ("" when absent)
	Events     []engine.Event
}

// judgeDependsHealthy: api waits for db and web for api with service_healthy, and the
// events show db healthy before api started.
func judgeDependsHealthy(o dependsObs) check.Outcome {
	for _, d := range [][2]string{{api, db}, {web, api}} {
		if cond := o.Conditions[d]; cond != types.ServiceConditionHealthy {
			got := check.Same(cond)
			if cond == "" {
				got = missing
			}
			return check.Failf("%[1]s.depends_on.%[2]s doit avoir `condition: service_healthy` (trouvé : %[3]s).",
				"%[1]s.depends_on.%[2]s must have `condition: service_healthy` (found: %[4]s).", d[0], d[1], got.FR, got.EN).
				WithT(check.Same("service_healthy"), got)
		}
	}
	var healthy, start time.Time
	for _, ev := range o.Events {
		svc := ev.Attrs["com.docker.compose.service"]
		switch {
		case svc == db && ev.Action == "health_status: healthy" && healthy.IsZero():
			healthy = ev.Time
		case svc == api && ev.Action == "start" && start.IsZero():
			start = ev.Time
		}
	}
	switch {
	case healthy.IsZero():
		return check.Failf("db n'est jamais devenu sain pendant `up` : api n'a donc rien attendu.", "db never became healthy during `up`, so api waited for nothing.").
			WithT(check.Lit("health_status: healthy de db", "health_status: healthy from db"), notInEvents)
	case start.IsZero():
		return check.Failf("api n'a pas démarré pendant `up`.", "api did not start during `up`.").
			WithT(check.Lit("start de api", "start from api"), notInEvents)
	case start.Before(healthy):
		return check.Failf("api a démarré %s avant que db soit sain.", "api started %s before db was healthy.", healthy.Sub(start).Round(time.Millisecond)).
			WithT(check.Lit("db healthy, puis api start", "db healthy, then api start"), check.Lit("api start, puis db healthy", "api start, then db healthy"))
	}
	return check.Passf("db sain, puis api démarré %s plus tard (événements du moteur).", "db healthy, then api started %s later (engine events).",
		start.Sub(healthy).Round(time.Millisecond))
}

// segmentationObs is what lab8.segmentation observes, web and api running.
type segmentationObs struct {
	Control      probe.Result   // TCP db:8080 from api's namespace
	FromWeb      []probe.Result // from web's: GET api:8080/health, DNS db, TCP db:8080
	BackDeclared bool           // the file declares network back
	BackInternal bool           // the engine's back network is internal
}

// judgeSegmentation: from web api answers and db neither resolves nor connects, db is there
// for api (the positive control), and back is internal.
func judgeSegmentation(o segmentationObs) check.Outcome {
	ctl, res := o.Control, o.FromWeb
	switch {
	case !ctl.OK:
		why := ctl.Reason()
		return check.Failf("Depuis api, db:8080 est injoignable (%[1]s) : api ne peut pas parler à sa base.",
			"From api, db:8080 is unreachable (%[2]s): api cannot talk to its database.", why.FR, why.EN).
			WithT(check.Lit("db joignable depuis api", "db reachable from api"), why)
	case !res[0].OK || res[0].Status != 200:
		why := res[0].Reason()
		return check.Failf("Depuis web, http://api:8080/health ne répond pas 200 (%[1]s).", "From web, http://api:8080/health does not answer 200 (%[2]s).", why.FR, why.EN).
			WithT(check.Lit("api joignable depuis web", "api reachable from web"), why)
	case res[1].OK:
		return check.Failf("Depuis web, le nom db se résout (%s) : web et db partagent un réseau.", "From web, the name db resolves (%s): web and db share a network.",
			strings.Join(res[1].Addrs, ", ")).WithT(check.Lit("db inconnu depuis web", "db unknown from web"), check.Same(strings.Join(res[1].Addrs, ", ")))
	case res[2].OK:
		return check.Failf("Depuis web, db:8080 est joignable.", "From web, db:8080 is reachable.").
			WithT(check.Lit("db injoignable depuis web", "db unreachable from web"), check.Lit("connexion établie", "connection established"))
	case !o.BackDeclared:
		return check.Failf("Le réseau back n'est pas déclaré.", "Network back is not declared.").
			WithT(check.Lit("`networks: back` avec `internal: true`", "`networks: back` with `internal: true`"), missing)
	case !o.BackInternal:
		return check.Failf("Le réseau back n'est pas interne (internal: true) : db pourrait joindre l'extérieur.",
			"Network back is not internal (internal: true): db could reach the outside.").
			With("internal: true", "false")
	}
	return check.Passf("Depuis web : api répond, db est inconnu et injoignable ; back est interne.", "From web: api answers, db is unknown and unreachable; back is internal.")
}

// portsObs is what lab8.ports observes.
type portsObs struct {
	Port       string                               // the published port the contract wants
	Declared   map[string][]types.ServicePortConfig // ports: of api and db in the file
	Containers map[string][]engine.Container        // web, api and db's containers
	HostErr    error                                // GET /health on the published port from this machine; nil when not tried
}

// judgePorts: only web publishes, on 127.0.0.1:<port>, and answers there. The file comes
// first: the engine binds nothing for a service on internal networks only, yet the file
// asks for it.
func judgePorts(o portsObs) check.Outcome {
	want := o.Port
	for _, svc := range []string{api, db} {
		if ports := o.Declared[svc]; len(ports) > 0 {
			return check.Failf("%s déclare des ports publiés (%s:%s) : seul web doit être publié.", "%s declares published ports (%s:%s): only web may be published.",
				svc, composelab.OrAll(ports[0].HostIP), ports[0].Published).
				WithT(noPort(svc), check.Same(composelab.OrAll(ports[0].HostIP)+":"+ports[0].Published))
		}
	}
	for _, svc := range []string{web, api, db} {
		for _, c := range o.Containers[svc] {
			for _, b := range c.Ports {
				if b.HostPort == "" {
					continue
				}
				if svc != web {
					return check.Failf("%s publie le port %s:%s : seul web doit être publié.", "%s publishes port %s:%s: only web may be published.", svc, b.HostIP, b.HostPort).
						WithT(noPort(svc), check.Same(b.HostIP+":"+b.HostPort))
				}
				if b.HostIP != "127.0.0.1" || b.HostPort != want {
					return check.Failf("web publie %s:%s ; attendu 127.0.0.1:%s (jamais 0.0.0.0).", "web publishes %s:%s; expected 127.0.0.1:%s (never 0.0.0.0).", b.HostIP, b.HostPort, want).
						With("127.0.0.1:"+want, b.HostIP+":"+b.HostPort)
				}
			}
		}
	}
	w, down := composelab.FirstRunning(web, o.Containers[web])
	if down != nil {
		return *down
	}
	if !publishes(w, want) {
		return check.Failf("web ne publie pas 127.0.0.1:%s.", "web does not publish 127.0.0.1:%s.", want).
			WithT(check.Same("127.0.0.1:"+want+"→8080"), check.Lit("aucune publication", "no published port"))
	}
	if o.HostErr != nil {
		return check.Failf("http://127.0.0.1:%s/health ne répond pas depuis l'hôte : « %v »", "http://127.0.0.1:%s/health does not answer from the host: %v", want, o.HostErr).
			With("200", o.HostErr.Error())
	}
	return check.Passf("Seul web est publié, sur 127.0.0.1:%s.", "Only web is published, on 127.0.0.1:%s.", want)
}

func publishes(c engine.Container, port string) bool {
	for _, b := range c.Ports {
		if b.HostIP == "127.0.0.1" && b.HostPort == port {
			return true
		}
	}
	return false
}

// noPort is what a service other than web must publish.
func noPort(svc string) check.Text {
	return check.T("aucun port publié pour %s", "no published port for %s", svc)
}

// judgeE2E: POST /api/items {"name": item} through web answered 201 (post), and the next GET
// /api/items lists the item (list).
func judgeE2E(item string, post, list probe.Result) check.Outcome {
	if post.Status != 201 {
		why := post.Reason()
		return check.Failf("POST /api/items via web répond %[1]s au lieu de 201.", "POST /api/items through web answers %[2]s instead of 201.", why.FR, why.EN).
			WithT(check.Same("201"), check.Join([]check.Text{why, check.Same(check.Clip(post.Body, 200))}, " ", " "))
	}
	if list.Status != 200 || !strings.Contains(list.Body, item) {
		return check.Failf("GET /api/items via web ne contient pas l'élément %s créé juste avant.", "GET /api/items through web does not list item %s created just before.", item).
			With(item, check.Clip(list.Body, 300))
	}
	return check.Passf("POST puis GET /api/items via web : l'élément %s est stocké par db.", "POST then GET /api/items through web: item %s is stored by db.", item)
}

// judgeRestart: api and db (their containers by service) restart unless stopped.
func judgeRestart(containers map[string][]engine.Container) check.Outcome {
	for _, svc := range []string{api, db} {
		cs := containers[svc]
		if len(cs) == 0 {
			return check.Failf("Le service %s n'a pas de conteneur.", "Service %s has no container.", svc).WithT(check.Same(svc), missing)
		}
		if got := cs[0].Restart.Name; got != "unless-stopped" {
			if got == "" {
				got = "no"
			}
			return check.Failf("La politique de redémarrage %s est %q.", "The restart policy %s is %q.", check.Of(svc), got).With("unless-stopped", got)
		}
	}
	return check.Passf("api et db : restart unless-stopped.", "api and db: restart unless-stopped.")
}

// cycleObs is one `down` then `up` of the project and GET /api/items through web after it.
type cycleObs struct {
	Err   error        // the down or the up failed (Compose's complaint)
	Items probe.Result // GET /api/items, when the project came back
}

// verdict is the failing one of a cycle, what is "down puis up" or "down -v puis up".
func (c cycleObs) verdict(what check.Text) *check.Outcome {
	if c.Err != nil {
		o := cycleFailure(what, c.Err)
		return &o
	}
	if c.Items.Status != 200 {
		why := c.Items.Reason()
		o := check.Failf("GET /api/items via web répond %[1]s.", "GET /api/items through web answers %[2]s.", why.FR, why.EN).WithT(check.Same("200"), why)
		return &o
	}
	return nil
}

// cycleFailure is the verdict on a project that does not come back after what.
func cycleFailure(what check.Text, err error) check.Outcome {
	return check.Failf("Le projet ne redémarre pas après %[1]s : « %[3]v »", "The project does not come back after %[2]s: %[3]v", what.FR, what.EN, err).
		WithT(check.Lit("projet sain", "healthy project"), check.Same(check.Clip(err.Error(), 300)))
}

// persistenceObs is what lab8.persistence observes, stage by stage.
type persistenceObs struct {
	Volume  string             // dbdata's name on the engine; "" when the file declares no dbdata
	DB      []engine.Container // db's containers
	Item    string             // the item looked for
	Created *probe.Result      // the POST that created Item, when e2e had not
	Down    *cycleObs          // down then up; nil until done
	DownV   *cycleObs          // down -v then up; nil until done
}

// judgePersistence: db mounts the named volume dbdata on /data, the item survives down/up
// and goes with down -v.
func judgePersistence(o persistenceObs) (out check.Outcome, decided bool) {
	if o.Volume == "" {
		return check.Failf("Aucun volume nommé dbdata au niveau racine.", "No named volume dbdata at top level.").WithT(check.Same("volumes: dbdata"), missing), true
	}
	d, down := composelab.FirstRunning(db, o.DB)
	if down != nil {
		return *down, true
	}
	if !mounts(d, o.Volume, "/data") {
		return check.Failf("db ne monte pas le volume %s sur /data.", "db does not mount volume %s on /data.", o.Volume).
			WithT(check.Same(o.Volume+":/data"), mountList(d)), true
	}
	if o.Created != nil && o.Created.Status != 201 {
		why := o.Created.Reason()
		return check.Failf("Impossible de créer un élément (POST /api/items : %[1]s).", "Cannot create an item (POST /api/items: %[2]s).", why.FR, why.EN).
			WithT(check.Same("201"), why), true
	}
	if o.Down == nil {
		return check.Outcome{}, false
	}
	if v := o.Down.verdict(check.Lit("down puis up", "down then up")); v != nil {
		return *v, true
	}
	if !strings.Contains(o.Down.Items.Body, o.Item) {
		return check.Failf("Après down puis up, l'élément %s a disparu : les données ne sont pas dans un volume nommé.",
			"After down then up, item %s is gone: the data is not in a named volume.", o.Item).With(o.Item, check.Clip(o.Down.Items.Body, 300)), true
	}
	if o.DownV == nil {
		return check.Outcome{}, false
	}
	if v := o.DownV.verdict(check.Lit("down -v puis up", "down -v then up")); v != nil {
		return *v, true
	}
	if strings.Contains(o.DownV.Items.Body, o.Item) {
		return check.Failf("Après down -v puis up, l'élément %s est toujours là : les données ne sont pas dans le volume du projet.",
			"After down -v then up, item %s is still there: the data is not in the project's volume.", o.Item).
			WithT(check.Lit("liste vide", "empty list"), check.Same(check.Clip(o.DownV.Items.Body, 300))), true
	}
	return check.Passf("L'élément survit à down/up et disparaît avec down -v (volume %s).", "The item survives down/up and goes with down -v (volume %s).", o.Volume), true
}

func mounts(c engine.Container, volume, target string) bool {
	for _, m := range c.Mounts {
		if m.Type == "volume" && m.Source == volume && m.Destination == target {
			return true
		}
	}
	return false
}

func mountList(c engine.Container) check.Text {
	var out []string
	for _, m := range c.Mounts {
		out = append(out, fmt.Sprintf("%s %s:%s", m.Type, m.Source, m.Destination))
	}
	if len(out) == 0 {
		return check.Lit("aucun montage", "no mount")
	}
	return check.Same(strings.Join(out, ", "))
}

// envObs is what lab8.env observes, stage by stage.
type envObs struct {
	Want, Override string            // the greetings: .env's default, and the one the environment sets
	Before         *probe.Result     // GET /api/hello with .env as given; nil until asked
	Loaded         bool              // the project was loaded again with API_GREETING=Override
	Problems       []compose.Problem // why it does not load then
	Greeting       *string           // api's GREETING in that variant
	Recreated      bool              // api was recreated from the variant
	RecreateErr    error
	After          *probe.Result // GET /api/hello after that
}

// hello is the greeting of a GET /api/hello, or the verdict on a failing one.
func hello(r probe.Result) (string, *check.Outcome) {
	if r.Status != 200 {
		why := r.Reason()
		o := check.Failf("GET /api/hello via web répond %[1]s.", "GET /api/hello through web answers %[2]s.", why.FR, why.EN).WithT(check.Same("200"), why)
		return "", &o
	}
	return strings.TrimSpace(r.Body), nil
}

// judgeEnv: /api/hello says the default greeting with .env as given, and the environment's
// API_GREETING wins over .env.
func judgeEnv(o envObs) (out check.Outcome, decided bool) {
	if o.Before == nil {
		return check.Outcome{}, false
	}
	got, bad := hello(*o.Before)
	if bad != nil {
		return *bad, true
	}
	if got != o.Want {
		return check.Failf("Avec le .env fourni, /api/hello répond %q au lieu de %q.", "With the given .env, /api/hello answers %q instead of %q.", got, o.Want).
			With(o.Want, got), true
	}
	if !o.Loaded {
		return check.Outcome{}, false
	}
	if len(o.Problems) > 0 {
		first := o.Problems[0].Say()
		return check.Failf("Avec API_GREETING=%[1]s, le projet ne se charge plus : %[2]s", "With API_GREETING=%[1]s, the project no longer loads: %[3]s", o.Override, first.FR, first.EN).
			WithT(validProject, composelab.Problems(o.Problems)), true
	}
	if o.Greeting == nil || *o.Greeting != o.Override {
		return check.Failf("Avec API_GREETING=%s dans l'environnement, GREETING de api ne change pas : interpolez ${API_GREETING:-…}.",
			"With API_GREETING=%s in the environment, api's GREETING does not change: interpolate ${API_GREETING:-…}.", o.Override).
			With("GREETING="+o.Override, "GREETING="+value(o.Greeting)), true
	}
	if !o.Recreated {
		return check.Outcome{}, false
	}
	if o.RecreateErr != nil {
		return cycleFailure(check.Lit("la recréation de api", "recreating api"), o.RecreateErr), true
	}
	if o.After == nil {
		return check.Outcome{}, false
	}
	got, bad = hello(*o.After)
	if bad != nil {
		return *bad, true
	}
	if got != o.Override {
		return check.Failf("Avec API_GREETING=%s, /api/hello répond %q.", "With API_GREETING=%s, /api/hello answers %q.", o.Override, got).With(o.Override, got), true
	}
	return check.Passf("/api/hello : %q avec .env, %q quand l'environnement fixe API_GREETING.", "/api/hello: %q with .env, %q when the environment sets API_GREETING.", o.Want, got), true
}

// value is what an environment entry holds; "" when it is declared without a value.
func value(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// scaleObs is what lab8.scale observes, stage by stage.
type scaleObs struct {
	ContainerName string             // api's container_name in the file
	N, Requests   int                // the replicas asked for, the requests sent
	Scaled        bool               // api was scaled to N
	ScaleErr      error              // Compose's complaint then
	Containers    []engine.Container // api's containers after that
	Results       []probe.Result     // the requests through web; nil until sent
}

// judgeScale: api has no fixed name, scales to N healthy replicas, and the requests through
// web reach at least 2 of them.
func judgeScale(o scaleObs) (out check.Outcome, decided bool) {
	if o.ContainerName != "" {
		return check.Failf("api a un container_name (%s) : un nom fixe interdit plusieurs répliques.", "api has a container_name (%s): a fixed name forbids replicas.", o.ContainerName).
			WithT(check.Lit("pas de container_name", "no container_name"), check.Same(o.ContainerName)), true
	}
	if !o.Scaled {
		return check.Outcome{}, false
	}
	if o.ScaleErr != nil {
		return check.Failf("api ne passe pas à %d répliques : « %v »", "api does not scale to %d replicas: %v", o.N, o.ScaleErr).
			WithT(check.T("%d répliques saines", "%d healthy replicas", o.N), check.Same(check.Clip(o.ScaleErr.Error(), 300))), true
	}
	healthy := 0
	for _, c := range o.Containers {
		if c.Running && c.Health == "healthy" {
			healthy++
		}
	}
	if healthy < o.N {
		out := check.Failf("Seules %d répliques de api sur %d sont saines.", "Only %d of %d api replicas are healthy.", healthy, o.N)
		switch healthy {
		case 0:
			out = check.Failf("Aucune des %d répliques de api n'est saine.", "None of the %d api replicas is healthy.", o.N)
		case 1:
			out = check.Failf("Une seule réplique de api sur %d est saine.", "Only 1 of %d api replicas is healthy.", o.N)
		}
		return out.With(fmt.Sprint(o.N), fmt.Sprint(healthy)), true
	}
	if o.Results == nil {
		return check.Outcome{}, false
	}
	seen := composelab.ServedBy(o.Results)
	if seen < 2 {
		out := check.Failf("%d requêtes via web n'ont atteint qu'une réplique de api.", "%d requests through web reached only one api replica.", o.Requests)
		if seen == 0 {
			out = check.Failf("%d requêtes via web n'ont atteint aucune réplique de api.", "%d requests through web reached no api replica.", o.Requests)
		}
		return out.WithT(check.Lit("au moins 2 X-Served-By distincts", "at least 2 distinct X-Served-By"), check.Same(fmt.Sprint(seen))), true
	}
	return check.Passf("api à %d répliques saines ; %d requêtes via web en ont atteint %d.", "api at %d healthy replicas; %d requests through web reached %d.",
		o.N, o.Requests, seen), true
}

// devObs is what lab8.dev-override observes, stage by stage.
type devObs struct {
	Override bool          // compose.override.yaml exists
	Remote   bool          // the engine runs elsewhere and cannot see this machine's files
	Host     string        // DOCKER_HOST, for the remote engine's skip
	Bound    bool          // api bind-mounts ./api/static
	Name     string        // a new file the grader wrote into ./api/static
	Body     string        // what it holds
	Served   *probe.Result // GET /api/static/<that file> through web; nil until asked
}

// judgeDevOverride: compose.override.yaml bind-mounts ./api/static into api, and a file
// written there is served without a rebuild.
func judgeDevOverride(o devObs) (out check.Outcome, decided bool) {
	switch {
	case !o.Override:
		return check.Failf("Pas de compose.override.yaml.", "No compose.override.yaml.").WithT(check.Same("compose.override.yaml"), missing), true
	case o.Remote:
		return check.RemoteSkip(o.Host, "il ne voit pas les fichiers de cette machine, le bind mount ne peut pas être observé.",
			"it cannot see this machine's files, the bind mount cannot be observed."), true
	case !o.Bound:
		return check.Failf("compose.override.yaml ne monte pas ./api/static dans api.", "compose.override.yaml does not bind-mount ./api/static into api.").
			WithT(check.Lit("./api/static monté dans api", "./api/static mounted in api"), missing), true
	case o.Served == nil:
		return check.Outcome{}, false
	case o.Served.Status != 200 || !strings.Contains(o.Served.Body, o.Body):
		why := o.Served.Reason()
		return check.Failf("Un fichier écrit dans ./api/static n'est pas servi par /api/static/%[1]s (%[2]s).",
			"A file written in ./api/static is not served at /api/static/%[1]s (%[3]s).", o.Name, why.FR, why.EN).
			With(o.Body, check.Clip(o.Served.Body, 200)), true
	}
	return check.Passf("Une modification de ./api/static est servie aussitôt, sans rebuild.", "An edit in ./api/static is served at once, without a rebuild."), true
}

// profilesObs is what lab8.profiles observes, stage by stage.
type profilesObs struct {
	Enabled  bool               // debug is a service of a plain up (no profile)
	Profiles []string           // debug's profiles when it is disabled by one; nil when there is no debug at all
	Disabled bool               // debug is declared under a profile
	Plain    []engine.Container // debug's containers after a plain up
	Loaded   bool               // the project was loaded again with --profile debug
	Problems []compose.Problem  // why it does not load then
	Up       bool               // debug was started from that variant
	UpErr    error
	After    []engine.Container // debug's containers then
}

// judgeProfiles: a debug service under profile debug does not start with a plain up and
// starts with --profile debug.
func judgeProfiles(o profilesObs) (out check.Outcome, decided bool) {
	switch {
	case !o.Disabled && o.Enabled:
		return check.Failf("Le service debug démarre avec un `up` ordinaire : mettez-le sous `profiles: [debug]`.",
			"Service debug starts with a plain `up`: put it under `profiles: [debug]`.").
			WithT(check.Same("profiles: [debug]"), check.Lit("aucun profil", "no profile")), true
	case !o.Disabled:
		return check.Failf("Pas de service debug.", "No debug service.").
			WithT(check.Lit("services.debug (profil debug)", "services.debug (profile debug)"), missing), true
	case !slices.Contains(o.Profiles, "debug"):
		return check.Failf("Le service debug a les profils %v, pas debug.", "Service debug has profiles %v, not debug.", o.Profiles).With("[debug]", fmt.Sprint(o.Profiles)), true
	case len(o.Plain) > 0:
		return check.Failf("debug a été démarré par un `up` sans profil.", "debug was started by an `up` without a profile.").
			WithT(check.Lit("aucun conteneur debug", "no debug container"), check.Same(o.Plain[0].Name)), true
	case !o.Loaded:
		return check.Outcome{}, false
	case len(o.Problems) > 0:
		first := o.Problems[0].Say()
		return check.Failf("Avec --profile debug, le projet ne se charge pas : %[1]s", "With --profile debug, the project does not load: %[2]s", first.FR, first.EN).
			WithT(validProject, composelab.Problems(o.Problems)), true
	case !o.Up:
		return check.Outcome{}, false
	case o.UpErr != nil:
		return check.Failf("`up --profile debug` échoue : « %v »", "`up --profile debug` fails: %v", o.UpErr).
			WithT(debugRunning, check.Same(check.Clip(o.UpErr.Error(), 300))), true
	case len(o.After) == 0 || !o.After[0].Running:
		return check.Failf("Avec --profile debug, le service debug ne tourne pas.", "With --profile debug, service debug is not running.").
			WithT(debugRunning, check.Lit("arrêté ou absent", "stopped or missing")), true
	}
	return check.Passf("debug ne démarre qu'avec --profile debug.", "debug starts only with --profile debug."), true
}

// Values several verdicts share.
var (
	missing      = check.Lit("absent", "missing")
	notInEvents  = check.Lit("absent des événements", "missing from the events")
	validProject = check.Lit("projet valide", "valid project")
	debugRunning = check.Lit("debug démarré", "debug running")
)
