package rightsize

import (
	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// What a principal is effectively granted, action by action: an action counts when an
// identity Allow statement names it, no unconditional identity Deny on every resource takes
// it away, and the permissions boundary (when there is one) allows it likewise. A Deny on
// some resources, or under conditions, leaves the action granted (on the rest); such Deny
// statements are carried into the suggestion instead, so that it denies what they deny.

// statement is one statement of a granted policy, with what it applies to.
type statement struct {
	policy  int // index into Granted.Policies
	st      *iam.Statement
	actions catalog.ActionSet
	cond    string // canonical text of the Condition block, "" for none
}

// everywhere reports whether the statement applies to every resource.
func (s *statement) everywhere() bool {
	if !s.st.HasResource() {
		return true
	}
	if s.st.NotResource {
		return len(s.st.Resources) == 0
	}
	for _, r := range s.st.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}

// grantModel is the statements of the principal's policies and the action sets they give.
type grantModel struct {
	allows, denies []*statement
	// identity is every action an identity Allow names.
	identity catalog.ActionSet
	// denied is what unconditional identity Deny statements on every resource take away.
	denied catalog.ActionSet
	// bounded is what the boundary allows (every action when there is none).
	bounded     catalog.ActionSet
	hasBoundary bool
	// effective = (identity - denied) ∩ bounded.
	effective catalog.ActionSet
}

func newGrantModel(gr *Granted) *grantModel {
	cat := catalog.Default()
	m := &grantModel{identity: cat.NewSet(), denied: cat.NewSet(), bounded: cat.AllActions()}
	for i := range gr.Policies {
		for _, st := range gr.Policies[i].policy.Statements {
			s := &statement{policy: i, st: st, actions: st.ActionSet(), cond: conditionKey(st.Conditions)}
			switch st.Effect {
			case iam.Allow:
				m.allows = append(m.allows, s)
				m.identity.UnionWith(s.actions)
			case iam.Deny:
				m.denies = append(m.denies, s)
				if s.cond == "" && s.everywhere() {
					m.denied.UnionWith(s.actions)
				}
			}
		}
	}
	if gr.Boundary != nil {
		m.hasBoundary = true
		allow, deny := cat.NewSet(), cat.NewSet()
		for _, st := range gr.Boundary.policy.Statements {
			s := &statement{st: st, actions: st.ActionSet(), cond: conditionKey(st.Conditions)}
			switch st.Effect {
			case iam.Allow:
				allow.UnionWith(s.actions)
			case iam.Deny:
				if s.cond == "" && s.everywhere() {
					deny.UnionWith(s.actions)
				}
			}
		}
		m.bounded = allow.Minus(deny)
	}
	m.effective = m.identity.Minus(m.denied)
	m.effective.IntersectWith(m.bounded)
	return m
}

// granting returns the Allow statements that name the action, in policy and document order.
func (m *grantModel) granting(id catalog.ActionID) []*statement {
	var out []*statement
	for _, s := range m.allows {
		if s.actions.Has(id) {
			out = append(out, s)
		}
	}
	return out
}

// conditionKey is the canonical text of a Condition block, equal for equal blocks.
func conditionKey(conds []iam.Condition) string {
	if len(conds) == 0 {
		return ""
	}
	p := &iam.Policy{Statements: []*iam.Statement{{Effect: iam.Allow, Actions: []string{"*"}, Resources: []string{"*"}, Conditions: conds}}}
	return string(iam.Canonical(p))
}
