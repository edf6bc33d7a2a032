package lab08

import (
	"context"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
)

// checkOfflineImages: every service has a build: or a local ddlab/* image, and no reference
// to another registry; the engine has each image (nothing is pulled).
func (s *state) checkOfflineImages(ctx context.Context) (check.Outcome, error) {
	p := s.Sess.Project()
	o := offlineObs{Pulled: map[string]string{}}
	for _, n := range p.ServiceNames() {
		if svc := p.Services[n]; svc.Build == nil {
			o.Pulled[n] = svc.Image
		}
	}
	// An image outside ddlab/* decides without the engine, which might refuse its reference.
	if out := judgeOffline(o); out.Status == check.Fail {
		return out, nil
	}
	missing, err := compose.MissingImages(ctx, s.Run.Engine, p)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Missing = missing
	return judgeOffline(o), nil
}
