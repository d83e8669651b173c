package rightsize

import (
	"github.com/ciem/ciem/internal/iam"
)

// containment answers "is every resource that pattern matches inside the resources of
// this statement?" with the engine's own diff (iam.DiffSets), so that right-sizing and the
// engine agree on what lies inside what. It is sound: a pattern inside only the union of
// several patterns, or inside a pattern with a policy variable, counts as outside.
type containment struct {
	cache map[withinKey]bool
}

type withinKey struct {
	action, resource string
	st               *iam.Statement
}

func newContainment() *containment { return &containment{cache: map[withinKey]bool{}} }

// within reports whether the action on resource lies inside what st covers on resources
// (its Resource or NotResource element; conditions are not considered here).
func (c *containment) within(action, resource string, st *iam.Statement) bool {
	k := withinKey{action, resource, st}
	if v, ok := c.cache[k]; ok {
		return v
	}
	outer := &iam.Statement{Effect: iam.Allow, Actions: []string{action}, Resources: st.Resources, NotResource: st.NotResource}
	if !st.HasResource() {
		outer.Resources = []string{"*"}
	}
	inner := &iam.Statement{Effect: iam.Allow, Actions: []string{action}, Resources: []string{resource}}
	d := iam.DiffSets([]*iam.Policy{{Version: iam.Version2012, Statements: []*iam.Statement{outer}}},
		[]*iam.Policy{{Version: iam.Version2012, Statements: []*iam.Statement{inner}}})
	v := len(d.Added) == 0
	c.cache[k] = v
	return v
}
