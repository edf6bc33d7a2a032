package lab04

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

func TestJudgeLimits(t *testing.T) {
	want := wantLimits{Memory: 64 << 20, NanoCPUs: 5e8, Pids: 64}
	good := engine.Resources{Memory: 64 << 20, MemorySwap: 64 << 20, NanoCPUs: 5e8, PidsLimit: 64}
	tests := []struct {
		name string
		edit func(*engine.Resources)
		want check.Status
		msg  string
	}{
		{"contract", func(*engine.Resources) {}, check.Pass, "64 Mio de mémoire sans swap"},
		{"cpu quota spelling", func(r *engine.Resources) { r.NanoCPUs, r.CPUQuota, r.CPUPeriod = 0, 50000, 100000 }, check.Pass, ""},
		{"no --memory-swap", func(r *engine.Resources) { r.MemorySwap = 128 << 20 }, check.Fail, "mémoire + swap 128 Mio"},
		{"swap left to the engine", func(r *engine.Resources) { r.MemorySwap = 0 }, check.Fail, "--memory-swap absent"},
		{"unlimited swap", func(r *engine.Resources) { r.MemorySwap = -1 }, check.Fail, "swap illimité"},
		{"no memory limit", func(r *engine.Resources) { r.Memory, r.MemorySwap = 0, 0 }, check.Fail, "mémoire illimitée"},
		{"one cpu", func(r *engine.Resources) { r.NanoCPUs = 1e9 }, check.Fail, "1 CPU au lieu de 0.5"},
		{"no pids limit", func(r *engine.Resources) { r.PidsLimit = 0 }, check.Fail, "limite de PID aucune limite"},
		{"everything wrong at once", func(r *engine.Resources) { *r = engine.Resources{} }, check.Fail, " ; "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			o := judgeLimits(r, want)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			if tt.want == check.Fail {
				assert.Contains(t, o.Expected, "MemorySwap=67108864")
				assert.Contains(t, o.Actual, "Memory=")
				assert.NotContains(t, o.Message.EN, "mémoire")
			}
		})
	}
}

func TestJudgeBinding(t *testing.T) {
	b := func(ip, port string) engine.PortBinding {
		return engine.PortBinding{ContainerPort: "8080/tcp", HostIP: ip, HostPort: port}
	}
	tests := []struct {
		name  string
		ports []engine.PortBinding
		ok    bool
		msg   string
	}{
		{"loopback only", []engine.PortBinding{b("127.0.0.1", "8084")}, true, ""},
		{"all interfaces", []engine.PortBinding{b("0.0.0.0", "8084")}, false, "toutes les interfaces"},
		{"all interfaces, IPv6 too", []engine.PortBinding{b("0.0.0.0", "8084"), b("::", "8084")}, false, "toutes les interfaces"},
		{"loopback plus all interfaces", []engine.PortBinding{b("127.0.0.1", "8084"), b("0.0.0.0", "9000")}, false, "toutes les interfaces"},
		{"another port", []engine.PortBinding{b("127.0.0.1", "8080")}, false, "pas publié sur 127.0.0.1:8084"},
		{"nothing published", nil, false, "pas publié"},
		{"also on another loopback port", []engine.PortBinding{b("127.0.0.1", "8084"), b("127.0.0.1", "9000")}, false, "ailleurs aussi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := judgeBinding(tt.ports, "127.0.0.1", "8084")
			assert.Equal(t, tt.ok, ok)
			if !tt.ok {
				assert.Equal(t, check.Fail, o.Status)
				assert.Contains(t, o.Message.FR, tt.msg)
				assert.Equal(t, "127.0.0.1:8084 → 8080/tcp", o.Expected)
			}
		})
	}
}

// logLine is a log line as `docker logs --timestamps` prints it.
func logLine(sec int, msg string) string {
	return fmt.Sprintf("2026-05-01T10:00:%02d.%09dZ time=… msg=%s", sec, 123456789, msg)
}

