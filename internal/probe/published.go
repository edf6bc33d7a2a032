package probe

import (
	"net"
	"net/http"
	"time"
)

// PublishedClient is the HTTP client the grader reaches a port published on 127.0.0.1 with,
// when the engine is local: never through a proxy from the grader's environment, never
// reusing a connection (the container behind it may have just been restarted), a short dial
// timeout, and redirects shown as they are rather than followed.
func PublishedClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:             nil,
			DisableKeepAlives: true,
			DialContext:       (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
