package lab03

import (
	"strings"
	"testing"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/imagetar"
	"github.com/ddlab/grade/internal/probe"
	"github.com/ddlab/grade/internal/registry"
	"github.com/ddlab/grade/internal/script"
)

// Every verdict of lab 3 judged from recorded observations, without an engine. The rows named
// after a fixture (testdata/<case>) are what that fixture makes the check observe on the real
// engine; TestFixtures checks the same verdicts end to end.

var traps = []string{"big.bin", "secrets.env", ".git", "drafts"}

func TestJudgeBuild(t *testing.T) {
	res := engine.BuildResult{Duration: 1234 * time.Millisecond, Builder: engine.BuildKit}
	tests := []struct {
		name string
		o    buildObs
		want check.Status
		msg  string
	}{
		{"solution", buildObs{Base: "ddlab/busybox:1", Want: "ddlab/busybox:1", Res: res}, check.Pass, "construite en 1.2s (buildkit)"},
		{"docker.io prefix is the same image", buildObs{Base: "docker.io/library/DDLAB/busybox:1", Want: "ddlab/busybox:1", Res: res}, check.Pass, "à partir de ddlab/busybox:1"},
		{"fixture fail-base", buildObs{Base: "ddlab/webapp:1", Want: "ddlab/busybox:1", Line: 1, Res: res}, check.Fail, "part de `ddlab/webapp:1`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeBuild(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeBaseShared(t *testing.T) {
	base := []string{"sha256:busybox"}
	tests := []struct {
		name string
		got  []string
		want check.Status
		msg  string
	}{
		{"solution", []string{"sha256:busybox", "sha256:site"}, check.Pass, "réutilisée telle quelle (busybox)"},
		{"fixture fail-base", []string{"sha256:webapp0", "sha256:webapp1", "sha256:site"}, check.Fail, "la base n'est pas partagée"},
		{"FROM scratch with busybox copied in", []string{"sha256:scratch-app", "sha256:site"}, check.Fail, "la base n'est pas partagée"},
		{"fewer layers than the base", nil, check.Fail, "la base n'est pas partagée"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeBaseShared(base, tt.got, "ddlab/busybox:1"), tt.want, tt.msg)
		})
	}
}

