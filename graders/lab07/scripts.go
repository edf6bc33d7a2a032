package lab07

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// maxScriptBytes bounds a script the gate accepts: a network.sh is a few dozen lines.
const maxScriptBytes = 256 << 10

// checkFiles is the gate: the required scripts are regular text files of the submission.
func (s *state) checkFiles(context.Context) (check.Outcome, error) {
	r := s.run
	if o := r.RefusedOutcome(); o != nil {
		return *o, nil
	}
	for _, name := range []string{networkScript, cleanupScript} {
		if o, bad := scriptProblem(r.Files, name); bad {
			return o, nil
		}
	}
	return check.Passf("%s et %s sont présents.", "%s and %s are present.", networkScript, cleanupScript), nil
}

// scriptProblem says what is wrong with a script file, if anything.
func scriptProblem(dir, name string) (check.Outcome, bool) {
	st, err := os.Lstat(filepath.Join(dir, name))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return check.Failf("%s est absent du dossier du lab (le nom est sensible à la casse).",
			"%s is missing from the lab folder (the name is case-sensitive).", name).WithT(check.Same(name), missing), true
	case err != nil:
		return check.Failf("%s est illisible : « %v »", "%s is unreadable: %v", name, err), true
	case !st.Mode().IsRegular():
		return check.Failf("%s n'est pas un fichier ordinaire (lien symbolique ou dossier).",
			"%s is not a regular file (a symbolic link or a folder).", name), true
	case st.Size() == 0:
		return check.Failf("%s est vide.", "%s is empty.", name).At(name, 1), true
	case st.Size() > maxScriptBytes:
		return check.Failf("%s fait %d octets : ce n'est pas un script.", "%s is %d bytes long: not a script.", name, st.Size()), true
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return check.Failf("%s est illisible : « %v »", "%s is unreadable: %v", name, err), true
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return check.Failf("%s n'est pas un fichier texte (octets binaires).", "%s is not a text file (binary bytes).", name).At(name, 0), true
	}
	return check.Outcome{}, false
}

// checkDeploy runs network.sh once; every other engine check observes what it built.
func (s *state) checkDeploy(ctx context.Context) (check.Outcome, error) {
	res, err := s.run.Script(ctx, networkScript)
	if err != nil {
		return check.Outcome{}, err
	}
	s.deployed = &res
	return judgeDeploy(res), nil
}

// judgeDeploy: network.sh exits 0 in time.
func judgeDeploy(res script.Result) check.Outcome {
	if fail := scriptlab.JudgeScript(networkScript, res); fail != nil {
		return *fail
	}
	return check.Passf("%s s'est terminé avec le code 0 en %s.", "%s exited with code 0 in %s.",
		networkScript, res.Duration.Round(100e6))
}

// checkIdempotent runs network.sh a second time: it must succeed and change nothing.
func (s *state) checkIdempotent(ctx context.Context) (check.Outcome, error) {
	var o idempotentObs
	var err error
	if o.Before, err = s.topology(ctx); err != nil {
		return check.Outcome{}, err
	}
	if !o.Before.empty() {
		res, err := s.run.Script(ctx, networkScript)
		if err != nil {
			return check.Outcome{}, err
		}
		o.Second = &res
		if res.ExitCode == 0 && !res.TimedOut {
			if o.After, err = s.topology(ctx); err != nil {
				return check.Outcome{}, err
			}
		}
	}
	return judgeIdempotent(o), nil
}

// idempotentObs is what lab7.idempotent sees: the topology before a second network.sh, that
// run (nil when there was nothing to compare), and the topology after it when it succeeded.
type idempotentObs struct {
	Before, After topo
	Second        *script.Result
}

// judgeIdempotent: a second network.sh succeeds and leaves the topology as it was.
func judgeIdempotent(o idempotentObs) check.Outcome {
	if o.Before.empty() || o.Second == nil {
		// A script that makes nothing would be trivially "unchanged".
		return check.Skipf("Non évalué : %s n'a créé ni réseau ni conteneur du contrat (voir lab7.networks).",
			"Not evaluated: %s created none of the contract's networks or containers (see lab7.networks).", networkScript)
	}
	if fail := scriptlab.JudgeScript(networkScript, *o.Second); fail != nil {
		f := *fail
		f.Message.FR = "Deuxième exécution : " + f.Message.FR + " Un script idempotent réussit aussi quand tout existe déjà."
		f.Message.EN = "Second run: " + f.Message.EN + " An idempotent script also succeeds when everything already exists."
		return f
	}
	if diff := compareTopology(o.Before, o.After); len(diff) > 0 {
		return check.Failf("La deuxième exécution de %[1]s a changé la topologie : %[2]s.", "The second run of %[1]s changed the topology: %[3]s.",
			networkScript, diff[0].FR, diff[0].EN).
			WithT(check.Lit("mêmes réseaux (mêmes ID), mêmes conteneurs sur les mêmes réseaux", "same networks (same IDs), same containers on the same networks"),
				check.Join(diff, "\n", "\n"))
	}
	sum := o.Before.summary()
	return check.Passf("Deuxième exécution : code 0, réseaux et rattachements inchangés (%[1]s).",
		"Second run: exit code 0, networks and attachments unchanged (%[2]s).", sum.FR, sum.EN)
}

