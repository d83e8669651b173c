package standing

import (
	"encoding/json"
	"fmt"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// boundaryDeny turns a permissions boundary into an identity policy that denies every
// action the boundary does not allow, so that standing access is read as identity ∩
// boundary by the engine's union-of-policies diff and findings. The reading is by action:
// a boundary Allow limited to some resources or conditions counts as allowing its actions
// everywhere (standing access can only be overstated there, never a grant's additions
// hidden more than that), and only its unconditional Deny statements on every resource
// take actions away. Nil when the boundary limits nothing.
func boundaryDeny(b *iam.Policy) (*iam.Policy, error) {
	cat := catalog.Default()
	allowed, denied := cat.NewSet(), cat.NewSet()
	for _, st := range b.Statements {
		switch st.Effect {
		case iam.Allow:
			allowed.UnionWith(st.ActionSet())
		case iam.Deny:
			if len(st.Conditions) == 0 && everywhere(st) {
				denied.UnionWith(st.ActionSet())
			}
		}
	}
	out := cat.AllActions().Minus(allowed.Minus(denied))
	if out.IsEmpty() {
		return nil, nil
	}
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Sid": "OutsideBoundary", "Effect": "Deny", "Action": cat.Names(out), "Resource": "*"}}})
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	return iam.Parse(doc, iam.KindManaged)
}

// everywhere reports whether the statement applies to every resource.
func everywhere(st *iam.Statement) bool {
	if !st.HasResource() {
		return true
	}
	if st.NotResource {
		return len(st.Resources) == 0
	}
	for _, r := range st.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}