func TestJudgeLayers(t *testing.T) {
	base := engine.Image{LayerIDs: []string{"b0"}, History: []engine.HistoryEntry{{CreatedBy: "import", Size: 2 << 20}, {CreatedBy: `CMD ["sh"]`, EmptyLayer: true}}}
	hist := func(extra ...engine.HistoryEntry) []engine.HistoryEntry {
		return append(append([]engine.HistoryEntry{}, base.History...), extra...)
	}
	copySite := engine.HistoryEntry{CreatedBy: "COPY site/ /www/", Size: 500}
	run := func(cmd string) engine.HistoryEntry {
		return engine.HistoryEntry{CreatedBy: "/bin/sh -c " + cmd, Size: 10}
	}
	tests := []struct {
		name  string
		img   engine.Image
		limit int
		want  check.Status
		msg   string
	}{
		{"solution: one COPY, metadata free", engine.Image{LayerIDs: []string{"b0", "c1"}, History: hist(copySite, engine.HistoryEntry{CreatedBy: "LABEL a=b", EmptyLayer: true})},
			2, check.Pass, "1 couche au-dessus"},
		{"fixture fail-image: COPY and three RUNs", engine.Image{LayerIDs: []string{"b0", "c1", "r1", "r2", "r3"},
			History: hist(copySite, run("mkdir -p /www/tmp"), run("touch /www/tmp/vide"), run("chmod -R a+rX /www/tmp"))},
			2, check.Fail, "L'image ajoute 4 couches au-dessus de la base, plus que 2"},
		{"fixture starter: COPY . then RUNs that delete", engine.Image{LayerIDs: []string{"b0", "c1", "r1", "r2", "r3"}},
			2, check.Fail, "L'image ajoute 4 couches"},
		{"nothing copied", engine.Image{LayerIDs: []string{"b0"}}, 2, check.Fail, "aucune couche"},
		{"another base counts all its layers", engine.Image{LayerIDs: []string{"x0", "c1"}}, 1, check.Fail, "L'image ajoute 2 couches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeLayers(base, tt.img, tt.limit), tt.want, tt.msg) })
	}
	o := judgeLayers(base, tests[1].img, 2)
	checktest.Verdict(t, o, check.Fail, "RUN")
	if !strings.Contains(o.Actual.FR, "RUN mkdir -p /www/tmp") {
		t.Errorf("the history shows the instructions: %q", o.Actual.FR)
	}
}

// layers is an image's layers as `docker save` shows them: the base's, then new ones.
func layers(extra ...[]imagetar.Entry) []imagetar.Layer {
	out := []imagetar.Layer{{DiffID: "sha256:base", Entries: []imagetar.Entry{{Path: "/bin/busybox"}, {Path: "/bin/.wh.old", Whiteout: true}}}}
	for i, e := range extra {
		out = append(out, imagetar.Layer{DiffID: "sha256:new" + string(rune('0'+i)), Entries: e})
	}
	return out
}

func TestJudgeContext(t *testing.T) {
	site := []imagetar.Entry{{Path: "/www/index.html"}, {Path: "/www/health"}}
	clean := contextUse{Bytes: 2 << 10, Files: 6}
	tests := []struct {
		name string
		o    contextObs
		want check.Status
		msg  string
	}{
		{"solution", contextObs{Use: clean, Layers: layers(site)}, check.Pass, "aucune couche ne les contient"},
		{"fixture starter: COPY . then RUN rm", contextObs{Use: contextUse{Bytes: 20 << 20, Files: 9, Traps: []string{".git", "big.bin", "drafts", "secrets.env"}},
			Layers: layers([]imagetar.Entry{{Path: "/www/site/index.html"}, {Path: "/www/big.bin"}, {Path: "/www/.git/HEAD"}},
				[]imagetar.Entry{{Path: "/www/.wh.big.bin", Whiteout: true}})},
			check.Fail, "/www/.git est dans une couche de l'image"},
		{"fixture fail-whiteout: COPY . /src/ then rm -rf /src", contextObs{Use: contextUse{Bytes: 20 << 20, Files: 9, Traps: []string{"big.bin"}},
			Layers: layers([]imagetar.Entry{{Path: "/src/site/index.html"}, {Path: "/src/big.bin"}}, []imagetar.Entry{{Path: "/www/index.html"}, {Path: "/.wh.src", Whiteout: true}})},
			check.Fail, "/src/big.bin"},
		{"fixture fail-context-cleanup: traps in the context, in no layer", contextObs{Use: contextUse{Bytes: 20 << 20, Files: 9, Traps: []string{".git", "big.bin", "drafts", "secrets.env"}},
			Layers: layers(site)},
			check.Fail, "Le contexte de build envoyé au builder contient .git, big.bin, drafts, secrets.env"},
		{"a heavy context without traps", contextObs{Use: contextUse{Bytes: 3 << 20, Files: 40}, Layers: layers(site)}, check.Fail, "plus que 1 Mo"},
		{"a trap in the base's own layers does not count", contextObs{Use: clean, Layers: []imagetar.Layer{{DiffID: "sha256:base", Entries: []imagetar.Entry{{Path: "/drafts/x"}}}}},
			check.Pass, "aucune couche"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Base, tt.o.Traps, tt.o.Limit = []string{"sha256:base"}, traps, 1000000
			checktest.Verdict(t, judgeContext(tt.o), tt.want, tt.msg)
		})
	}
}

func TestJudgeNoWhiteout(t *testing.T) {
	site := []imagetar.Entry{{Path: "/www/index.html"}}
	tests := []struct {
		name string
		o    whiteoutObs
		want check.Status
		msg  string
	}{
		{"solution", whiteoutObs{Layers: layers(site), Delta: 3 << 10}, check.Pass, "Aucun whiteout"},
		{"fixture starter: RUN rm big.bin", whiteoutObs{Layers: layers(site, []imagetar.Entry{{Path: "/www/.wh.big.bin", Whiteout: true}}), Delta: 20 << 20},
			check.Fail, ".wh.big.bin"},
		{"fixture fail-whiteout: rm -rf /src", whiteoutObs{Layers: layers([]imagetar.Entry{{Path: "/src/big.bin"}}, []imagetar.Entry{{Path: "/.wh.src", Whiteout: true}}), Delta: 20 << 20},
			check.Fail, ".wh.src"},
		{"fixture fail-base: another base's weight", whiteoutObs{Layers: layers(site), Delta: 6 << 20}, check.Fail, "de plus que sa base"},
		{"the base's own whiteouts do not count", whiteoutObs{Layers: layers(site), Delta: 1 << 10}, check.Pass, "Aucun whiteout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Base, tt.o.Limit = []string{"sha256:base"}, 200000
			checktest.Verdict(t, judgeNoWhiteout(tt.o), tt.want, tt.msg)
		})
	}
}

