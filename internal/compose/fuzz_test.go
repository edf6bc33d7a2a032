package compose

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// loadComposeGo loads data as dir/compose.yaml the way the grader does, minus .env files.
func loadComposeGo(ctx context.Context, dir string, data []byte) (*types.Project, error) {
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return nil, err
	}
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(dir),
		cli.WithInterpolation(true),
		cli.WithName("fuzz"),
		cli.WithLoadOptions(func(o *loader.Options) { o.ResourceLoaders = nil }))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

// seed adds the test files and the hostile cases, small enough for the mutator.
func seed(f *testing.F) {
	files, _ := filepath.Glob("testdata/positions/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		billionLaughs(9, 9, "    environment:\n      X: *l9\n"),
		billionLaughs(4, 4, ""),
		"x-a: &a\n  <<: *a\nservices:\n  web:\n    image: nginx\n",
		"x-a: &a [1, *a]\n",
		"services:\n  web: &w\n    image: nginx\n    environment:\n      <<: *w\n",
		"x: " + nested(200) + "\n",
		strings.Repeat("[", 200),
		strings.Repeat("- ", 100) + "x\n",
		"services:\n  web:\n    image: nginx\n    security_opt: [" + strings.Repeat(".nan, ", 20) + ".nan]\n",
		"services:\n  web:\n    image: nginx\n---\nservices:\n  db:\n    image: postgres\n",
		"services:\n  web:\n    image: caf\xe9\n",
		"\xff\xfes\x00e\x00",
		"\x00\x01\x02garbage\xfe\xed",
		"services:\n  web:\n    image: \"nginx\n",
		"services:\n  web:\n    image: ${IMAGE:-nginx}\n    ports: [\"${P:-8080}:80\"]\n    environment:\n      A: ${B:?b is required}\n",
		"services:\n  web:\n    image: nginx\n    extends: web\n",
		"services:\n  web:\n    image: nginx\n    ports: !reset []\n    command: !override [a]\n",
		"include:\n  - other.yaml\nservices:\n  web:\n    image: nginx\n",
		allDepend(30, "depends_on"),
		allDepend(8, "links"),
		extendsChain(5, 10),
		"services:\n  web:\n    image: nginx\n    ports: [\"8000-8010:8000-8010\", \"127.0.0.1:9000:80/udp\"]\n",
		"services:\n  web:\n    image: nginx\n    command: \"" + strings.Repeat("${A:-x}", 300) + "\"\n",
		"services:\n  a:\n    image: x\n    network_mode: service:b\n    volumes_from: [b:ro]\n  b:\n    image: x\n    extends: a\n",
		"\r0", // found by FuzzLocate: go-yaml also breaks lines at a lone \r
		"services:\r\n  web:\r\n    image: nginx\r\n---\r\n",
	} {
		f.Add([]byte(s))
	}
}

func lines(data []byte) int { return len(splitLines(data)) + 1 }

func FuzzScreen(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		p := screen("compose.yaml", data) // no recover: a panic in go-yaml is a finding
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("Screen took %v on %d bytes", d, len(data))
		}
		if p == nil {
			return
		}
		if p.File != "compose.yaml" || p.Message == "" || p.EN == "" || p.Line < 0 || p.Line > lines(data) || p.Column < 0 {
			t.Fatalf("bad problem %#v for %d lines", p, lines(data))
		}
	})
}

func FuzzLocate(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		ps := locate("compose.yaml", data) // no recover: a panic here is a bug of ours
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("Locate took %v on %d bytes", d, len(data))
		}
		if len(ps) > maxProblems {
			t.Fatalf("%d problems", len(ps))
		}
		for i, p := range ps {
			if p.File != "compose.yaml" || p.Message == "" || p.EN == "" || p.Line < 0 || p.Line > lines(data) || p.Column < 0 {
				t.Fatalf("bad problem %#v for %d lines", p, lines(data))
			}
			if i > 0 && p.Line > 0 && ps[i-1].Line > p.Line {
				t.Fatalf("not sorted: %v", ps)
			}
		}
	})
}

// FuzzLoadProject feeds compose-go only what Screen lets through, as the grader does: it must
// return (error or project), without panicking, in bounded time. Then Locate must not panic
// on what compose-go refused.
func FuzzLoadProject(f *testing.F) {
	seed(f)
	logrus.SetOutput(io.Discard) // compose-go warns through logrus ("version is obsolete"…)
	f.Fuzz(func(t *testing.T, data []byte) {
		if screen("compose.yaml", data) != nil {
			return
		}
		type result struct {
			err   error
			panic any
			stack []byte
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		dir := t.TempDir()
		done := make(chan result, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- result{panic: r, stack: debug.Stack()}
				}
			}()
			_, err := loadComposeGo(ctx, dir, data)
			done <- result{err: err}
		}()
		select {
		case r := <-done:
			if r.panic != nil {
				t.Fatalf("compose-go panicked on a file Screen let through: %v\n%s", r.panic, r.stack)
			}
			ps := locate("compose.yaml", data)
			if r.err == nil && len(ps) > 0 {
				// Locate must not invent problems in a file compose-go loads.
				t.Fatalf("compose-go loads this file but Locate says: %v", ps)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("compose-go did not return within 10 s on a file Screen let through")
		}
	})
}
