package lab04

import (
	"context"
	"fmt"
	"math"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

func (s *state) checkIP(ctx context.Context) (check.Outcome, error) {
	c, fail, err := s.runningApp(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	res, err := s.run.Script(ctx, "ip.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	var ips []string
	for _, ep := range c.Networks {
		if ep.IP != "" {
			ips = append(ips, ep.IP)
		}
	}
	slices.Sort(ips)
	// Stdout alone: a warning the CLI prints on stderr is not part of the answer.
	return judgeIP(res, ips), nil
}

// judgeIP wants ip.sh to succeed and print one line holding one of the container's addresses.
func judgeIP(res script.Result, ips []string) check.Outcome {
	if f := scriptlab.JudgeScript("ip.sh", res); f != nil {
		return *f
	}
	output := res.Stdout
	want := check.Lit(strings.Join(ips, " ou "), strings.Join(ips, " or "))
	if len(ips) == 0 {
		return check.Failf("lab4-app n'a aucune adresse IP (réseau `none` ?).", "lab4-app has no IP address (network `none`?).").
			WithT(check.Lit("une adresse sur un réseau Docker", "an address on a Docker network"), check.Lit("aucune", "none"))
	}
	lines := nonEmptyLines(output)
	if len(lines) != 1 {
		return check.Failf("ip.sh doit afficher une seule ligne, l'adresse IP ; il en affiche %d.", "ip.sh must print one line, the IP address; it prints %d.", len(lines)).
			WithT(want, check.Same(check.Cut(lastLines(output, 5), 500)))
	}
	got := strings.TrimSpace(lines[0])
	if net.ParseIP(got) == nil {
		return check.Failf("ip.sh n'affiche pas une adresse IP : « %s ».", "ip.sh does not print an IP address: %q.", check.Cut(got, 80)).WithT(want, check.Same(check.Cut(got, 200)))
	}
	if !slices.Contains(ips, got) {
		return check.Failf("ip.sh affiche %s, qui n'est pas l'adresse de lab4-app.", "ip.sh prints %s, which is not lab4-app's address.", got).WithT(want, check.Same(got))
	}
	return check.Passf("ip.sh affiche %s, l'adresse de lab4-app.", "ip.sh prints %s, lab4-app's address.", got)
}

func (s *state) checkStats(ctx context.Context) (check.Outcome, error) {
	want, err := s.int64("memory")
	if err != nil {
		return check.Outcome{}, err
	}
	c, fail, err := s.runningApp(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	res, err := s.run.Script(ctx, "stats.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeStats(res, c.Resources.Memory, want), nil
}

// judgeStats wants stats.sh to succeed, and its limit to be the contract's, and the container's real one: a
// script that prints 64MiB for a container without a limit did not ask docker stats.
func judgeStats(res script.Result, actual, want int64) check.Outcome {
	if f := scriptlab.JudgeScript("stats.sh", res); f != nil {
		return *f
	}
	output := res.Stdout
	wantText := humanBinary(want)
	limit, text, ok := parseStatsLimit(output)
	switch {
	case !ok:
		return check.Failf("stats.sh n'affiche pas de limite mémoire lisible (attendu : « 1.2MiB / %s » ou « %s »).",
			"stats.sh prints no readable memory limit (expected \"1.2MiB / %s\" or \"%s\").", wantText, wantText).
			With(wantText, check.Cut(lastLines(output, 3), 300))
	case !near(limit, want):
		return check.Failf("stats.sh affiche une limite mémoire de %s.", "stats.sh shows a memory limit of %s.", text).With(wantText, text)
	case actual != want:
		got := bytesText(actual)
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("stats.sh affiche %s, mais la limite réelle de lab4-app est %s : la valeur ne vient pas de docker stats.", text, got.FR),
			EN: fmt.Sprintf("stats.sh prints %s, but lab4-app's real limit is %s: the value does not come from docker stats.", text, got.EN),
		}}.With(wantText, text)
	}
	// The contract's limit is known in advance: only a script that asked the engine for the
	// container's statistics has measured it.
	if asked, known := grader.Asked(res, askedStats); known && !asked {
		return check.Failf("stats.sh affiche %s sans avoir interrogé le moteur : la limite est écrite d'avance, pas mesurée (docker stats --no-stream).",
			"stats.sh prints %s without asking the engine: the limit is written in advance, not measured (docker stats --no-stream).", text).
			WithT(check.Same("GET /containers/lab4-app/stats (docker stats)"), grader.Requests(res.Requests))
	}
	return check.Passf("stats.sh affiche la limite mémoire de lab4-app : %s.", "stats.sh prints lab4-app's memory limit: %s.", text)
}

// askedStats are the engine requests that measure a container's memory.
var askedStats = regexp.MustCompile(`^GET /containers/[^/]+/stats`)

// near allows the rounding of docker stats' "%.4g" display.
func near(got, want int64) bool {
	return math.Abs(float64(got-want)) <= float64(want)/200
}

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

var units = map[string]float64{
	"b": 1, "": 1,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30,
}

// parseStatsLimit reads the memory limit from stats.sh's output: the last line, either the
// whole "used / limit" of `docker stats --format '{{.MemUsage}}'` or the limit alone.
func parseStatsLimit(output string) (int64, string, bool) {
	lines := nonEmptyLines(output)
	if len(lines) == 0 {
		return 0, "", false
	}
	text := strings.TrimSpace(lines[len(lines)-1])
	if _, limit, found := strings.Cut(text, "/"); found {
		text = strings.TrimSpace(limit)
	}
	n, ok := parseSize(text)
	return n, text, ok
}

// parseSize reads "64MiB", "64.00MiB", "67.11MB", "65536KiB".
func parseSize(s string) (int64, bool) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	mult, ok := units[strings.ToLower(m[2])]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil || f*mult > math.MaxInt64/2 {
		return 0, false
	}
	return int64(math.Round(f * mult)), true
}

// humanBinary writes n as docker stats does for a round number of MiB.
func humanBinary(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dB", n)
}