// checkCleanup runs cleanup.sh: nothing of the lab may remain.
func (s *state) checkCleanup(ctx context.Context) (check.Outcome, error) {
	var o cleanupObs
	var err error
	if o.Before, err = s.leftovers(ctx); err != nil {
		return check.Outcome{}, err
	}
	if len(o.Before) > 0 {
		res, err := s.run.Script(ctx, cleanupScript)
		if err != nil {
			return check.Outcome{}, err
		}
		o.Run = &res
		if res.ExitCode == 0 && !res.TimedOut {
			if o.After, err = s.leftovers(ctx); err != nil {
				return check.Outcome{}, err
			}
		}
	}
	return judgeCleanup(o), nil
}

// cleanupObs is what lab7.cleanup sees: the lab's objects before cleanup.sh, its run (nil
// when there was nothing to clean), and what remained after it when it succeeded.
type cleanupObs struct {
	Before, After []check.Text // "conteneur lab7-web", "réseau lab7-back"
	Run           *script.Result
}

// judgeCleanup: cleanup.sh succeeds and leaves nothing of the lab.
func judgeCleanup(o cleanupObs) check.Outcome {
	if len(o.Before) == 0 || o.Run == nil {
		// With nothing to remove, any script would pass.
		return check.Skipf("Non évalué : il n'y a rien à nettoyer, %s n'a rien laissé du lab (voir lab7.networks).",
			"Not evaluated: there is nothing to clean up, %s left nothing of the lab (see lab7.networks).", networkScript)
	}
	if fail := scriptlab.JudgeScript(cleanupScript, *o.Run); fail != nil {
		return *fail
	}
	if len(o.After) > 0 {
		left := check.Join(o.After, ", ", ", ")
		return check.Failf("Après %[1]s, il reste : %[2]s.", "After %[1]s, these remain: %[3]s.", cleanupScript, left.FR, left.EN).
			WithT(check.Lit("aucun conteneur ni réseau lab7", "no lab7 container or network"), check.Join(o.After, "\n", "\n"))
	}
	return check.Passf("Après %s, plus aucun conteneur ni réseau du lab.", "After %s, no container or network of the lab remains.",
		cleanupScript)
}

// leftovers lists the lab's containers and networks that exist now: the contract's names,
// names starting with lab7-, and objects labelled ddlab.lab=lab7 that this run did not make.
// Containers come first, each kind sorted by name.
func (s *state) leftovers(ctx context.Context) ([]check.Text, error) {
	ctrs, err := s.labContainers(ctx)
	if err != nil {
		return nil, err
	}
	var left []check.Text
	for _, c := range ctrs {
		left = append(left, check.T("conteneur %s", "container %s", c.Name))
	}
	nets, err := s.run.Engine.ListNetworks(ctx, "")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range nets {
		if s.ours(n.Labels) {
			continue
		}
		if n.Name == front || n.Name == back || strings.HasPrefix(n.Name, "lab7-") || n.Labels["ddlab.lab"] == "lab7" {
			names = append(names, n.Name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		left = append(left, check.T("réseau %s", "network %s", n))
	}
	return left, nil
}

// labContainers lists the lab's containers, stopped ones too: named lab7-… or labelled
// ddlab.lab=lab7, except the grader's own probes.
func (s *state) labContainers(ctx context.Context) ([]engine.ContainerSummary, error) {
	all, err := s.run.Engine.ListContainers(ctx, engine.ContainerFilter{All: true})
	if err != nil {
		return nil, err
	}
	var out []engine.ContainerSummary
	for _, c := range all {
		if s.ours(c.Labels) {
			continue
		}
		if strings.HasPrefix(c.Name, "lab7-") || c.Labels["ddlab.lab"] == "lab7" {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ours tells the grader's own objects (probes, the lock) from the student's: by this run's
// ID, which a student cannot know, not by labels a script could copy.
func (s *state) ours(labels map[string]string) bool {
	return labels["ddlab.run"] == s.run.ID
}

func isNotFound(err error) bool { return errors.Is(err, engine.ErrNotFound) }

// runBonusScript runs an optional script; it returns the failing verdict of a bonus script that did not exit 0, or nil.
func (s *state) runBonusScript(ctx context.Context, name string) (*check.Outcome, error) {
	if o, bad := scriptProblem(s.run.Files, name); bad {
		return &o, nil
	}
	res, err := s.run.Script(ctx, name)
	if err != nil {
		return nil, err
	}
	return scriptlab.JudgeScript(name, res), nil
}
