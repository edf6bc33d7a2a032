package compose

import (
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agext/levenshtein"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/ddlab/grade/internal/check"
)

const maxProblems = 20

// Locate explains, with line and column, why compose-go rejected a file. compose-go's own
// schema errors name a path and no line, and only the "most specific" one is reported: a
// typo'd key next to a wrong type goes unmentioned. So the file is validated again here,
// uninterpolated, against the very schema compose-go embeds, and every leaf error is mapped
// back to the YAML node it came from; so are the checks compose-go makes on the raw file
// before its schema (duplicate keys, non-string keys, a top level that is not a mapping, the
// string-to-number/boolean casts of interpolation). Screen's problem comes first if there is
// one. Returns nil when the file alone passes all that (the rejection came from elsewhere: a
// duration, a reference between services, a missing variable…), else at most 20 problems
// sorted by position.
func Locate(name string, data []byte) (out []Problem) {
	defer func() {
		// A bug here must not hide compose-go's own message: the caller falls back to it.
		if recover() != nil {
			out = nil
		}
	}()
	return locate(name, data)
}

// locate is Locate without the safety net, so that the fuzz tests see panics.
func locate(name string, data []byte) []Problem {
	if p := screen(name, data); p != nil {
		return []Problem{*p}
	}
	doc, _ := parseSingle(name, data)
	if doc == nil || len(doc.Content) == 0 {
		return nil
	}
	b := &builder{name: name, at: map[string]*place{}}
	root := b.value(doc.Content[0], nil, nil, "")
	if m, ok := root.(map[string]any); ok {
		b.casts(m, nil)
		b.problems = append(b.problems, b.validate(m)...)
	} else {
		n := doc.Content[0]
		b.problems = append(b.problems, problemAt(name, n.Line, n.Column, "", sayf(
			"le fichier doit être un objet (des clés « services: », « volumes: »…), pas %s",
			`the file must be a mapping (keys such as "services:", "volumes:"…), not %s`, wantType(jsonTypeOf(root)))))
	}
	return sortProblems(b.problems)
}

func sortProblems(ps []Problem) []Problem {
	if len(ps) == 0 {
		return nil
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0 // unplaced ones last
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Path < b.Path
	})
	// The same node reached through several aliases gives the same error under several
	// paths: show it once, where it is written.
	type spot struct {
		line, col int
		msg       string
	}
	seen := map[spot]bool{}
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		if p.Line > 0 {
			k := spot{p.Line, p.Column, p.Message}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, p)
	}
	if len(out) > maxProblems {
		out = out[:maxProblems]
	}
	return out
}

// place is where one value of the decoded document was written.
type place struct {
	key, val *yaml.Node // key is nil for the root and for sequence items
	path     string     // for humans: services.web.ports[0]
}

// builder decodes the YAML tree into the JSON-like value the schema validator wants, as
// compose-go does (go-yaml's scalar resolution, merge keys, `!reset` dropped), and remembers
// where every value came from. Screen has bounded the expanded size, so following aliases
// here is safe.
type builder struct {
	name     string
	at       map[string]*place // by InstanceLocation joined with "\x00"
	problems []Problem
}

func (b *builder) problem(n *yaml.Node, path string, t check.Text) {
	b.problems = append(b.problems, problemAt(b.name, n.Line, n.Column, path, t))
}

func (b *builder) value(n *yaml.Node, key *yaml.Node, loc []string, path string) any {
	b.at[strings.Join(loc, "\x00")] = &place{key: key, val: n, path: path}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		b.mapping(n, m, map[string]bool{}, loc, path, true)
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Tag == "!reset" {
				continue
			}
			i := len(s)
			s = append(s, b.value(c, nil, append(slices.Clip(loc), strconv.Itoa(i)), fmt.Sprintf("%s[%d]", path, i)))
		}
		return s
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			b.problem(n, path, sayf("valeur %s illisible (l'analyseur YAML signale %s) : corrigez-la, ou retirez son étiquette !!…",
				"unreadable value %s (the YAML parser reports %s): fix it, or remove its !!… tag", quote(n.Value), quote(err.Error())))
			return n.Value
		}
		if t, ok := v.(time.Time); ok { // only with an explicit !!timestamp tag
			return t.Format(time.RFC3339Nano)
		}
		return v
	}
	return nil
}

