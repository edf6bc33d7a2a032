package apiproxy_test

import (
	"context"
	"crypto/rand"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/apiproxy"
	"github.com/ddlab/grade/internal/testenv"
)

// TestDockerCLIThroughProxy drives the real docker CLI through the proxy against the real
// engine: a detached run, its logs, and an attached run (a protocol upgrade).
func TestDockerCLIThroughProxy(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker CLI on this machine")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	p, err := apiproxy.Start(ctx, e.Dial, apiproxy.Options{Guard: apiproxy.Guard{Dir: dir}})
	require.NoError(t, err)
	defer p.Close()

	run := rand.Text()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		refs, _ := e.List(ctx, "ddlab.run="+run)
		for _, r := range refs {
			_ = e.Remove(ctx, r)
		}
	})
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, docker, args...)
		cmd.Env = []string{"DOCKER_HOST=" + p.Host, "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "docker %v: %s", args, out)
		return string(out)
	}
	name := "apiproxy-" + strings.ToLower(run[:8])
	labels := []string{"--label", "ddlab.run=" + run, "--label", "ddlab.tool=grade", "--network", "none"}
	id := strings.TrimSpace(cli(append(append([]string{"run", "-d", "--name", name}, labels...), "ddlab/busybox:1", "sh", "-c", "echo bonjour; sleep 60")...))
	require.Eventually(t, func() bool { return strings.Contains(cli("logs", name), "bonjour") }, 10*time.Second, 100*time.Millisecond)
	// An attached run goes through the hijacked attach connection and a wait stream.
	out := cli(append(append([]string{"run", "--rm"}, labels...), "ddlab/busybox:1", "echo", "salut")...)
	assert.Equal(t, "salut\n", strings.ReplaceAll(out, "\r", ""))

	c, err := e.InspectContainer(ctx, id)
	require.NoError(t, err)
	assert.True(t, c.Running)

	recs := p.Records()
	var seen []string
	for _, r := range recs {
		assert.True(t, strings.HasPrefix(r.UserAgent, "Docker-Client/"), "%s %s: %q", r.Method, r.Path, r.UserAgent)
		assert.NotZero(t, r.Status, "%s %s", r.Method, r.Path)
		seen = append(seen, r.Method+" "+r.Path)
	}
	joined := strings.Join(seen, "\n")
	assert.Contains(t, joined, "/_ping")
	assert.Contains(t, joined, "/containers/create?name="+name)
	assert.Contains(t, joined, "/containers/"+id+"/start")
	assert.Contains(t, joined, "/containers/"+id+"/logs")
	assert.Contains(t, joined, "/attach?")
	var create *apiproxy.Record
	for i := range recs {
		if strings.Contains(recs[i].Path, "create?name="+name) {
			create = &recs[i]
		}
	}
	require.NotNil(t, create)
	assert.Equal(t, 201, create.Status)
	assert.Contains(t, string(create.Body), `"ddlab/busybox:1"`)
	assert.Equal(t, apiproxy.Created{Kind: "container", ID: id, Name: name}, create.Created, "the proxy knows what a create made")

	// The guard's refusal reaches the student as the CLI prints an engine error; a bind of the
	// lab folder goes through.
	refused := exec.CommandContext(ctx, docker, append(append([]string{"run", "--rm", "-v", "/:/host"}, labels...), "ddlab/busybox:1", "true")...)
	refused.Env = []string{"DOCKER_HOST=" + p.Host, "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	out2, err := refused.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out2), "Error response from daemon: grade : montage de /")
	cli(append(append([]string{"run", "--rm", "-v", dir + ":/lab:ro"}, labels...), "ddlab/busybox:1", "true")...)

	vol := "apiproxy-" + strings.ToLower(run[:8])
	cli("volume", "create", "--label", "ddlab.run="+run, vol)
	var made []apiproxy.Created
	for _, r := range p.Records() {
		if r.Created.Kind != "" {
			made = append(made, r.Created)
		}
	}
	assert.Contains(t, made, apiproxy.Created{Kind: "volume", ID: vol})
	assert.Len(t, made, 4, "three containers and a volume: %v", made)
	t.Logf("%d requests:\n%s", len(recs), joined)
}
