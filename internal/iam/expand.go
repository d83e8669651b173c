package iam

import (
	"github.com/ciem/ciem/internal/catalog"
)

// ExpandActions returns the catalog actions that any of the patterns matches
// ("*", "s3:*", "s3:Get*", "s3:?etObject"; case-insensitive as in AWS).
func ExpandActions(patterns ...string) catalog.ActionSet {
	cat := catalog.Default()
	set := catalog.NewActionSet(cat)
	for _, p := range patterns {
		set.UnionWith(cat.Match(p))
	}
	return set
}

// ActionSet returns the catalog actions the statement applies to: the expansion of its
// Action patterns, or, for NotAction, every catalog action the patterns do not match.
func (s *Statement) ActionSet() catalog.ActionSet {
	set := ExpandActions(s.Actions...)
	if s.NotAction {
		return catalog.Default().AllActions().Minus(set)
	}
	return set
}

// AllowedActions returns the union of the actions of the policy's Allow statements, without
// regard to resources or conditions: an upper bound of what the policy can grant.
func (p *Policy) AllowedActions() catalog.ActionSet {
	set := catalog.NewActionSet(catalog.Default())
	for _, s := range p.Statements {
		if s.Effect == Allow {
			set.UnionWith(s.ActionSet())
		}
	}
	return set
}
