package lab08

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// checkUpHealthy: after up, web, api and db each run one container that reaches healthy.
func (s *state) checkUpHealthy(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	deadline := s.sess.UpSince.Add(s.healthWait)
	for {
		var waiting, bad []string
		for _, svc := range []string{web, api, db} {
			cs, err := composelab.Containers(ctx, s.run.Engine, s.sess.Project(), svc)
			if err != nil {
				return check.Outcome{}, err
			}
			switch {
			case len(cs) == 0:
				bad = append(bad, svc+" : aucun conteneur")
			case !cs[0].Running:
				bad = append(bad, fmt.Sprintf("%s : %s (code %d)", svc, cs[0].Status, cs[0].ExitCode))
			case cs[0].Health == "":
				bad = append(bad, svc+" : pas de healthcheck")
			case cs[0].Health == "starting":
				waiting = append(waiting, svc)
			case cs[0].Health != "healthy":
				bad = append(bad, fmt.Sprintf("%s : %s (%s)", svc, cs[0].Health, check.Clip(strings.Join(cs[0].HealthLog, " | "), 200)))
			}
		}
		if len(bad) > 0 || (len(waiting) > 0 && time.Now().After(deadline)) {
			bad = append(bad, waitingText(waiting)...)
			msg := strings.Join(bad, " ; ")
			if why := s.sess.UpFailure(); why != "" {
				msg += " — " + why
			}
			return check.Failf("Les trois services ne sont pas tous sains après `up` : %s.", "The three services are not all healthy after `up`: %s.", msg).
				With("web, api et db healthy en "+s.healthWait.String(), msg), nil
		}
		if len(waiting) == 0 {
			return check.Passf("web, api et db tournent et sont sains (%s après up).", "web, api and db run and are healthy (%s after up).",
				time.Since(s.sess.UpSince).Round(time.Second)), nil
		}
		select {
		case <-ctx.Done():
			return check.Outcome{}, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func waitingText(svcs []string) []string {
	var out []string
	for _, s := range svcs {
		out = append(out, s+" : encore « starting »")
	}
	return out
}

// checkDependsHealthy: api waits for db, and web for api, with condition service_healthy; in
// the engine's events of the first up, db became healthy before api started.
func (s *state) checkDependsHealthy(ctx context.Context) (check.Outcome, error) {
	p := s.sess.Project()
	for _, d := range [][2]string{{api, db}, {web, api}} {
		got := p.Services[d[0]].DependsOn[d[1]].Condition
		if got != types.ServiceConditionHealthy {
			if got == "" {
				got = "absent"
			}
			return check.Failf("%s.depends_on.%s doit avoir `condition: service_healthy` (trouvé : %s).",
				"%s.depends_on.%s must have `condition: service_healthy` (found: %s).", d[0], d[1], got).
				With("service_healthy", got), nil
		}
	}
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	evs, err := s.run.Engine.Events(ctx, engine.EventFilter{Since: s.sess.UpSince, Until: s.sess.UpDone.Add(time.Second),
		Type: "container", Labels: []string{"com.docker.compose.project=" + p.Name}})
	if err != nil {
		return check.Outcome{}, err
	}
	var healthy, start time.Time
	for _, ev := range evs {
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
			With("health_status: healthy de db", "absent des événements"), nil
	case start.IsZero():
		return check.Failf("api n'a pas démarré pendant `up`.", "api did not start during `up`.").With("start de api", "absent des événements"), nil
	case start.Before(healthy):
		return check.Failf("api a démarré %s avant que db soit sain.", "api started %s before db was healthy.", healthy.Sub(start).Round(time.Millisecond)).
			With("db healthy, puis api start", "api start, puis db healthy"), nil
	}
	return check.Passf("db sain, puis api démarré %s plus tard (événements du moteur).", "db healthy, then api started %s later (engine events).",
		start.Sub(healthy).Round(time.Millisecond)), nil
}

// checkSegmentation: from web's namespace api resolves and answers, db neither resolves nor
// connects; back is internal. A positive control from api's namespace proves db was there.
func (s *state) checkSegmentation(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	w, o, err := s.sess.Running(ctx, web)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	a, o, err := s.sess.Running(ctx, api)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	ctl, err := s.probe(ctx, "container:"+a.ID, probe.TCP("db:8080", s.probeTimeout))
	if err != nil {
		return check.Outcome{}, err
	}
	if !ctl[0].OK {
		return check.Failf("Depuis api, db:8080 est injoignable (%s) : api ne peut pas parler à sa base.",
			"From api, db:8080 is unreachable (%s): api cannot talk to its database.", ctl[0].Why()).With("db joignable depuis api", ctl[0].Why()), nil
	}
	res, err := s.probe(ctx, "container:"+w.ID,
		probe.HTTP("http://api:8080/health", s.probeTimeout, 3), probe.DNS(db, s.probeTimeout), probe.TCP("db:8080", s.probeTimeout))
	if err != nil {
		return check.Outcome{}, err
	}
	switch {
	case !res[0].OK || res[0].Status != 200:
		return check.Failf("Depuis web, http://api:8080/health ne répond pas 200 (%s).", "From web, http://api:8080/health does not answer 200 (%s).", res[0].Why()).
			With("api joignable depuis web", res[0].Why()), nil
	case res[1].OK:
		return check.Failf("Depuis web, le nom db se résout (%s) : web et db partagent un réseau.", "From web, the name db resolves (%s): web and db share a network.",
			strings.Join(res[1].Addrs, ", ")).With("db inconnu depuis web", strings.Join(res[1].Addrs, ", ")), nil
	case res[2].OK:
		return check.Failf("Depuis web, db:8080 est joignable.", "From web, db:8080 is reachable.").With("db injoignable depuis web", "connexion établie"), nil
	}
	back, ok := s.sess.Project().Networks["back"]
	if !ok {
		return check.Failf("Le réseau back n'est pas déclaré.", "Network back is not declared.").With("networks: back (internal)", "absent"), nil
	}
	n, err := s.run.Engine.InspectNetwork(ctx, back.Name)
	if err != nil {
		return check.Outcome{}, err
	}
	if !n.Internal {
		return check.Failf("Le réseau back n'est pas interne (internal: true) : db pourrait joindre l'extérieur.", "Network back is not internal (internal: true).").
			With("internal: true", "false"), nil
	}
	return check.Passf("Depuis web : api répond, db est inconnu et injoignable ; back est interne.", "From web: api answers, db is unknown and unreachable; back is internal."), nil
}

// checkPorts: only web publishes, on 127.0.0.1:<port>; api and db publish nothing.
func (s *state) checkPorts(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	want := fmt.Sprint(s.port)
	// The file first: the engine binds nothing for a service on internal networks only, yet
	// the file asks for it.
	for _, svc := range []string{api, db} {
		if ports := s.sess.Project().Services[svc].Ports; len(ports) > 0 {
			return check.Failf("%s déclare des ports publiés (%s:%s) : seul web doit être publié.", "%s declares published ports (%s:%s): only web may be published.",
				svc, composelab.OrAll(ports[0].HostIP), ports[0].Published).With("aucun port publié pour "+svc, composelab.OrAll(ports[0].HostIP)+":"+ports[0].Published), nil
		}
	}
	for _, svc := range []string{web, api, db} {
		cs, err := composelab.Containers(ctx, s.run.Engine, s.sess.Project(), svc)
		if err != nil {
			return check.Outcome{}, err
		}
		for _, c := range cs {
			for _, b := range c.Ports {
				if b.HostPort == "" {
					continue
				}
				if svc != web {
					return check.Failf("%s publie le port %s:%s : seul web doit être publié.", "%s publishes port %s:%s: only web may be published.", svc, b.HostIP, b.HostPort).
						With("aucun port publié pour "+svc, b.HostIP+":"+b.HostPort), nil
				}
				if b.HostIP != "127.0.0.1" || b.HostPort != want {
					return check.Failf("web publie %s:%s ; attendu 127.0.0.1:%s (jamais 0.0.0.0).", "web publishes %s:%s; expected 127.0.0.1:%s (never 0.0.0.0).", b.HostIP, b.HostPort, want).
						With("127.0.0.1:"+want, b.HostIP+":"+b.HostPort), nil
				}
			}
		}
	}
	w, o, err := s.sess.Running(ctx, web)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if !publishes(w, want) {
		return check.Failf("web ne publie pas 127.0.0.1:%s.", "web does not publish 127.0.0.1:%s.", want).With("127.0.0.1:"+want+"→8080", "aucune publication"), nil
	}
	if !s.remote {
		resp, err := probe.PublishedClient(s.probeTimeout).Get("http://127.0.0.1:" + want + "/health")
		if err != nil {
			return check.Failf("http://127.0.0.1:%s/health ne répond pas depuis l'hôte : %v", "http://127.0.0.1:%s/health does not answer from the host: %v", want, err).
				With("200", err.Error()), nil
		}
		resp.Body.Close()
	}
	return check.Passf("Seul web est publié, sur 127.0.0.1:%s.", "Only web is published, on 127.0.0.1:%s.", want), nil
}

func publishes(c engine.Container, port string) bool {
	for _, b := range c.Ports {
		if b.HostIP == "127.0.0.1" && b.HostPort == port {
			return true
		}
	}
	return false
}

// checkRestart: api and db restart unless stopped.
func (s *state) checkRestart(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	for _, svc := range []string{api, db} {
		cs, err := composelab.Containers(ctx, s.run.Engine, s.sess.Project(), svc)
		if err != nil {
			return check.Outcome{}, err
		}
		if len(cs) == 0 {
			return check.Failf("Le service %s n'a pas de conteneur.", "Service %s has no container.", svc).With(svc, "absent"), nil
		}
		if got := cs[0].Restart.Name; got != "unless-stopped" {
			if got == "" {
				got = "no"
			}
			return check.Failf("La politique de redémarrage de %s est %q.", "The restart policy of %s is %q.", svc, got).With("unless-stopped", got), nil
		}
	}
	return check.Passf("api et db : restart unless-stopped.", "api and db: restart unless-stopped."), nil
}

// probe runs labprobe commands at place.
func (s *state) probe(ctx context.Context, place string, cmds ...[]string) ([]probe.Result, error) {
	return probe.Lab(ctx, s.run, s.param("probe-image"), place, s.probeTimeout, cmds...)
}
