package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"
	"github.com/google/uuid"
	controlapi "github.com/moby/buildkit/api/services/control"
	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	"github.com/moby/go-archive"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
)

// maxBuildLog caps the build log kept in memory; a build that prints more keeps its tail.
const maxBuildLog = 1 << 20

// Build builds req.ContextDir with BuildKit through a session, or with the classic builder
// where BuildKit is unavailable or asked for.
func (e *Engine) Build(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	start := time.Now()
	var res engine.BuildResult
	var err error
	if req.Builder == engine.Classic {
		res, err = e.buildClassic(ctx, req)
	} else {
		res, err = e.buildKit(ctx, req)
		if err != nil && req.Builder == "" && buildKitUnsupported(err) {
			res, err = e.buildClassic(ctx, req)
		}
	}
	res.Duration = time.Since(start)
	return res, err
}

func buildKitUnsupported(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "buildkit not supported") || strings.Contains(s, "session not supported") ||
		strings.Contains(s, "unknown builder version")
}

func buildArgs(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

func (e *Engine) buildKit(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	res := engine.BuildResult{Builder: engine.BuildKit}
	sess, err := session.NewSession(ctx, "grade-"+uuid.NewString())
	if err != nil {
		return res, fmt.Errorf("buildkit session: %w", err)
	}
	base, err := fsutil.NewFS(req.ContextDir)
	if err != nil {
		return res, fmt.Errorf("build context: %w", err)
	}
	// Files are sent as root-owned, as the docker CLI does.
	ctxFS, err := fsutil.NewFilterFS(base, &fsutil.FilterOpt{ExcludePatterns: req.Exclude, Map: func(_ string, st *fstypes.Stat) fsutil.MapResult {
		st.Uid, st.Gid = 0, 0
		return fsutil.MapResultKeep
	}})
	if err != nil {
		return res, fmt.Errorf("build context: %w", err)
	}
	dfName := req.Dockerfile
	if dfName == "" {
		dfName = "Dockerfile"
	}
	dfBase := base
	dfDir := req.ContextDir
	if req.DockerfileDir != "" {
		dfDir = req.DockerfileDir
		if dfBase, err = fsutil.NewFS(req.DockerfileDir); err != nil {
			return res, fmt.Errorf("dockerfile: %w", err)
		}
	}
	if req.CacheScope != "" {
		scoped, why, err := scopeDockerfile(ctx, dfDir, dfName, req.CacheScope)
		if err != nil {
			return res, err
		}
		if why != "" {
			res.Failed, res.Error, res.Log = true, why, why+"\n"
			return res, nil
		}
		if scoped != "" {
			defer os.RemoveAll(scoped)
			if dfBase, err = fsutil.NewFS(scoped); err != nil {
				return res, fmt.Errorf("dockerfile: %w", err)
			}
		}
	}
	dfFS, err := fsutil.NewFilterFS(dfBase, &fsutil.FilterOpt{IncludePatterns: []string{filepath.ToSlash(dfName), ".dockerignore"}})
	if err != nil {
		return res, fmt.Errorf("build context: %w", err)
	}
	sess.Allow(filesync.NewFSSyncProvider(filesync.StaticDirSource{"context": ctxFS, "dockerfile": dfFS}))
	sessCtx, stopSession := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSession()
	go func() {
		_ = sess.Run(sessCtx, func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return e.cli.DialHijack(ctx, "/session", proto, meta)
		})
	}()
	defer sess.Close()

	buildID := uuid.NewString()
	resp, err := e.cli.ImageBuild(ctx, nil, build.ImageBuildOptions{
		Version:       build.BuilderBuildKit,
		SessionID:     sess.ID(),
		RemoteContext: "client-session",
		BuildID:       buildID,
		Dockerfile:    dfName,
		Tags:          tags(req.Tag),
		Target:        req.Target,
		BuildArgs:     buildArgs(req.BuildArgs),
		Labels:        req.Labels,
		NoCache:       req.NoCache,
		// RUN steps of a submission get no network: the labs build offline, and a hostile
		// step must not reach the LAN, a metadata service or an exposed daemon.
		NetworkMode: "none",
	})
	if err != nil {
		return res, wrap(err)
	}
	defer resp.Body.Close()
	// A build the caller gave up on must not go on in the daemon.
	stop := context.AfterFunc(ctx, func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = e.cli.BuildCancel(cctx, buildID)
		resp.Body.Close()
	})
	defer stop()

	tr := newTrace(req.Progress)
	err = decodeStream(resp.Body, func(jm *jsonmessage.JSONMessage) error {
		switch {
		case jm.Error != nil:
			res.Failed = true
			res.Error = jm.Error.Message
			tr.line("ERROR: " + jm.Error.Message)
		case jm.ID == "moby.buildkit.trace" && jm.Aux != nil:
			var dt []byte
			if err := json.Unmarshal(*jm.Aux, &dt); err != nil {
				return fmt.Errorf("build trace: %w", err)
			}
			var sr controlapi.StatusResponse
			if err := sr.UnmarshalVT(dt); err != nil {
				return fmt.Errorf("build trace: %w", err)
			}
			tr.add(bkclient.NewSolveStatus(&sr))
		case jm.ID == "moby.image.id" && jm.Aux != nil:
			var aux struct{ ID string }
			if json.Unmarshal(*jm.Aux, &aux) == nil {
				res.ImageID = aux.ID
			}
		}
		return nil
	})
	res.Steps, res.Log = tr.steps(), tr.log()
	return finish(ctx, res, err)
}

