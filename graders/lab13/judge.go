package lab13

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// Lab 13's verdicts, each decided by a pure function from what its check observed, so
// checks_test.go judges every case (the failing fixtures' included) without an engine.
// A check that acts on the project (an order, a pause, a scale, a re-creation) observes in
// stages: its judge returns decided=false while the observation so far holds no verdict and
// the next stage must be observed.

// required are the services the contract names; all but the init job run for good.
var required = []string{gateway, catalog, catalogDB, orders, ordersDB, migrate, logship}

// judgeValid: the contract's services exist and every long-running service declares a
// healthcheck.
func judgeValid(l *compose.Loaded) check.Outcome {
	p := l.Project
	var missing, unchecked []string
	for _, n := range required {
		if _, ok := p.Services[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return check.Failf("Services absents du projet : %s.", "Services missing from the project: %s.", strings.Join(missing, ", ")).
			With(strings.Join(required, ", "), strings.Join(p.ServiceNames(), ", "))
	}
	oneShot := oneShots(p)
	for _, n := range p.ServiceNames() {
		svc := p.Services[n]
		if oneShot[n] {
			continue // a job that ends needs no healthcheck
		}
		if svc.HealthCheck == nil || svc.HealthCheck.Disable || len(svc.HealthCheck.Test) == 0 {
			unchecked = append(unchecked, n)
		}
	}
	sort.Strings(unchecked)
	if len(unchecked) > 0 {
		return check.Failf("Services de longue durée sans healthcheck dans compose.yaml : %s.", "Long-running services without a healthcheck in compose.yaml: %s.",
			strings.Join(unchecked, ", ")).WithT(check.Lit("un healthcheck par service", "a healthcheck for each service"), check.Same(strings.Join(unchecked, ", ")))
	}
	return check.Passf("Le projet se charge : %d services, chacun avec son healthcheck.", "The project loads: %d services, each with its healthcheck.",
		len(p.Services))
}

// oneShots are the services that end: the init job, and any service others wait for with
// service_completed_successfully.
func oneShots(p *types.Project) map[string]bool {
	out := map[string]bool{migrate: true}
	for _, svc := range p.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				out[dep] = true
			}
		}
	}
	return out
}

// upObs is one look at every service after the first up.
type upObs struct {
	Services   []string                      // the project's services, in order
	Jobs       map[string]bool               // the ones that end (oneShots)
	Containers map[string][]engine.Container // by service, ordered by name
	Late       bool                          // the health wait is over
	UpFailure  check.Text                    // why Compose's up failed (empty when it did not)
	Elapsed    time.Duration                 // since the up started
}

// judgeUp: every long-running service runs and, when it has a healthcheck, is healthy; the
// jobs ended with code 0. decided is false while a healthcheck still says « starting » and
// the wait is not over.
func judgeUp(o upObs) (out check.Outcome, decided bool) {
	var bad, waiting []check.Text
	for _, n := range o.Services {
		cs := o.Containers[n]
		switch {
		case len(cs) == 0:
			bad = append(bad, check.T("%s : aucun conteneur", "%s: no container", n))
		case o.Jobs[n] && cs[0].ExitCode == 0 && !cs[0].Running:
		case o.Jobs[n] && !cs[0].Running:
			bad = append(bad, check.T("%s : terminé avec le code %d", "%s: exited with code %d", n, cs[0].ExitCode))
		case !cs[0].Running:
			bad = append(bad, check.T("%s : %s (code %d)", "%s: %s (code %d)", n, cs[0].Status, cs[0].ExitCode))
		case cs[0].Health == "starting":
			waiting = append(waiting, check.T("%s : encore « starting »", "%s: still \"starting\"", n))
		case cs[0].Health == "unhealthy" && len(cs[0].HealthLog) == 0:
			bad = append(bad, check.T("%s : unhealthy", "%s: unhealthy", n))
		case cs[0].Health == "unhealthy":
			bad = append(bad, check.T("%s : unhealthy (« %s »)", "%s: unhealthy (%s)", n, check.Clip(strings.Join(cs[0].HealthLog, " | "), 150)))
		}
	}
	if len(bad) > 0 || (len(waiting) > 0 && o.Late) {
		msg := check.Join(append(bad, waiting...), " ; ", "; ")
		if o.UpFailure.FR != "" {
			msg = check.Join([]check.Text{msg, o.UpFailure}, " — ", " — ")
		}
		return check.Failf("Le projet ne démarre pas entièrement : %[1]s.", "The project does not fully start: %[2]s.", msg.FR, msg.EN).
			WithT(check.Lit("tous les services démarrés et sains", "every service running and healthy"), msg), true
	}
	if len(waiting) > 0 {
		return check.Outcome{}, false
	}
	return check.Passf("%d services démarrés et sains en %s.", "%d services started and healthy in %s.",
		len(o.Services), o.Elapsed.Round(time.Second)), true
}

// shells and supervisors that must not be PID 1 of a service.
var wrappers = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true,
	"supervisord": true, "s6-svscan": true, "runsvdir": true, "tini": true, "dumb-init": true}

