package labkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

// DefaultUpstreamTimeout borne un appel amont quand UPSTREAM_TIMEOUT n'est pas fixée.
const DefaultUpstreamTimeout = 30 * time.Second

// Route envoie les chemins qui commencent par Prefix vers Upstream, préfixe retiré.
type Route struct {
	Prefix   string   // « /api » : /api et /api/… , jamais /apix
	Upstream *url.URL // « http://api:8080 »
}

// ParseRoutes lit ROUTES : « /api=http://api:8080,/api/catalog=http://catalog:8080 ».
// Les routes sont rendues du préfixe le plus long au plus court : la première
// qui correspond est la bonne.
func ParseRoutes(s string) ([]Route, error) {
	var routes []Route
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		prefix, target, ok := strings.Cut(item, "=")
		prefix, target = strings.TrimSpace(prefix), strings.TrimSpace(target)
		if !ok || prefix == "" || target == "" {
			return nil, fmt.Errorf("route %q : attendu PRÉFIXE=URL", item)
		}
		if !strings.HasPrefix(prefix, "/") {
			return nil, fmt.Errorf("route %q : le préfixe doit commencer par /", item)
		}
		if prefix != "/" {
			prefix = strings.TrimRight(prefix, "/")
		}
		u, err := url.Parse(target)
		if err != nil || u.Scheme != "http" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("route %q : %q n'est pas une URL http://hôte[:port][/chemin]", item, target)
		}
		if seen[prefix] {
			return nil, fmt.Errorf("route %q : préfixe %s déjà routé", item, prefix)
		}
		seen[prefix] = true
		routes = append(routes, Route{Prefix: prefix, Upstream: u})
	}
	sort.SliceStable(routes, func(i, j int) bool { return len(routes[i].Prefix) > len(routes[j].Prefix) })
	return routes, nil
}

// Match renvoie la route de path et le reste du chemin à transmettre (préfixe retiré).
func Match(routes []Route, path string) (Route, string, bool) {
	for _, r := range routes {
		switch {
		case r.Prefix == "/":
			return r, path, true
		case path == r.Prefix:
			return r, "/", true
		case strings.HasPrefix(path, r.Prefix+"/"):
			return r, path[len(r.Prefix):], true
		}
	}
	return Route{}, "", false
}

// hopHeaders ne concernent qu'une connexion : ils ne traversent jamais la passerelle.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true,
}

// gatewayHandler est le mode passerelle (ROUTES non vide) : les chemins routés
// partent vers l'amont, les autres (/, /health, /version…) restent servis ici.
type gatewayHandler struct {
	routes    []Route
	propagate []string // PROPAGATE_HEADERS : en-têtes de la requête recopiés vers l'amont
	client    *http.Client
	timeout   time.Duration
	local     http.Handler
}

// gateway enveloppe next si ROUTES est fixée. Une ROUTES invalide est
// journalisée et ignorée : l'application sert alors tout localement.
func (a *App) gateway(next http.Handler) http.Handler {
	raw := strings.TrimSpace(a.cfg.Getenv("ROUTES"))
	if raw == "" {
		return next
	}
	routes, err := ParseRoutes(raw)
	if err != nil {
		a.log.Error("ROUTES ignorée", "err", err)
		return next
	}
	if len(routes) == 0 {
		return next
	}
	timeout := DefaultUpstreamTimeout
	if v := strings.TrimSpace(a.cfg.Getenv("UPSTREAM_TIMEOUT")); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			timeout = d
		} else {
			a.log.Error("UPSTREAM_TIMEOUT ignorée", "value", v)
		}
	}
	var propagate []string
	for _, h := range strings.Split(a.cfg.Getenv("PROPAGATE_HEADERS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			propagate = append(propagate, h)
		}
	}
	for _, r := range routes {
		a.log.Info("route", "prefix", r.Prefix, "upstream", r.Upstream.String())
	}
	return &gatewayHandler{routes: routes, propagate: propagate, timeout: timeout, local: next, client: upstreamClient()}
}

// upstreamClient n'a ni keep-alive ni proxy : chaque requête ouvre une
// connexion et résout donc le nom à nouveau, ce qui répartit la charge
// entre les répliques qu'un DNS de Docker renvoie.
func upstreamClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true, DialContext: (&net.Dialer{}).DialContext},
		// Une redirection est une réponse de l'amont : le client la reçoit telle quelle.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (g *gatewayHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, rest, ok := Match(g.routes, r.URL.Path)
	if !ok {
		g.local.ServeHTTP(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
	defer cancel()
	target := *route.Upstream
	target.Path = strings.TrimRight(target.Path, "/") + rest
	target.RawPath = ""
	target.RawQuery = r.URL.RawQuery
	body := r.Body
	if r.ContentLength == 0 {
		body = nil
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target.String(), body)
	if err != nil {
		writeText(w, http.StatusBadGateway, "passerelle : requête amont impossible : "+err.Error())
		return
	}
	req.ContentLength = r.ContentLength
	if ct := r.Header.Get("Content-Type"); ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for _, h := range g.propagate {
		if vs := r.Header.Values(h); len(vs) > 0 && !hopHeaders[http.CanonicalHeaderKey(h)] {
			req.Header[http.CanonicalHeaderKey(h)] = vs
		}
	}
	resp, err := g.client.Do(req)
	if err != nil {
		status, why := http.StatusBadGateway, "amont injoignable"
		if timedOut(ctx, err) {
			status, why = http.StatusGatewayTimeout, fmt.Sprintf("amont sans réponse en %s", g.timeout)
		}
		writeText(w, status, fmt.Sprintf("passerelle : %s (%s) : %v", why, route.Upstream.Host, err))
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		if !hopHeaders[k] {
			// Set, pas Add : X-Served-By dit qui a vraiment répondu.
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// timedOut dit si l'appel amont a échoué faute de réponse à temps.
func timedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}
