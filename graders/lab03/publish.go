package lab03

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/registry"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// published runs publish.sh once against the grader's own registry. skip is the verdict of
// every registry check when this engine cannot reach that registry.
func (s *state) published(ctx context.Context) (skip *check.Outcome, err error) {
	if s.skip != nil || s.publish != nil {
		return s.skip, nil
	}
	r := s.run
	info, err := r.Engine.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.Remote {
		o := check.RemoteSkip(r.Engine.Host(), "il ne peut pas joindre le registre que le correcteur ouvre sur 127.0.0.1 de cette machine.",
			"it cannot reach the registry the grader opens on this machine's 127.0.0.1.")
		s.skip = &o
		return s.skip, nil
	}
	max, err := units.RAMInBytes(r.Spec.Params["registry-max"])
	if err != nil {
		return nil, fmt.Errorf("params.registry-max: %w", err)
	}
	reg, err := registry.Start(max)
	if err != nil {
		return nil, err
	}
	r.Cleanup.Add("registry "+reg.Host(), func(ctx context.Context) error {
		// Names under the registry's host may sit on any image (a script may push a base
		// image): take them all away, then stop the registry.
		var names []string
		for _, t := range append(strings.Fields(r.Spec.Params["tags"]), strings.Fields(r.Spec.Params["semver-tags"])...) {
			names = append(names, reg.Host()+"/"+repo+":"+t)
		}
		// Any other name under the registry's host (another repository a script pushed to).
		if all, err := r.Engine.ListImages(ctx, ""); err == nil {
			for _, img := range all {
				for _, t := range img.Tags {
					if strings.HasPrefix(t, reg.Host()+"/") {
						names = append(names, t)
					}
				}
			}
		}
		var errs []error
		for _, n := range names {
			if err := r.Engine.RemoveImage(ctx, n, true); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, err)
			}
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return errors.Join(append(errs, reg.Close(cctx))...)
	})
	s.reg = reg
	// Whether the engine reaches the registry is the grader's own question, asked before the
	// student's script runs: a pull of a name the registry does not hold must reach it (and
	// fail there). Nothing the script prints can decide it.
	before := reg.Requests()
	_ = r.Engine.PullImage(ctx, reg.Host()+"/ddlab-reachability:probe")
	if reg.Requests() == before {
		// The engine does not share this machine's loopback (Docker Desktop's VM, a rootless
		// engine's own namespace…).
		o := unreachable(reg.Host())
		s.skip = &o
		return s.skip, nil
	}
	if err := s.ensureTagged(ctx); err != nil {
		return nil, err
	}
	res, err := r.Script(ctx, "publish.sh", "IMAGE="+imageRef, "REGISTRY="+reg.Host())
	if err != nil {
		return nil, err
	}
	s.publish = &res
	return nil, nil
}

// unreachable is every registry check's verdict when the engine did not reach the registry
// on host: the machine's doing, not the student's.
func unreachable(host string) check.Outcome {
	o := check.Skipf("Non évalué : le moteur Docker ne joint pas le registre que le correcteur ouvre sur %s (moteur dans une VM ou un autre espace réseau ?).",
		"Not evaluated: the Docker engine cannot reach the registry the grader opens on %s (an engine in a VM or another network namespace?).", host)
	o.Excluded = true
	return o
}

// ensureTagged gives the built image its contract name again, in case a script took it away.
func (s *state) ensureTagged(ctx context.Context) error {
	err := s.run.Engine.TagImage(ctx, s.imageID, imageRef)
	if errors.Is(err, engine.ErrNotFound) {
		return nil // gone: the check that needs it says so
	}
	return err
}

// pushed resolves the given tags in the registry. missing lists the tags it does not hold.
func (s *state) pushed(ctx context.Context, tags []string) (found map[string]registry.Manifest, missing []string, _ error) {
	found = map[string]registry.Manifest{}
	for _, t := range tags {
		m, err := s.reg.Resolve(ctx, repo, t)
		switch {
		case errors.Is(err, registry.ErrNotFound):
			missing = append(missing, t)
		case err != nil:
			return nil, nil, err
		default:
			found[t] = m
		}
	}
	return found, missing, nil
}

// registryTags lists what the registry holds under repo, for messages.
func (s *state) registryTags(ctx context.Context) check.Text {
	tags, err := s.reg.Tags(ctx, repo)
	if err != nil || len(tags) == 0 {
		return check.T("aucun tag sous %s dans le registre", "no tag under %s in the registry", repo)
	}
	sort.Strings(tags)
	return tagList(strings.Join(tags, ", "))
}

// tagList is the repository's tags as a report shows them: "lab3/site : 1.0, latest".
func tagList(tags string) check.Text {
	return check.T("%s : %s", "%s: %s", repo, tags)
}