func TestJudgeLogs(t *testing.T) {
	var log []string
	for i := range 20 {
		log = append(log, logLine(i, fmt.Sprint("req", i)))
	}
	before := log[:15] // the grader's 7 requests end at line 15
	after := log       // health checks went on while logs.sh ran
	out := func(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
	strip := func(lines []string) []string {
		var o []string
		for _, l := range lines {
			_, msg, _ := strings.Cut(l, " ")
			o = append(o, msg)
		}
		return o
	}
	tests := []struct {
		name   string
		output string
		want   check.Status
		msg    string
	}{
		{"the last 5 when logs.sh ran", out(log[10:15]...), check.Pass, ""},
		{"a line came in meanwhile", out(log[12:17]...), check.Pass, ""},
		{"the latest 5", out(log[15:20]...), check.Pass, ""},
		{"stderr printed first", out(log[13], log[14], log[10], log[11], log[12]), check.Pass, ""},
		{"blank lines and CRLF", "\n" + strings.Join(log[10:15], "\r\n") + "\r\n\n", check.Pass, ""},
		{"older than the grader's requests", out(log[5:10]...), check.Fail, "ne sont pas les 5 dernières"},
		{"no timestamps", out(strip(log[10:15])...), check.Fail, "pas d'horodatage"},
		{"tail 10", out(log[5:15]...), check.Fail, "10 ligne(s)"},
		{"tail 4", out(log[11:15]...), check.Fail, "4 ligne(s)"},
		{"nothing", "", check.Fail, "rien affiché"},
		{"a header line", out(append([]string{"Journal :"}, log[10:15]...)...), check.Fail, "6 ligne(s)"},
		{"a line edited", out(log[10], log[11], log[12], log[13], log[14]+"!"), check.Fail, "ne sont pas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeLogs(tt.output, before, after, 5)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			if tt.want == check.Fail {
				assert.Contains(t, o.Expected, "req19", "expected shows the latest lines")
			}
		})
	}
}

// FuzzJudgeLogs: any script output gets a verdict with a message, never a panic, and passes
// only when it holds exactly the requested number of lines.
func FuzzJudgeLogs(f *testing.F) {
	log := []string{logLine(1, "a"), logLine(2, "b"), logLine(3, "c"), logLine(4, "d"), logLine(5, "e"), logLine(6, "f")}
	f.Add(strings.Join(log[1:], "\n"), 2)
	f.Add("", 5)
	f.Add("2026-05-01T10:00:01Z x\n\n\r\n", 1)
	f.Fuzz(func(t *testing.T, output string, cut int) {
		if cut < 0 || cut > len(log) {
			cut = len(log) / 2
		}
		o := judgeLogs(output, log[:cut], log, 5)
		if o.Message.FR == "" || o.Message.EN == "" {
			t.Fatal("verdict without a message")
		}
		if o.Status == check.Pass && len(nonEmptyLines(output)) != 5 {
			t.Fatalf("passed with %d lines", len(nonEmptyLines(output)))
		}
	})
}

func TestStamp(t *testing.T) {
	assert.Equal(t, "2026-05-01T10:00:01.000000001Z", stamp("2026-05-01T10:00:01.000000001Z msg"))
	assert.Equal(t, "2026-05-01T10:00:01+02:00", stamp("2026-05-01T10:00:01+02:00 msg"))
	assert.Empty(t, stamp("time=2026-05-01T10:00:01Z msg"))
	assert.Empty(t, stamp(""))
}

