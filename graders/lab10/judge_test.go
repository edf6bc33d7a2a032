package lab10

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/kube"
)

// solution reads the reference solution's manifests, each file edited by edits (old → new).
func solution(t *testing.T, edits map[string][2]string) *submission {
	t.Helper()
	dir := filepath.Join("..", "..", "labs", "lab10", "_solution", "k8s")
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		if ed, ok := edits[e.Name()]; ok {
			require.Equal(t, 1, strings.Count(string(b), ed[0]), "edit of %s", e.Name())
			b = []byte(strings.Replace(string(b), ed[0], ed[1], 1))
		}
		files["k8s/"+e.Name()] = b
	}
	return submissionOf(t, files)
}

func submissionOf(t *testing.T, files map[string][]byte) *submission {
	t.Helper()
	st, err := parseStack(stackYAML)
	require.NoError(t, err)
	rd, err := kube.NewReader()
	require.NoError(t, err)
	s := &submission{ns: "lab10", files: files, stack: st}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if isKustomization(n) {
			s.kust = n
			continue
		}
		rd.Read(&s.m, n, files[n])
	}
	return s
}

func TestJudges(t *testing.T) {
	judges := map[string]func(*submission) check.Outcome{
		"schema": judgeSchema, "selector": judgeSelector, "ports": judgePorts, "refs": judgeRefs, "probes": judgeProbes,
		"resources": judgeResources, "security": judgeSecurity, "image": judgeImage, "parity": judgeParity,
		"labels": judgeLabels, "kustomize": judgeKustomize,
	}
	const dep = "deployment.yaml"
	tests := []struct {
		name   string
		edits  map[string][2]string
		judge  string
		status check.Status
		says   string // in the French message or actual
	}{
		{"selector by expression", map[string][2]string{dep: {"    matchLabels:\n      app.kubernetes.io/name: web\n",
			"    matchExpressions:\n      - {key: app.kubernetes.io/name, operator: In, values: [web]}\n"}}, "selector", check.Pass, ""},
		{"selector expression that misses", map[string][2]string{dep: {"    matchLabels:\n      app.kubernetes.io/name: web\n",
			"    matchExpressions:\n      - {key: app.kubernetes.io/name, operator: NotIn, values: [web]}\n"}}, "selector", check.Fail, "ne correspond pas"},
		{"service selects nothing", map[string][2]string{"service.yaml": {"  selector:\n    app.kubernetes.io/name: web\n", "  selector:\n    app: nope\n"}}, "selector", check.Fail, "aucun Deployment"},
		{"target port by number", map[string][2]string{"service.yaml": {"targetPort: http", "targetPort: 8080"}}, "ports", check.Pass, ""},
		{"target port unset and port not declared", map[string][2]string{"service.yaml": {"      targetPort: http\n", ""}}, "ports", check.Fail, "8089 (port)"},
		{"a NodePort Service", map[string][2]string{"service.yaml": {"  type: ClusterIP\n", "  type: NodePort\n"}}, "ports", check.Fail, "ClusterIP"},
		{"8080 not named http", map[string][2]string{dep: {"            - name: http\n              containerPort: 8080\n", "            - name: web\n              containerPort: 8080\n"}}, "ports", check.Fail, "nommé `http`"},
		{"probe on the port's number", map[string][2]string{dep: {"          readinessProbe:\n            httpGet:\n              path: /health\n              port: http\n",
			"          readinessProbe:\n            httpGet:\n              path: /health\n              port: 8080\n"}}, "probes", check.Pass, ""},
		{"exec probe", map[string][2]string{dep: {"          readinessProbe:\n            httpGet:\n              path: /health\n              port: http\n",
			"          readinessProbe:\n            exec:\n              command: [wget, -qO-, http://127.0.0.1:8080/health]\n"}}, "probes", check.Fail, "httpGet"},
		{"limit under request", map[string][2]string{dep: {"              cpu: 100m\n", "              cpu: 500m\n"}}, "resources", check.Fail, "sous la demande"},
		{"container overrides a non-root pod", map[string][2]string{dep: {"            allowPrivilegeEscalation: false\n",
			"            allowPrivilegeEscalation: false\n            runAsNonRoot: false\n"}}, "security", check.Fail, "runAsNonRoot"},
		{"privileged", map[string][2]string{dep: {"            allowPrivilegeEscalation: false\n",
			"            allowPrivilegeEscalation: false\n            privileged: true\n"}}, "security", check.Fail, "privileged"},
		{"drop all in lower case", map[string][2]string{dep: {`drop: ["ALL"]`, `drop: ["all"]`}}, "security", check.Fail, "drop"},
		{"image fully qualified", map[string][2]string{dep: {"image: ddlab/webapp:1", "image: docker.io/ddlab/webapp:1"}}, "image", check.Pass, ""},
		{"latest with no policy pulls", map[string][2]string{dep: {"          image: ddlab/webapp:1\n          imagePullPolicy: IfNotPresent\n", "          image: ddlab/webapp:latest\n"}}, "image", check.Fail, "ddlab/webapp:latest"},
		{"cpu as a decimal", map[string][2]string{dep: {"              cpu: 250m\n", "              cpu: \"0.25\"\n"}}, "parity", check.Pass, ""},
		{"memory in SI megabytes", map[string][2]string{dep: {"              memory: 64Mi\n", "              memory: 64M\n"}}, "parity", check.Fail, "64Mi"},
		{"greeting differs", map[string][2]string{"configmap.yaml": {"Bonjour depuis Kubernetes", "Hello"}}, "parity", check.Fail, "« Hello »"},
		{"secret at another path", map[string][2]string{dep: {"              mountPath: /run/secrets\n", "              mountPath: /etc/secrets\n"}}, "parity", check.Fail, "/run/secrets/db_password"},
		{"secret without items, key named like the file", map[string][2]string{
			dep:           {"            items:\n              - key: password\n                path: db_password\n", ""},
			"secret.yaml": {"  password: \"a-remplacer\"\n", "  password: \"a-remplacer\"\n  db_password: \"a-remplacer\"\n"}}, "parity", check.Pass, ""},
		{"explicit other namespace", map[string][2]string{"secret.yaml": {"  namespace: lab10\n", "  namespace: prod\n"}}, "refs", check.Fail, "`prod`"},
		{"no namespace, the kustomization sets it", map[string][2]string{"secret.yaml": {"  namespace: lab10\n", ""}}, "refs", check.Pass, ""},
		{"optional missing reference", map[string][2]string{dep: {"                name: web-config\n", "                name: other\n                optional: true\n"}}, "refs", check.Pass, ""},
		{"no runAsUser", map[string][2]string{dep: {"        runAsUser: 65532\n", ""}}, "security", check.Fail, "runAsUser"},
		{"capabilities given back", map[string][2]string{dep: {`drop: ["ALL"]`, `drop: ["ALL"]` + "\n              add: [\"SYS_ADMIN\"]"}}, "security", check.Fail, "SYS_ADMIN"},
		{"host network", map[string][2]string{dep: {"      securityContext:\n        runAsNonRoot: true\n", "      hostNetwork: true\n      securityContext:\n        runAsNonRoot: true\n"}}, "security", check.Fail, "hostNetwork"},
		{"probe on another host", map[string][2]string{dep: {"          readinessProbe:\n            httpGet:\n", "          readinessProbe:\n            httpGet:\n              host: example.com\n"}}, "probes", check.Fail, "example.com"},
		{"probe over HTTPS", map[string][2]string{dep: {"          livenessProbe:\n            httpGet:\n", "          livenessProbe:\n            httpGet:\n              scheme: HTTPS\n"}}, "probes", check.Fail, "HTTPS"},
		{"readiness at another rhythm", map[string][2]string{dep: {"            periodSeconds: 10\n            timeoutSeconds: 2\n            failureThreshold: 3\n          livenessProbe:",
			"            periodSeconds: 60\n            timeoutSeconds: 2\n            failureThreshold: 3\n          livenessProbe:"}}, "parity", check.Fail, "60, 2, 3 (readiness)"},
		{"UDP service port", map[string][2]string{"service.yaml": {"      port: 8089\n", "      port: 8089\n      protocol: UDP\n"}}, "ports", check.Fail, "UDP"},
		{"a stray Pod with web's labels", map[string][2]string{"configmap.yaml": {"data:\n  GREETING", "data:\n  X: y\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: intrus\n  namespace: lab10\n  labels:\n    app.kubernetes.io/name: web\nspec:\n  containers:\n    - name: c\n      image: ddlab/busybox:1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: lab10\ndata:\n  GREETING"}},
			"selector", check.Fail, "Pod intrus"},
		{"service namespace from the kustomization", map[string][2]string{"service.yaml": {"  namespace: lab10\n", ""}}, "selector", check.Pass, ""},
		{"kustomization patch fetched over HTTP", map[string][2]string{"kustomization.yaml": {"resources:\n", "patches:\n  - path: http://127.0.0.1:1/p.yaml\nresources:\n"}}, "kustomize", check.Fail, "http://127.0.0.1:1/p.yaml"},
		{"no container", map[string][2]string{dep: {"      containers:\n", "      containers: []\n      initContainers:\n"}}, "schema", check.Fail, "au moins un conteneur"},
		{"headless Service", map[string][2]string{"service.yaml": {"  type: ClusterIP\n", "  type: ClusterIP\n  clusterIP: None\n"}}, "ports", check.Fail, "headless"},
		{"optional volume of a missing Secret", map[string][2]string{dep: {"            secretName: db-credentials\n", "            secretName: db-creds\n            optional: true\n"}}, "parity", check.Fail, "/run/secrets/db_password"},
		{"projected volume of missing objects", map[string][2]string{dep: {"      volumes:\n", "      volumes:\n        - name: p\n          projected:\n            sources:\n              - secret: {name: nope}\n              - configMap: {name: nada}\n"}}, "refs", check.Fail, "nope"},
		{"GREETING from another ConfigMap", map[string][2]string{"configmap.yaml": {"data:\n  GREETING", "data:\n  OTHER: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greet\n  namespace: lab10\n  labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: lab10}\ndata:\n  GREETING"},
			dep: {"                name: web-config\n", "                name: web-config\n            - configMapRef:\n                name: greet\n"}}, "parity", check.Fail, "`greet`"},
		{"kustomization with a scp-style base", map[string][2]string{"kustomization.yaml": {"resources:\n", "resources:\n  - GitHub.com:org/repo//k8s\n"}}, "kustomize", check.Fail, "GitHub.com:org/repo//k8s"},
		{"kustomization with a user@ base", map[string][2]string{"kustomization.yaml": {"resources:\n", "resources:\n  - bob@example.com:team/repo\n"}}, "kustomize", check.Fail, "bob@example.com"},
		{"kustomization patch hidden in !!binary", map[string][2]string{"kustomization.yaml": {"resources:\n", "patches:\n  - path: !!binary aHR0cDovLzEyNy4wLjAuMToxODc3Ny9wLnlhbWw=\nresources:\n"}}, "kustomize", check.Fail, "http://127.0.0.1:18777/p.yaml"},
		{"kustomization with a URL as data", map[string][2]string{"kustomization.yaml": {"namespace: lab10\n", "namespace: lab10\ncommonAnnotations:\n  homepage: https://github.com/ddlab/course?ref=x\n"}}, "kustomize", check.Pass, ""},
		{"labels from the kustomization", map[string][2]string{"namespace.yaml": {"  labels:\n    app.kubernetes.io/name: web\n    app.kubernetes.io/part-of: lab10\n", ""},
			"kustomization.yaml": {"namespace: lab10\n", "namespace: lab10\nlabels:\n  - pairs: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: lab10}\n"}}, "labels", check.Pass, ""},
		{"a hostPath volume", map[string][2]string{dep: {"      volumes:\n", "      volumes:\n        - name: root\n          hostPath: {path: /}\n"}}, "security", check.Fail, "hostPath"},
		{"a hostPort", map[string][2]string{dep: {"              containerPort: 8080\n", "              containerPort: 8080\n              hostPort: 8080\n"}}, "security", check.Fail, "hostPort"},
		{"seccomp unconfined", map[string][2]string{dep: {"          type: RuntimeDefault\n", "          type: Unconfined\n"}}, "security", check.Fail, "Unconfined"},
		{"the same object twice", map[string][2]string{"configmap.yaml": {"data:\n  GREETING: \"Bonjour depuis Kubernetes\"\n", "data:\n  GREETING: \"Bonjour depuis Kubernetes\"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: lab10\ndata:\n  GREETING: x\n"}}, "schema", check.Fail, "déjà écrit"},
		{"kustomization field in capitals", map[string][2]string{"kustomization.yaml": {"resources:\n", "Transformers: [http://127.0.0.1:1/org/repo.git]\nresources:\n"}}, "kustomize", check.Fail, "Transformers"},
		{"kustomization patch path in capitals", map[string][2]string{"kustomization.yaml": {"resources:\n", "patches: [{PATH: \"http://127.0.0.1:1/up1.yaml\"}]\nresources:\n"}}, "kustomize", check.Fail, "http://127.0.0.1:1/up1.yaml"},
		{"kustomization inline transformer", map[string][2]string{"kustomization.yaml": {"resources:\n", "transformers:\n- |\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata: {name: x}\n  path: http://127.0.0.1:1/inl.yaml\nresources:\n"}}, "kustomize", check.Fail, "transformers"},
		{"kustomization generator from a file", map[string][2]string{"kustomization.yaml": {"resources:\n", "configMapGenerator: [{name: x, Files: [\"http://127.0.0.1:1/g.txt\"]}]\nresources:\n"}}, "kustomize", check.Fail, "literals"},
		{"kustomization generator with literals", map[string][2]string{"kustomization.yaml": {"resources:\n", "configMapGenerator: [{name: extra, literals: [HOMEPAGE=http://example.com]}]\nresources:\n"}}, "kustomize", check.Pass, ""},
		{"kustomization annotation keyed path", map[string][2]string{"kustomization.yaml": {"namespace: lab10\n", "namespace: lab10\ncommonAnnotations: {path: \"https://example.com/docs\"}\n"}}, "kustomize", check.Pass, ""},
		{"kustomization local patch", map[string][2]string{"kustomization.yaml": {"namespace: lab10\n", "namespace: lab10\npatches:\n  - path: service.yaml\n"}}, "kustomize", check.Pass, ""},
		{"an emptyDir for /tmp", map[string][2]string{dep: {"          volumeMounts:\n            - name: db-credentials\n              mountPath: /run/secrets\n              readOnly: true\n      volumes:\n",
			"          volumeMounts:\n            - name: db-credentials\n              mountPath: /run/secrets\n              readOnly: true\n            - name: tmp\n              mountPath: /tmp\n      volumes:\n        - name: tmp\n          emptyDir: {}\n"}}, "parity", check.Pass, ""},
		{"a base that is not a mapping", map[string][2]string{"kustomization.yaml": {"resources:\n", "resources:\n"}}, "kustomize", check.Pass, ""},
		{"kustomization outside its folder", map[string][2]string{"kustomization.yaml": {"  - service.yaml\n", "  - service.yaml\n  - ../../etc/passwd\n"}}, "kustomize", check.Fail, "../../etc/passwd"},
		{"kustomization in another namespace", map[string][2]string{"kustomization.yaml": {"namespace: lab10\n", "namespace: prod\n"}}, "kustomize", check.Fail, "namespace"},
		{"kustomization that does not parse", map[string][2]string{"kustomization.yaml": {"resources:\n", "resourcez:\n"}}, "kustomize", check.Fail, "resourcez"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := solution(t, tt.edits)
			out := judges[tt.judge](s)
			assert.Equal(t, tt.status, out.Status, "%s\n%s", out.Message.FR, out.Actual.FR)
			if tt.says != "" {
				assert.Contains(t, out.Message.FR+"\n"+out.Actual.FR, tt.says)
			}
		})
	}
}

