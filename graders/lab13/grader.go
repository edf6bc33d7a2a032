// Package lab13 grades lab 13, « Microservices en conteneurs » (docs/labs/lab13.md): a shop split
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
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/probe"
)

// The contract's services (docs/labs/lab13.md).
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

// Meta: the grader runs the student's Compose project; the gateway publishes host port
// 8093, so two runs take turns.
func (Grader) Meta() grader.Meta {
	return composelab.Meta(grader.IntParam("lb-requests", 1, 10000), grader.DurationParam("failure-budget"),
		grader.DurationParam("discovery-window"))
}

// Checks lists lab 13's checks: the files, the start, the patterns observed on the running
// project, then the checks that disturb it.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{}
	s.Lab = composelab.NewLab(r, func(ps *grader.Values) {
		s.budget, s.window = ps.Duration("failure-budget"), ps.Duration("discovery-window")
		s.requests = ps.Int("lb-requests")
	})
	const policy, build = "lab13.policy", "lab13.build"
	need := []string{policy, build}
	return []check.Check{
		s.Valid("lab13.valid", judgeValid),
		s.Policy(policy, "lab13.valid"),
		s.Build(build, policy),
		s.Engine("lab13.up", need, s.checkUp),
		s.Engine("lab13.one-process", need, s.checkOneProcess),
		s.Engine("lab13.init-job", need, s.checkInitJob),
		s.Engine("lab13.db-per-service", need, s.checkDBPerService),
		s.Engine("lab13.gateway-only", need, s.checkGatewayOnly),
		s.Engine("lab13.e2e", need, s.checkE2E),
		s.Engine("lab13.sidecar", need, s.checkSidecar),
		s.Engine("lab13.correlation", need, s.checkCorrelation),
		s.Engine("lab13.ambassador", need, s.checkAmbassador),
		s.Engine("lab13.single-dockerfile", need, s.checkSingleDockerfile),
		s.Engine("lab13.failure-isolation", need, s.checkFailureIsolation),
		s.Engine("lab13.discovery", need, s.checkDiscovery),
		s.Engine("lab13.scale-lb", need, s.checkScaleLB),
	}
}

// state is what lab 13's checks share for one run: the Compose lab skeleton, and what is
// lab 13's own.
type state struct {
	*composelab.Lab

	budget   time.Duration // param failure-budget
	window   time.Duration // param discovery-window
	requests int           // param lb-requests
}

// through sends labprobe http commands from the gateway's namespace.
func (s *state) through(ctx context.Context, cmds ...[]string) ([]probe.Result, *check.Outcome, error) {
	return s.Through(ctx, s.Sess.Project(), gateway, cmds...)
}

// gatewayPort is where the gateway listens inside its namespace.
const gatewayPort = "8080"

func (s *state) get(path string, retries int) []string {
	return probe.HTTP("http://127.0.0.1:"+gatewayPort+path, s.ProbeTimeout, retries)
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