// oneProcessObs is what lab13.one-process observes: the containers of gateway, catalog and
// orders by service, and what runs in the first running one of each (engine.Processes).
type oneProcessObs struct {
	Containers map[string][]engine.Container
	Processes  map[string][]engine.Process
}

// judgeOneProcess: gateway, catalog and orders each run, PID 1 of each is the service's binary
// with no process under it (what runs, not what the ENTRYPOINT is named: a script with a
// shebang is a shell), and each has its own image.
func judgeOneProcess(o oneProcessObs) check.Outcome {
	images := map[string]string{}
	for _, n := range goServices {
		c, down := composelab.FirstRunning(n, o.Containers[n])
		if down != nil {
			return *down
		}
		argv := append(append([]string{}, c.Entrypoint...), c.Cmd...)
		if len(argv) == 0 {
			return check.Failf("%s n'a ni ENTRYPOINT ni CMD.", "%s has neither ENTRYPOINT nor CMD.", n).
				WithT(check.Lit("le binaire du service", "the service's binary"), check.Lit("rien", "nothing"))
		}
		if wrappers[path.Base(argv[0])] {
			return check.Failf("Le PID 1 %s est %q et non le binaire du service : forme exec, un seul processus.",
				"PID 1 %s is %q, not the service's binary: exec form, one process.", check.Of(n), strings.Join(argv, " ")).
				WithT(binaryPID1, check.Same(strings.Join(argv, " ")))
		}
		ps := o.Processes[n]
		init, ok := engine.Init(ps, c.Pid)
		if !ok {
			return check.Failf("Le PID 1 %s ne tourne plus (le conteneur a redémarré pendant la vérification).",
				"PID 1 %s is gone (the container restarted during the check).", check.Of(n)).
				WithT(binaryPID1, check.Lit("introuvable", "not found"))
		}
		if run := strings.Fields(init.Args); len(run) == 0 || wrappers[path.Base(run[0])] {
			return check.Failf("Le PID 1 %s est « %s » (ENTRYPOINT %s) : un script ou un shell qui lance le service. Lancez le binaire directement (ou terminez le script par exec).",
				"PID 1 %s is \"%s\" (ENTRYPOINT %s): a script or shell that starts the service. Run the binary itself (or end the script with exec).", check.Of(n), init.Args, strings.Join(argv, " ")).
				WithT(binaryPID1, check.Same(init.Args))
		}
		var children []string
		for _, p := range ps {
			if p.PPID == init.PID {
				children = append(children, p.Args)
			}
		}
		if len(children) > 0 {
			return check.Failf("Le PID 1 %s (« %s ») lance d'autres processus : %s. Un conteneur, un processus.",
				"PID 1 %s (\"%s\") runs other processes: %s. One container, one process.", check.Of(n), init.Args, strings.Join(children, "; ")).
				WithT(check.Lit("un seul processus", "a single process"), check.T("%d processus", "%d processes", len(children)+1))
		}
		if other, dup := images[c.ImageID]; dup {
			return check.Failf("%s et %s tournent avec la même image : chaque service a la sienne.", "%s and %s run the same image: each service has its own.", other, n).
				WithT(check.Lit("une image par service", "one image per service"), check.Same(c.Image))
		}
		images[c.ImageID] = n
	}
	return check.Passf("gateway, catalog et orders : le binaire est le PID 1, chacun dans sa propre image.",
		"gateway, catalog and orders: the binary is PID 1, each in its own image.")
}

// judgeInitJob: orders-migrate (its containers) exited 0 without restarting, before orders
// (its containers) started.
func judgeInitJob(jobs, ordersCs []engine.Container) check.Outcome {
	if len(jobs) == 0 {
		return check.Failf("orders-migrate n'a pas été lancé.", "orders-migrate was not run.").
			WithT(check.Lit("orders-migrate exécuté", "orders-migrate run"), missing)
	}
	j := jobs[0]
	switch {
	case j.Running:
		return check.Failf("orders-migrate tourne encore : une tâche d'initialisation doit se terminer.", "orders-migrate is still running: an init job must end.").
			WithT(check.Lit("terminé, code 0", "exited, code 0"), check.Same(j.Status))
	case j.ExitCode != 0:
		return check.Failf("orders-migrate s'est terminé avec le code %d.", "orders-migrate exited with code %d.", j.ExitCode).With("code 0", fmt.Sprint(j.ExitCode))
	case j.RestartCount > 0 || (j.Restart.Name != "" && j.Restart.Name != "no"):
		restarts := check.Count(j.RestartCount, "%d redémarrage", "%d redémarrages", "%d restart", "%d restarts")
		return check.Failf("orders-migrate a la politique %[1]q (%[2]s) : une tâche ponctuelle a restart: \"no\".",
			"orders-migrate has policy %[1]q (%[3]s): a one-shot job has restart: \"no\".", j.Restart.Name, restarts.FR, restarts.EN).With(`restart: "no"`, j.Restart.Name)
	}
	o, down := composelab.FirstRunning(orders, ordersCs)
	if down != nil {
		return *down
	}
	if j.FinishedAt.After(o.StartedAt) {
		return check.Failf("orders a démarré %s avant la fin de orders-migrate : depends_on avec condition: service_completed_successfully.",
			"orders started %s before orders-migrate ended: depends_on with condition: service_completed_successfully.", j.FinishedAt.Sub(o.StartedAt)).
			WithT(check.Lit("migrate fini, puis orders démarré", "migrate done, then orders started"), check.Lit("orders démarré pendant migrate", "orders started during migrate"))
	}
	return check.Passf("orders-migrate a fini (code 0) avant le démarrage d'orders, sans redémarrage.", "orders-migrate ended (code 0) before orders started, without restart.")
}

