package dockerfile

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopeCacheMounts(t *testing.T) {
	const scope = "s-1a2b"
	tests := []struct {
		name, src, want, wantErr string
	}{
		{"the default id is the target", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/root/.cache/go-build go build\n",
			"FROM ddlab/go:1\nRUN --mount=type=cache,target=/root/.cache/go-build,id=s-1a2b/root/.cache/go-build go build\n", ""},
		{"a chosen id stays under the scope", "FROM x\nRUN --mount=type=cache,id=victim,target=/c true\n",
			"FROM x\nRUN --mount=type=cache,target=/c,id=s-1a2b/victim true\n", ""},
		{"an id that climbs out stays under the scope", "FROM x\nRUN --mount=type=cache,id=/../other,target=/c true\n",
			"FROM x\nRUN --mount=type=cache,target=/c,id=s-1a2b/../other true\n", ""},
		{"two mounts, one not a cache, on a continued line", "FROM x\nRUN --mount=type=bind,target=/src \\\n    --mount=type=cache,target=/c,sharing=locked make\n",
			"FROM x\nRUN --mount=type=bind,target=/src \\\n    --mount=type=cache,target=/c,sharing=locked,id=s-1a2b/c make\n", ""},
		{"no cache mount: unchanged", "FROM x\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n", "FROM x\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n", ""},
		{"a comment is not a flag", "FROM x\n# RUN --mount=type=cache,id=victim,target=/c\nRUN true\n", "FROM x\n# RUN --mount=type=cache,id=victim,target=/c\nRUN true\n", ""},
		{"a type in capitals", "FROM x\nRUN --mount=TYPE=Cache,target=/c true\n", "FROM x\nRUN --mount=TYPE=Cache,target=/c,id=s-1a2b/c true\n", ""},
		{"a file that does not parse is scoped all the same", "FROM 0\nRUN --mount=tYpe=CAChe", "FROM 0\nRUN --mount=tYpe=CAChe,id=s-1a2b/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ScopeCacheMounts(context.Background(), []byte(tt.src), scope)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
	got, err := ScopeCacheMounts(context.Background(), []byte("FROM x\nRUN --mount=type=cache,target=/c true\n"), "")
	require.NoError(t, err)
	assert.Equal(t, "FROM x\nRUN --mount=type=cache,target=/c true\n", string(got), "no scope, no change")
}

// FuzzScopeCacheMounts: whatever the student writes, the result either is refused or holds
// no cache mount outside the scope.
func FuzzScopeCacheMounts(f *testing.F) {
	f.Add([]byte("FROM x\nRUN --mount=type=cache,target=/c,id=a true\n"))
	f.Add([]byte("FROM x\nRUN --mount=\"type=cache,id=a,target=/c\" true\n"))
	f.Add([]byte("FROM x\nRUN --mount=type=cache,target=/c --mount=type=cache,id=b,target=/d true\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := ScopeCacheMounts(context.Background(), src, "scope")
		if err != nil || out == nil {
			return
		}
		a := Analyze(context.Background(), "Dockerfile", out)
		for _, st := range a.Stages {
			for _, c := range st.Commands {
				for _, m := range c.Mounts {
					if m.Type == "cache" && !strings.HasPrefix(m.ID, "scope/") {
						t.Fatalf("cache mount %q outside the scope in %q", m.ID, out)
					}
				}
			}
		}
	})
}