func (s *state) checkPush(ctx context.Context) (check.Outcome, error) {
	if skip, err := s.published(ctx); skip != nil || err != nil {
		return check.Verdict(skip), err
	}
	o := pushObs{Script: *s.publish, Want: strings.Fields(s.run.Spec.Params["tags"]), ImageID: s.imageID}
	if scriptlab.JudgeScript("publish.sh", o.Script) == nil {
		var err error
		if o.Found, o.Missing, err = s.pushed(ctx, o.Want); err != nil {
			return check.Outcome{}, err
		}
		o.Listing = s.registryTags(ctx)
	}
	return judgePush(o), nil
}

// pushObs is what lab3.push sees: publish.sh's run, then what the registry holds under the
// wanted tags (Found, Missing) and in all (Listing, for messages).
type pushObs struct {
	Script  script.Result
	Want    []string
	Found   map[string]registry.Manifest
	Missing []string
	Listing check.Text
	ImageID string // the image the grader built and gave as $IMAGE
}

// judgePush: publish.sh succeeds, every tag is in the registry, all name one manifest, and
// that manifest's config is the built image (not another image pushed under its tags).
func judgePush(o pushObs) check.Outcome {
	if fail := scriptlab.JudgeScript("publish.sh", o.Script); fail != nil {
		return *fail
	}
	want, found := o.Want, o.Found
	if len(o.Missing) > 0 {
		return check.Failf("Le registre n'a pas %s:%s : publish.sh doit taguer $REGISTRY/%s:<tag> et pousser chaque tag.",
			"The registry lacks %s:%s: publish.sh must tag $REGISTRY/%s:<tag> and push each tag.", repo, o.Missing[0], repo).
			WithT(tagList(strings.Join(want, ", ")), o.Listing)
	}
	first := found[want[0]]
	for _, t := range want[1:] {
		if found[t].Digest != first.Digest {
			return check.Failf("%s:%s et %s:%s désignent des manifestes différents : ce ne sont pas deux noms de la même image.",
				"%s:%s and %s:%s name different manifests: they are not two names of one image.", repo, want[0], repo, t).
				WithT(check.Lit("un seul digest", "a single digest"), check.Same(fmt.Sprintf("%s → %s\n%s → %s", want[0], first.Digest, t, found[t].Digest)))
		}
	}
	if first.ConfigDigest != o.ImageID && first.Digest != o.ImageID {
		got := check.Same("config.digest = " + first.ConfigDigest)
		if first.ConfigDigest == "" {
			got = check.T("config.digest = %s (sans config)", "config.digest = %s (no config)", first.MediaType)
		}
		return check.Failf("L'image poussée n'est pas celle que le correcteur a construite ($IMAGE) : sa config a un autre digest.",
			"The pushed image is not the one the grader built ($IMAGE): its config has another digest.").
			WithT(check.Same("config.digest = "+o.ImageID), got)
	}
	return check.Passf("%s → %s, config = ID de l'image construite (%s).", "%s → %s, config = ID of the built image (%s).",
		strings.Join(want, ", "), first.Digest, check.ShortID(o.ImageID))
}

func (s *state) checkSemver(ctx context.Context) (check.Outcome, error) {
	if skip, err := s.published(ctx); skip != nil || err != nil {
		return check.Verdict(skip), err
	}
	ref := strings.Fields(s.run.Spec.Params["tags"])[0]
	want := strings.Fields(s.run.Spec.Params["semver-tags"])
	found, missing, err := s.pushed(ctx, append([]string{ref}, want...))
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeSemver(semverObs{Ref: ref, Want: want, Found: found, Missing: missing, Listing: s.registryTags(ctx)}), nil
}

// semverObs is what lab3.semver sees: the registry's manifests for the first tag (Ref) and
// the semantic-version tags (Want).
type semverObs struct {
	Ref     string
	Want    []string
	Found   map[string]registry.Manifest
	Missing []string
	Listing check.Text
}

// judgeSemver: every semantic-version tag is in the registry and names Ref's digest.
func judgeSemver(o semverObs) check.Outcome {
	ref, want, found := o.Ref, o.Want, o.Found
	if len(o.Missing) > 0 {
		return check.Failf("Le registre n'a pas %s:%s.", "The registry lacks %s:%s.", repo, o.Missing[0]).
			WithT(check.T("%s : %s (même digest que %s)", "%s: %s (same digest as %s)", repo, strings.Join(want, ", "), ref), o.Listing)
	}
	for _, t := range want {
		if found[t].Digest != found[ref].Digest {
			return check.Failf("%s:%s ne désigne pas le même digest que %s:%s.", "%s:%s does not name the same digest as %s:%s.", repo, t, repo, ref).
				With(found[ref].Digest, found[t].Digest)
		}
	}
	return check.Passf("%s et %s désignent %s, comme %s.", "%s and %s name %s, like %s.", repo+":"+want[0], strings.Join(want[1:], ", "), found[ref].Digest, ref)
}
