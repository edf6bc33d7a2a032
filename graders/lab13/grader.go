// Package lab13 grades lab 13, « Microservices en conteneurs » (labs.md §14): a shop split
// into Compose services, a gateway alone published, catalog and orders each owning a kv
// database on an internal network, an init job, a log-shipping sidecar and an ambassador. The
// grader builds and starts the project on the embedded Compose engine, then checks the
// patterns on the running containers, and last the checks that disturb it: a frozen orders
// (pause), catalog scaled, catalog recreated.
package lab13

import (
	"context"
	"fmt"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/probe"
)

// The contract's services (labs.md §14).
const (
	gateway    = "gateway"
	catalog    = "catalog"
	catalogDB  = "catalog-db"
	orders     = "orders"
	ordersDB   = "orders-db"
	migrate    = "orders-migrate"
	logship    = "orders-logship"
	ambassador = "orders-ambassador"
)

// goServices are the services built from the provided Go sources.
var goServices = []string{gateway, catalog, orders}

// Grader is lab 13's grader.
type Grader struct{}

// New returns lab 13's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab13" }

// Composed: the grader runs the student's Compose project.
func (Grader) Composed() bool { return true }

// Contract: the gateway publishes a fixed host port (8093), so two runs take turns.
func (Grader) Contract() grader.Contract { return grader.Contract{} }

// Params lists the spec parameters the checks read.
func (Grader) Params() []string {
	return []string{"port", "up-timeout", "health-timeout", "scale", "lb-requests", "failure-budget",
		"discovery-window", "probe-image", "probe-timeout"}
}

// Checks lists lab 13's checks: the files, the start, the patterns observed on the running
// project, then the checks that disturb it.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{run: r, sess: composelab.New(r, compose.Allow{})}
	const policy, build, up = "lab13.policy", "lab13.build", "lab13.up"
	need := []string{policy, build}
	engineCheck := func(id string, run func(context.Context) (check.Outcome, error)) check.Check {
		return check.Check{ID: id, Mode: check.Engine, Needs: need, Run: s.ready(run)}
	}
	return []check.Check{
		{ID: "lab13.valid", Mode: check.Static, Run: s.sess.CheckValid(judgeValid)},
		{ID: policy, Mode: check.Static, Run: s.sess.CheckPolicy},
		{ID: build, Mode: check.Engine, Needs: []string{policy}, Run: s.ready(s.sess.CheckBuild)},
		engineCheck(up, s.checkUp),
		engineCheck("lab13.one-process", s.checkOneProcess),
		engineCheck("lab13.init-job", s.checkInitJob),
		engineCheck("lab13.db-per-service", s.checkDBPerService),
		engineCheck("lab13.gateway-only", s.checkGatewayOnly),
		engineCheck("lab13.e2e", s.checkE2E),
		engineCheck("lab13.sidecar", s.checkSidecar),
		engineCheck("lab13.correlation", s.checkCorrelation),
		engineCheck("lab13.ambassador", s.checkAmbassador),
		engineCheck("lab13.single-dockerfile", s.checkSingleDockerfile),
		engineCheck("lab13.failure-isolation", s.checkFailureIsolation),
		engineCheck("lab13.discovery", s.checkDiscovery),
		engineCheck("lab13.scale-lb", s.checkScaleLB),
	}
}

// state is what lab 13's checks share for one run.
type state struct {
	run  *grader.Run
	sess *composelab.Session

	params       bool
	port         int
	upTimeout    time.Duration
	healthWait   time.Duration
	probeTimeout time.Duration
	budget       time.Duration // failure-budget
	window       time.Duration // discovery-window
	scale        int
	requests     int
}

func (s *state) param(key string) string { return s.run.Spec.Params[key] }

// ready reads the parameters once and loads the project before a check that needs it.
func (s *state) ready(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if !s.params {
			if err := s.readParams(); err != nil {
				return check.Outcome{}, err
			}
		}
		if err := s.sess.Load(ctx); err != nil {
			return check.Outcome{}, err
		}
		return run(ctx)
	}
}

func (s *state) readParams() error {
	ps := composelab.Params{Values: s.run.Spec.Params}
	s.upTimeout, s.healthWait, s.probeTimeout = ps.Duration("up-timeout"), ps.Duration("health-timeout"), ps.Duration("probe-timeout")
	s.budget, s.window = ps.Duration("failure-budget"), ps.Duration("discovery-window")
	s.port, s.scale, s.requests = ps.Int("port"), ps.Int("scale"), ps.Int("lb-requests")
	s.params = ps.Err == nil
	return ps.Err
}

// started brings the project up once, waiting for health.
func (s *state) started(ctx context.Context) error {
	return s.sess.Up(ctx, s.upTimeout, s.healthWait)
}

// through sends labprobe http commands from the gateway's namespace.
func (s *state) through(ctx context.Context, cmds ...[]string) ([]probe.Result, *check.Outcome, error) {
	return s.sess.ProbeIn(ctx, s.sess.Project(), gateway, s.param("probe-image"), s.probeTimeout, cmds...)
}

// gatewayPort is where the gateway listens inside its namespace.
const gatewayPort = "8080"

func (s *state) get(path string, retries int) []string {
	return probe.HTTP("http://127.0.0.1:"+gatewayPort+path, s.probeTimeout, retries)
}

// postOrder is POST /api/orders {"product":p} through the gateway, with headers "K:V".
func (s *state) postOrder(product string, timeout time.Duration, headers ...string) []string {
	cmd := []string{"http", "-timeout", timeout.String(), "-retries", "2", "-method", "POST",
		"-header", "Content-Type:application/json", "-data", fmt.Sprintf(`{"product":%q}`, product)}
	for _, h := range headers {
		cmd = append(cmd, "-header", h)
	}
	return append(cmd, "http://127.0.0.1:"+gatewayPort+"/api/orders")
}