// mapping fills m from n. Keys written in the mapping win over merged ones (`<<: *x`), as in
// go-yaml; among merged mappings the first one processed wins, also as in go-yaml.
func (b *builder) mapping(n *yaml.Node, m map[string]any, set map[string]bool, loc []string, path string, own bool) {
	var merges []*yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if own {
			// compose-go refuses duplicates before anything else (loader.ResetProcessor).
			if first, dup := seen[k.Value]; dup {
				b.problem(k, joinPath(path, k.Value), sayf("clé %s déjà définie ligne %d : gardez-en une seule",
					"key %s already defined on line %d: keep only one", quote(k.Value), first.Line))
			} else {
				seen[k.Value] = k
			}
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if v.Tag == "!reset" {
			continue
		}
		name, ok := b.keyName(k, path)
		if !ok || set[name] {
			continue
		}
		if !own {
			set[name] = true
		}
		m[name] = b.value(v, k, append(slices.Clip(loc), name), joinPath(path, name))
	}
	if own {
		for name := range m {
			set[name] = true
		}
	}
	for _, mv := range merges {
		for mv.Kind == yaml.AliasNode && mv.Alias != nil {
			mv = mv.Alias
		}
		switch mv.Kind {
		case yaml.MappingNode:
			b.mapping(mv, m, set, loc, path, false)
		case yaml.SequenceNode:
			for i := len(mv.Content) - 1; i >= 0; i-- {
				e := mv.Content[i]
				for e.Kind == yaml.AliasNode && e.Alias != nil {
					e = e.Alias
				}
				if e.Kind == yaml.MappingNode {
					b.mapping(e, m, set, loc, path, false)
				} else {
					b.problem(mv.Content[i], path, check.T("« << » (fusion) attend des objets : un alias vers un bloc `clé: valeur`",
						`"<<" (merge) expects mappings: an alias to a block of `+"`key: value`"))
				}
			}
		default:
			b.problem(mv, path, check.T("« << » (fusion) attend un objet ou une liste d'objets, par exemple « <<: *commun »",
				`"<<" (merge) expects a mapping or a list of mappings, for example "<<: *common"`))
		}
	}
}

// keyName keeps compose-go's rule: keys must decode to strings (`80:` is an integer key).
func (b *builder) keyName(k *yaml.Node, path string) (string, bool) {
	kn := k
	for kn.Kind == yaml.AliasNode && kn.Alias != nil {
		kn = kn.Alias
	}
	if kn.Kind == yaml.ScalarNode {
		var v any
		if err := kn.Decode(&v); err == nil {
			if s, ok := v.(string); ok {
				return s, true
			}
			b.problem(k, joinPath(path, kn.Value), sayf(
				"clé %s lue comme %s : Compose n'accepte que des chaînes comme clés, écrivez `\"%s\"`",
				"key %s read as %s: Compose accepts only strings as keys, write `\"%s\"`",
				quote(kn.Value), wantType(jsonTypeOf(v)), printable(kn.Value)))
			return "", false
		}
	}
	b.problem(k, path, check.T("clé complexe (liste ou objet utilisé comme clé) : Compose n'accepte que des chaînes comme clés",
		"complex key (a list or mapping used as a key): Compose accepts only strings as keys"))
	return "", false
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// ---- schema -------------------------------------------------------------------------------

var composeSchema struct {
	once   sync.Once
	schema *jsonschema.Schema
	raw    any // the schema document, for the properties a place allows
	err    error
}

// loadSchema compiles compose-go's embedded schema the way compose-go does (schema.Validate),
// including its "duration" format.
func loadSchema() (*jsonschema.Schema, any, error) {
	c := &composeSchema
	c.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema.Schema))
		if err != nil {
			c.err = err
			return
		}
		comp := jsonschema.NewCompiler()
		if err := comp.AddResource("compose-spec.json", doc); err != nil {
			c.err = err
			return
		}
		comp.RegisterFormat(&jsonschema.Format{Name: "duration", Validate: func(v any) error {
			s, ok := v.(string)
			if !ok {
				return errors.New("expected string")
			}
			_, err := time.ParseDuration(s)
			return err
		}})
		c.schema, c.err = comp.Compile("compose-spec.json")
		c.raw = doc
	})
	return c.schema, c.raw, c.err
}

