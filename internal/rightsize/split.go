package rightsize

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ciem/ciem/internal/iam"
)

// splitPolicy returns the policy as one or more policies, each within the size limit of
// the kind, that together grant and deny exactly what it does (identity policies of one
// principal are evaluated together, so statements may be spread over several). Statements
// go largest first into the first policy with room (first-fit decreasing); a statement
// too large on its own is cut in two, by its actions or else by its resources, which
// keeps its meaning (a statement applies to each of its actions and resources alike).
// The result is deterministic: the same policy gives the same parts.
func splitPolicy(p *iam.Policy, kind iam.Kind) ([]*iam.Policy, error) {
	limit := iam.SizeLimit(kind)
	if limit == 0 || policySize(p.Statements) <= limit {
		return []*iam.Policy{p}, nil
	}
	var stmts []*iam.Statement
	for _, st := range p.Statements {
		parts, err := cutToFit(st, limit)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, parts...)
	}
	type sized struct {
		st   *iam.Statement
		text string
	}
	all := make([]sized, len(stmts))
	for i, st := range stmts {
		all[i] = sized{st, string(iam.Canonical(&iam.Policy{Statements: []*iam.Statement{st}}))}
	}
	slices.SortFunc(all, func(a, b sized) int {
		if c := cmp.Compare(len(b.text), len(a.text)); c != 0 {
			return c
		}
		return cmp.Compare(a.text, b.text)
	})
	var bins [][]*iam.Statement
	for _, s := range all {
		placed := false
		for i := range bins {
			if policySize(append(slices.Clone(bins[i]), s.st)) <= limit {
				bins[i] = append(bins[i], s.st)
				placed = true
				break
			}
		}
		if !placed {
			bins = append(bins, []*iam.Statement{s.st})
		}
	}
	out := make([]*iam.Policy, len(bins))
	for i, b := range bins {
		out[i] = &iam.Policy{Version: p.Version, Statements: b}
	}
	return out, nil
}

// policySize is the size IAM counts for a policy of these statements.
func policySize(stmts []*iam.Statement) int {
	return iam.PolicySize(iam.Canonical(&iam.Policy{Version: iam.Version2012, Statements: stmts}))
}

// cutToFit cuts a statement into statements that each fit a policy of the limit alone.
func cutToFit(st *iam.Statement, limit int) ([]*iam.Statement, error) {
	if policySize([]*iam.Statement{st}) <= limit {
		return []*iam.Statement{st}, nil
	}
	var a, b *iam.Statement
	switch {
	case !st.NotAction && len(st.Actions) > 1:
		// NotAction lists cannot be cut: the union of two complements is not the complement of the union.
		h := len(st.Actions) / 2
		a, b = withActions(st, st.Actions[:h]), withActions(st, st.Actions[h:])
	case !st.NotResource && len(st.Resources) > 1:
		h := len(st.Resources) / 2
		a, b = withResources(st, st.Resources[:h]), withResources(st, st.Resources[h:])
	default:
		return nil, fmt.Errorf("a statement on %v alone is %d characters, over the %d a policy may have: it cannot be split",
			st.Actions, policySize([]*iam.Statement{st}), limit)
	}
	left, err := cutToFit(a, limit)
	if err != nil {
		return nil, err
	}
	right, err := cutToFit(b, limit)
	if err != nil {
		return nil, err
	}
	return append(left, right...), nil
}

func withActions(st *iam.Statement, actions []string) *iam.Statement {
	c := *st
	c.Actions = slices.Clone(actions)
	return &c
}

func withResources(st *iam.Statement, resources []string) *iam.Statement {
	c := *st
	c.Resources = slices.Clone(resources)
	return &c
}
