package rightsize

import (
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/iam"
)

// policyBuilder gathers the kept grants and writes the suggested policy: grants on
// Resource lists go through iam.Minimize (per condition block), grants kept with their
// NotResource element become one statement per exception list, and the Deny statements
// that apply to kept actions are carried over unchanged.
type policyBuilder struct {
	plain  map[string]*plainGroup // by condition key
	except map[string]*exceptGroup
	denies []*iam.Statement
}

type plainGroup struct {
	conds  []iam.Condition
	grants []iam.Grant
}

type exceptGroup struct {
	conds        []iam.Condition
	notResources []string
	actions      []string
}

func newPolicyBuilder() *policyBuilder {
	return &policyBuilder{plain: map[string]*plainGroup{}, except: map[string]*exceptGroup{}}
}

// add records the action's grant.
func (b *policyBuilder) add(action string, g grant) {
	if g.notResource {
		nr := slices.Clone(g.resources)
		slices.Sort(nr)
		key := g.from.cond + "\x00" + strings.Join(nr, "\x00")
		e := b.except[key]
		if e == nil {
			e = &exceptGroup{conds: g.from.st.Conditions, notResources: nr}
			b.except[key] = e
		}
		e.actions = append(e.actions, action)
		return
	}
	p := b.plain[g.from.cond]
	if p == nil {
		p = &plainGroup{conds: g.from.st.Conditions}
		b.plain[g.from.cond] = p
	}
	for _, r := range g.resources {
		p.grants = append(p.grants, iam.Grant{Action: action, Resource: r})
	}
}

// carryDeny adds a Deny statement of the granted policies.
func (b *policyBuilder) carryDeny(st *iam.Statement) {
	c := *st
	c.Path = ""
	b.denies = append(b.denies, &c)
}

// policy writes the suggested policy. wildcards compacts actions where exact.
func (b *policyBuilder) policy(wildcards bool) *iam.Policy {
	opts := iam.MinimizeOptions{Wildcards: wildcards}
	var stmts []*iam.Statement
	for _, key := range sortedKeys(b.plain) {
		g := b.plain[key]
		for _, st := range iam.Minimize(g.grants, opts).Statements {
			st.Conditions = slices.Clone(g.conds)
			stmts = append(stmts, st)
		}
	}
	for _, key := range sortedKeys(b.except) {
		e := b.except[key]
		var grants []iam.Grant
		for _, a := range e.actions {
			grants = append(grants, iam.Grant{Action: a, Resource: "*"})
		}
		// One resource: Minimize writes one statement, whose compacted actions are taken.
		for _, st := range iam.Minimize(grants, opts).Statements {
			stmts = append(stmts, &iam.Statement{Effect: iam.Allow, Actions: st.Actions,
				Resources: slices.Clone(e.notResources), NotResource: true, Conditions: slices.Clone(e.conds)})
		}
	}
	stmts = append(stmts, b.denies...)
	return &iam.Policy{Version: iam.Version2012, Statements: stmts}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
