package compose

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/engine"
)

// Built is one build: services and their images.
type Built struct {
	Service string
	Config  types.BuildConfig // as the student wrote it (the service's build: is cleared)
	Tag     string
	Result  engine.BuildResult
}

// BuildOptions tune Build.
type BuildOptions struct {
	Labels     map[string]string
	CacheScope string               // see engine.BuildRequest.CacheScope
	Progress   func(service string) // told each service before its build; the caller words it
	Detail     func(string)         // build log lines
	// Done is called with each image built, before the next build starts, so the caller can
	// register it for removal even if a later build is interrupted.
	Done func(tag string)
}

// Build builds every `build:` service through the grader's own build path (BuildKit with its
// cache trace, the context filtered by its .dockerignore) in the order of the services' names,
// tags the image `<project>-<service>` as Compose would, and hands it to Compose: the service
// then has that image, no build and `pull_policy: never`. It stops at the first build that
// fails; the failed Built is last in the list. The error is the grader's.
func Build(ctx context.Context, e engine.Engine, p *types.Project, o BuildOptions) ([]Built, error) {
	var out []Built
	names := make([]string, 0, len(p.Services))
	for n, s := range p.Services {
		if s.Build != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		s := p.Services[n]
		b := s.Build
		dockerfile := b.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		req := engine.BuildRequest{
			ContextDir: b.Context,
			Dockerfile: dockerfile,
			Tag:        p.Name + "-" + n,
			Target:     b.Target,
			BuildArgs:  map[string]string{},
			Labels:     o.Labels,
			CacheScope: o.CacheScope,
			Progress:   o.Detail,
		}
		if filepath.IsAbs(dockerfile) {
			req.DockerfileDir, req.Dockerfile = filepath.Split(dockerfile)
		}
		for k, v := range b.Args {
			if v != nil {
				req.BuildArgs[k] = *v
			}
		}
		ex, err := buildctx.Excludes(b.Context, req.Dockerfile)
		if err != nil {
			// The student's .dockerignore (a link, a folder, huge): their build fails.
			out = append(out, Built{Service: n, Config: *b, Tag: req.Tag, Result: engine.BuildResult{
				Failed: true, Error: fmt.Sprintf("the .dockerignore of context %s is refused: %v", n, err)}})
			return out, nil
		}
		req.Exclude = ex
		if o.Progress != nil {
			o.Progress(n)
		}
		res, err := e.Build(ctx, req)
		if res.ImageID != "" && o.Done != nil {
			o.Done(req.Tag)
		}
		out = append(out, Built{Service: n, Config: *b, Tag: req.Tag, Result: res})
		if err != nil {
			return out, err
		}
		if res.Failed {
			return out, nil
		}
		s.Image, s.Build, s.PullPolicy = req.Tag, nil, types.PullPolicyNever
		p.Services[n] = s
	}
	return out, nil
}

// MissingImages lists the images of services without build: that the engine does not have.
// Nothing is pulled: each is a clear failure for the student.
func MissingImages(ctx context.Context, e engine.Engine, p *types.Project) (map[string]string, error) {
	out := map[string]string{}
	for n, s := range p.Services {
		if s.Build != nil || s.Image == "" {
			continue
		}
		if _, err := e.InspectImage(ctx, s.Image); err != nil {
			if errors.Is(err, engine.ErrNotFound) {
				out[n] = s.Image
				continue
			}
			return nil, err
		}
	}
	return out, nil
}