// isolation is one service of db-per-service and the two databases: its own, and the other
// service's that it must not see.
type isolation struct{ From, Own, Other string }

// isolations are db-per-service's probes, in order.
var isolations = []isolation{{orders, ordersDB, catalogDB}, {catalog, catalogDB, ordersDB}}

// dbObs is what lab13.db-per-service observes, stage by stage.
type dbObs struct {
	Probes [][]probe.Result          // per isolation, in order: TCP own:8080, DNS other, TCP other:8080
	Mounts map[string][]engine.Mount // the volumes every service's containers mount; nil until listed
}

// judgeDBPerService: each service reaches its own database and not the other's (the own one
// is the positive control), and no volume is mounted by two services but the logs volume
// the sidecar reads.
func judgeDBPerService(o dbObs) (out check.Outcome, decided bool) {
	for i, iso := range isolations {
		if i >= len(o.Probes) {
			return check.Outcome{}, false
		}
		res := o.Probes[i]
		switch {
		case !res[0].OK:
			why := res[0].Reason()
			return check.Failf("Depuis %[1]s, sa propre base %[2]s est injoignable (%[3]s).", "From %[1]s, its own database %[2]s is unreachable (%[4]s).", iso.From, iso.Own, why.FR, why.EN).
				WithT(check.T("%s joignable depuis %s", "%s reachable from %s", iso.Own, iso.From), why), true
		case res[1].OK:
			return check.Failf("Depuis %s, le nom %s se résout (%s) : les bases partagent un réseau avec l'autre service.",
				"From %s, the name %s resolves (%s): the databases share a network with the other service.", iso.From, iso.Other, strings.Join(res[1].Addrs, ", ")).
				WithT(check.T("%s inconnu depuis %s", "%s unknown from %s", iso.Other, iso.From), check.Same(strings.Join(res[1].Addrs, ", "))), true
		case res[2].OK:
			return check.Failf("Depuis %s, %s:8080 est joignable.", "From %s, %s:8080 is reachable.", iso.From, iso.Other).
				WithT(check.T("%s injoignable depuis %s", "%s unreachable from %s", iso.Other, iso.From), check.Lit("connexion établie", "connection established")), true
		}
	}
	if o.Mounts == nil {
		return check.Outcome{}, false
	}
	if shared := sharedVolumes(o.Mounts); len(shared) > 0 {
		vols := check.Join(shared, " ; ", "; ")
		return check.Failf("Volumes montés par plusieurs services : %[1]s (seul le volume de journaux est partagé, avec le sidecar).",
			"Volumes mounted by several services: %[2]s (only the logs volume is shared, with the sidecar).", vols.FR, vols.EN).
			WithT(check.Lit("un volume par base", "one volume per database"), vols), true
	}
	return check.Passf("Chaque service n'atteint que sa propre base ; aucun volume de données partagé.", "Each service reaches only its own database; no data volume is shared."), true
}

// sharedVolumes lists the named volumes that several services mount (mounts by service),
// but the one the sidecar reads.
func sharedVolumes(mounts map[string][]engine.Mount) []check.Text {
	users := map[string]map[string]bool{}
	logs := map[string]bool{}
	for n, ms := range mounts {
		for _, m := range ms {
			if m.Type != "volume" {
				continue
			}
			if users[m.Source] == nil {
				users[m.Source] = map[string]bool{}
			}
			users[m.Source][n] = true
			if n == logship {
				logs[m.Source] = true
			}
		}
	}
	var out []string
	for v, svcs := range users {
		if len(svcs) > 1 && !logs[v] {
			out = append(out, fmt.Sprintf("%s (%s)", v, strings.Join(slices.Sorted(maps.Keys(svcs)), ", ")))
		}
	}
	sort.Strings(out)
	texts := make([]check.Text, len(out))
	for i, s := range out {
		texts[i] = check.Same(s)
	}
	return texts
}

// gatewayObs is what lab13.gateway-only observes.
type gatewayObs struct {
	Port       string                               // the published port the contract wants
	Services   []string                             // the project's services, in order
	Declared   map[string][]types.ServicePortConfig // ports: of each service in the file
	Containers map[string][]engine.Container        // each service's containers
}

