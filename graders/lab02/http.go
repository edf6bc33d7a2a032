package lab02

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/ddlab/grade/internal/scriptlab"
)

// httpGet gets url from the host, retrying while the app starts, for at most wait, until it
// answers 200; any other answer, or none, is the error.
func httpGet(ctx context.Context, url string, wait time.Duration) (string, error) {
	rep := scriptlab.NewClient(2*time.Second).GetReady(ctx, url, wait, nil,
		func(r scriptlab.Reply) bool { return r.Err == nil && r.Status == http.StatusOK })
	switch {
	case rep.Err != nil && ctx.Err() != nil:
		return "", ctx.Err()
	case rep.Err != nil:
		return "", rep.Err
	case rep.Status != http.StatusOK:
		return rep.Body, fmt.Errorf("HTTP %d", rep.Status)
	}
	return rep.Body, nil
}
