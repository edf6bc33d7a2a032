package lab04

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// wantLimits are the limits the contract asks for.
type wantLimits struct {
	Memory, NanoCPUs, Pids int64
}

func (s *state) wantLimits() (wantLimits, error) {
	var w wantLimits
	var err error
	if w.Memory, err = s.int64("memory"); err != nil {
		return w, err
	}
	if w.NanoCPUs, err = s.int64("nano-cpus"); err != nil {
		return w, err
	}
	w.Pids, err = s.int64("pids-limit")
	return w, err
}

func (s *state) checkLimits(ctx context.Context) (check.Outcome, error) {
	w, err := s.wantLimits()
	if err != nil {
		return check.Outcome{}, err
	}
	c, err := s.run.Engine.InspectContainer(ctx, s.appID)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeLimits(c.Resources, w), nil
}

// judgeLimits compares HostConfig's limits with the contract's, naming every difference.
func judgeLimits(got engine.Resources, w wantLimits) check.Outcome {
	var fr, en []string
	// add formats a difference in each language; a Text argument gives each its own words.
	add := func(f, e string, args ...any) {
		frArgs, enArgs := make([]any, len(args)), make([]any, len(args))
		for i, a := range args {
			frArgs[i], enArgs[i] = a, a
			if t, ok := a.(check.Text); ok {
				frArgs[i], enArgs[i] = t.FR, t.EN
			}
		}
		fr, en = append(fr, fmt.Sprintf(f, frArgs...)), append(en, fmt.Sprintf(e, enArgs...))
	}
	if got.Memory != w.Memory {
		add("mémoire %s au lieu de %s (--memory)", "memory %s instead of %s (--memory)", bytesText(got.Memory), bytesText(w.Memory))
	}
	switch {
	case got.MemorySwap == got.Memory && got.Memory == w.Memory:
	case got.MemorySwap == 0 && got.Memory > 0:
		add("--memory-swap absent : Docker ajoute autant de swap que de mémoire (%s au total)",
			"--memory-swap missing: Docker adds as much swap as memory (%s in all)", bytesText(2*got.Memory))
	case got.MemorySwap == -1:
		add("--memory-swap -1 : swap illimité", "--memory-swap -1: unlimited swap")
	case got.MemorySwap != w.Memory:
		add("mémoire + swap %s au lieu de %s (--memory-swap)", "memory + swap %s instead of %s (--memory-swap)",
			bytesText(got.MemorySwap), bytesText(w.Memory))
	}
	if cpus := effectiveNanoCPUs(got); cpus != w.NanoCPUs {
		add("%s CPU au lieu de %s (--cpus)", "%s CPUs instead of %s (--cpus)", cpuText(cpus), cpuText(w.NanoCPUs))
	}
	if got.PidsLimit != w.Pids {
		pids := check.Same(fmt.Sprint(got.PidsLimit))
		if got.PidsLimit <= 0 {
			pids = check.Lit("aucune limite", "no limit")
		}
		add("limite de PID %s au lieu de %d (--pids-limit)", "PIDs limit %s instead of %d (--pids-limit)", pids, w.Pids)
	}
	want := fmt.Sprintf("Memory=%d MemorySwap=%d NanoCpus=%d PidsLimit=%d", w.Memory, w.Memory, w.NanoCPUs, w.Pids)
	seen := fmt.Sprintf("Memory=%d MemorySwap=%d NanoCpus=%d CpuQuota=%d CpuPeriod=%d PidsLimit=%d",
		got.Memory, got.MemorySwap, got.NanoCPUs, got.CPUQuota, got.CPUPeriod, got.PidsLimit)
	if len(fr) > 0 {
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: "Limites de lab4-app incorrectes : " + strings.Join(fr, " ; ") + ".",
			EN: "Wrong limits on lab4-app: " + strings.Join(en, "; ") + ".",
		}}.With(want, seen)
	}
	mem, cpus := bytesText(w.Memory), cpuText(w.NanoCPUs)
	return check.Outcome{Status: check.Pass, Message: check.Text{
		FR: fmt.Sprintf("Limites appliquées : %s de mémoire sans swap, %s CPU, %d PID.", mem.FR, cpus.FR, w.Pids),
		EN: fmt.Sprintf("Limits applied: %s of memory without swap, %s CPUs, %d PIDs.", mem.EN, cpus.EN, w.Pids),
	}}
}

// effectiveNanoCPUs reads --cpus, or its older spelling --cpu-quota/--cpu-period.
func effectiveNanoCPUs(r engine.Resources) int64 {
	if r.NanoCPUs != 0 || r.CPUQuota <= 0 {
		return r.NanoCPUs
	}
	period := r.CPUPeriod
	if period <= 0 {
		period = 100000 // the kernel's default CFS period, in µs
	}
	return r.CPUQuota * 1e9 / period
}