// judgeGatewayOnly: only the gateway publishes a port, on 127.0.0.1:<port>. The file comes
// first: the engine binds nothing for a service on internal networks only, yet the file
// asks for it.
func judgeGatewayOnly(o gatewayObs) check.Outcome {
	want := o.Port
	for _, n := range o.Services {
		if ports := o.Declared[n]; n != gateway && len(ports) > 0 {
			return check.Failf("%s déclare des ports publiés (%s:%s) : seul gateway est publié.", "%s declares published ports (%s:%s): only gateway is published.",
				n, composelab.OrAll(ports[0].HostIP), ports[0].Published).
				WithT(noPort(n), check.Same(composelab.OrAll(ports[0].HostIP)+":"+ports[0].Published))
		}
	}
	found := false
	for _, n := range o.Services {
		for _, c := range o.Containers[n] {
			for _, b := range c.Ports {
				switch {
				case b.HostPort == "":
				case n != gateway:
					return check.Failf("%s publie le port %s:%s : seul gateway est publié.", "%s publishes port %s:%s: only gateway is published.", n, b.HostIP, b.HostPort).
						WithT(noPort(n), check.Same(b.HostIP+":"+b.HostPort))
				case b.HostIP != "127.0.0.1" || b.HostPort != want:
					return check.Failf("gateway publie %s:%s ; attendu 127.0.0.1:%s.", "gateway publishes %s:%s; expected 127.0.0.1:%s.", b.HostIP, b.HostPort, want).
						With("127.0.0.1:"+want, b.HostIP+":"+b.HostPort)
				default:
					found = true
				}
			}
		}
	}
	if !found {
		return check.Failf("gateway ne publie pas 127.0.0.1:%s.", "gateway does not publish 127.0.0.1:%s.", want).
			WithT(check.Same("127.0.0.1:"+want), check.Lit("rien", "nothing"))
	}
	return check.Passf("Seul gateway est publié, sur 127.0.0.1:%s.", "Only gateway is published, on 127.0.0.1:%s.", want)
}

// noPort is what a service other than the gateway must publish.
func noPort(svc string) check.Text { return check.T("aucun port pour %s", "no port for %s", svc) }

// judgeOrder is the verdict on POST /api/orders {"product":"p1"} through the gateway when it
// does not answer 201; nil when it does.
func judgeOrder(r probe.Result) *check.Outcome {
	if r.Status == 201 {
		return nil
	}
	why := r.Reason()
	o := check.Failf("POST /api/orders {\"product\":\"p1\"} via la passerelle répond %[1]s au lieu de 201.",
		"POST /api/orders {\"product\":\"p1\"} through the gateway answers %[2]s instead of 201.", why.FR, why.EN).
		WithT(check.Same("201"), check.Join([]check.Text{why, check.Same(check.Clip(r.Body, 200))}, " ", " "))
	return &o
}

// logsObs is a wait for strings in a service's logs.
type logsObs struct {
	Want  []string // what the logs must hold
	Found bool     // they held all of it before the wait ended
	Logs  string   // what they held
}

// e2eWants is what catalog's logs must show for an order: the validation call, and the
// order's request ID when the gateway gave one.
func e2eWants(order probe.Result) []string {
	want := []string{"/products/p1"}
	if id := order.Headers["X-Request-Id"]; id != "" {
		want = append(want, id)
	}
	return want
}

// e2eObs is what lab13.e2e observes, stage by stage.
type e2eObs struct {
	Order   *probe.Result // the order through the gateway; nil until sent
	Catalog *logsObs      // catalog's logs after it; nil until read
}

// judgeE2E: an order through the gateway answers 201 and catalog's logs show the validation
// call orders made for it.
func judgeE2E(o e2eObs) (out check.Outcome, decided bool) {
	if o.Order == nil {
		return check.Outcome{}, false
	}
	if bad := judgeOrder(*o.Order); bad != nil {
		return *bad, true
	}
	if o.Catalog == nil {
		return check.Outcome{}, false
	}
	if !o.Catalog.Found {
		return check.Failf("La commande est acceptée mais les journaux de catalog ne montrent pas l'appel de validation de p1 : orders doit interroger catalog.",
			"The order is accepted but catalog's logs show no validation call for p1: orders must ask catalog.").
			With(strings.Join(o.Catalog.Want, " + "), check.Tail(o.Catalog.Logs, 5)), true
	}
	return check.Passf("Commande créée (201) ; catalog a validé p1 pour orders.", "Order created (201); catalog validated p1 for orders."), true
}

// sidecarObs is what lab13.sidecar observes, stage by stage, orders-logship and orders
// running.
type sidecarObs struct {
	Sidecar, Orders []engine.Mount // their mounts
	Order           *probe.Result  // an order through the gateway; nil until sent
	Volume          *string        // the last lines of the shared volume's files after it; nil until read
	Shipped         *logsObs       // the sidecar's output after it, searched for writtenID; nil until read
}

