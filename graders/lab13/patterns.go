package lab13

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/probe"
)

// shells and supervisors that must not be PID 1 of a service.
var wrappers = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true,
	"supervisord": true, "s6-svscan": true, "runsvdir": true, "tini": true, "dumb-init": true}

// checkOneProcess: PID 1 of gateway, catalog and orders is the service's binary (exec form,
// no shell, no supervisor), and each has its own image.
func (s *state) checkOneProcess(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	images := map[string]string{}
	for _, n := range goServices {
		c, o, err := s.sess.Running(ctx, n)
		if o != nil || err != nil {
			return composelab.Verdict(o), err
		}
		argv := append(append([]string{}, c.Entrypoint...), c.Cmd...)
		if len(argv) == 0 {
			return check.Failf("%s n'a ni ENTRYPOINT ni CMD.", "%s has neither ENTRYPOINT nor CMD.", n).With("le binaire du service", "rien"), nil
		}
		if wrappers[path.Base(argv[0])] {
			return check.Failf("Le PID 1 de %s est %q et non le binaire du service : forme exec, un seul processus.",
				"PID 1 of %s is %q, not the service's binary: exec form, one process.", n, strings.Join(argv, " ")).
				With("le binaire en PID 1", strings.Join(argv, " ")), nil
		}
		if other, dup := images[c.ImageID]; dup {
			return check.Failf("%s et %s tournent avec la même image : chaque service a la sienne.", "%s and %s run the same image: each service has its own.", other, n).
				With("une image par service", c.Image), nil
		}
		images[c.ImageID] = n
	}
	return check.Passf("gateway, catalog et orders : le binaire est le PID 1, chacun dans sa propre image.",
		"gateway, catalog and orders: the binary is PID 1, each in its own image."), nil
}

// checkInitJob: orders-migrate exited 0 before orders started, and was not restarted.
func (s *state) checkInitJob(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	jobs, err := composelab.Containers(ctx, s.run.Engine, p, migrate)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(jobs) == 0 {
		return check.Failf("orders-migrate n'a pas été lancé.", "orders-migrate was not run.").With("orders-migrate exécuté", "absent"), nil
	}
	j := jobs[0]
	switch {
	case j.Running:
		return check.Failf("orders-migrate tourne encore : une tâche d'initialisation doit se terminer.", "orders-migrate is still running: an init job must end.").
			With("terminé, code 0", j.Status), nil
	case j.ExitCode != 0:
		return check.Failf("orders-migrate s'est terminé avec le code %d.", "orders-migrate exited with code %d.", j.ExitCode).With("code 0", fmt.Sprint(j.ExitCode)), nil
	case j.RestartCount > 0 || (j.Restart.Name != "" && j.Restart.Name != "no"):
		return check.Failf("orders-migrate a la politique %q (%d redémarrage(s)) : une tâche ponctuelle a restart: \"no\".",
			"orders-migrate has policy %q (%d restart(s)): a one-shot job has restart: \"no\".", j.Restart.Name, j.RestartCount).With(`restart: "no"`, j.Restart.Name), nil
	}
	o, oo, err := s.sess.Running(ctx, orders)
	if oo != nil || err != nil {
		return composelab.Verdict(oo), err
	}
	if j.FinishedAt.After(o.StartedAt) {
		return check.Failf("orders a démarré %s avant la fin de orders-migrate : depends_on avec condition: service_completed_successfully.",
			"orders started %s before orders-migrate ended: depends_on with condition: service_completed_successfully.", j.FinishedAt.Sub(o.StartedAt)).
			With("migrate fini, puis orders démarré", "orders démarré pendant migrate"), nil
	}
	return check.Passf("orders-migrate a fini (code 0) avant le démarrage d'orders, sans redémarrage.", "orders-migrate ended (code 0) before orders started, without restart."), nil
}