func TestSolutionPassesEveryJudge(t *testing.T) {
	s := solution(t, nil)
	for name, j := range map[string]func(*submission) check.Outcome{"schema": judgeSchema, "selector": judgeSelector, "ports": judgePorts, "refs": judgeRefs,
		"probes": judgeProbes, "resources": judgeResources, "security": judgeSecurity, "image": judgeImage, "parity": judgeParity, "labels": judgeLabels, "kustomize": judgeKustomize} {
		out := j(s)
		assert.Equal(t, check.Pass, out.Status, "%s: %s\n%s", name, out.Message.FR, out.Actual.FR)
	}
}

func TestParityEarnsItsShare(t *testing.T) {
	s := solution(t, map[string][2]string{"deployment.yaml": {"              memory: 64Mi\n", "              memory: 64M\n"}})
	out := judgeParity(s)
	require.Equal(t, check.Fail, out.Status)
	assert.InDelta(t, 0.9, out.Credit, 1e-9)
}

// The grader compares with its own copy of stack.yaml: it must be the one students get.
func TestStackIsTheStarters(t *testing.T) {
	starter, err := os.ReadFile(filepath.Join("..", "..", "labs", "lab10", "_starter", "stack.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(starter), string(stackYAML))
	st, err := parseStack(stackYAML)
	require.NoError(t, err)
	assert.Equal(t, stack{Image: "ddlab/webapp:1", Replicas: 3, Published: 8089, Target: 8080, Env: map[string]string{"GREETING": "Bonjour depuis Kubernetes"},
		HealthPath: "/health", HealthPort: 8080, Interval: 10e9, Timeout: 2e9, Retries: 3, CPUMilli: 250, Memory: 64 << 20,
		SecretFiles: []string{"/run/secrets/db_password"}}, st)
}

// A 10 MB manifest (sparse: it costs no disk) is refused before it is read.
func TestHugeManifestIsRefusedUnread(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "k8s"), 0o755))
	f, err := os.Create(filepath.Join(root, "k8s", "big.yaml"))
	require.NoError(t, err)
	require.NoError(t, f.Truncate(10<<20))
	require.NoError(t, f.Close())
	_, out, ok := collect(root, 1<<20)
	require.False(t, ok)
	assert.Equal(t, check.Fail, out.Status)
	assert.Contains(t, out.Message.FR, "10,49 Mo")
}

