package iam

import (
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// PolicyDiff is what one side grants that the other does not, as actions per resource.
type PolicyDiff struct {
	// Added is what the new side grants and the old one does not; Removed the reverse.
	// Sorted by resource, unconditional before conditional.
	Added   []ResourceActions `json:"added"`
	Removed []ResourceActions `json:"removed"`
	// ByAccessLevel counts the distinct added and removed actions by access level, the
	// levels that matter most to an approver (Permissions management, Write) first; levels
	// without a change are left out.
	ByAccessLevel []AccessLevelChange `json:"by_access_level"`
}

// ResourceActions is a set of actions on one resource pattern.
type ResourceActions struct {
	// Resource is an ARN pattern, or "*". With Except it is "*" and the grant is on every
	// resource but those (an Allow with NotResource).
	Resource string   `json:"resource"`
	Except   []string `json:"except,omitempty"`
	Actions  []string `json:"actions"` // canonical names, sorted
	// Conditional marks actions granted on this side only under conditions (the Allow's
	// own, or unless a conditional Deny applies): in Added, newly granted under conditions;
	// in Removed, a conditional grant of the old side that the new side does not make.
	// An unconditional entry in Removed means the old side granted the actions
	// unconditionally and the new side does not (it may still grant them conditionally).
	Conditional bool `json:"conditional,omitempty"`
}

// AccessLevelChange lists the distinct actions of one access level that a diff adds and removes.
type AccessLevelChange struct {
	Level   string   `json:"level"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// IsEmpty reports whether the two sides grant the same.
func (d PolicyDiff) IsEmpty() bool { return len(d.Added) == 0 && len(d.Removed) == 0 }

// Diff compares what two identity policies grant: see DiffSets. A nil policy grants nothing.
func Diff(a, b *Policy) PolicyDiff { return DiffSets([]*Policy{a}, []*Policy{b}) }

// DiffSets compares what two sets of policies (each taken together, as the policies of one
// principal are) grant: the action×resource pairs the new side b grants that a does not
// (Added), and the reverse (Removed).
//
// A pair is granted by a side when one of its Allow statements covers it and no
// unconditional Deny of that side covers it; policyGrants lists the approximations. A pair
// on a resource pattern counts as already granted when the other side grants the action on
// a pattern that contains it (arn:aws:s3:::b/* is inside *), unconditionally or under the
// very same conditions; conditions are compared as text, never evaluated, so a grant whose
// conditions changed shows as removed and added. A pattern contained only in the union of
// several patterns of the other side counts as not granted there, and an entry inside
// another entry of the same list is folded into it, so "+ s3:GetObject on *" is not also
// reported on arn:aws:s3:::b/*.
func DiffSets(a, b []*Policy) PolicyDiff {
	ga := policyGrants(a, make([]string, len(a)))
	gb := policyGrants(b, make([]string, len(b)))
	d := PolicyDiff{
		Added:   uncovered(gb, ga),
		Removed: uncovered(ga, gb),
	}
	d.ByAccessLevel = accessLevelChanges(d.Added, d.Removed)
	// Empty lists rather than nil, so that JSON shows [] and readers need no null case.
	if d.Added == nil {
		d.Added = []ResourceActions{}
	}
	if d.Removed == nil {
		d.Removed = []ResourceActions{}
	}
	if d.ByAccessLevel == nil {
		d.ByAccessLevel = []AccessLevelChange{}
	}
	return d
}

// diffEntry accumulates the uncovered actions of one (scope, conditional) key.
type diffEntry struct {
	scope       resourceScope
	conditional bool
	actions     catalog.ActionSet
}

func (e *diffEntry) key() string {
	k := e.scope.String()
	if e.conditional {
		k += "\x00c"
	}
	return k
}

// uncovered returns what x grants that y does not, grouped by scope and conditionality.
func uncovered(x, y grantSet) []ResourceActions {
	toks := resourceTokens{}
	byKey := map[string]*diffEntry{}
	var entries []*diffEntry
	for _, g := range x {
		rest := g.actions.Minus(y.coveringTokens(g.scope, g.cond, toks))
		if rest.IsEmpty() {
			continue
		}
		e := &diffEntry{scope: g.scope, conditional: g.cond != "", actions: rest}
		if prev, ok := byKey[e.key()]; ok {
			prev.actions.UnionWith(rest)
			continue
		}
		byKey[e.key()] = e
		entries = append(entries, e)
	}
	foldContained(entries, toks)
	cat := catalog.Default()
	var out []ResourceActions
	for _, e := range entries {
		if e.actions.IsEmpty() {
			continue
		}
		ra := ResourceActions{Actions: cat.Names(e.actions), Conditional: e.conditional}
		if e.scope.except {
			ra.Resource, ra.Except = "*", e.scope.patterns
		} else {
			ra.Resource = e.scope.patterns[0]
		}
		out = append(out, ra)
	}
	slices.SortFunc(out, compareResourceActions)
	return out
}

// foldContained takes out of each entry the actions that another entry reports on a scope
// containing it (an unconditional entry absorbs conditional ones on the same scope). Of two
// scopes each inside the other, the one with the smaller key absorbs. toks holds the
// patterns' tokens.
func foldContained(entries []*diffEntry, toks resourceTokens) {
	slices.SortFunc(entries, func(p, q *diffEntry) int { return strings.Compare(p.key(), q.key()) })
	removed := make([]catalog.ActionSet, len(entries))
	for i, e := range entries {
		removed[i] = catalog.NewActionSet(catalog.Default())
		for j, o := range entries {
			if i == j || (o.conditional && !e.conditional) || !e.scope.withinTokens(o.scope, toks) {
				continue
			}
			if o.scope.withinTokens(e.scope, toks) && o.conditional == e.conditional && j > i {
				continue // the same scope written twice: the first absorbs the second
			}
			removed[i].UnionWith(o.actions)
		}
	}
	for i, e := range entries {
		e.actions.MinusWith(removed[i])
	}
}

func compareResourceActions(p, q ResourceActions) int {
	if c := strings.Compare(p.Resource, q.Resource); c != 0 {
		return c
	}
	if c := slices.Compare(p.Except, q.Except); c != 0 {
		return c
	}
	switch {
	case p.Conditional == q.Conditional:
		return 0
	case q.Conditional:
		return -1
	}
	return 1
}

// approverLevels orders access levels by how much a change in them matters to an approver.
var approverLevels = []catalog.AccessLevel{catalog.PermissionsManagement, catalog.Write, catalog.Tagging, catalog.Read, catalog.List}

func accessLevelChanges(added, removed []ResourceActions) []AccessLevelChange {
	cat := catalog.Default()
	collect := func(ras []ResourceActions) catalog.ActionSet {
		s := cat.NewSet()
		for _, ra := range ras {
			for _, name := range ra.Actions {
				if id, ok := cat.LookupAction(name); ok {
					s.Add(id)
				}
			}
		}
		return s
	}
	add, rem := collect(added), collect(removed)
	var out []AccessLevelChange
	for _, l := range approverLevels {
		lvl := cat.ByAccessLevel(l)
		c := AccessLevelChange{Level: l.String(), Added: cat.Names(add.Intersect(lvl)), Removed: cat.Names(rem.Intersect(lvl))}
		if len(c.Added) > 0 || len(c.Removed) > 0 {
			if len(c.Added) == 0 {
				c.Added = nil
			}
			if len(c.Removed) == 0 {
				c.Removed = nil
			}
			out = append(out, c)
		}
	}
	return out
}
