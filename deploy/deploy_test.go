package deploy

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

// lintWorkflow runs actionlint, as a library, over a workflow (shellcheck and pyflakes are
// not run: they would be external processes).
func lintWorkflow(t *testing.T, path string, b []byte) []*actionlint.Error {
	t.Helper()
	l, err := actionlint.NewLinter(os.Stderr, &actionlint.LinterOptions{})
	require.NoError(t, err)
	errs, err := l.Lint(path, b, nil)
	require.NoError(t, err)
	return errs
}

func TestGitHubActionsWorkflow(t *testing.T) {
	b, err := os.ReadFile("github-actions-batch.yml")
	require.NoError(t, err)
	for _, e := range lintWorkflow(t, "github-actions-batch.yml", b) {
		t.Errorf("actionlint: %s", e.Error())
	}
	// What actionlint cannot know: the matrix has one job per shard, and each runs its own.
	var wf struct {
		On struct {
			Dispatch struct {
				Inputs map[string]struct{ Default string } `yaml:"inputs"`
			} `yaml:"workflow_dispatch"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Strategy struct {
				Matrix struct{ Shard []int } `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct{ Run string } `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &wf))
	n, err := strconv.Atoi(wf.On.Dispatch.Inputs["shards"].Default)
	require.NoError(t, err)
	shards := wf.Jobs["shard"].Strategy.Matrix.Shard
	require.Len(t, shards, n, "one matrix job per shard")
	for i, s := range shards {
		assert.Equal(t, i, s)
	}
	runs := func(job string) string {
		var all []string
		for _, s := range wf.Jobs[job].Steps {
			all = append(all, s.Run)
		}
		return strings.Join(all, "\n")
	}
	assert.Contains(t, runs("shard"), `grade batch "$LAB" submissions --shard "$SHARD/$SHARDS" --out "shard-$SHARD"`)
	assert.Contains(t, runs("shard"), "grade images")
	assert.Contains(t, runs("merge"), "grade merge shards/shard-* --out results")

	t.Run("actionlint catches a broken workflow", func(t *testing.T) {
		broken := strings.Replace(string(b), "runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1)
		assert.NotEmpty(t, lintWorkflow(t, "broken.yml", []byte(broken)))
	})
}

// decodeJob decodes a manifest strictly through the Kubernetes API types: an unknown or
// duplicated field is an error, as `kubectl apply --validate=strict` would say.
func decodeJob(b []byte) (*batchv1.Job, error) {
	scheme := runtime.NewScheme()
	if err := batchv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	obj, _, err := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer().Decode(b, nil, nil)
	if err != nil {
		return nil, err
	}
	return obj.(*batchv1.Job), nil
}

func TestKubernetesIndexedJob(t *testing.T) {
	b, err := os.ReadFile("k8s-batch-job.yaml")
	require.NoError(t, err)
	job, err := decodeJob(b)
	require.NoError(t, err)

	spec := job.Spec
	require.NotNil(t, spec.CompletionMode)
	assert.Equal(t, batchv1.IndexedCompletion, *spec.CompletionMode)
	require.NotNil(t, spec.Completions)
	pod := spec.Template.Spec
	assert.Equal(t, corev1.RestartPolicyNever, pod.RestartPolicy)

	// One engine per pod: a Docker-in-Docker native sidecar.
	require.Len(t, pod.InitContainers, 1)
	dind := pod.InitContainers[0]
	require.NotNil(t, dind.RestartPolicy, "the engine must be a native sidecar")
	assert.Equal(t, corev1.ContainerRestartPolicyAlways, *dind.RestartPolicy)
	require.NotNil(t, dind.SecurityContext.Privileged)
	assert.True(t, *dind.SecurityContext.Privileged)
	assert.Contains(t, dind.Args, "--host=tcp://127.0.0.1:2375")

	require.Len(t, pod.Containers, 1)
	g := pod.Containers[0]
	env := map[string]string{}
	for _, e := range g.Env {
		env[e.Name] = e.Value
	}
	assert.Equal(t, "tcp://127.0.0.1:2375", env["DOCKER_HOST"])
	script := strings.Join(g.Args, " ")
	m := regexp.MustCompile(`--shards (\d+)`).FindStringSubmatch(script)
	require.NotNil(t, m, "the grader reads its shard from JOB_COMPLETION_INDEX with --shards N")
	assert.Equal(t, strconv.Itoa(int(*spec.Completions)), m[1], "--shards must equal completions")
	assert.Contains(t, script, "/data/results/shard-${JOB_COMPLETION_INDEX}")

	t.Run("strict decoding refuses a typo", func(t *testing.T) {
		_, err := decodeJob([]byte(strings.Replace(string(b), "completionMode: Indexed", "completionMode: Indexed\n  completion: 4", 1)))
		require.Error(t, err)
		assert.True(t, runtime.IsStrictDecodingError(err), err.Error())
		assert.Contains(t, err.Error(), `unknown field "spec.completion"`)
	})
}