// cpuText is a CPU limit in CPUs, for a report.
func cpuText(nano int64) check.Text {
	if nano == 0 {
		return check.Lit("illimité", "unlimited")
	}
	return check.Same(strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", float64(nano)/1e9), "0"), "."))
}

// bytesText is a memory limit, for a report.
func bytesText(n int64) check.Text {
	switch {
	case n <= 0:
		return check.Lit("illimitée", "unlimited")
	case n%(1<<20) == 0:
		return check.T("%d Mio", "%d MiB", n>>20)
	}
	return check.T("%d octets", "%d bytes", n)
}

// portObs is what lab4.port observes: lab4-app, then a GET /health through its binding.
type portObs struct {
	App      appSeen
	IP, Port string // where the contract publishes 8080
	Base     string // where the grader reached it
	Health   *reply // nil until asked
}

func (s *state) checkPort(ctx context.Context) (check.Outcome, error) {
	a, err := s.app(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o := portObs{App: a, IP: s.param("host-ip"), Port: s.param("host-port")}
	if out, done := judgePort(o); done {
		return out, nil
	}
	base, stop, err := s.baseURL(ctx, a.C)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	rep := s.getReady(ctx, base+"/health", 5*time.Second, nil)
	o.Base, o.Health = base, &rep
	out, _ := judgePort(o)
	return out, nil
}

// judgePort: 8080 is published on the contract's address only, and the app answers there.
func judgePort(o portObs) (out check.Outcome, decided bool) {
	if f := judgeApp(o.App); f != nil {
		return *f, true
	}
	if out, ok := judgeBinding(o.App.C.Ports, o.IP, o.Port); !ok {
		return out, true
	}
	if o.Health == nil {
		return check.Outcome{}, false
	}
	if rep := *o.Health; rep.Err != nil || rep.Status != http.StatusOK {
		return check.Failf("GET %s/health ne renvoie pas 200.", "GET %s/health does not return 200.", o.Base).
			WithT(check.Same("HTTP 200 ok"), rep.text()), true
	}
	return check.Passf("8080 publié sur %s seulement ; GET /health répond 200.", "8080 published on %s only; GET /health answers 200.",
		net.JoinHostPort(o.IP, o.Port)), true
}

// judgeBinding wants port 8080/tcp published on ip:port and nowhere else.
func judgeBinding(ports []engine.PortBinding, ip, port string) (check.Outcome, bool) {
	want := net.JoinHostPort(ip, port) + " → 8080/tcp"
	var ours, others []engine.PortBinding
	for _, p := range ports {
		if p.ContainerPort != "8080/tcp" {
			continue
		}
		if p.HostIP == ip && p.HostPort == port {
			ours = append(ours, p)
		} else {
			others = append(others, p)
		}
	}
	for _, p := range others {
		if a := net.ParseIP(p.HostIP); p.HostIP == "" || a != nil && a.IsUnspecified() {
			return check.Failf("Le port 8080 est publié sur toutes les interfaces (%s) : n'importe quelle machine du réseau peut le joindre.",
				"Port 8080 is published on every interface (%s): any machine on the network can reach it.",
				net.JoinHostPort(p.HostIP, p.HostPort)).WithT(check.Same(want), bindings(ports)), false
		}
	}
	switch {
	case len(ours) == 0:
		return check.Failf("Le port 8080 de lab4-app n'est pas publié sur %s.", "lab4-app's port 8080 is not published on %s.",
			net.JoinHostPort(ip, port)).WithT(check.Same(want), bindings(ports)), false
	case len(others) > 0:
		return check.Failf("Le port 8080 est publié ailleurs aussi (%s).", "Port 8080 is published elsewhere too (%s).",
			bindings(others).FR).WithT(check.Same(want), bindings(ports)), false
	}
	return check.Outcome{}, true
}

// envObs is what lab4.env observes: lab4-app, then its answer to GET /env/APP_MODE.
type envObs struct {
	App  appSeen
	Want string // the contract's APP_MODE
	Base string // where the grader reached the app
	Rep  *reply // nil until asked
}

func (s *state) checkEnv(ctx context.Context) (check.Outcome, error) {
	a, err := s.app(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o := envObs{App: a, Want: s.param("app-mode")}
	if out, done := judgeEnv(o); done {
		return out, nil
	}
	base, stop, err := s.baseURL(ctx, a.C)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	rep := s.getReady(ctx, base+"/env/APP_MODE", 5*time.Second, nil)
	o.Base, o.Rep = base, &rep
	out, _ := judgeEnv(o)
	return out, nil
}

// judgeEnv: the app itself says APP_MODE is the contract's value (the environment the
// process got, not only what inspect shows).
func judgeEnv(o envObs) (out check.Outcome, decided bool) {
	if f := judgeApp(o.App); f != nil {
		return *f, true
	}
	if o.Rep == nil {
		return check.Outcome{}, false
	}
	rep, want := *o.Rep, o.Want
	switch {
	case rep.Err != nil:
		return check.Failf("lab4-app ne répond pas sur %s.", "lab4-app does not answer on %s.", o.Base).WithT(check.Same("APP_MODE="+want), rep.text()), true
	case rep.Status == http.StatusNotFound:
		return check.Failf("APP_MODE n'est pas définie dans lab4-app.", "APP_MODE is not set in lab4-app.").
			WithT(check.Same("APP_MODE="+want), envOf(o.App.C.Env, "APP_MODE")), true
	case rep.Status != http.StatusOK:
		return check.Failf("GET /env/APP_MODE répond %d.", "GET /env/APP_MODE answers %d.", rep.Status).WithT(check.Same("APP_MODE="+want), rep.text()), true
	case rep.Body != want:
		return check.Failf("APP_MODE vaut « %s » dans lab4-app.", "APP_MODE is %q in lab4-app.", check.Cut(rep.Body, 60)).
			With("APP_MODE="+want, "APP_MODE="+check.Cut(rep.Body, 60)), true
	}
	return check.Passf("GET /env/APP_MODE renvoie %s.", "GET /env/APP_MODE returns %s.", want), true
}

// envOf shows how env sets name, for a report.
func envOf(env []string, name string) check.Text {
	for _, kv := range env {
		if strings.HasPrefix(kv, name+"=") {
			return check.Same(kv)
		}
	}
	return check.T("%s absente de l'environnement du conteneur", "%s missing from the container's environment", name)
}
