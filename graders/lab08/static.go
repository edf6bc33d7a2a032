package lab08

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/composelab"
)

// checkValid: compose-go loads compose.yaml and .env, the project is named lab8 and its
// services are exactly web, api and db.
func (s *state) checkValid(ctx context.Context) (check.Outcome, error) {
	if o := s.run.RefusedOutcome(); o != nil {
		return *o, nil
	}
	if err := s.sess.Load(ctx); err != nil {
		return check.Outcome{}, err
	}
	l := s.sess.Loaded
	if l == nil {
		return composelab.LoadFailure(s.sess.Problems), nil
	}
	if l.Declared == "" {
		return check.Failf("Aucune clé `name:` au niveau racine : le projet doit s'appeler lab8.", "No top-level `name:`: the project must be named lab8.").
			With("name: lab8", "absent"), nil
	}
	if l.Declared != "lab8" {
		return check.Failf("Le projet doit s'appeler lab8 (clé `name:` au niveau racine), il s'appelle %q.",
			"The project must be named lab8 (top-level `name:`), it is %q.", l.Declared).With("name: lab8", l.Declared), nil
	}
	got := l.Project.ServiceNames()
	sort.Strings(got)
	if strings.Join(got, ",") != "api,db,web" {
		return check.Failf("Les services doivent être exactement web, api et db ; le projet a : %s.",
			"The services must be exactly web, api and db; the project has: %s.", strings.Join(got, ", ")).
			With("api, db, web", strings.Join(got, ", ")), nil
	}
	return check.Passf("Le projet lab8 se charge (%s) avec web, api et db.", "Project lab8 loads (%s) with web, api and db.",
		strings.Join(l.Files, " + ")), nil
}

// checkOfflineImages: every service has a build: or a local ddlab/* image, and no reference
// to another registry; the engine has each image (nothing is pulled).
func (s *state) checkOfflineImages(ctx context.Context) (check.Outcome, error) {
	p := s.sess.Project()
	var bad []string
	for _, n := range p.ServiceNames() {
		svc := p.Services[n]
		if svc.Build != nil {
			continue
		}
		if !strings.HasPrefix(svc.Image, "ddlab/") {
			bad = append(bad, fmt.Sprintf("%s: %q", n, svc.Image))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return check.Failf("Images hors ddlab/* (elles devraient être téléchargées, impossible hors ligne) : %s.",
			"Images outside ddlab/* (they would have to be pulled, impossible offline): %s.", strings.Join(bad, ", ")).
			With("ddlab/* ou build:", strings.Join(bad, ", ")), nil
	}
	missing, err := compose.MissingImages(ctx, s.run.Engine, p)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(missing) > 0 {
		var list []string
		for n, img := range missing {
			list = append(list, n+": "+img)
		}
		sort.Strings(list)
		return check.Failf("Images absentes de la machine (rien n'est téléchargé ; `grade images` construit les ddlab/*) : %s.",
			"Images missing from this machine (nothing is pulled; `grade images` builds the ddlab/* ones): %s.", strings.Join(list, ", ")).
			With("images présentes localement", strings.Join(list, ", ")), nil
	}
	return check.Passf("Toutes les images sont locales (ddlab/*) ou construites (build:).",
		"Every image is local (ddlab/*) or built (build:)."), nil
}
