package lab10

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	ktypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/kube"
)

// checkLive asks the cluster the student named (--kube-context) to accept every object in a
// server-side dry run: the API server's own validation, admission included, and nothing is
// stored. Without a context it is skipped: no test and no student needs a cluster.
func (s *state) checkLive(ctx context.Context) (check.Outcome, error) {
	if s.run.KubeContext == "" {
		out := check.Skipf("Non évaluée sans cluster : `grade lab10 --kube-context <contexte>` la lance sur le vôtre.",
			"Not evaluated without a cluster: `grade lab10 --kube-context <context>` runs it on yours.")
		out.Excluded = true
		return out, nil
	}
	if out := s.sub.none(); out != nil {
		return *out, nil
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(),
		&clientcmd.ConfigOverrides{CurrentContext: s.run.KubeContext}).ClientConfig()
	if err != nil {
		out := check.Skipf("Le contexte Kubernetes « %s » est inutilisable : « %s »", "The Kubernetes context \"%s\" cannot be used: \"%s\"",
			s.run.KubeContext, check.Cut(err.Error(), 200))
		out.Excluded = true
		return out, nil
	}
	return dryRun(ctx, cfg, s.sub), nil
}

// dryRun applies every object with dryRun=All, the Namespaces first.
func dryRun(ctx context.Context, cfg *rest.Config, sub *submission) check.Outcome {
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = 15 * time.Second
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return unreachable(err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		return unreachable(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return unreachable(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	objs := append([]kube.Object(nil), sub.m.Objects...)
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].GVK.Kind == "Namespace" && objs[j].GVK.Kind != "Namespace" })
	declared := map[string]bool{}
	var fs []finding
	force := true
	for _, o := range objs {
		if err := ctx.Err(); err != nil {
			return check.Failf("Essai interrompu : %s", "Dry run interrupted: %s", err.Error())
		}
		m, err := mapper.RESTMapping(o.GVK.GroupKind(), o.GVK.Version)
		if err != nil {
			fs = append(fs, at(o, "kind", check.T("le cluster ne connaît pas `%s`", "the cluster does not know `%s`", o.GVK.GroupVersion().String()+" "+o.GVK.Kind)))
			continue
		}
		raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj)
		if err != nil {
			return check.Failf("%s : %s", "%s: %s", o.File, err.Error())
		}
		u := &unstructured.Unstructured{Object: raw}
		u.SetGroupVersionKind(o.GVK)
		body, err := json.Marshal(u)
		if err != nil {
			return check.Failf("%s : %s", "%s: %s", o.File, err.Error())
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		ns := o.Namespace
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			if ns == "" {
				ns = sub.ns
			}
			ri = dyn.Resource(m.Resource).Namespace(ns)
		}
		_, err = ri.Patch(ctx, o.Name, ktypes.ApplyPatchType, body, metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: "grade", Force: &force})
		switch {
		case err == nil:
			if o.GVK.Kind == "Namespace" {
				declared[o.Name] = true
			}
		case apierrors.IsNotFound(err) && declared[ns]:
			// A dry run creates no Namespace, so the objects inside a new one cannot be tried
			// further: the Namespace itself was accepted.
		default:
			fs = append(fs, at(o, "metadata", check.T("%s `%s` refusé par le cluster : %s", "%s `%s` refused by the cluster: %s", o.GVK.Kind, o.Name, refusal(err))))
		}
	}
	return verdict(fs, check.Lit("chaque objet accepté par l'API server", "every object accepted by the API server"),
		check.T("Le cluster accepte vos %d objets (essai à blanc, rien n'est créé).", "The cluster accepts your %d objects (dry run, nothing is created).", len(objs)))
}

func unreachable(err error) check.Outcome {
	out := check.Skipf("Le cluster ne répond pas : « %s »", "The cluster does not answer: \"%s\"", check.Cut(err.Error(), 200))
	out.Excluded = true
	return out
}

// refusal is what the API server said, field by field when it says which: its words are
// quoted, as they come in the server's language.
func refusal(err error) check.Text {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		st := status.Status()
		if st.Details != nil && len(st.Details.Causes) > 0 {
			ts := make([]check.Text, 0, len(st.Details.Causes))
			for _, c := range st.Details.Causes {
				ts = append(ts, check.T("`%s` « %s »", "`%s` \"%s\"", c.Field, check.Cut(c.Message, 200)))
			}
			return check.Join(ts, " ; ", "; ")
		}
		return check.T("« %s »", "\"%s\"", check.Cut(st.Message, 240))
	}
	return check.T("« %s »", "\"%s\"", check.Cut(err.Error(), 240))
}