func tags(t string) []string {
	if t == "" {
		return nil
	}
	return []string{t}
}

// decodeStream reads the daemon's JSON message stream. Messages can be large (build traces),
// so it uses a json.Decoder rather than a line scanner.
func decodeStream(r io.Reader, fn func(*jsonmessage.JSONMessage) error) error {
	dec := json.NewDecoder(r)
	for {
		var jm jsonmessage.JSONMessage
		if err := dec.Decode(&jm); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := fn(&jm); err != nil {
			return err
		}
	}
}

// scopeDockerfile writes the Dockerfile dir/name with its cache mounts scoped
// (dockerfile.ScopeCacheMounts) into a new folder, with the .dockerignore beside it, and
// returns that folder ("" when there is nothing to scope: no such file, no cache mount). why
// is set when the file cannot be scoped: the build fails with it.
func scopeDockerfile(ctx context.Context, dir, name, scope string) (folder, why string, _ error) {
	src, err := readCapped(filepath.Join(dir, name), dockerfile.MaxSize)
	if err != nil {
		return "", "", nil // missing or unreadable: BuildKit says so in its own words
	}
	out, err := dockerfile.ScopeCacheMounts(ctx, src, scope)
	if err != nil {
		return "", fmt.Sprintf("%s: a RUN --mount=type=cache cache could not be kept apart from other submissions (%v)", name, err), nil
	}
	if bytes.Equal(out, src) {
		return "", "", nil
	}
	folder, err = os.MkdirTemp("", "grade-dockerfile-")
	if err != nil {
		return "", "", err
	}
	dst := filepath.Join(folder, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err == nil {
		err = os.WriteFile(dst, out, 0o600)
	}
	if err == nil {
		if ig, e := readCapped(filepath.Join(dir, ".dockerignore"), 1<<20); e == nil {
			err = os.WriteFile(filepath.Join(folder, ".dockerignore"), ig, 0o600)
		}
	}
	if err != nil {
		os.RemoveAll(folder)
		return "", "", err
	}
	return folder, "", nil
}

// readCapped reads a regular file of at most max bytes.
func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Size() > max {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes", path, max)
	}
	return io.ReadAll(io.LimitReader(f, max))
}

// trace merges BuildKit status updates: a vertex arrives several times, and Cached must be
// OR-ed across them.
type trace struct {
	order    []string
	vertices map[string]*engine.Step
	started  map[string]bool
	out      tailBuffer
	progress func(string)
}

func newTrace(progress func(string)) *trace {
	return &trace{vertices: map[string]*engine.Step{}, started: map[string]bool{}, progress: progress}
}

func (t *trace) line(s string) {
	t.out.WriteString(s + "\n")
	if t.progress != nil {
		t.progress(s)
	}
}

func (t *trace) add(st *bkclient.SolveStatus) {
	names := map[string]string{}
	for _, v := range st.Vertexes {
		d := v.Digest.String()
		s, ok := t.vertices[d]
		if !ok {
			s = &engine.Step{Name: v.Name}
			t.vertices[d] = s
			t.order = append(t.order, d)
		}
		names[d] = v.Name
		if v.Cached && !s.Cached {
			s.Cached = true
			t.line("CACHED " + v.Name)
		}
		if v.Started != nil && !t.started[d] && !s.Cached {
			t.started[d] = true
			t.line(v.Name)
		}
		if v.Error != "" && s.Error == "" {
			s.Error = v.Error
			t.line("ERROR " + v.Name + ": " + v.Error)
		}
	}
	for _, l := range st.Logs {
		if s := t.vertices[l.Vertex.String()]; s != nil && len(s.Output) < engine.MaxStepOutput {
			s.Output += string(l.Data[:min(len(l.Data), engine.MaxStepOutput-len(s.Output))])
		}
		for _, ln := range strings.Split(strings.TrimRight(string(l.Data), "\n"), "\n") {
			t.line("  " + ln)
		}
	}
}

func (t *trace) steps() []engine.Step {
	out := make([]engine.Step, 0, len(t.order))
	for _, d := range t.order {
		out = append(out, *t.vertices[d])
	}
	return out
}

func (t *trace) log() string { return t.out.String() }

// tailBuffer keeps the last maxBuildLog bytes written to it.
type tailBuffer struct {
	b       []byte
	dropped bool
}

func (t *tailBuffer) WriteString(s string) {
	t.b = append(t.b, s...)
	if len(t.b) > 2*maxBuildLog {
		t.b = append(t.b[:0:0], t.b[len(t.b)-maxBuildLog:]...)
		t.dropped = true
	}
}

