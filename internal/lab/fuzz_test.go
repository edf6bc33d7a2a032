package lab

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// parseDeadline bounds one Parse call: an input of at most 1 MiB must never take longer.
const parseDeadline = 10 * time.Second

// hostileSeeds are YAML inputs built to cost the parser time or memory.
func hostileSeeds() []string {
	// Billion laughs: nine levels of nine aliases, 9^9 strings once expanded.
	var bomb strings.Builder
	bomb.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for c := 'b'; c <= 'i'; c++ {
		fmt.Fprintf(&bomb, "%c: &%c [%s]\n", c, c, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
		prev = string(c)
	}
	// Self-referencing and merge-key bombs.
	var merge strings.Builder
	merge.WriteString("schemaVersion: 1\nm0: &m0 {k: v}\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&merge, "m%d: &m%d {<<: [*m%d, *m%d, *m%d, *m%d]}\n", i, i, i-1, i-1, i-1, i-1)
	}
	var dupKeys strings.Builder
	dupKeys.WriteString("schemaVersion: 1\nparams:\n")
	for range 3000 {
		dupKeys.WriteString("  k: v\n")
	}
	var deepBlock strings.Builder
	for i := range 200 {
		deepBlock.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return []string{
		bomb.String(),
		"schemaVersion: 1\n" + bomb.String(),
		"schemaVersion: 1\nlab: lab5\n---\n" + bomb.String(),
		"schemaVersion: 1\nparams: &p {a: *p}\n",
		"a: &a [*a]\n",
		merge.String(),
		dupKeys.String(),
		"schemaVersion: 1\nsubmission: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
		strings.Repeat("{a: ", 5000) + "1" + strings.Repeat("}", 5000),
		strings.Repeat("- ", 5000) + "x\n",
		deepBlock.String(),
		"schemaVersion: 1\nlab: " + strings.Repeat("x", 64<<10) + "\n",
		"schemaVersion: 1\nlab: \"" + strings.Repeat("\\u00e9", 16<<10) + "\"\n",
		"schemaVersion: 1\nsummary: {fr: |\n" + strings.Repeat("  ligne\n", 4096) + "}\n",
		"schemaVersion: 99999999999999999999999\n",
		"schemaVersion: !!binary AAAA\n",
		"schemaVersion: 1\ntimeout: !!str 9999999999h\n",
		"schemaVersion: 1\nchecks: [{id: lab5.x, kind: bonus, points: .nan}]\n",
		"\xef\xbb\xbfschemaVersion: 1\n",
		"\x00\x01\x02",
		"",
	}
}

// FuzzParse checks that Parse never panics, returns a spec or an error (never both, never
// neither), and returns within parseDeadline.
func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("../../labs/lab5.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(validSpec))
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			spec  *Spec
			err   error
			panic any
		}
		done := make(chan result, 1)
		start := time.Now()
		go func() {
			var r result
			defer func() {
				r.panic = recover()
				done <- r
			}()
			r.spec, r.err = Parse("fuzz.yaml", data)
		}()
		select {
		case r := <-done:
			if r.panic != nil {
				t.Fatalf("Parse panicked: %v", r.panic)
			}
			if (r.spec == nil) == (r.err == nil) {
				t.Fatalf("Parse returned spec %v and error %v", r.spec, r.err)
			}
			if r.spec != nil {
				// What Parse accepts holds together.
				if r.spec.SchemaVersion != SchemaVersion || !labIDRe.MatchString(r.spec.Lab) {
					t.Fatalf("accepted %+v", r.spec)
				}
				if len(r.spec.Checks) > 0 && r.spec.MaxScore() != 100 {
					t.Fatalf("accepted max score %g", r.spec.MaxScore())
				}
			}
			if d := time.Since(start); d > parseDeadline {
				t.Fatalf("Parse took %v on %d bytes", d, len(data))
			}
		case <-time.After(parseDeadline):
			t.Fatalf("Parse did not return within %v on %d bytes", parseDeadline, len(data))
		}
	})
}