func (b *builder) validate(doc map[string]any) []Problem {
	sch, raw, err := loadSchema()
	if err != nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(sch.Validate(doc), &verr) {
		return nil
	}
	leaves := leafErrors(verr)
	leaves = dropCovered(leaves)
	var out []Problem
	for _, e := range leaves {
		out = append(out, b.explain(e, raw)...)
	}
	return out
}

// leafErrors returns the leaf errors worth showing. For oneOf/anyOf only the branch that got
// deepest into the document is kept: it is the shape the student was writing.
func leafErrors(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	switch k := e.ErrorKind.(type) {
	case *kind.OneOf:
		if len(k.Subschemas) > 0 || len(e.Causes) == 0 {
			return []*jsonschema.ValidationError{e}
		}
		return bestBranch(e)
	case *kind.AnyOf:
		if len(e.Causes) == 0 {
			return []*jsonschema.ValidationError{e}
		}
		return bestBranch(e)
	case *kind.PropertyNames:
		return []*jsonschema.ValidationError{e}
	}
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leafErrors(c)...)
	}
	return out
}

func bestBranch(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	var best []*jsonschema.ValidationError
	bestDepth := -1
	var types []*kind.Type // every branch a single type error at the same place: merge them
	sameType := true
	for _, c := range e.Causes {
		l := leafErrors(c)
		d := 0
		for _, x := range l {
			d = max(d, errDepth(x))
		}
		if d > bestDepth || (d == bestDepth && len(l) < len(best)) {
			best, bestDepth = l, d
		}
		if t, ok := l[0].ErrorKind.(*kind.Type); ok && len(l) == 1 && slices.Equal(l[0].InstanceLocation, e.InstanceLocation) {
			types = append(types, t)
		} else {
			sameType = false
		}
	}
	if sameType && len(types) > 1 {
		merged := &kind.Type{Got: types[0].Got}
		for _, t := range types {
			for _, w := range t.Want {
				if !slices.Contains(merged.Want, w) {
					merged.Want = append(merged.Want, w)
				}
			}
		}
		return []*jsonschema.ValidationError{{SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation, ErrorKind: merged}}
	}
	return best
}

func errDepth(e *jsonschema.ValidationError) int {
	switch e.ErrorKind.(type) {
	case *kind.AdditionalProperties, *kind.PropertyNames, *kind.Required:
		return len(e.InstanceLocation) + 1 // about a key inside the object
	}
	return len(e.InstanceLocation)
}