func (t *tailBuffer) String() string {
	b := t.b
	if len(b) > maxBuildLog {
		b = b[len(b)-maxBuildLog:]
	}
	if t.dropped || len(t.b) > maxBuildLog {
		return "[…]\n" + string(b)
	}
	return string(b)
}

// isFromStep tells a classic "Step 1/5 : FROM ddlab/go:1" line.
func isFromStep(name string) bool {
	_, instr, _ := strings.Cut(name, " : ")
	f := strings.Fields(instr)
	return len(f) > 0 && strings.EqualFold(f[0], "FROM")
}

// buildClassic sends the context as a tar to the legacy builder.
func (e *Engine) buildClassic(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	res := engine.BuildResult{Builder: engine.Classic}
	if req.DockerfileDir != "" || len(req.Exclude) > 0 {
		return res, errors.New("the classic builder needs the Dockerfile inside the context")
	}
	// The daemon's classic builder does not read .dockerignore: the client filters, as the
	// docker CLI does, so files written into the context after a snapshot are filtered too.
	excludes, err := buildctx.Excludes(req.ContextDir, req.Dockerfile)
	if err != nil {
		return res, fmt.Errorf("build context: %w", err)
	}
	tarCtx, err := archive.TarWithOptions(req.ContextDir, &archive.TarOptions{ExcludePatterns: excludes})
	limits := engine.DefaultLimits()
	limits.MemoryBytes = 1 << 30 // a compile needs more than a running app
	if err != nil {
		return res, fmt.Errorf("build context: %w", err)
	}
	defer tarCtx.Close()
	resp, err := e.cli.ImageBuild(ctx, tarCtx, build.ImageBuildOptions{
		Version:     build.BuilderV1,
		Dockerfile:  req.Dockerfile,
		Tags:        tags(req.Tag),
		Target:      req.Target,
		BuildArgs:   buildArgs(req.BuildArgs),
		Labels:      req.Labels,
		NoCache:     req.NoCache,
		Remove:      true,
		ForceRemove: true,
		NetworkMode: "none",
		// The classic builder runs steps as containers, which can be bounded like any other.
		Memory:     limits.MemoryBytes,
		MemorySwap: limits.MemoryBytes,
		CPUQuota:   limits.NanoCPUs / 1e4,
		CPUPeriod:  100000,
	})
	if err != nil {
		return res, wrap(err)
	}
	defer resp.Body.Close()
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	defer stop()

	var out tailBuffer
	var partial string
	var intermediates []string
	var steps []engine.Step
	emit := func(ln string) {
		out.WriteString(ln + "\n")
		if req.Progress != nil {
			req.Progress(ln)
		}
		t := strings.TrimSpace(ln)
		switch {
		case strings.HasPrefix(t, "Step ") && strings.Contains(t, " : "):
			steps = append(steps, engine.Step{Name: t})
		case t == "---> Using cache" && len(steps) > 0:
			steps[len(steps)-1].Cached = true
		case strings.HasPrefix(t, "---> ") && !strings.Contains(t[5:], " "):
			// The image a FROM step prints is the base image, not one this build made:
			// removing it would delete a ddlab/* image that cannot be pulled again.
			if n := len(steps); n > 0 && !isFromStep(steps[n-1].Name) {
				intermediates = append(intermediates, t[5:])
			}
		}
	}
	err = decodeStream(resp.Body, func(jm *jsonmessage.JSONMessage) error {
		if jm.Stream != "" {
			// Stream chunks are not line aligned.
			partial += jm.Stream
			for {
				i := strings.IndexByte(partial, '\n')
				if i < 0 {
					break
				}
				emit(partial[:i])
				partial = partial[i+1:]
			}
		}
		if jm.Error != nil {
			res.Failed, res.Error = true, jm.Error.Message
			emit("ERROR: " + jm.Error.Message)
			if len(steps) > 0 {
				steps[len(steps)-1].Error = jm.Error.Message
			}
		}
		if jm.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*jm.Aux, &aux) == nil && aux.ID != "" {
				res.ImageID = aux.ID
			}
		}
		return nil
	})
	if partial != "" {
		emit(partial)
	}
	res.Steps, res.Log = steps, out.String()
	if res.Failed || ctx.Err() != nil {
		// The classic builder leaves a failed or abandoned build's intermediate images unlabelled.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		for i := len(intermediates) - 1; i >= 0; i-- {
			// Not forced: a cached intermediate may be the parent of another run's image.
			_, _ = e.cli.ImageRemove(cctx, intermediates[i], image.RemoveOptions{PruneChildren: true})
		}
	}
	return finish(ctx, res, err)
}

// finish settles a build whose stream has ended: a cancelled caller wins, then a broken
// stream; a stream that ended without an image or an error is still a failed build.
func finish(ctx context.Context, res engine.BuildResult, err error) (engine.BuildResult, error) {
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err != nil {
		return res, wrap(err)
	}
	if res.ImageID == "" && !res.Failed {
		res.Failed, res.Error = true, "the build ended without an image"
	}
	return res, nil
}
