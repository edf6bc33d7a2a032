package dockerfile

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// FuzzAnalyze: Analyze never panics (a panic escaping a BuildKit goroutine would crash the fuzz
// worker too), always returns a result, and every line it reports lies within the file.
//
//	go test -run='^$' -fuzz=FuzzAnalyze -fuzztime=60s ./internal/dockerfile
func FuzzAnalyze(f *testing.F) {
	for _, name := range fixtureFiles(f) {
		f.Add(readFixture(f, name))
	}
	for _, s := range []string{
		"# syntax=docker/dockerfile:1\n# check=skip=all\nFROM scratch\n",
		"# escape=`\nFROM scratch\nRUN echo `\n  hi\n",
		"FROM scratch\nONBUILD RUN x\nFROM scratch AS b\nCOPY --from=0 / /\n",
		"ARG B=scratch\nFROM ${B:-x} AS s\nEXPOSE 80/tcp 1-3\nHEALTHCHECK NONE\n",
		"FROM a\nCOPY <<EOF <<EOT /x\na\nEOF\nb\nEOT\n",
		"\uFEFFFROM scratch\r\nCMD [\"x\"]\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		a := Analyze(ctx, "Dockerfile", src)
		if a == nil {
			t.Fatal("nil analysis")
		}
		checkLines(t, a, lineCount(src))

		out, ok := WithoutSyntax(src)
		if bytes.Count(out, []byte("\n")) != bytes.Count(src, []byte("\n")) {
			t.Fatalf("WithoutSyntax changed the line count")
		}
		if !ok && !bytes.Equal(out, src) {
			t.Fatalf("WithoutSyntax changed a file without directive")
		}
		if ok {
			if _, _, _, still := parser.DetectSyntax(out); still {
				t.Fatalf("WithoutSyntax left a syntax directive: %q", out)
			}
		}
	})
}
