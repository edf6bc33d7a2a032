package lab02

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// httpGet gets url from the host, retrying while the app starts, for at most wait.
func httpGet(ctx context.Context, url string, wait time.Duration) (string, error) {
	client := &http.Client{Timeout: 2 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(wait)
	for {
		body, err := getOnce(ctx, client, url)
		if err == nil || time.Now().After(deadline) {
			return body, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func getOnce(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return string(b), nil
}