// Files with only comments have nothing wrong and nothing right: no check passes on them.
func TestNothingPassesOnNoObject(t *testing.T) {
	s := submissionOf(t, map[string][]byte{"k8s/a.yaml": []byte("# rien\n---\n"), "k8s/kustomization.yaml": []byte("namespace: lab10\nresources: [a.yaml]\n")})
	for name, j := range map[string]func(*submission) check.Outcome{"schema": judgeSchema, "selector": judgeSelector, "ports": judgePorts, "refs": judgeRefs,
		"probes": judgeProbes, "resources": judgeResources, "security": judgeSecurity, "image": judgeImage, "parity": judgeParity, "labels": judgeLabels, "kustomize": judgeKustomize} {
		assert.Equal(t, check.Fail, j(s).Status, name)
	}
}

// A sidecar keeps the security and resource rules; the image and probe rules are the
// application container's.
func TestSidecar(t *testing.T) {
	sidecar := "        - name: sidecar\n          image: ddlab/busybox:1\n          resources:\n            requests: {cpu: 10m, memory: 8Mi}\n            limits: {cpu: 50m, memory: 16Mi}\n" +
		"          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [\"ALL\"]\n"
	s := solution(t, map[string][2]string{"deployment.yaml": {"      volumes:\n", sidecar + "      volumes:\n"}})
	for name, j := range map[string]func(*submission) check.Outcome{"probes": judgeProbes, "image": judgeImage, "parity": judgeParity, "security": judgeSecurity, "resources": judgeResources} {
		out := j(s)
		assert.Equal(t, check.Pass, out.Status, "%s: %s\n%s", name, out.Message.FR, out.Actual.FR)
	}
}

// A base in a subfolder is held to the same rules as the folder's own kustomization: it is
// what kustomize would clone from.
func TestUnreadableBaseIsRefused(t *testing.T) {
	s := solution(t, map[string][2]string{"kustomization.yaml": {"  - service.yaml\n", "  - service.yaml\n  - base\n"}})
	s.files["k8s/base/kustomization.yaml"] = []byte("- just\n- a list\n")
	out := judgeKustomize(s)
	assert.Equal(t, check.Fail, out.Status)
	assert.Contains(t, out.Message.FR, "k8s/base/kustomization.yaml")
}

func TestNestedKustomizationFetchesNothing(t *testing.T) {
	s := solution(t, map[string][2]string{"kustomization.yaml": {"  - service.yaml\n", "  - service.yaml\n  - base\n"}})
	s.files["k8s/base/kustomization.yaml"] = []byte("resources:\n  - git::https://example.com/org/repo\n")
	out := judgeKustomize(s)
	assert.Equal(t, check.Fail, out.Status)
	assert.Contains(t, out.Message.FR, "example.com/org/repo")
}
