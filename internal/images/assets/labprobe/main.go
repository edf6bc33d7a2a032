// Command labprobe is the grader's probe, run inside ddlab/probe:1 in the network namespace
// of the container under test (`--network container:<id>`) or on a lab's network. Each
// subcommand prints one JSON object on stdout and exits 0 when the target answered, 1 when it
// did not and 2 on a usage error, so a grader reads the verdict and the reason from one line.
//
//	labprobe http [-timeout 2s] [-retries 0] [-method GET] [-header K:V]... [-data BODY] URL
//	labprobe tcp [-timeout 2s] [-retries 0] HOST:PORT
//	labprobe dns [-timeout 2s] [-server 127.0.0.11:53] NAME
//	labprobe ifaces
//	labprobe routes
//	labprobe serve [-addr :9000]
//
// It uses the standard library only, so it builds offline inside ddlab/go:1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a command line the probe cannot run.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

const usage = `usage: labprobe http|tcp|dns|ifaces|routes|serve [flags] [target]`

// run dispatches to a subcommand and prints its result.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageFail(stdout, stderr, usageError{"missing subcommand"})
	}
	cmd, rest := args[0], args[1:]
	var (
		res any
		ok  bool
		err error
	)
	switch cmd {
	case "http":
		res, ok, err = httpCmd(ctx, rest)
	case "tcp":
		res, ok, err = tcpCmd(ctx, rest)
	case "dns":
		res, ok, err = dnsCmd(ctx, rest)
	case "ifaces":
		res, ok, err = ifacesCmd(rest)
	case "routes":
		res, ok, err = routesCmd(rest)
	case "serve":
		return serveCmd(ctx, rest, stdout, stderr)
	default:
		err = usageError{fmt.Sprintf("unknown subcommand %q", cmd)}
	}
	if err != nil {
		return usageFail(stdout, stderr, err)
	}
	printJSON(stdout, res)
	if !ok {
		return exitFail
	}
	return exitOK
}

func usageFail(stdout, stderr io.Writer, err error) int {
	printJSON(stdout, map[string]any{"ok": false, "code": "usage", "error": err.Error()})
	fmt.Fprintln(stderr, usage)
	return exitUsage
}

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// flags parses a subcommand's flags and returns its positional arguments; want is how many
// it needs.
func flags(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() != want {
		return nil, usageError{fmt.Sprintf("%s: want %d argument(s), got %q", fs.Name(), want, strings.Join(fs.Args(), " "))}
	}
	return fs.Args(), nil
}

// positive checks a -timeout flag.
func positive(name string, d time.Duration) error {
	if d <= 0 {
		return usageError{fmt.Sprintf("-%s must be positive, got %s", name, d)}
	}
	return nil
}

// headerList is a repeatable -header K:V flag.
type headerList [][2]string

func (h *headerList) String() string { return fmt.Sprint(*h) }

func (h *headerList) Set(s string) error {
	k, v, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("header %q is not K:V", s)
	}
	*h = append(*h, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	return nil
}
