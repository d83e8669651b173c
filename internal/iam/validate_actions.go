package iam

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ciem/ciem/internal/catalog"
)

// Action checks: format, service, action, patterns that match nothing, and entries of a
// list that another entry already covers.

func (v *validator) checkActions(s *Statement, info *stmtInfo) {
	cat := catalog.Default()
	base := s.Path + ".Action"
	if s.NotAction {
		base = s.Path + ".NotAction"
	}
	union := cat.NewSet()
	sets := make([]catalog.ActionSet, len(s.Actions))
	paths := make([]string, len(s.Actions))
	info.allKnown = true
	for i, a := range s.Actions {
		paths[i] = v.listPath(base, i, len(s.Actions))
		set, ok := v.checkAction(paths[i], a)
		if !ok {
			info.allKnown = false
		}
		sets[i] = set
		union.UnionWith(set)
	}
	if s.NotAction {
		info.actions = cat.AllActions().Minus(union)
	} else {
		info.actions = union
	}
	v.checkRedundantActions(s.Actions, sets, paths)
}

// checkAction checks one Action/NotAction entry and returns the actions it matches, and
// false when it is malformed or matches nothing.
func (v *validator) checkAction(path, a string) (catalog.ActionSet, bool) {
	cat := catalog.Default()
	if a == "*" {
		return cat.AllActions(), true
	}
	if msg := actionFormatProblem(a); msg != "" {
		v.add(CodeInvalidActionFormat, path, "%s", msg)
		return cat.NewSet(), false
	}
	svc, name, _ := strings.Cut(a, ":")
	wildSvc, wildName := strings.ContainsAny(svc, "*?"), strings.ContainsAny(name, "*?")
	if !wildSvc && cat.Service(svc) == nil {
		f := v.add(CodeUnknownService, path, "unknown service %q in action %q", svc, a)
		f.Suggestions = SuggestActions(a)
		return cat.NewSet(), false
	}
	if !wildSvc && !wildName {
		id, ok := cat.LookupAction(a)
		if !ok {
			f := v.add(CodeUnknownAction, path, "unknown action %q", a)
			f.Suggestions = SuggestActions(a)
			return cat.NewSet(), false
		}
		set := cat.NewSet()
		set.Add(id)
		return set, true
	}
	set := cat.Match(a)
	if set.IsEmpty() {
		if wildSvc {
			v.add(CodeActionMatchesNothing, path, "action pattern %q matches no action of any service", a)
		} else {
			v.add(CodeActionMatchesNothing, path, "action pattern %q matches no action of service %q", a, strings.ToLower(svc))
		}
		return set, false
	}
	return set, true
}

// actionFormatProblem says what is wrong with the form of an action (other than "*"),
// or "" when it has the form service:action with characters IAM action names use.
func actionFormatProblem(a string) string {
	if strings.TrimSpace(a) == "" {
		return "an action must not be empty"
	}
	if strings.IndexFunc(a, unicode.IsSpace) >= 0 {
		return fmt.Sprintf("action %q contains whitespace", a)
	}
	svc, name, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		return fmt.Sprintf("action %q has no service prefix: write it as service:action, e.g. s3:GetObject", a)
	case strings.Contains(name, ":"):
		return fmt.Sprintf("action %q has more than one ':': write it as service:action", a)
	case svc == "":
		return fmt.Sprintf("action %q has an empty service prefix", a)
	case name == "":
		return fmt.Sprintf("action %q has an empty action name after the service prefix", a)
	}
	for _, c := range svc {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '*' || c == '?') {
			return fmt.Sprintf("action %q: the service prefix has the character %q (prefixes use letters, digits and '-')", a, c)
		}
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*' || c == '?') {
			return fmt.Sprintf("action %q: the action name has the character %q (action names use letters and digits, with '*' and '?' as wildcards)", a, c)
		}
	}
	return ""
}

// SuggestActions returns "did you mean" candidates for an action name that is not in the
// catalog: the catalog's closest names, keeping only those as close as the best one (up
// to three). For a name whose service is unknown and has no close action, it returns
// close service prefixes.
func SuggestActions(name string) []string {
	cat := catalog.Default()
	if s := bestSuggestions(name, cat.Suggest(name, 5)); len(s) > 0 {
		return s
	}
	svc, _, _ := strings.Cut(name, ":")
	if cat.Service(svc) == nil {
		return SuggestServices(svc)
	}
	return nil
}

// SuggestServices returns "did you mean" service prefixes for an unknown one: the
// closest, as close as the best one, and never one that shares nothing with what was
// typed ("zz" gets no suggestion rather than "ce").
func SuggestServices(prefix string) []string {
	var out []string
	for _, s := range bestSuggestions(prefix, catalog.Default().SuggestService(prefix, 5)) {
		if suggestDistance(prefix, s) < len(prefix) {
			out = append(out, s)
		}
	}
	return out
}

// bestSuggestions keeps the catalog's suggestions that are as close to what was typed as
// the closest one ("s3:GetObjet" gets s3:GetObject, not also s3:PutObject).
func bestSuggestions(typed string, cands []string) []string {
	if len(cands) == 0 {
		return nil
	}
	best := -1
	var out []string
	for _, c := range cands {
		d := suggestDistance(typed, c)
		switch {
		case best < 0 || d < best:
			best, out = d, []string{c}
		case d == best:
			out = append(out, c)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// checkRedundantActions reports an entry whose actions another entry of the same list
// already matches ("s3:GetObject" next to "s3:*"). Of two entries that match the same
// actions, the later one is reported.
func (v *validator) checkRedundantActions(actions []string, sets []catalog.ActionSet, paths []string) {
	// Lengths rule out most pairs; the rest compare only the words the covered entry
	// occupies (one, for the usual single action), outside which it has no action.
	lens := make([]int, len(sets))
	spans := make([][2]int, len(sets))
	for i, s := range sets {
		lens[i] = s.Len()
		spans[i][0], spans[i][1] = s.Span()
	}
	covers := func(j, i int) bool {
		lo, hi := spans[i][0], spans[i][1]
		return lens[j] >= lens[i] && sets[j].Window(lo, hi).ContainsAll(sets[i].Window(lo, hi))
	}
	for i := range actions {
		if lens[i] == 0 {
			continue
		}
		for j := range actions {
			if i == j || lens[j] == 0 || !covers(j, i) {
				continue
			}
			if lens[i] == lens[j] { // covered and the same size: the same actions
				if i < j {
					continue
				}
				if strings.EqualFold(actions[i], actions[j]) {
					v.add(CodeRedundantAction, paths[i], "%q is listed twice (also at %s)", actions[i], paths[j])
					break
				}
			}
			v.add(CodeRedundantAction, paths[i], "%q is redundant: %q at %s already covers it", actions[i], actions[j], paths[j])
			break
		}
	}
}
