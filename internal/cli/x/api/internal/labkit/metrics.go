package labkit

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// durationBuckets sont les bornes (en secondes) de l'histogramme des durées.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics compte les requêtes (http_requests_total) et leurs durées
// (http_request_duration_seconds), sans bibliothèque externe.
type Metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[routeKey]*histogram
}

type routeKey struct{ method, path string }

type requestKey struct {
	routeKey
	code int
}

type histogram struct {
	counts []uint64 // une case par borne de durationBuckets
	sum    float64
	count  uint64
}

// NewMetrics renvoie des compteurs vides.
func NewMetrics() *Metrics {
	return &Metrics{requests: map[requestKey]uint64{}, durations: map[routeKey]*histogram{}}
}

// Observe enregistre une requête terminée.
func (m *Metrics) Observe(method, path string, code int, d time.Duration) {
	rk := routeKey{methodLabel(method), routeLabel(path)}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{rk, code}]++
	h := m.durations[rk]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets))}
		m.durations[rk] = h
	}
	s := d.Seconds()
	for i, le := range durationBuckets {
		if s <= le {
			h.counts[i]++
		}
	}
	h.sum += s
	h.count++
}

// WriteText écrit les métriques au format texte de Prometheus, triées.
func (m *Metrics) WriteText(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder

	reqs := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		reqs = append(reqs, k)
	}
	sort.Slice(reqs, func(i, j int) bool {
		if reqs[i].routeKey != reqs[j].routeKey {
			return reqs[i].routeKey.less(reqs[j].routeKey)
		}
		return reqs[i].code < reqs[j].code
	})
	b.WriteString("# HELP http_requests_total Nombre de requêtes HTTP traitées.\n")
	b.WriteString("# TYPE http_requests_total counter\n")
	for _, k := range reqs {
		fmt.Fprintf(&b, "http_requests_total{method=%q,path=%q,code=\"%d\"} %d\n", k.method, k.path, k.code, m.requests[k])
	}

	routes := make([]routeKey, 0, len(m.durations))
	for k := range m.durations {
		routes = append(routes, k)
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].less(routes[j]) })
	b.WriteString("# HELP http_request_duration_seconds Durée des requêtes HTTP.\n")
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	for _, k := range routes {
		h := m.durations[k]
		labels := fmt.Sprintf("method=%q,path=%q", k.method, k.path)
		for i, le := range durationBuckets {
			fmt.Fprintf(&b, "http_request_duration_seconds_bucket{%s,le=%q} %d\n", labels, strconv.FormatFloat(le, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(&b, "http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.count)
		fmt.Fprintf(&b, "http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "http_request_duration_seconds_count{%s} %d\n", labels, h.count)
	}
	_, _ = io.WriteString(w, b.String())
}

func (k routeKey) less(o routeKey) bool {
	if k.path != o.path {
		return k.path < o.path
	}
	return k.method < o.method
}

// routeLabel ramène un chemin à sa route, pour borner le nombre de séries.
func routeLabel(path string) string {
	switch path {
	case "/", "/health", "/version", "/whoami", "/crash", "/alloc", "/write", "/file", "/metrics":
		return path
	}
	if strings.HasPrefix(path, "/env/") {
		return "/env/{name}"
	}
	return "autre"
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodDelete, http.MethodPatch, http.MethodOptions:
		return m
	}
	return "AUTRE"
}
