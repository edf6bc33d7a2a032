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
	"github.com/ddlab/grade/internal/grader"
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
			"%s is missing from the lab folder (the name is case-sensitive).", name).With(name, "absent"), true
	case err != nil:
		return check.Failf("%s est illisible : %v", "%s is unreadable: %v", name, err), true
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
		return check.Failf("%s est illisible : %v", "%s is unreadable: %v", name, err), true
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
	if res.ExitCode != 0 || res.TimedOut {
		return grader.ScriptFailed(networkScript, res), nil
	}
	return check.Passf("%s s'est terminé avec le code 0 en %s.", "%s exited with code 0 in %s.",
		networkScript, res.Duration.Round(100e6)), nil
}

// checkIdempotent runs network.sh a second time: it must succeed and change nothing.
func (s *state) checkIdempotent(ctx context.Context) (check.Outcome, error) {
	before, err := s.topology(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(before.Networks) == 0 && len(before.Containers) == 0 {
		// A script that makes nothing would be trivially "unchanged".
		return check.Skipf("Non évalué : %s n'a créé ni réseau ni conteneur du contrat (voir lab7.networks).",
			"Not evaluated: %s created none of the contract's networks or containers (see lab7.networks).", networkScript), nil
	}
	res, err := s.run.Script(ctx, networkScript)
	if err != nil {
		return check.Outcome{}, err
	}
	if res.ExitCode != 0 || res.TimedOut {
		o := grader.ScriptFailed(networkScript, res)
		o.Message.FR = "Deuxième exécution : " + o.Message.FR + " Un script idempotent réussit aussi quand tout existe déjà."
		o.Message.EN = "Second run: " + o.Message.EN + " An idempotent script also succeeds when everything already exists."
		return o, nil
	}
	after, err := s.topology(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if diff := compareTopology(before, after); len(diff) > 0 {
		return check.Failf("La deuxième exécution de %s a changé la topologie : %s.", "The second run of %s changed the topology: %s.",
			networkScript, diff[0]).With("mêmes réseaux (mêmes ID), mêmes conteneurs sur les mêmes réseaux", strings.Join(diff, "\n")), nil
	}
	return check.Passf("Deuxième exécution : code 0, réseaux et rattachements inchangés (%s).",
		"Second run: exit code 0, networks and attachments unchanged (%s).", before.summary()), nil
}

// checkCleanup runs cleanup.sh: nothing of the lab may remain.
func (s *state) checkCleanup(ctx context.Context) (check.Outcome, error) {
	existing, err := s.leftovers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(existing) == 0 {
		// With nothing to remove, any script would pass.
		return check.Skipf("Non évalué : il n'y a rien à nettoyer, %s n'a rien laissé du lab (voir lab7.networks).",
			"Not evaluated: there is nothing to clean up, %s left nothing of the lab (see lab7.networks).", networkScript), nil
	}
	res, err := s.run.Script(ctx, cleanupScript)
	if err != nil {
		return check.Outcome{}, err
	}
	if res.ExitCode != 0 || res.TimedOut {
		return grader.ScriptFailed(cleanupScript, res), nil
	}
	left, err := s.leftovers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if len(left) > 0 {
		return check.Failf("Après %s, il reste : %s.", "After %s, these remain: %s.", cleanupScript, strings.Join(left, ", ")).
			With("aucun conteneur ni réseau lab7", strings.Join(left, "\n")), nil
	}
	return check.Passf("Après %s, plus aucun conteneur ni réseau du lab.", "After %s, no container or network of the lab remains.",
		cleanupScript), nil
}

// leftovers lists the lab's containers and networks that exist now: the contract's names,
// names starting with lab7-, and objects labelled ddlab.lab=lab7 that this run did not make.
func (s *state) leftovers(ctx context.Context) ([]string, error) {
	ctrs, err := s.labContainers(ctx)
	if err != nil {
		return nil, err
	}
	var left []string
	for _, c := range ctrs {
		left = append(left, "conteneur "+c.Name)
	}
	nets, err := s.run.Engine.ListNetworks(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, n := range nets {
		if s.ours(n.Labels) {
			continue
		}
		if n.Name == front || n.Name == back || strings.HasPrefix(n.Name, "lab7-") || n.Labels["ddlab.lab"] == "lab7" {
			left = append(left, "réseau "+n.Name)
		}
	}
	sort.Strings(left)
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
	if res.ExitCode != 0 || res.TimedOut {
		o := grader.ScriptFailed(name, res)
		return &o, nil
	}
	return nil, nil
}