func TestJudgeIP(t *testing.T) {
	ips := []string{"172.17.0.2"}
	tests := []struct {
		name, out string
		ips       []string
		want      check.Status
		msg       string
	}{
		{"the address", "172.17.0.2\n", ips, check.Pass, ""},
		{"spaces around", "  172.17.0.2  \n\n", ips, check.Pass, ""},
		{"one of two networks", "10.0.0.5\n", []string{"10.0.0.5", "172.17.0.2"}, check.Pass, ""},
		{"the gateway", "172.17.0.1\n", ips, check.Fail, "n'est pas l'adresse"},
		{"not an address", "lab4-app\n", ips, check.Fail, "pas une adresse IP"},
		{"two lines", "172.17.0.2\n172.17.0.2\n", ips, check.Fail, "une seule ligne"},
		{"nothing", "", ips, check.Fail, "une seule ligne"},
		{"container without address", "172.17.0.2\n", nil, check.Fail, "aucune adresse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeIP(tt.out, tt.ips)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestParseStatsLimit(t *testing.T) {
	tests := []struct {
		out  string
		want int64
		ok   bool
	}{
		{"1.73MiB / 64MiB\n", 64 << 20, true},
		{"64MiB", 64 << 20, true},
		{"64.00 MiB\n", 64 << 20, true},
		{"65536KiB", 64 << 20, true},
		{"67.11MB", 67110000, true},
		{"CONTAINER ID  NAME  MEM USAGE / LIMIT\nabc lab4-app 1.7MiB / 23.54GiB", 25275588362, true},
		{"2.1MiB / 23.54GiB", 25275588362, true},
		{"", 0, false},
		{"beaucoup", 0, false},
		{"64 parsecs", 0, false},
		{"1e400MiB", 0, false},
	}
	for _, tt := range tests {
		got, _, ok := parseStatsLimit(tt.out)
		assert.Equal(t, tt.ok, ok, tt.out)
		if tt.ok {
			assert.InDelta(t, tt.want, got, float64(tt.want)/1e4, tt.out)
		}
	}
}

func TestJudgeStats(t *testing.T) {
	const mib64 = 64 << 20
	tests := []struct {
		name, out string
		actual    int64
		want      check.Status
		msg       string
	}{
		{"docker stats' own format", "1.734MiB / 64MiB\n", mib64, check.Pass, "64MiB"},
		{"the limit alone", "64MiB\n", mib64, check.Pass, ""},
		{"no limit: the host's memory", "1.7MiB / 23.54GiB\n", 0, check.Fail, "23.54GiB"},
		{"printed, not measured", "64MiB\n", 0, check.Fail, "ne vient pas de docker stats"},
		{"decimal megabytes are not 64 MiB", "64MB\n", mib64, check.Fail, "64MB"},
		{"the whole table", "CONTAINER ID   NAME\n", mib64, check.Fail, "pas de limite mémoire lisible"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeStats(tt.out, tt.actual, mib64)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

// FuzzParseStatsLimit: any output is either a size or refused, never a panic or a negative size.
func FuzzParseStatsLimit(f *testing.F) {
	for _, s := range []string{"1.7MiB / 64MiB", "64MiB", "", "/", "9999999999999999999TiB", "0.5 kB", "1.2.3MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		n, _, ok := parseStatsLimit(out)
		if ok && n < 0 {
			t.Fatalf("negative size %d for %q", n, out)
		}
		_ = judgeStats(out, 64<<20, 64<<20)
	})
}

func TestKilledBy(t *testing.T) {
	ev := func(id, action, code string) engine.Event {
		return engine.Event{ID: id, Action: action, Attrs: map[string]string{"exitCode": code}}
	}
	assert.Equal(t, kill{oom: true, died: true, code: 137}, killedBy([]engine.Event{ev("a", "oom", ""), ev("a", "die", "137"), ev("a", "start", "")}, "a"))
	assert.Equal(t, kill{died: true, code: 137}, killedBy([]engine.Event{ev("a", "die", "137")}, "a"))
	assert.Equal(t, kill{}, killedBy([]engine.Event{ev("b", "oom", ""), ev("b", "die", "137")}, "a"), "another container's events")
	assert.Equal(t, kill{died: true, code: -1}, killedBy([]engine.Event{ev("a", "die", "x")}, "a"))
}

func TestJudgeCleanup(t *testing.T) {
	vol := strings.Repeat("ab", 32)
	before := []leftover{{Name: "lab4-app"}, {Name: "ddlab-x-extra", Volumes: []string{vol}}}
	o := judgeCleanup(before, nil, nil, "ddlab-x-extra")
	assert.Equal(t, check.Pass, o.Status, o.Message.FR)
	assert.Contains(t, o.Message.FR, "2 conteneur(s)")

	o = judgeCleanup(before, []leftover{{Name: "ddlab-x-extra"}, {Name: "lab4-app"}}, nil, "ddlab-x-extra")
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "il reste 2 conteneur(s) du lab 4 : ddlab-x-extra (ajouté par le correcteur, label ddlab.lab=lab4), lab4-app")

	o = judgeCleanup(before, nil, []string{vol}, "ddlab-x-extra")
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "volume(s) anonyme(s) : abababababab… (de ddlab-x-extra, le conteneur ajouté par le correcteur)")
}

func TestAnonymousVolumeNames(t *testing.T) {
	assert.True(t, anonymousRe.MatchString(strings.Repeat("0f", 32)))
	assert.False(t, anonymousRe.MatchString("lab4-data"))
	assert.False(t, anonymousRe.MatchString(strings.Repeat("0F", 32)))
}
