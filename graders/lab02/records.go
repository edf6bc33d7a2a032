package lab02

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ddlab/grade/internal/apiproxy"
	"github.com/ddlab/grade/internal/check"
)

// call is a recorded request, its path split into the API version and the rest.
type call struct {
	apiproxy.Record
	version string     // "1.41"; "" for an unversioned path
	rest    string     // the path without its version: "/containers/create"
	query   url.Values // nil when the query does not parse
}

var versioned = regexp.MustCompile(`^/v([0-9]+(?:\.[0-9]+)?)(/.*)$`)

func parseCall(r apiproxy.Record) call {
	c := call{Record: r}
	p, q, _ := strings.Cut(r.Path, "?")
	if m := versioned.FindStringSubmatch(p); m != nil {
		c.version, p = m[1], m[2]
	}
	c.rest = p
	c.query, _ = url.ParseQuery(q)
	return c
}

func parseCalls(recs []apiproxy.Record) []call {
	out := make([]call, len(recs))
	for i, r := range recs {
		out[i] = parseCall(r)
	}
	return out
}

// fromCLI tells the docker CLI (and the Go SDK's clients) by their User-Agent.
func fromCLI(c call) bool { return strings.HasPrefix(c.UserAgent, "Docker-Client/") }

// isCreate is POST …/containers/create?name=<name>.
func isCreate(c call, name string) bool {
	return c.Method == "POST" && c.rest == "/containers/create" && strings.TrimPrefix(c.query.Get("name"), "/") == name
}

var containerPath = regexp.MustCompile(`^/containers/([^/]+)(/[a-z]+)?$`)

// targets reports whether c is <method> /containers/<ref><action> and ref names the container
// (its name, or its ID or a prefix of it, as the engine accepts).
func targets(c call, method, action, name, id string) bool {
	if c.Method != method {
		return false
	}
	m := containerPath.FindStringSubmatch(c.rest)
	if m == nil || m[2] != action {
		return false
	}
	ref, err := url.PathUnescape(m[1])
	if err != nil {
		return false
	}
	ref = strings.TrimPrefix(ref, "/")
	return ref == name || id != "" && len(ref) >= 4 && strings.HasPrefix(id, ref)
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// summary lists calls for a message, one a line, at most max of them.
func summary(calls []call, max int) check.Text {
	if len(calls) == 0 {
		return check.Lit("(aucune requête)", "(no request)")
	}
	var b strings.Builder
	for i, c := range calls {
		if i == max {
			fmt.Fprintf(&b, "… (+%d)\n", len(calls)-max)
			break
		}
		ua := c.UserAgent
		if ua == "" {
			ua = "-"
		}
		fmt.Fprintf(&b, "%s %s → %d (%s)\n", c.Method, check.Cut(c.Path, 100), c.Status, check.Cut(ua, 40))
	}
	return check.Same(strings.TrimRight(b.String(), "\n"))
}