func TestJudgeHTTP(t *testing.T) {
	home := page{Path: "/", Resp: probe.Response{OK: true, Body: "<html><h1>Docker Deep Dive</h1>"}}
	health := page{Path: "/health", Resp: probe.Response{OK: true, Body: "ok\n"}}
	tests := []struct {
		name string
		o    httpObs
		done bool
		want check.Status
		msg  string
	}{
		{"before any page", httpObs{}, false, 0, ""},
		{"home page only", httpObs{Pages: []page{home}}, false, 0, ""},
		{"solution", httpObs{Pages: []page{home, health}}, true, check.Pass, "GET /health répond ok"},
		{"the container does not start", httpObs{StartErr: "exec: \"httpd\": executable file not found"}, true, check.Fail, "Le conteneur ne démarre pas"},
		{"fixture fail-image: httpd exits, no /var/www", httpObs{Pages: []page{{Path: "/", Exit: &stopped{Code: 1, Logs: "httpd: can't change directory to '/var/www': No such file or directory\n"}}}},
			true, check.Fail, "Le conteneur s'arrête aussitôt (code de sortie 1)"},
		{"a container that dies silently", httpObs{Pages: []page{{Path: "/", Exit: &stopped{Code: 0}}}}, true, check.Fail, "s'arrête aussitôt"},
		{"fixture starter: 404, the site is under /www/site", httpObs{Pages: []page{{Path: "/", Resp: probe.Response{Err: "wget: server returned error: HTTP/1.1 404 Not Found"}}}},
			true, check.Fail, "GET / sur le port 8080 ne répond pas"},
		{"fixture fail-base: another server answers", httpObs{Pages: []page{{Path: "/", Resp: probe.Response{OK: true, Body: "<h1>webapp</h1>"}}}},
			true, check.Fail, "sans <h1>Docker Deep Dive</h1>"},
		{"health says something else", httpObs{Pages: []page{home, {Path: "/health", Resp: probe.Response{OK: true, Body: "OK!"}}}}, true, check.Fail, `GET /health répond "OK!"`},
		{"no health page", httpObs{Pages: []page{home, {Path: "/health", Resp: probe.Response{Err: "404 Not Found"}}}}, true, check.Fail, "GET /health sur le port 8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Port, tt.o.IndexText, tt.o.HealthText = 8080, "<h1>Docker Deep Dive</h1>", "ok"
			o, done := judgeHTTP(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
	o, _ := judgeHTTP(httpObs{Port: 8080, Pages: []page{{Path: "/", Exit: &stopped{Code: 1, Logs: "httpd: can't change directory to '/var/www'"}}}})
	if !strings.Contains(o.Actual.FR, "can't change directory to '/var/www'") {
		t.Errorf("the logs show why httpd stopped: %q", o.Actual.FR)
	}
	o, _ = judgeHTTP(httpObs{Port: 8080, Pages: []page{{Path: "/", Exit: &stopped{}}}})
	if o.Actual.FR != "(aucun journal)" {
		t.Errorf("no logs is said: %q", o.Actual.FR)
	}
}

func TestJudgeLabels(t *testing.T) {
	full := map[string]string{"ddlab.lab": "lab3", "org.opencontainers.image.title": "site",
		"org.opencontainers.image.version": "1.0", "org.opencontainers.image.source": "https://x"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   check.Status
		msg    string
	}{
		{"solution", full, check.Pass, "Labels présents"},
		{"fixture fail-image: no source", with("org.opencontainers.image.source", ""), check.Fail, "org.opencontainers.image.source (absent)"},
		{"fixture starter: no OCI label", map[string]string{"ddlab.lab": "lab3"}, check.Fail, "org.opencontainers.image.title (absent)"},
		{"blank title", with("org.opencontainers.image.title", " "), check.Fail, "org.opencontainers.image.title (absent)"},
		{"wrong version", with("org.opencontainers.image.version", "2.0"), check.Fail, `org.opencontainers.image.version="2.0" (attendu "1.0")`},
		{"wrong lab", with("ddlab.lab", "lab5"), check.Fail, "ddlab.lab="},
		{"none", nil, check.Fail, "ddlab.lab (absent)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeLabels(tt.labels, "1.0"), tt.want, tt.msg) })
	}
}

const (
	builtID = "sha256:1111111111111111aaaa"
	baseID  = "sha256:2222222222222222bbbb"
)

func manifest(digest, config string) registry.Manifest {
	return registry.Manifest{Digest: digest, MediaType: "application/vnd.oci.image.manifest.v1+json", ConfigDigest: config}
}

func TestJudgePush(t *testing.T) {
	ok := script.Result{}
	built := manifest("sha256:m1", builtID)
	tests := []struct {
		name string
		o    pushObs
		want check.Status
		msg  string
	}{
		{"solution", pushObs{Script: ok, Found: map[string]registry.Manifest{"1.0": built, "latest": built}}, check.Pass, "config = ID de l'image construite (111111111111)"},
		{"fixture starter: publish.sh exits 1", pushObs{Script: script.Result{ExitCode: 1, Output: "TODO"}}, check.Fail, "publish.sh s'est terminé avec le code 1"},
		{"publish.sh hangs", pushObs{Script: script.Result{ExitCode: -1, TimedOut: true, Duration: time.Minute}}, check.Fail, "n'a pas fini en 1m0s"},
		{"fixture fail-push-one-tag", pushObs{Script: ok, Found: map[string]registry.Manifest{"1.0": built}, Missing: []string{"latest"}, Listing: tagList("1.0")},
			check.Fail, "Le registre n'a pas lab3/site:latest"},
		{"fixture fail-push-digests: latest is the base", pushObs{Script: ok, Found: map[string]registry.Manifest{"1.0": built, "latest": manifest("sha256:m2", baseID)}},
			check.Fail, "désignent des manifestes différents"},
		{"every tag on another image than $IMAGE", pushObs{Script: ok, Found: map[string]registry.Manifest{"1.0": manifest("sha256:m2", baseID), "latest": manifest("sha256:m2", baseID)}},
			check.Fail, "n'est pas celle que le correcteur a construite"},
		{"an index, no config", pushObs{Script: ok, Found: map[string]registry.Manifest{"1.0": manifest("sha256:i", ""), "latest": manifest("sha256:i", "")}},
			check.Fail, "sa config a un autre digest"},
		{"containerd store: the ID is the manifest's digest", pushObs{Script: ok, ImageID: "sha256:m1", Found: map[string]registry.Manifest{"1.0": built, "latest": built}},
			check.Pass, "1.0, latest → sha256:m1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Want = []string{"1.0", "latest"}
			if tt.o.ImageID == "" {
				tt.o.ImageID = builtID
			}
			checktest.Verdict(t, judgePush(tt.o), tt.want, tt.msg)
		})
	}
	if o := judgePush(pushObs{Want: []string{"1.0", "latest"}, Missing: []string{"latest"}, Listing: tagList("1.0")}); o.Actual.FR != "lab3/site : 1.0" || o.Actual.EN != "lab3/site: 1.0" {
		t.Errorf("the registry's listing is shown: %q", o.Actual.FR)
	}
}

func TestJudgePullDigest(t *testing.T) {
	tests := []struct {
		name string
		o    pullObs
		done bool
		want check.Status
		msg  string
	}{
		{"before the pull", pullObs{}, false, 0, ""},
		{"solution", pullObs{Pulled: true, GotID: builtID}, true, check.Pass, "même ID 111111111111."},
		{"containerd store: the ID is the manifest's digest", pullObs{Pulled: true, GotID: "sha256:m1"}, true, check.Pass, "tirée par sha256:m1"},
		{"fixture fail-cleanup-nothing: a container holds the tag", pullObs{Kept: "lab3/site:build", RemoveErr: "conflict: unable to remove repository reference \"lab3/site:build\" (must force) - container 0a1b is using its referenced image"},
			true, check.Fail, "un conteneur utilise-t-il l'image"},
		{"fixture fail-cleanup-nothing: a container holds the image", pullObs{RemoveErr: "conflict: unable to delete 1111 (cannot be forced) - image is being used by running container 0a1b"},
			true, check.Fail, "un conteneur utilise-t-il l'image"},
		{"the pull fails", pullObs{Pulled: true, PullErr: "manifest unknown"}, true, check.Fail, "`docker pull 127.0.0.1:5000/lab3/site@sha256:m1` échoue."},
		{"another image comes back", pullObs{Pulled: true, GotID: baseID}, true, check.Fail, "a l'ID 222222222222,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Digest, tt.o.Ref, tt.o.WantID = "sha256:m1", "127.0.0.1:5000/lab3/site@sha256:m1", builtID
			o, done := judgePullDigest(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeSemver(t *testing.T) {
	m1, m2 := manifest("sha256:m1", builtID), manifest("sha256:m2", baseID)
	tests := []struct {
		name string
		o    semverObs
		want check.Status
		msg  string
	}{
		{"solution", semverObs{Found: map[string]registry.Manifest{"1.0": m1, "1": m1, "1.0.0": m1}}, check.Pass, "lab3/site:1 et 1.0.0 désignent sha256:m1"},
		{"fixture fail-push-one-tag: no 1", semverObs{Found: map[string]registry.Manifest{"1.0": m1}, Missing: []string{"1", "1.0.0"}}, check.Fail, "Le registre n'a pas lab3/site:1"},
		{"fixture starter: nothing pushed", semverObs{Missing: []string{"1.0", "1", "1.0.0"}, Listing: check.Lit("aucun tag", "no tag")}, check.Fail, "Le registre n'a pas lab3/site:1.0"},
		{"1.0.0 on another image", semverObs{Found: map[string]registry.Manifest{"1.0": m1, "1": m1, "1.0.0": m2}}, check.Fail, "lab3/site:1.0.0 ne désigne pas le même digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Ref, tt.o.Want = "1.0", []string{"1", "1.0.0"}
			checktest.Verdict(t, judgeSemver(tt.o), tt.want, tt.msg)
		})
	}
}

func TestJudgeCleanup(t *testing.T) {
	before := []string{"sha256:d1", "sha256:d2"}
	tests := []struct {
		name string
		o    cleanupObs
		want check.Status
		msg  string
	}{
		{"solution", cleanupObs{}, check.Pass, "2 images pendantes ddlab.lab=lab3 supprimées"},
		{"fixture starter: cleanup.sh exits 1", cleanupObs{Script: script.Result{ExitCode: 1}}, check.Fail, "cleanup.sh s'est terminé avec le code 1"},
		{"fixture fail-context-cleanup: docker image prune --all", cleanupObs{Lost: []string{imageRef, rebuildRef}}, check.Fail,
			"a supprimé des images taguées : lab3/site:build, lab3/site:rebuild"},
		{"a prune that takes the base too", cleanupObs{Lost: []string{"ddlab/busybox:1"}}, check.Fail, "supprimé une image taguée : ddlab/busybox:1"},
		{"fixture fail-cleanup-nothing", cleanupObs{After: before}, check.Fail, "il reste 2 images pendantes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Before, tt.o.Kept = before, "sha256:kept"
			checktest.Verdict(t, judgeCleanup(tt.o), tt.want, tt.msg)
		})
	}
}

// TestUnreachable: an engine that does not reach the grader's registry skips the registry
// checks and leaves the denominator; the student is not failed for the machine.
func TestUnreachable(t *testing.T) {
	o := unreachable("127.0.0.1:5000")
	checktest.Verdict(t, o, check.Skip, "ne joint pas le registre que le correcteur ouvre sur 127.0.0.1:5000")
	if !o.Excluded {
		t.Error("an environment skip leaves the denominator")
	}
}
