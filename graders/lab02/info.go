package lab02

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// infoKeys are the keys info.sh prints on stdout (stderr is free for diagnostics), in the
// contract's order.
var infoKeys = []string{"server_version", "api_version", "default_runtime", "storage_driver", "cgroup_driver", "containerd_version"}

// kvProblem is a line of info.sh's output that is not key=value.
type kvProblem struct {
	Line int
	Text string
	Why  check.Text
}

// parseKV reads `key=value` lines. Blank lines are skipped; a value may be quoted (jq without
// -r); a line that is not key=value, or a key given twice with two values, is a problem. Keys
// are kept whatever they are: the caller picks the ones it knows.
func parseKV(out string) (map[string]string, *kvProblem) {
	kv := map[string]string{}
	for i, line := range strings.Split(out, "\n") {
		n := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, &kvProblem{n, line, check.T("ligne illisible (pas du texte UTF-8)", "unreadable line (not UTF-8 text)")}
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !validKey(k) {
			return nil, &kvProblem{n, line, check.T("ligne qui n'est pas de la forme clé=valeur", "line not of the form key=value")}
		}
		v = unquote(strings.TrimSpace(v))
		if old, dup := kv[k]; dup && old != v {
			return nil, &kvProblem{n, line, check.T("clé %s donnée deux fois avec deux valeurs", "key %s given twice with two values", k)}
		}
		kv[k] = v
	}
	return kv, nil
}

func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

// infoTruth is what the engine says for each key.
func infoTruth(i engine.Info) map[string]string {
	return map[string]string{
		"server_version":     i.Version,
		"api_version":        i.ServerAPIVersion,
		"default_runtime":    i.DefaultRuntime,
		"storage_driver":     i.StorageDriver,
		"cgroup_driver":      i.CgroupDriver,
		"containerd_version": i.ContainerdVersion,
	}
}

func (s *state) checkInfo(ctx context.Context) (check.Outcome, error) {
	sr, err := s.infoScript(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	var truth map[string]string
	if scriptlab.JudgeScript("info.sh", sr.res) == nil {
		info, err := s.kit.EngineInfo(ctx)
		if err != nil {
			return check.Outcome{}, err
		}
		truth = infoTruth(info)
	}
	return judgeInfoRun(sr.res, truth), nil
}

// judgeInfoRun: info.sh succeeds and prints what the engine says (judgeInfo).
func judgeInfoRun(res script.Result, truth map[string]string) check.Outcome {
	if f := scriptlab.JudgeScript("info.sh", res); f != nil {
		return *f
	}
	return judgeInfo(res.Stdout, truth)
}

// judgeInfo passes only when all six keys are right (the runner gives a check all its points
// or none), and names every wrong one.
func judgeInfo(out string, truth map[string]string) check.Outcome {
	kv, bad := parseKV(out)
	if bad != nil {
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("Sortie d'info.sh, ligne %d : %s.", bad.Line, bad.Why.FR),
			EN: fmt.Sprintf("info.sh output, line %d: %s.", bad.Line, bad.Why.EN),
		}}.WithT(check.Lit("clé=valeur, une par ligne", "key=value, one per line"), check.Same(check.Cut(bad.Text, 160)))
	}
	var wrongFR, wrongEN, want, gotFR, gotEN []string
	for _, k := range infoKeys {
		v, ok := kv[k]
		switch {
		case !ok:
			wrongFR, wrongEN = append(wrongFR, k+" (absente)"), append(wrongEN, k+" (missing)")
		case v != truth[k]:
			wrongFR, wrongEN = append(wrongFR, k), append(wrongEN, k)
		default:
			continue
		}
		want = append(want, k+"="+truth[k])
		if ok {
			kv := k + "=" + check.Cut(v, 80)
			gotFR, gotEN = append(gotFR, kv), append(gotEN, kv)
		} else {
			gotFR, gotEN = append(gotFR, k+" absente"), append(gotEN, k+" missing")
		}
	}
	if len(wrongFR) > 0 {
		fr, en := "%d clés fausses sur %d : %s.", "%d wrong keys of %d: %s."
		if len(wrongFR) == 1 {
			fr, en = "%d clé fausse sur %d : %s.", "%d wrong key of %d: %s."
		}
		o := check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf(fr, len(wrongFR), len(infoKeys), strings.Join(wrongFR, ", ")),
			EN: fmt.Sprintf(en, len(wrongEN), len(infoKeys), strings.Join(wrongEN, ", ")),
		}}
		return o.WithT(check.Same(strings.Join(want, "\n")), check.Lit(strings.Join(gotFR, "\n"), strings.Join(gotEN, "\n")))
	}
	return check.Passf("Les %d clés sont exactes (%s).", "All %d keys are right (%s).", len(infoKeys),
		fmt.Sprintf("server_version=%s, containerd_version=%s", truth["server_version"], truth["containerd_version"]))
}
