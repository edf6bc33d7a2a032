package lab05

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

// build runs one build of the snapshot and registers the image for removal.
func (s *state) build(ctx context.Context, purpose, target string) (engine.BuildResult, error) {
	r := s.run
	args := map[string]string{}
	for _, kv := range strings.Fields(r.Spec.Params["build-args"]) {
		k, v, _ := strings.Cut(kv, "=")
		args[k] = v
	}
	r.Progress(check.T("construction (%s)…", "build (%s)…", purpose))
	return s.kit.Build(ctx, engine.BuildRequest{Tag: fmt.Sprintf("ddlab-grade/%s:%s", r.ID[:12], purpose), Target: target, BuildArgs: args})
}

// buildOnce builds; a build the check's deadline cut is an observation for the judge, any
// other error the grader's own trouble.
func (s *state) buildOnce(ctx context.Context, purpose, target string) (built, error) {
	res, err := s.build(ctx, purpose, target)
	if err == nil {
		return built{Res: res}, nil
	}
	if buildlab.TimedOut(ctx, err) {
		return built{Res: res, TimedOut: true}, nil
	}
	return built{Res: res}, err
}

func (s *state) checkBuild(ctx context.Context) (check.Outcome, error) {
	if err := s.kit.WithoutSyntax(); err != nil {
		return check.Outcome{}, err
	}
	b, err := s.buildOnce(ctx, "main", "")
	sum := buildlab.Summary(b.Res)
	s.run.Build = sum
	if err != nil {
		return check.Outcome{}, err
	}
	o := buildObs{Build: b, Port: s.run.Spec.Params["port"]}
	if _, ok := b.noImage(check.Text{}); !ok {
		out := judgeBuild(o)
		sum.LogTail = out.Actual.EN
		return out, nil
	}
	img, err := s.run.Engine.InspectImage(ctx, b.Res.ImageID)
	if err != nil {
		return check.Outcome{}, err
	}
	s.image, s.imageRef = img, b.Res.ImageID
	o.Exposed = img.ExposedPorts
	return judgeBuild(o), nil
}

func (s *state) imageFiles(ctx context.Context) ([]engine.File, error) {
	if s.files == nil {
		f, err := s.run.Engine.ImageFiles(ctx, s.imageRef)
		if err != nil {
			return nil, err
		}
		s.files = f
	}
	return s.files, nil
}

func (s *state) checkMultistage(ctx context.Context) (check.Outcome, error) {
	o := multistageObs{DF: s.df, Finals: strings.Fields(s.run.Spec.Params["final-bases"])}
	if out, done := judgeMultistage(o); done {
		return out, nil
	}
	files, err := s.imageFiles(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Files, o.Listed = files, true
	out, _ := judgeMultistage(o)
	return out, nil
}

func (s *state) checkSize(context.Context) (check.Outcome, error) {
	ps := grader.ReadValues(s.run.Spec)
	limit := ps.Size("max-size")
	if ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	return judgeSize(s.image.Size, limit), nil
}

// runStep matches BuildKit vertices of RUN instructions ("[build 3/5] RUN …") and classic
// steps ("Step 3/9 : RUN …").
var runStep = regexp.MustCompile(`^(\[[^\]]*\d+/\d+\]|Step \d+/\d+ :) RUN `)

// touch appends a line to every named file of the snapshot, so the next build sees new
// content (mtime alone does not bust either builder's cache).
func (s *state) touch(rel []string, line string) ([]string, error) {
	var done []string
	for _, p := range rel {
		path := filepath.Join(s.run.Dir, filepath.FromSlash(p))
		// Excluded files are absent from the snapshot: write them anyway, as a student's
		// edit would, and let .dockerignore decide.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return done, err
		}
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return done, err
		}
		_, err = fmt.Fprintf(f, "\n%s\n", line)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return done, err
		}
		done = append(done, p)
	}
	return done, nil
}

func (s *state) checkCacheDeps(ctx context.Context) (check.Outcome, error) {
	if _, err := s.touch([]string{"cmd/server/main.go"}, "// grade "+s.run.ID+" cache-deps"); err != nil {
		return judgeCacheDeps(cacheObs{Layout: err}), nil
	}
	b, err := s.buildOnce(ctx, "cache-deps", "")
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeCacheDeps(cacheObs{Build: b, First: s.imageRef}), nil
}

func (s *state) checkCacheDocs(ctx context.Context) (check.Outcome, error) {
	docs := []string{"README.md"}
	if entries, err := os.ReadDir(filepath.Join(s.run.Dir, "docs")); err == nil {
		for _, e := range entries {
			if e.Type().IsRegular() {
				docs = append(docs, "docs/"+e.Name())
			}
		}
	} else {
		docs = append(docs, "docs/grade.md")
	}
	if _, err := s.touch(docs, "<!-- grade "+s.run.ID+" cache-docs -->"); err != nil {
		return judgeCacheDocs(cacheObs{Layout: err}), nil
	}
	b, err := s.buildOnce(ctx, "cache-docs", "")
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeCacheDocs(cacheObs{Build: b, First: s.imageRef}), nil
}

func (s *state) checkTestStage(ctx context.Context) (check.Outcome, error) {
	o := testStageObs{HasStage: s.df.StageByName("test") != nil}
	if out, done := judgeTestStage(o); done {
		return out, nil
	}
	plain, err := s.buildOnce(ctx, "test", "test")
	if err != nil {
		return check.Outcome{}, err
	}
	o.Plain = &plain
	if out, done := judgeTestStage(o); done {
		return out, nil
	}
	inject := filepath.Join(s.run.Dir, "cmd", "server", "zz_grade_injected_test.go")
	src := "package main\n\nimport \"testing\"\n\n// Written by grade: the test stage must fail on it.\nfunc TestGradeInjected(t *testing.T) { t.Fatal(\"failure injected by grade " + s.run.ID + "\") }\n"
	if err := os.WriteFile(inject, []byte(src), 0o644); err != nil {
		o.Layout = err
		out, _ := judgeTestStage(o)
		return out, nil
	}
	defer os.Remove(inject)
	injected, err := s.buildOnce(ctx, "test-injected", "test")
	if err != nil {
		return check.Outcome{}, err
	}
	o.Injected = &injected
	out, _ := judgeTestStage(o)
	return out, nil
}

func (s *state) checkTiny(ctx context.Context) (check.Outcome, error) {
	ps := grader.ReadValues(s.run.Spec)
	limit := ps.Size("tiny-size")
	if ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	o := tinyObs{Size: s.image.Size, Limit: limit}
	if out, done := judgeTiny(o); done {
		return out, nil
	}
	files, err := s.imageFiles(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Files, o.Listed = files, true
	out, _ := judgeTiny(o)
	return out, nil
}
