package iam

import (
	"bytes"
	"fmt"

	"github.com/ciem/ciem/internal/catalog"
)

// grant is what one Allow statement grants on one part of its scope, once the denies of all
// the policies considered together have been applied.
type grant struct {
	ref StatementRef
	// actions is shared by the grants of one statement: it is never changed in place (a
	// deny or a diff makes a new set).
	actions catalog.ActionSet
	scope   resourceScope
	// cond is "" for an unconditional grant; otherwise a text naming the conditions under
	// which it holds (the statement's own, and those of conditional denies that may take
	// part of it away), equal for equal conditions.
	cond string
}

// grantSet is every grant of a set of policies taken together (one principal's policies, or
// one side of a diff).
type grantSet []grant

// policyGrants applies AWS's "an explicit deny wins" across all the policies together, with
// these approximations, which err towards reporting a grant (a risk is never hidden; a grant
// that a Deny narrows may be reported whole):
//
//   - a Deny takes actions away from a grant only when its scope covers the grant's whole
//     scope (a deny on part of the resources of an "Allow on *" leaves that grant standing);
//   - an unconditional Deny removes the actions; a conditional Deny makes them conditional
//     (granted unless the deny's conditions hold);
//   - an Allow with conditions is a conditional grant;
//   - Principal and NotPrincipal are ignored (identity-policy view), and a statement with no
//     Resource element applies to "*";
//   - actions unknown to the catalog grant nothing here.
//
// An Allow statement with several Resource patterns gives one grant per pattern, so that
// grants group by resource; one with NotResource gives one grant on "* except ...".
// names[i] names pols[i]; nil policies are skipped.
func policyGrants(pols []*Policy, names []string) grantSet {
	type deny struct {
		actions catalog.ActionSet
		scope   resourceScope
		cond    string
	}
	var denies []deny
	var out grantSet
	for pi, p := range pols {
		if p == nil {
			continue
		}
		for si, s := range p.Statements {
			ref := StatementRef{Policy: names[pi], Sid: s.Sid, Path: statementPath(s, si), Layer: LayerIdentity}
			switch s.Effect {
			case Deny:
				denies = append(denies, deny{s.ActionSet(), statementScope(s), conditionSignature(s.Conditions)})
			case Allow:
				acts := s.ActionSet()
				if acts.IsEmpty() {
					continue
				}
				cond := conditionSignature(s.Conditions)
				sc := statementScope(s)
				if sc.except {
					out = append(out, grant{ref: ref, actions: acts, scope: sc, cond: cond})
					continue
				}
				for _, r := range sc.patterns {
					out = append(out, grant{ref: ref, actions: acts, scope: resourceScope{patterns: []string{r}}, cond: cond})
				}
			}
		}
	}
	toks := resourceTokens{}
	for _, d := range denies {
		var next grantSet
		for _, g := range out {
			if !g.actions.Intersects(d.actions) || !g.scope.withinTokens(d.scope, toks) {
				next = append(next, g)
				continue
			}
			hit := g.actions.Intersect(d.actions)
			rest := g
			rest.actions = g.actions.Minus(d.actions)
			if !rest.actions.IsEmpty() {
				next = append(next, rest)
			}
			if d.cond != "" {
				part := g
				part.actions = hit
				part.cond = joinConditions(g.cond, "unless "+d.cond)
				next = append(next, part)
			}
		}
		out = next
	}
	return out
}

// statementPath is the statement's JSON path, or its index when it was not parsed from text.
func statementPath(s *Statement, i int) string {
	if s.Path != "" {
		return s.Path
	}
	return fmt.Sprintf("$.Statement[%d]", i)
}

// conditionSignature is the canonical text of a condition block, "" when there is none, so
// that equal conditions give equal texts.
func conditionSignature(conds []Condition) string {
	if len(conds) == 0 {
		return ""
	}
	var b bytes.Buffer
	writeConditions(&b, conds)
	return b.String()
}

func joinConditions(a, b string) string {
	if a == "" {
		return b
	}
	return a + " and " + b
}

// covering returns the actions of the grants that cover all of scope under cond: the
// unconditional ones, and the conditional ones with exactly the same conditions.
func (gs grantSet) covering(scope resourceScope, cond string) catalog.ActionSet {
	return gs.coveringTokens(scope, cond, nil)
}

// coveringTokens is covering, with the patterns' tokens taken from (and kept in) toks.
func (gs grantSet) coveringTokens(scope resourceScope, cond string, toks resourceTokens) catalog.ActionSet {
	out := catalog.NewActionSet(catalog.Default())
	for _, g := range gs {
		if (g.cond == "" || g.cond == cond) && scope.withinTokens(g.scope, toks) {
			out.UnionWith(g.actions)
		}
	}
	return out
}