// dropCovered removes `false schema` leaves (a property no schema allows) at or above a place
// where a more precise error was found.
func dropCovered(leaves []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	var out []*jsonschema.ValidationError
	for _, e := range leaves {
		if _, ok := e.ErrorKind.(*kind.FalseSchema); ok {
			covered := false
			for _, o := range leaves {
				if _, f := o.ErrorKind.(*kind.FalseSchema); !f && len(o.InstanceLocation) >= len(e.InstanceLocation) &&
					slices.Equal(o.InstanceLocation[:len(e.InstanceLocation)], e.InstanceLocation) {
					covered = true
					break
				}
			}
			if covered {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// explain turns one leaf into problems (several for additionalProperties: one per key).
func (b *builder) explain(e *jsonschema.ValidationError, raw any) []Problem {
	loc := e.InstanceLocation
	pl := b.at[strings.Join(loc, "\x00")]
	if pl == nil {
		pl = &place{path: strings.Join(loc, ".")}
	}
	mk := func(n *yaml.Node, path string, t check.Text) Problem {
		p := problemAt(b.name, 0, 0, path, t)
		if n != nil {
			p.Line, p.Column = n.Line, n.Column
		}
		return p
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		var out []Problem
		allowed, patterns := allowedProperties(raw, e.SchemaURL)
		for _, prop := range k.Properties {
			child := b.at[strings.Join(append(slices.Clip(loc), prop), "\x00")]
			msg := sayf("clé %s inconnue ici : vérifiez son orthographe et son indentation",
				"unknown key %s here: check its spelling and its indentation", quote(prop))
			if s := closestName(prop, allowed); s != "" {
				msg = sayf("clé %s inconnue ici (vouliez-vous dire %s ?)", "unknown key %s here (did you mean %s?)", quote(prop), quote(s))
			} else if len(allowed) == 0 && len(patterns) > 0 {
				// A map of names (services, networks…): it is the name that is wrong.
				pats := make([]check.Text, len(patterns))
				for i, p := range patterns {
					pats[i] = check.Same(p)
				}
				msg = sayf("nom %s invalide : il doit correspondre à %s", "invalid name %s: it must match %s", quote(prop), or(pats))
			}
			if child != nil {
				out = append(out, mk(firstNonNil(child.key, child.val), child.path, msg))
			} else {
				out = append(out, mk(pl.keyOrVal(), joinPath(pl.path, prop), msg))
			}
		}
		return out
	case *kind.PropertyNames:
		child := b.at[strings.Join(append(slices.Clip(loc), k.Property), "\x00")]
		msg := sayf("nom %s invalide ici", "invalid name %s here", quote(k.Property))
		for _, c := range e.Causes {
			if pk, ok := c.ErrorKind.(*kind.Pattern); ok {
				msg = sayf("nom %s invalide ici : il doit correspondre à %s", "invalid name %s here: it must match %s", quote(k.Property), pk.Want)
			}
		}
		if child != nil {
			return []Problem{mk(firstNonNil(child.key, child.val), child.path, msg)}
		}
		return []Problem{mk(pl.keyOrVal(), joinPath(pl.path, k.Property), msg)}
	case *kind.Required:
		msg := sayf("clé obligatoire %s manquante : ajoutez-la", "required key %s missing: add it", quoteAll(k.Missing))
		if len(k.Missing) > 1 {
			msg = sayf("clés obligatoires %s manquantes : ajoutez-les", "required keys %s missing: add them", quoteAll(k.Missing))
		}
		return []Problem{mk(pl.keyOrVal(), pl.path, msg)}
	case *kind.UniqueItems:
		if dedupedByCompose(loc) {
			return nil
		}
		i, j := k.Duplicates[0], k.Duplicates[1]
		first := b.at[strings.Join(append(slices.Clip(loc), strconv.Itoa(i)), "\x00")]
		dup := b.at[strings.Join(append(slices.Clip(loc), strconv.Itoa(j)), "\x00")]
		msg := check.T("élément en double dans cette liste : retirez-le", "duplicate item in this list: remove it")
		if first != nil && first.val != nil {
			msg = check.T("élément en double : déjà présent ligne %d, retirez-le", "duplicate item: already on line %d, remove it", first.val.Line)
		}
		if dup != nil {
			return []Problem{mk(dup.val, dup.path, msg)}
		}
		return []Problem{mk(pl.keyOrVal(), pl.path, msg)}
	case *kind.FalseSchema:
		if pl.key != nil {
			return []Problem{mk(pl.key, pl.path, sayf("clé %s interdite ici : retirez-la", "key %s not allowed here: remove it", quote(pl.key.Value)))}
		}
		return []Problem{mk(pl.val, pl.path, check.T("valeur interdite ici : retirez-la", "value not allowed here: remove it"))}
	}
	switch e.ErrorKind.(type) {
	case *kind.Enum, *kind.Const, *kind.Pattern, *kind.Format, *kind.MinLength, *kind.MaxLength:
		// A "${VAR}" value is judged by compose-go once interpolated, not as written.
		if v := resolveAlias(pl.val); v != nil && v.Kind == yaml.ScalarNode && strings.Contains(v.Value, "$") {
			return nil
		}
	}
	n := pl.val
	if pl.key != nil && n != nil && ((n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 ||
		n.Kind == yaml.ScalarNode && n.Value == "" && n.ShortTag() == "!!null") {
		n = pl.key // a block collection starts on the next line, a missing value nowhere: point at the key
	}
	return []Problem{mk(n, pl.path, kindText(e))}
}

// dedupedByCompose says whether compose-go v2.9.1 silently drops repeated entries of this
// list before validating (override.EnforceUnicity): `cap_add: [X, X]` loads, so its
// uniqueItems error is not one.
func dedupedByCompose(loc []string) bool {
	for _, p := range uniqueLists {
		if castMatch(strings.Split(p, "."), loc) {
			return true
		}
	}
	return false
}

var uniqueLists = []string{
	"networks.*.labels", "networks.*.ipam.options",
	"services.*.annotations", "services.*.build.args", "services.*.build.additional_contexts",
	"services.*.build.platform", "services.*.build.tags", "services.*.build.labels",
	"services.*.cap_add", "services.*.cap_drop", "services.*.devices", "services.*.configs",
	"services.*.deploy.labels", "services.*.dns", "services.*.dns_opt", "services.*.dns_search",
	"services.*.environment", "services.*.env_file", "services.*.expose", "services.*.labels",
	"services.*.links", "services.*.networks.*.aliases", "services.*.networks.*.link_local_ips",
	"services.*.ports", "services.*.profiles", "services.*.secrets", "services.*.sysctls",
	"services.*.tmpfs", "services.*.volumes",
}

func (p *place) keyOrVal() *yaml.Node {
	if p.key != nil {
		return p.key
	}
	return p.val
}

func firstNonNil(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// kindText words the value errors; rare kinds keep the library's English words, quoted.
func kindText(e *jsonschema.ValidationError) check.Text {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		want := make([]check.Text, len(k.Want))
		for i, w := range k.Want {
			want[i] = wantType(w)
		}
		return sayf("doit être %s (reçu : %s)", "must be %s (got: %s)", or(want), gotType(k.Got))
	case *kind.Enum:
		want := make([]check.Text, len(k.Want))
		for i, w := range k.Want {
			want[i] = shown(w)
		}
		if len(want) == 1 {
			return sayf("valeur attendue : %s (reçu : %s)", "must be %s (got: %s)", want[0], shown(k.Got))
		}
		return sayf("valeur attendue parmi : %s (reçu : %s)", "must be one of %s (got: %s)", check.Join(want, ", ", ", "), shown(k.Got))
	case *kind.Const:
		return sayf("valeur attendue : %s (reçu : %s)", "must be %s (got: %s)", shown(k.Want), shown(k.Got))
	case *kind.Format:
		if k.Want == "duration" {
			return sayf("durée invalide %s : écrivez par exemple 10s, 1m30s, 500ms",
				"invalid duration %s: write for example 10s, 1m30s, 500ms", shown(k.Got))
		}
		return sayf("valeur %s invalide : le format %s est attendu", "invalid value %s: the %s format is expected", shown(k.Got), quote(k.Want))
	case *kind.Pattern:
		return sayf("valeur %s mal formée : elle doit correspondre à %s", "badly formed value %s: it must match %s", shown(k.Got), k.Want)
	case *kind.MinItems:
		return sayf("la liste doit contenir au moins %s (elle en contient %d)", "the list must hold at least %s (it holds %d)",
			count(k.Want, "élément", "éléments", "item", "items"), k.Got)
	case *kind.MaxItems:
		return sayf("la liste doit contenir au plus %s (elle en contient %d)", "the list must hold at most %s (it holds %d)",
			count(k.Want, "élément", "éléments", "item", "items"), k.Got)
	case *kind.MinProperties:
		return sayf("l'objet doit contenir au moins %s (il en contient %d)", "the mapping must hold at least %s (it holds %d)",
			count(k.Want, "clé", "clés", "key", "keys"), k.Got)
	case *kind.MaxProperties:
		return sayf("l'objet doit contenir au plus %s (il en contient %d)", "the mapping must hold at most %s (it holds %d)",
			count(k.Want, "clé", "clés", "key", "keys"), k.Got)
	case *kind.MinLength:
		return sayf("la valeur doit compter au moins %s (elle en compte %d)", "the value must be at least %s long (it has %d)",
			count(k.Want, "caractère", "caractères", "character", "characters"), k.Got)
	case *kind.MaxLength:
		return sayf("la valeur doit compter au plus %s (elle en compte %d)", "the value must be at most %s long (it has %d)",
			count(k.Want, "caractère", "caractères", "character", "characters"), k.Got)
	case *kind.Minimum:
		return sayf("doit être supérieur ou égal à %s (reçu : %s)", "must be greater than or equal to %s (got: %s)", ratText(k.Want), ratText(k.Got))
	case *kind.Maximum:
		return sayf("doit être inférieur ou égal à %s (reçu : %s)", "must be less than or equal to %s (got: %s)", ratText(k.Want), ratText(k.Got))
	case *kind.ExclusiveMinimum:
		return sayf("doit être strictement supérieur à %s (reçu : %s)", "must be greater than %s (got: %s)", ratText(k.Want), ratText(k.Got))
	case *kind.ExclusiveMaximum:
		return sayf("doit être strictement inférieur à %s (reçu : %s)", "must be less than %s (got: %s)", ratText(k.Want), ratText(k.Got))
	case *kind.MultipleOf:
		return sayf("doit être un multiple de %s (reçu : %s)", "must be a multiple of %s (got: %s)", ratText(k.Want), ratText(k.Got))
	case *kind.OneOf:
		if len(k.Subschemas) > 0 {
			return check.T("valeur ambiguë : elle correspond à plusieurs des formes permises", "ambiguous value: it matches several of the allowed forms")
		}
		return check.T("forme de valeur interdite ici", "this form of value is not allowed here")
	case *kind.AnyOf:
		return check.T("forme de valeur interdite ici", "this form of value is not allowed here")
	case *kind.Dependency:
		return sayf("%s exige aussi %s", "%s also requires %s", quote(k.Prop), quoteAll(k.Missing))
	case *kind.DependentRequired:
		return sayf("%s exige aussi %s", "%s also requires %s", quote(k.Prop), quoteAll(k.Missing))
	case *kind.Not:
		return check.T("valeur interdite ici", "value not allowed here")
	}
	return sayf("valeur refusée par le schéma de Compose (%s)", "value rejected by the Compose schema (%s)",
		quote(e.ErrorKind.LocalizedString(message.NewPrinter(language.English))))
}

// ratText is a number of the schema, with a decimal comma in French.
func ratText(r *big.Rat) check.Text {
	switch {
	case r == nil:
		return check.Same("?")
	case r.IsInt():
		return check.Same(r.Num().String())
	}
	s := r.FloatString(3)
	return check.Text{FR: strings.Replace(s, ".", ",", 1), EN: s}
}

func jsonTypeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case int, int64, uint64, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// shown is a value of the document as a message shows it: text quoted, a number as it is,
// a collection by its type.
func shown(v any) check.Text {
	switch v := v.(type) {
	case string:
		return quote(v)
	case nil:
		return gotType("null")
	case map[string]any:
		return gotType("object")
	case []any:
		return gotType("array")
	}
	return check.Same(printable(fmt.Sprint(v)))
}

// allowedProperties lists the properties and the name patterns declared by the schema object
// the error points at (SchemaURL is that object's location: …#/definitions/service).
func allowedProperties(raw any, schemaURL string) (props, patterns []string) {
	_, frag, ok := strings.Cut(schemaURL, "#")
	if !ok {
		return nil, nil
	}
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	cur := raw
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, nil
			}
			cur = c[i]
		default:
			return nil, nil
		}
	}
	obj, _ := cur.(map[string]any)
	ps, _ := obj["properties"].(map[string]any)
	for p := range ps {
		props = append(props, p)
	}
	pp, _ := obj["patternProperties"].(map[string]any)
	for p := range pp {
		patterns = append(patterns, p)
	}
	sort.Strings(props)
	sort.Strings(patterns)
	return props, patterns
}

// closestName returns the allowed name closest to a typo, "" when none is close.
func closestName(got string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		d := distance(strings.ToLower(got), strings.ToLower(a))
		if d < bestD && d <= max(1, len([]rune(a))/3) {
			best, bestD = a, d
		}
	}
	return best
}

// distance bounds the work on a student's key: past 64 runes nothing is close.
func distance(a, b string) int {
	if len([]rune(a)) > 64 || len([]rune(b)) > 64 {
		return 99
	}
	return levenshtein.Distance(a, b, nil)
}

// ---- interpolation casts ------------------------------------------------------------------

// castRule is one entry of compose-go v2.9.1's interpolateTypeCastMapping: after
// interpolation, and before the schema, the strings at these paths are converted, and a
// failure stops the load ("failed to cast to expected type", no position). The schema allows
// strings there (for "${N}"), so only this check can place `retries: trois`.
type castRule struct {
	path []string // "*" any key, "[]" any index
	want string   // integer, number, boolean
}

var castRules = func() []castRule {
	svc := func(want string, p ...string) castRule {
		return castRule{append([]string{"services", "*"}, p...), want}
	}
	top := func(want string, p ...string) castRule { return castRule{p, want} }
	return []castRule{
		svc("integer", "cpu_count"), svc("number", "cpu_percent"), svc("integer", "cpu_period"),
		svc("integer", "cpu_quota"), svc("integer", "cpu_rt_period"), svc("integer", "cpu_rt_runtime"),
		svc("number", "cpus"), svc("integer", "cpu_shares"), svc("boolean", "init"),
		svc("integer", "deploy", "replicas"), svc("integer", "deploy", "update_config", "parallelism"),
		svc("number", "deploy", "update_config", "max_failure_ratio"),
		svc("integer", "deploy", "rollback_config", "parallelism"),
		svc("number", "deploy", "rollback_config", "max_failure_ratio"),
		svc("integer", "deploy", "restart_policy", "max_attempts"),
		svc("integer", "deploy", "placement", "max_replicas_per_node"),
		svc("integer", "healthcheck", "retries"), svc("boolean", "healthcheck", "disable"),
		svc("boolean", "oom_kill_disable"), svc("integer", "oom_score_adj"), svc("integer", "pids_limit"),
		svc("integer", "ports", "[]", "target"), svc("boolean", "privileged"), svc("boolean", "read_only"),
		svc("integer", "scale"), svc("boolean", "stdin_open"), svc("boolean", "tty"),
		svc("integer", "ulimits", "*"), svc("integer", "ulimits", "*", "hard"), svc("integer", "ulimits", "*", "soft"),
		svc("boolean", "volumes", "[]", "read_only"), svc("boolean", "volumes", "[]", "volume", "nocopy"),
		top("boolean", "networks", "*", "external"), top("boolean", "networks", "*", "internal"),
		top("boolean", "networks", "*", "attachable"), top("boolean", "networks", "*", "enable_ipv4"),
		top("boolean", "networks", "*", "enable_ipv6"), top("boolean", "volumes", "*", "external"),
		top("boolean", "secrets", "*", "external"), top("boolean", "configs", "*", "external"),
	}
}()

func (b *builder) casts(v any, loc []string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			b.casts(e, append(slices.Clip(loc), k))
		}
	case []any:
		for i, e := range v {
			b.casts(e, append(slices.Clip(loc), strconv.Itoa(i)))
		}
	case string:
		if strings.Contains(v, "$") { // its value is only known once interpolated
			return
		}
		for _, r := range castRules {
			if !castMatch(r.path, loc) {
				continue
			}
			if castOK(r.want, v) {
				return
			}
			pl := b.at[strings.Join(loc, "\x00")]
			if pl == nil {
				return
			}
			b.problem(pl.val, pl.path, sayf("doit être %s (reçu : %s)", "must be %s (got: %s)", wantType(r.want), quote(v)))
			return
		}
	}
}

func castMatch(pattern, loc []string) bool {
	if len(pattern) != len(loc) {
		return false
	}
	for i, p := range pattern {
		switch p {
		case "*":
		case "[]":
			if _, err := strconv.Atoi(loc[i]); err != nil {
				return false
			}
		default:
			if p != loc[i] {
				return false
			}
		}
	}
	return true
}

func castOK(want, v string) bool {
	var err error
	switch want {
	case "integer":
		_, err = strconv.ParseInt(v, 10, 64)
	case "number":
		_, err = strconv.ParseFloat(v, 64)
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "false", "y", "yes", "on", "n", "no", "off":
		default:
			err = errors.New("not a boolean")
		}
	}
	return err == nil
}