// checkDBPerService: from orders, catalog-db neither resolves nor connects, and from catalog
// orders-db; positive controls show each service reaches its own; no volume is mounted by two
// services but the logs volume the sidecar reads.
func (s *state) checkDBPerService(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	img, t := s.param("probe-image"), s.probeTimeout
	for _, pair := range [][2]string{{orders, catalogDB}, {catalog, ordersDB}} {
		own := ordersDB
		if pair[0] == catalog {
			own = catalogDB
		}
		res, o, err := s.sess.ProbeIn(ctx, s.sess.Project(), pair[0], img, t,
			probe.TCP(own+":8080", t), probe.DNS(pair[1], t), probe.TCP(pair[1]+":8080", t))
		if o != nil || err != nil {
			return composelab.Verdict(o), err
		}
		switch {
		case !res[0].OK:
			return check.Failf("Depuis %s, sa propre base %s est injoignable (%s).", "From %s, its own database %s is unreachable (%s).", pair[0], own, res[0].Why()).
				With(own+" joignable depuis "+pair[0], res[0].Why()), nil
		case res[1].OK:
			return check.Failf("Depuis %s, le nom %s se résout (%s) : les bases partagent un réseau avec l'autre service.",
				"From %s, the name %s resolves (%s): the databases share a network with the other service.", pair[0], pair[1], strings.Join(res[1].Addrs, ", ")).
				With(pair[1]+" inconnu depuis "+pair[0], strings.Join(res[1].Addrs, ", ")), nil
		case res[2].OK:
			return check.Failf("Depuis %s, %s:8080 est joignable.", "From %s, %s:8080 is reachable.", pair[0], pair[1]).With("injoignable", "connexion établie"), nil
		}
	}
	shared, err := s.sharedVolumes(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(shared) > 0 {
		return check.Failf("Volumes montés par plusieurs services : %s (seul le volume de journaux est partagé, avec le sidecar).",
			"Volumes mounted by several services: %s (only the logs volume is shared, with the sidecar).", strings.Join(shared, " ; ")).
			With("un volume par base", strings.Join(shared, " ; ")), nil
	}
	return check.Passf("Chaque service n'atteint que sa propre base ; aucun volume de données partagé.", "Each service reaches only its own database; no data volume is shared."), nil
}

// sharedVolumes lists the named volumes that several services mount, but the one the sidecar
// reads.
func (s *state) sharedVolumes(ctx context.Context) ([]string, error) {
	p := s.sess.Project()
	users := map[string]map[string]bool{}
	logs := map[string]bool{}
	for _, n := range p.ServiceNames() {
		cs, err := composelab.Containers(ctx, s.run.Engine, p, n)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			for _, m := range c.Mounts {
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
	}
	var out []string
	for v, svcs := range users {
		if len(svcs) > 1 && !logs[v] {
			out = append(out, fmt.Sprintf("%s (%s)", v, strings.Join(slices.Sorted(maps.Keys(svcs)), ", ")))
		}
	}
	sort.Strings(out)
	return out, nil
}

// checkGatewayOnly: only the gateway publishes a port, on 127.0.0.1.
func (s *state) checkGatewayOnly(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	want := fmt.Sprint(s.port)
	// The file first: the engine binds nothing for a service on internal networks only, yet
	// the file asks for it.
	for _, n := range p.ServiceNames() {
		if ports := p.Services[n].Ports; n != gateway && len(ports) > 0 {
			return check.Failf("%s déclare des ports publiés (%s:%s) : seul gateway est publié.", "%s declares published ports (%s:%s): only gateway is published.",
				n, composelab.OrAll(ports[0].HostIP), ports[0].Published).With("aucun port pour "+n, composelab.OrAll(ports[0].HostIP)+":"+ports[0].Published), nil
		}
	}
	found := false
	for _, n := range p.ServiceNames() {
		cs, err := composelab.Containers(ctx, s.run.Engine, p, n)
		if err != nil {
			return check.Outcome{}, err
		}
		for _, c := range cs {
			for _, b := range c.Ports {
				switch {
				case b.HostPort == "":
				case n != gateway:
					return check.Failf("%s publie le port %s:%s : seul gateway est publié.", "%s publishes port %s:%s: only gateway is published.", n, b.HostIP, b.HostPort).
						With("aucun port pour "+n, b.HostIP+":"+b.HostPort), nil
				case b.HostIP != "127.0.0.1" || b.HostPort != want:
					return check.Failf("gateway publie %s:%s ; attendu 127.0.0.1:%s.", "gateway publishes %s:%s; expected 127.0.0.1:%s.", b.HostIP, b.HostPort, want).
						With("127.0.0.1:"+want, b.HostIP+":"+b.HostPort), nil
				default:
					found = true
				}
			}
		}
	}
	if !found {
		return check.Failf("gateway ne publie pas 127.0.0.1:%s.", "gateway does not publish 127.0.0.1:%s.", want).With("127.0.0.1:"+want, "rien"), nil
	}
	return check.Passf("Seul gateway est publié, sur 127.0.0.1:%s.", "Only gateway is published, on 127.0.0.1:%s.", want), nil
}

// checkAmbassador: orders-ambassador shares orders' network namespace and, from it,
// localhost:8080 is orders.
func (s *state) checkAmbassador(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	if _, ok := s.sess.Project().Services[ambassador]; !ok {
		return check.Failf("Pas de service orders-ambassador.", "No orders-ambassador service.").With("orders-ambassador", "absent"), nil
	}
	a, o, err := s.sess.Running(ctx, ambassador)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	ord, o, err := s.sess.Running(ctx, orders)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if a.NetworkMode != "container:"+ord.ID {
		mode := a.NetworkMode
		if id, ok := strings.CutPrefix(mode, "container:"); ok {
			if c, err := s.run.Engine.InspectContainer(ctx, id); err == nil {
				mode = "service:" + c.Labels["com.docker.compose.service"]
			}
		}
		return check.Failf("orders-ambassador n'est pas dans l'espace réseau d'orders (network_mode : %s).", "orders-ambassador is not in orders' network namespace (network_mode: %s).", mode).
			With("network_mode: service:orders", mode), nil
	}
	res, o, err := s.sess.ProbeIn(ctx, s.sess.Project(), ambassador, s.param("probe-image"), s.probeTimeout,
		probe.HTTP("http://localhost:8080/health", s.probeTimeout, 2))
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if res[0].Status != 200 || res[0].Headers["X-Served-By"] != ord.Hostname {
		return check.Failf("Depuis l'ambassadeur, localhost:8080 n'est pas orders (%s, servi par %q).", "From the ambassador, localhost:8080 is not orders (%s, served by %q).",
			res[0].Why(), res[0].Headers["X-Served-By"]).With("orders ("+ord.Hostname+")", res[0].Headers["X-Served-By"]), nil
	}
	return check.Passf("L'ambassadeur partage l'espace réseau d'orders : localhost:8080 y est orders.", "The ambassador shares orders' network namespace: localhost:8080 is orders there."), nil
}

// checkSingleDockerfile: one Dockerfile with ARG SERVICE builds gateway, catalog and orders,
// and the second and third builds found the `go mod download` step in the cache.
func (s *state) checkSingleDockerfile(ctx context.Context) (check.Outcome, error) {
	built := map[string]types.BuildConfig{}
	for _, b := range s.sess.Builds {
		built[b.Service] = b.Config
	}
	files := map[string]bool{}
	for _, n := range goServices {
		b, ok := built[n]
		if !ok {
			return check.Failf("%s n'est pas construit (build:).", "%s is not built (build:).", n).With("build:", "image"), nil
		}
		if _, ok := b.Args["SERVICE"]; !ok {
			return check.Failf("Le build de %s ne passe pas d'argument SERVICE.", "The build of %s passes no SERVICE argument.", n).With("args: {SERVICE: "+n+"}", "absent"), nil
		}
		df := b.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		files[path.Join(b.Context, df)] = true
	}
	if len(files) != 1 {
		return check.Failf("gateway, catalog et orders utilisent %d Dockerfile différents.", "gateway, catalog and orders use %d different Dockerfiles.", len(files)).
			With("un seul Dockerfile", fmt.Sprint(len(files))), nil
	}
	// The cache trace alone can mislead: after the student's own builds, BuildKit holds every
	// service's steps, ARG SERVICE first or not. The order in the file decides.
	for f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return check.Outcome{}, err
		}
		if download, arg := lineOf(src, "go mod download"), lineOf(src, "ARG SERVICE"); download < 0 || (arg >= 0 && arg < download) {
			return check.Failf("Dans le Dockerfile, `go mod download` doit venir avant ARG SERVICE (ligne %d) : sinon chaque service refait l'étape des dépendances.",
				"In the Dockerfile, `go mod download` must come before ARG SERVICE (line %d): otherwise each service redoes the dependency step.", arg+1).
				With("go mod download, puis ARG SERVICE", "ARG SERVICE d'abord"), nil
		}
	}
	var order []string
	cached := map[string]bool{}
	for _, b := range s.sess.Builds {
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
		return check.Failf("Les trois services n'ont pas été construits.", "The three services were not built.").With("3 builds", fmt.Sprint(len(order))), nil
	}
	for _, n := range order[1:] {
		if !cached[n] {
			return check.Failf("Le build de %s (après %s) n'a pas trouvé l'étape `go mod download` en cache : placez-la avant ARG SERVICE.",
				"Building %s (after %s) did not find the `go mod download` step in the cache: put it before ARG SERVICE.", n, order[0]).
				With("go mod download CACHED", "reconstruite"), nil
		}
	}
	return check.Passf("Un seul Dockerfile avec ARG SERVICE ; %s et %s réutilisent l'étape des dépendances.", "One Dockerfile with ARG SERVICE; %s and %s reuse the dependency step.",
		order[1], order[2]), nil
}

// lineOf is the index of the first line holding text (a Dockerfile instruction, case as
// written), -1 when none does.
func lineOf(src []byte, text string) int {
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(strings.Join(strings.Fields(l), " "), text) {
			return i
		}
	}
	return -1
}