// sharedVolume is a volume the sidecar and orders both mount, "" when none; rw is true when
// the sidecar mounts one of them read-write.
func sharedVolume(sidecar, orders []engine.Mount) (name string, rw bool) {
	for _, m := range sidecar {
		for _, om := range orders {
			if m.Type == "volume" && om.Type == "volume" && m.Source == om.Source {
				if !m.ReadOnly {
					return m.Source, true
				}
				name = m.Source
			}
		}
	}
	return name, false
}

// requestID matches the request ID of an access-log line, text or JSON.
var requestID = regexp.MustCompile(`"?request_id"?\s*[=:]\s*"?([A-Za-z0-9._:-]+)`)

// writtenID is the request ID of the last POST line orders wrote in the shared volume
// (ReadVolume's output), "" when there is none. The ID is random per request: only a sidecar
// that ships that very line can show it.
func writtenID(volume string) string {
	lines := strings.Split(volume, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "POST") {
			if m := requestID.FindStringSubmatch(lines[i]); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// judgeSidecar: orders-logship reads, read-only, a volume it shares with orders, and ships
// the access-log line of an order.
func judgeSidecar(o sidecarObs) (out check.Outcome, decided bool) {
	shared, rw := sharedVolume(o.Sidecar, o.Orders)
	if rw {
		return check.Failf("Le sidecar monte %s en écriture : il ne fait que lire.", "The sidecar mounts %s read-write: it only reads.", shared).
			With(shared+":ro", shared+":rw"), true
	}
	if shared == "" {
		return check.Failf("orders-logship ne partage aucun volume avec orders.", "orders-logship shares no volume with orders.").
			WithT(check.Lit("un volume partagé", "a shared volume"), check.Lit("aucun", "none")), true
	}
	if o.Order == nil {
		return check.Outcome{}, false
	}
	if bad := judgeOrder(*o.Order); bad != nil {
		return *bad, true
	}
	if o.Volume == nil {
		return check.Outcome{}, false
	}
	if writtenID(*o.Volume) == "" {
		return check.Failf("Après une commande, le volume %s ne contient aucune ligne POST du journal d'accès d'orders : orders n'y écrit pas (ACCESS_LOG, point de montage ?).",
			"After an order, volume %s holds no POST line of orders' access log: orders does not write there (ACCESS_LOG, mount point?).", shared).
			WithT(check.T("la ligne POST d'orders dans %s", "orders' POST line in %s", shared), check.Same(check.Tail(*o.Volume, 5))), true
	}
	if o.Shipped == nil {
		return check.Outcome{}, false
	}
	if !o.Shipped.Found {
		want := strings.Join(o.Shipped.Want, " ")
		return check.Failf("Après une commande, la sortie d'orders-logship ne contient pas la ligne du journal d'accès (%s).",
			"After an order, orders-logship's output lacks the access-log line (%s).", want).With(want, check.Tail(o.Shipped.Logs, 5)), true
	}
	return check.Passf("Le sidecar expédie le journal d'accès d'orders (volume %s en lecture seule).", "The sidecar ships orders' access log (volume %s, read-only).", shared), true
}

// correlationObs is what lab13.correlation observes, stage by stage.
type correlationObs struct {
	ID      string        // the X-Request-ID sent
	Order   *probe.Result // the order sent with it; nil until sent
	Missing []string      // the services whose logs lack it; nil until read
	Read    bool          // the logs were read
}

// judgeCorrelation: a request sent with X-Request-ID shows that ID in the logs of gateway,
// orders and catalog.
func judgeCorrelation(o correlationObs) (out check.Outcome, decided bool) {
	if o.Order == nil {
		return check.Outcome{}, false
	}
	if bad := judgeOrder(*o.Order); bad != nil {
		return *bad, true
	}
	if !o.Read {
		return check.Outcome{}, false
	}
	if len(o.Missing) > 0 {
		return check.Failf("L'identifiant %s n'apparaît pas dans les journaux de : %s.", "ID %s does not appear in the logs of: %s.", o.ID, strings.Join(o.Missing, ", ")).
			WithT(check.T("%s dans gateway, orders, catalog", "%s in gateway, orders, catalog", o.ID), check.T("absent de %s", "missing from %s", strings.Join(o.Missing, ", "))), true
	}
	return check.Passf("%s suit la requête dans gateway, orders et catalog.", "%s follows the request through gateway, orders and catalog.", o.ID), true
}

// ambassadorObs is what lab13.ambassador observes, stage by stage.
type ambassadorObs struct {
	Declared    bool          // the file has an orders-ambassador service
	NetworkMode string        // the ambassador's, as the engine has it ("container:<id>")
	Shown       string        // the same as the student wrote it ("service:catalog") when it is not orders'
	OrdersID    string        // orders' container; "" until both run
	OrdersHost  string        // and its hostname, which it sends as X-Served-By
	Health      *probe.Result // GET localhost:8080/health from the ambassador's namespace; nil until asked
}

// judgeAmbassador: orders-ambassador exists, shares orders' network namespace and, from it,
// localhost:8080 is orders.
func judgeAmbassador(o ambassadorObs) (out check.Outcome, decided bool) {
	if !o.Declared {
		return check.Failf("Pas de service orders-ambassador.", "No orders-ambassador service.").WithT(check.Same("orders-ambassador"), missing), true
	}
	if o.OrdersID == "" {
		return check.Outcome{}, false
	}
	if o.NetworkMode != "container:"+o.OrdersID {
		return check.Failf("orders-ambassador n'est pas dans l'espace réseau d'orders (network_mode : %s).", "orders-ambassador is not in orders' network namespace (network_mode: %s).", o.Shown).
			With("network_mode: service:orders", o.Shown), true
	}
	if o.Health == nil {
		return check.Outcome{}, false
	}
	if r := *o.Health; r.Status != 200 || r.Headers["X-Served-By"] != o.OrdersHost {
		why := r.Reason()
		return check.Failf("Depuis l'ambassadeur, localhost:8080 n'est pas orders (%[1]s, servi par %[3]q).", "From the ambassador, localhost:8080 is not orders (%[2]s, served by %[3]q).",
			why.FR, why.EN, r.Headers["X-Served-By"]).With("orders ("+o.OrdersHost+")", r.Headers["X-Served-By"]), true
	}
	return check.Passf("L'ambassadeur partage l'espace réseau d'orders : localhost:8080 y est orders.", "The ambassador shares orders' network namespace: localhost:8080 is orders there."), true
}

// dockerfileObs is what lab13.single-dockerfile observes, stage by stage.
type dockerfileObs struct {
	Builds []compose.Built      // the grader's builds, in order
	File   *dockerfile.Analysis // the one Dockerfile the Go services share, parsed; nil until read
}

// dockerfiles are the Dockerfiles (context/file) the builds of the Go services used.
func dockerfiles(builds []compose.Built) map[string]bool {
	files := map[string]bool{}
	for _, b := range builds {
		if slices.Contains(goServices, b.Service) {
			df := b.Config.Dockerfile
			if df == "" {
				df = "Dockerfile"
			}
			files[path.Join(b.Config.Context, df)] = true
		}
	}
	return files
}

// judgeSingleDockerfile: one Dockerfile with ARG SERVICE builds gateway, catalog and orders,
// `go mod download` comes before ARG SERVICE in it, and the second and third builds found
// that step in the cache.
func judgeSingleDockerfile(o dockerfileObs) (out check.Outcome, decided bool) {
	built := map[string]types.BuildConfig{}
	for _, b := range o.Builds {
		built[b.Service] = b.Config
	}
	for _, n := range goServices {
		b, ok := built[n]
		if !ok {
			return check.Failf("%s n'est pas construit (build:).", "%s is not built (build:).", n).With("build:", "image"), true
		}
		if _, ok := b.Args["SERVICE"]; !ok {
			return check.Failf("La construction %s ne passe pas d'argument SERVICE.", "The build %s passes no SERVICE argument.", check.Of(n)).
				WithT(check.Same("args: {SERVICE: "+n+"}"), missing), true
		}
	}
	if files := dockerfiles(o.Builds); len(files) != 1 {
		return check.Failf("gateway, catalog et orders utilisent %d Dockerfile différents.", "gateway, catalog and orders use %d different Dockerfiles.", len(files)).
			WithT(check.Lit("un seul Dockerfile", "a single Dockerfile"), check.Same(fmt.Sprint(len(files)))), true
	}
	if o.File == nil {
		return check.Outcome{}, false
	}
	// The cache trace alone can mislead: after the student's own builds, BuildKit holds every
	// service's steps, ARG SERVICE first or not. The order of the instructions decides (a
	// comment naming `go mod download` is not a step).
	if download, arg := depsAndService(o.File); download == 0 {
		return check.Failf("Le Dockerfile n'a aucune instruction RUN `go mod download` : chaque service retélécharge ses dépendances.",
			"The Dockerfile has no RUN `go mod download` instruction: each service downloads its dependencies again.").
			WithT(check.Lit("RUN go mod download, puis ARG SERVICE", "RUN go mod download, then ARG SERVICE"), check.Lit("aucun RUN go mod download", "no RUN go mod download")), true
	} else if arg > 0 && arg < download {
		return check.Failf("Dans le Dockerfile, `go mod download` (ligne %d) doit venir avant ARG SERVICE (ligne %d) : sinon chaque service refait l'étape des dépendances.",
			"In the Dockerfile, `go mod download` (line %d) must come before ARG SERVICE (line %d): otherwise each service redoes the dependency step.", download, arg).
			WithT(check.Lit("go mod download, puis ARG SERVICE", "go mod download, then ARG SERVICE"), check.Lit("ARG SERVICE d'abord", "ARG SERVICE first")), true
	}
	var order []string
	cached := map[string]bool{}
	for _, b := range o.Builds {
		if !slices.Contains(goServices, b.Service) {
			continue
		}
		order = append(order, b.Service)
		for _, st := range b.Result.Steps {
			if strings.Contains(st.Name, "go mod download") && st.Cached {
				cached[b.Service] = true
			}
		}
	}
	if len(order) < 3 {
		return check.Failf("Les trois services n'ont pas été construits.", "The three services were not built.").With("3 builds", fmt.Sprint(len(order))), true
	}
	for _, n := range order[1:] {
		if !cached[n] {
			return check.Failf("La construction %s (après %s) n'a pas trouvé l'étape `go mod download` en cache : placez-la avant ARG SERVICE.",
				"The build %s (after %s) did not find the `go mod download` step in the cache: put it before ARG SERVICE.", check.Of(n), order[0]).
				WithT(check.Same("go mod download CACHED"), check.Lit("reconstruite", "rebuilt")), true
		}
	}
	return check.Passf("Un seul Dockerfile avec ARG SERVICE ; %s et %s réutilisent l'étape des dépendances.", "One Dockerfile with ARG SERVICE; %s and %s reuse the dependency step.",
		order[1], order[2]), true
}

// depsAndService gives the lines of the first RUN instruction that runs `go mod download` and
// of the first ARG instruction of a stage that declares SERVICE; 0 when there is none.
func depsAndService(a *dockerfile.Analysis) (download, arg int) {
	for _, st := range a.Stages {
		for _, c := range st.Commands {
			switch {
			case download == 0 && c.Runs("go mod download"):
				download = c.Line
			case c.Name == "arg" && arg == 0 && slices.ContainsFunc(c.Args, func(kv string) bool { return strings.SplitN(kv, "=", 2)[0] == "SERVICE" }):
				arg = c.Line
			}
		}
	}
	return download, arg
}

// isolationObs is what lab13.failure-isolation observes with orders frozen.
type isolationObs struct {
	Budget, Wait   time.Duration // the failure budget, and how long the order was waited for
	Catalog, Order probe.Result  // GET /api/catalog, then POST /api/orders, through the gateway
}

// judgeFailureIsolation: with orders frozen, /api/catalog still answers 200 and /api/orders
// answers 504 within the budget.
func judgeFailureIsolation(o isolationObs) check.Outcome {
	switch {
	case o.Catalog.Status != 200:
		why := o.Catalog.Reason()
		return check.Failf("orders figé, /api/catalog répond %[1]s : la panne d'un service en bloque un autre.",
			"With orders frozen, /api/catalog answers %[2]s: one service's failure blocks another.", why.FR, why.EN).
			WithT(check.Same("200"), why)
	case !o.Order.OK:
		why := o.Order.Reason()
		return check.Failf("orders figé, /api/orders ne répond pas en %[1]s (%[2]s) : fixez UPSTREAM_TIMEOUT sur la passerelle.",
			"With orders frozen, /api/orders does not answer within %[1]s (%[3]s): set UPSTREAM_TIMEOUT on the gateway.", o.Wait, why.FR, why.EN).
			WithT(check.T("504 en moins de %s", "504 within %s", o.Budget), why)
	case o.Order.Status != 504:
		return check.Failf("orders figé, /api/orders répond %d au lieu de 504.", "With orders frozen, /api/orders answers %d instead of 504.", o.Order.Status).
			With("504", fmt.Sprint(o.Order.Status))
	case time.Duration(o.Order.MS)*time.Millisecond > o.Budget:
		return check.Failf("orders figé, /api/orders répond 504 mais en %d ms (budget %s).", "With orders frozen, /api/orders answers 504 but in %d ms (budget %s).", o.Order.MS, o.Budget).
			WithT(check.T("moins de %s", "under %s", o.Budget), check.Same(fmt.Sprintf("%d ms", o.Order.MS)))
	}
	return check.Passf("orders figé : /api/catalog répond 200, /api/orders 504 en %d ms.", "orders frozen: /api/catalog answers 200, /api/orders 504 in %d ms.", o.Order.MS)
}

var ipLiteral = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)

// addressed tells whether a value names a container by address (loopback and any-address
// are not containers).
func addressed(v string) bool {
	for _, ip := range ipLiteral.FindAllString(v, -1) {
		if ip != "127.0.0.1" && ip != "0.0.0.0" {
			return true
		}
	}
	return false
}

// discoveryObs is what lab13.discovery observes, stage by stage.
type discoveryObs struct {
	Project     *types.Project // the services' environment, as loaded
	Network     *string        // the network gateway and catalog share ("" when none); nil until the containers are seen
	OldIP       string         // catalog's address on it before its re-creation
	NewIP       string         // and after
	Recreated   bool           // catalog was recreated
	RecreateErr error          // Compose's complaint then
	Last        []probe.Result // the last GET /api/catalog/products/p1 and order after it; nil until sent
	Late        bool           // the discovery window is over
	Window      time.Duration
}

// judgeDiscovery: no service's environment names another by address, and when catalog is
// recreated with a new address the shop works again within the window.
func judgeDiscovery(o discoveryObs) (out check.Outcome, decided bool) {
	for _, n := range o.Project.ServiceNames() {
		env := o.Project.Services[n].Environment
		for _, k := range slices.Sorted(maps.Keys(env)) {
			if v := env[k]; v != nil && addressed(*v) {
				return check.Failf("%s.%s contient une adresse IP (%s) : elle change à chaque recréation.", "%s.%s holds an IP address (%s): it changes on every re-creation.",
					n, k, ipLiteral.FindString(*v)).WithT(check.Lit("des noms de service", "service names"), check.Same(*v)), true
			}
		}
	}
	if o.Network == nil {
		return check.Outcome{}, false
	}
	if *o.Network == "" {
		return check.Failf("gateway et catalog ne partagent aucun réseau.", "gateway and catalog share no network.").
			WithT(check.Lit("un réseau commun (backend)", "a shared network (backend)"), check.Lit("aucun", "none")), true
	}
	if !o.Recreated {
		return check.Outcome{}, false
	}
	if o.RecreateErr != nil {
		return check.Failf("catalog ne revient pas après sa recréation : « %v »", "catalog does not come back after its re-creation: %v", o.RecreateErr).
			WithT(check.Lit("catalog sain", "catalog healthy"), check.Same(check.Clip(o.RecreateErr.Error(), 300))), true
	}
	if o.Last == nil {
		return check.Outcome{}, false
	}
	if o.Last[0].Status == 200 && o.Last[1].Status == 201 {
		return check.Passf("catalog recréé (%s → %s) : la passerelle et orders le retrouvent par son nom.", "catalog re-created (%s → %s): the gateway and orders find it by name.",
			o.OldIP, o.NewIP), true
	}
	if !o.Late {
		return check.Outcome{}, false
	}
	get, post := o.Last[0].Reason(), o.Last[1].Reason()
	return check.Failf("Après la recréation de catalog (%[1]s → %[2]s), la boutique ne répond plus en %[3]s : /api/catalog/products/p1 %[4]s, POST /api/orders %[6]s.",
		"After catalog was re-created (%[1]s → %[2]s), the shop does not answer within %[3]s: /api/catalog/products/p1 %[5]s, POST /api/orders %[7]s.",
		o.OldIP, o.NewIP, o.Window, get.FR, get.EN, post.FR, post.EN).
		WithT(check.Lit("200 puis 201", "200 then 201"), check.Join([]check.Text{get, post}, ", ", ", ")), true
}

// sharedNetwork is a network both containers are on, "" when none.
func sharedNetwork(a, b engine.Container) string {
	net := ""
	for n := range a.Networks {
		if _, ok := b.Networks[n]; ok {
			net = n
		}
	}
	return net
}

// scaleObs is what lab13.scale-lb observes, stage by stage.
type scaleObs struct {
	ContainerName string         // catalog's container_name in the file
	N, Requests   int            // the replicas asked for, the requests sent
	Scaled        bool           // catalog was scaled to N
	ScaleErr      error          // Compose's complaint then
	Results       []probe.Result // the requests through the gateway; nil until sent
}

// judgeScaleLB: catalog has no fixed name, scales to N replicas, and the requests through
// the gateway reach at least 2 of them.
func judgeScaleLB(o scaleObs) (out check.Outcome, decided bool) {
	if o.ContainerName != "" {
		return check.Failf("catalog a un container_name (%s) : un nom fixe interdit les répliques.", "catalog has a container_name (%s): a fixed name forbids replicas.", o.ContainerName).
			WithT(check.Lit("pas de container_name", "no container_name"), check.Same(o.ContainerName)), true
	}
	if !o.Scaled {
		return check.Outcome{}, false
	}
	if o.ScaleErr != nil {
		return check.Failf("catalog ne passe pas à %d répliques : « %v »", "catalog does not scale to %d replicas: %v", o.N, o.ScaleErr).
			With(fmt.Sprint(o.N), check.Clip(o.ScaleErr.Error(), 300)), true
	}
	if o.Results == nil {
		return check.Outcome{}, false
	}
	seen := composelab.ServedBy(o.Results)
	if seen < 2 {
		out := check.Failf("%d requêtes via la passerelle n'ont atteint qu'une réplique de catalog.", "%d requests through the gateway reached only one catalog replica.", o.Requests)
		if seen == 0 {
			out = check.Failf("%d requêtes via la passerelle n'ont atteint aucune réplique de catalog.", "%d requests through the gateway reached no catalog replica.", o.Requests)
		}
		return out.WithT(check.Lit("au moins 2 X-Served-By", "at least 2 X-Served-By"), check.Same(fmt.Sprint(seen))), true
	}
	return check.Passf("catalog à %d répliques ; %d requêtes en ont atteint %d.", "catalog at %d replicas; %d requests reached %d.", o.N, o.Requests, seen), true
}

// Values several verdicts share.
var (
	missing    = check.Lit("absent", "missing")
	binaryPID1 = check.Lit("le binaire en PID 1", "the binary as PID 1")
)
