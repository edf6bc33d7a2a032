package labkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout borne l'arrêt propre : les requêtes en cours ont ce délai
// pour finir, puis les connexions sont fermées. Le tout tient sous 1 s.
const ShutdownTimeout = 800 * time.Millisecond

// Serve écoute sur addr (et sur METRICS_ADDR si elle est fixée) jusqu'à
// l'annulation de ctx, puis s'arrête proprement et renvoie nil.
func (a *App) Serve(ctx context.Context, addr string) error {
	if d := a.cfg.StartupDelay; d > 0 {
		a.log.Info("démarrage différé", "delay", d.String())
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			a.log.Info("arrêt propre")
			return nil
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var mln net.Listener
	if a.cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			ln.Close()
			return err
		}
	}
	return a.ServeListeners(ctx, ln, mln)
}

// ServeListeners sert l'application sur ln, et les métriques sur mln si
// mln n'est pas nil, jusqu'à l'annulation de ctx. Il ferme les deux.
func (a *App) ServeListeners(ctx context.Context, ln, mln net.Listener) error {
	servers := []*http.Server{{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	listeners := []net.Listener{ln}
	if mln != nil {
		servers = append(servers, &http.Server{Handler: a.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second})
		listeners = append(listeners, mln)
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	a.log.Info("serveur prêt", "addr", ln.Addr().String(), "version", a.cfg.Version)

	var serveErr error
	select {
	case <-ctx.Done():
		a.log.Info("signal reçu, arrêt en cours")
	case serveErr = <-errc:
	}

	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			s.Close() // délai dépassé : on coupe les connexions restantes
		}
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	a.log.Info("arrêt propre")
	return nil
}

// Healthcheck appelle url (normalement http://127.0.0.1:8080/health) et
// renvoie nil si la réponse est 200. C'est ce que fait « server healthcheck »
// dans un HEALTHCHECK exec-form : pas besoin de shell ni de curl.
func Healthcheck(ctx context.Context, url string, timeout time.Duration) error {
	client := &http.Client{
		Timeout: timeout,
		// Pas de proxy ni de keep-alive : une seule requête locale.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s a répondu %s", url, resp.Status)
	}
	return nil
}
