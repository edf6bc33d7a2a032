package dockerfile

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
)

// mountFlag is a RUN --mount flag as written: BuildKit reads its value as one CSV record.
var mountFlag = regexp.MustCompile(`--mount=(\S+)`)

// ScopeCacheMounts rewrites every `RUN --mount=type=cache` of src so that its cache id is
// scope/<the id as written, or the target>. BuildKit shares a cache mount between every build
// on an engine that names the same id: scoped, one submission's build never reads what
// another's wrote (a poisoned Go build cache), while its own re-grade finds its cache warm.
// An id the student chose is kept under the scope, never outside it. The result is checked by
// parsing it again: any cache mount left outside the scope is an error, and src is then not
// built.
func ScopeCacheMounts(ctx context.Context, src []byte, scope string) ([]byte, error) {
	if scope == "" || !bytes.Contains(src, []byte("--mount")) {
		return src, nil
	}
	// A file with a parse error is scoped all the same (its stages are known): the build
	// reports the error, and a cache mount must not escape meanwhile.
	a := Analyze(ctx, "Dockerfile", src)
	lines := strings.SplitAfter(string(src), "\n")
	for _, st := range a.Stages {
		for _, c := range st.Commands {
			if c.Name != "run" || !hasCache(c.Mounts) {
				continue
			}
			for i := c.Line - 1; i < c.EndLine && i < len(lines); i++ {
				var err error
				lines[i] = mountFlag.ReplaceAllStringFunc(lines[i], func(flag string) string {
					v, e := scoped(strings.TrimPrefix(flag, "--mount="), scope)
					if e != nil {
						err = e
						return flag
					}
					return "--mount=" + v
				})
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", i+1, err)
				}
			}
		}
	}
	out := []byte(strings.Join(lines, ""))
	b := Analyze(ctx, "Dockerfile", out)
	if a.ParseError == nil && b.ParseError != nil {
		return nil, fmt.Errorf("the scoped Dockerfile no longer parses: %s", b.ParseError.Message)
	}
	for _, st := range b.Stages {
		for _, c := range st.Commands {
			for _, m := range c.Mounts {
				if m.Type == "cache" && !strings.HasPrefix(m.ID, scope+"/") {
					return nil, fmt.Errorf("line %d: a cache mount could not be scoped (id %q)", c.Line, m.ID)
				}
			}
		}
	}
	return out, nil
}

func hasCache(ms []Mount) bool {
	for _, m := range ms {
		if m.Type == "cache" {
			return true
		}
	}
	return false
}

// scoped rewrites one --mount value: a cache mount gets id=scope/<id or target>, any other
// mount is left as written.
func scoped(value, scope string) (string, error) {
	r := csv.NewReader(strings.NewReader(value))
	r.LazyQuotes = true
	fields, err := r.Read()
	if err != nil {
		return "", fmt.Errorf("--mount=%s: %w", value, err)
	}
	var kept []string
	id, target, cache := "", "", false
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		switch strings.ToLower(k) {
		case "type":
			cache = strings.EqualFold(v, "cache")
		case "id":
			id = v
			continue
		case "target", "dst", "destination":
			target = v
		}
		kept = append(kept, f)
	}
	if !cache {
		return value, nil
	}
	if id == "" {
		id = target
	}
	kept = append(kept, "id="+scope+"/"+strings.TrimPrefix(id, "/"))
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.Write(kept); err != nil {
		return "", err
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n"), nil
}
