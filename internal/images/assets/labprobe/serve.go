package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// serveCmd is the canary: it answers 200 "canary" on every path and logs one JSON line per
// request, so a grader can prove that traffic did (or did not) reach it.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":9000", "listen address")
	if _, err := flags(fs, args, 0); err != nil {
		return usageFail(stdout, stderr, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		code, msg := describe(err)
		printJSON(stdout, map[string]any{"ok": false, "addr": *addr, "error": msg, "code": code})
		return exitFail
	}
	return serveCanary(ctx, ln, stdout)
}

// RequestLog is the line logged for each request the canary receives.
type RequestLog struct {
	Event  string `json:"event"` // "request"
	Method string `json:"method"`
	Host   string `json:"host"`
	Path   string `json:"path"`
	Remote string `json:"remote"`
	Time   string `json:"time"`
}

func serveCanary(ctx context.Context, ln net.Listener, stdout io.Writer) int {
	var mu sync.Mutex
	log := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		printJSON(stdout, v)
	}
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log(RequestLog{Event: "request", Method: r.Method, Host: r.Host, Path: r.URL.RequestURI(),
				Remote: r.RemoteAddr, Time: time.Now().UTC().Format(time.RFC3339Nano)})
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "canary")
		}),
	}
	log(map[string]any{"ok": true, "event": "listening", "addr": ln.Addr().String()})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		log(map[string]any{"ok": true, "event": "stopped"})
		return exitOK
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return exitOK
		}
		log(map[string]any{"ok": false, "event": "stopped", "error": err.Error(), "code": classify(err)})
		return exitFail
	}
}
