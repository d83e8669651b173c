package iam

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// Grant is one (action, resource) pair a policy should allow.
type Grant struct {
	Action   string `json:"action"`   // "s3:GetObject"; a pattern stands for its expansion
	Resource string `json:"resource"` // an ARN, an ARN pattern, or "*"
}

// MinimizeOptions shape the policy Minimize writes.
type MinimizeOptions struct {
	// Wildcards compacts actions into service and prefix wildcards ("s3:*", "s3:Get*")
	// where the wildcard's whole expansion in today's catalog is in the statement's set.
	Wildcards bool
	// AllowStar lets a statement whose set is every action say "*"; never otherwise.
	AllowStar bool
	// SidPrefix, when set, names the statements SidPrefix1, SidPrefix2, ... in their
	// canonical order (numbers zero-padded to equal width, so that order is also the
	// numbering's). Without it the statements have no Sid.
	SidPrefix string
}

// DefaultMinimizeOptions compacts with wildcards, never "*", and writes no Sids.
func DefaultMinimizeOptions() MinimizeOptions { return MinimizeOptions{Wildcards: true} }

// Check reports what is wrong with a grant: an empty action or resource, or an action that
// is not "service:action" (or "*").
func (g Grant) Check() error {
	switch {
	case strings.TrimSpace(g.Action) == "":
		return errors.New("action is empty")
	case strings.TrimSpace(g.Resource) == "":
		return fmt.Errorf("resource is empty (action %s)", g.Action)
	case !strings.Contains(g.Action, ":") && strings.TrimSpace(g.Action) != "*":
		return fmt.Errorf("action %q is not of the form service:action", g.Action)
	}
	return nil
}

// ValidateGrants checks every grant; Minimize ignores grants with an empty action or
// resource, so callers reading grants from input check them first.
func ValidateGrants(grants []Grant) error {
	for i, g := range grants {
		if err := g.Check(); err != nil {
			return fmt.Errorf("grant %d: %w", i, err)
		}
	}
	return nil
}

// Minimize returns the smallest policy it finds that allows exactly the given (action,
// resource) pairs: the fewest statements, then the fewest characters of canonical JSON.
//
// A pair whose resource lies inside another pair's resource for the same action
// (arn:aws:s3:::b/* inside *) adds nothing and is dropped. Then two groupings are built and
// the smaller kept: one statement per set of actions that share the same resources, and one
// statement per set of resources that share the same actions (the true minimum is a
// set-cover problem; these two are exact and usually optimal). Actions are compacted as
// compactActions says. The output is canonical and deterministic: the same grants, in any
// order, give the same bytes. Actions unknown to the catalog are kept by name; grants with
// an empty action or resource are ignored (see ValidateGrants).
func Minimize(grants []Grant, opts MinimizeOptions) *Policy {
	rs := newResourceGrants()
	cat := catalog.Default()
	for _, g := range grants {
		a, r := strings.TrimSpace(g.Action), strings.TrimSpace(g.Resource)
		if a == "" || r == "" {
			continue
		}
		if id, ok := cat.LookupAction(a); ok {
			rs.add(r).ids.Add(id)
			continue
		}
		if strings.ContainsAny(a, "*?") {
			if m := cat.Match(a); !m.IsEmpty() {
				rs.add(r).ids.UnionWith(m)
				continue
			}
		}
		rs.add(r).addExtra(CanonicalAction(a))
	}
	return &Policy{Version: Version2012, Statements: rs.minimalStatements(opts)}
}

// MinimizePolicy rewrites a policy's plain Allow statements (no Condition, Principal,
// NotPrincipal, NotAction or NotResource, and a Resource element) into Minimize's form and
// keeps every other statement (Deny, conditional, NotAction, ...) as it is, so that the
// result grants exactly what p grants. "*" is written where p itself allows every action
// in a plain statement (or opts.AllowStar); an action pattern that matches nothing in the
// catalog is kept by its text. With wildcards, when p's own plain statements are already
// smaller (fewer, then shorter) than the rewrite, they are kept as they are. Version and Id are kept; rewritten statements take Sids
// as opts says, skipping Sids the kept statements already use.
func MinimizePolicy(p *Policy, opts MinimizeOptions) *Policy {
	rs := newResourceGrants()
	cat := catalog.Default()
	var kept []*Statement
	for _, s := range p.Statements {
		if !plainAllow(s) {
			kept = append(kept, s)
			continue
		}
		for _, r := range s.Resources {
			g := rs.add(r)
			for _, a := range s.Actions {
				if m := cat.Match(a); !m.IsEmpty() {
					if m.Len() == cat.NumActions() {
						opts.AllowStar = true
					}
					g.ids.UnionWith(m)
				} else {
					g.addExtra(CanonicalAction(a))
				}
			}
		}
	}
	used := map[string]bool{}
	for _, s := range kept {
		used[s.Sid] = true
	}
	stmts := rs.minimalStatementsAvoiding(opts, used)
	// Today's expansion can take more text than the author's wildcards ("account:List*" now
	// matches one action, written by its name); never return a larger policy than was given.
	if orig := slices.DeleteFunc(slices.Clone(p.Statements), func(s *Statement) bool { return !plainAllow(s) }); opts.Wildcards && smaller(orig, stmts) {
		stmts = orig
	}
	out := &Policy{Version: p.Version, ID: p.ID, Statements: append(slices.Clone(kept), stmts...)}
	if out.Version == "" {
		out.Version = Version2012
	}
	return out
}

// plainAllow reports whether a statement is an unconditional Allow of actions on resources,
// the kind MinimizePolicy rewrites.
func plainAllow(s *Statement) bool {
	return s.Effect == Allow && len(s.Conditions) == 0 && s.Principal == nil && s.NotPrincipal == nil &&
		!s.NotAction && !s.NotResource && len(s.Resources) > 0 && len(s.Actions) > 0
}

// resourceGrants is the actions granted on each resource pattern.
type resourceGrants struct {
	byRes map[string]*resActions
}

type resActions struct {
	ids   catalog.ActionSet
	extra []string // actions unknown to the catalog, sorted, deduplicated
}

func (g *resActions) addExtra(a string) {
	if i, found := slices.BinarySearch(g.extra, a); !found {
		g.extra = slices.Insert(g.extra, i, a)
	}
}

func (g *resActions) key() string {
	var b strings.Builder
	for _, id := range g.ids.IDs() {
		b.WriteString(strconv.FormatUint(uint64(id), 36))
		b.WriteByte(',')
	}
	b.WriteByte('|')
	b.WriteString(strings.Join(g.extra, ","))
	return b.String()
}

func newResourceGrants() *resourceGrants { return &resourceGrants{byRes: map[string]*resActions{}} }

func (rs *resourceGrants) add(r string) *resActions {
	g, ok := rs.byRes[r]
	if !ok {
		g = &resActions{ids: catalog.NewActionSet(catalog.Default())}
		rs.byRes[r] = g
	}
	return g
}

func (rs *resourceGrants) minimalStatements(opts MinimizeOptions) []*Statement {
	return rs.minimalStatementsAvoiding(opts, nil)
}

func (rs *resourceGrants) minimalStatementsAvoiding(opts MinimizeOptions, usedSids map[string]bool) []*Statement {
	rs.dropContained()
	resources := make([]string, 0, len(rs.byRes))
	for r, g := range rs.byRes {
		if !g.ids.IsEmpty() || len(g.extra) > 0 {
			resources = append(resources, r)
		}
	}
	slices.Sort(resources)
	if len(resources) == 0 {
		return nil
	}
	best := rs.groupByActions(resources, opts)
	if alt := rs.groupByResources(resources, opts); alt.smaller(best) {
		best = alt
	}
	nameStatements(best.stmts, opts.SidPrefix, usedSids)
	return best.stmts
}

// dropContained removes from each resource's actions those granted on a pattern that
// contains it. Of two patterns each inside the other, the smaller string keeps the actions.
func (rs *resourceGrants) dropContained() {
	resources := make([]string, 0, len(rs.byRes))
	for r := range rs.byRes {
		resources = append(resources, r)
	}
	slices.Sort(resources)
	type cut struct {
		ids   catalog.ActionSet
		extra []string
	}
	cuts := make([]cut, len(resources))
	toks := resourceTokens{}
	for i, r := range resources {
		cuts[i].ids = catalog.NewActionSet(catalog.Default())
		for j, o := range resources {
			if i == j || !toks.contains(o, r) || (toks.contains(r, o) && j > i) {
				continue
			}
			cuts[i].ids.UnionWith(rs.byRes[o].ids)
			cuts[i].extra = append(cuts[i].extra, rs.byRes[o].extra...)
		}
	}
	for i, r := range resources {
		g := rs.byRes[r]
		g.ids.MinusWith(cuts[i].ids)
		g.extra = slices.DeleteFunc(g.extra, func(a string) bool { return slices.Contains(cuts[i].extra, a) })
	}
}

// groupByActions writes one statement per set of actions that share the same resources.
func (rs *resourceGrants) groupByActions(resources []string, opts MinimizeOptions) sortedStatements {
	// For each action, the indices of the resources it is granted on.
	perID := map[catalog.ActionID][]int{}
	perExtra := map[string][]int{}
	for k, r := range resources {
		g := rs.byRes[r]
		g.ids.Each(func(id catalog.ActionID) bool {
			perID[id] = append(perID[id], k)
			return true
		})
		for _, a := range g.extra {
			perExtra[a] = append(perExtra[a], k)
		}
	}
	groups := map[string]*resActions{}
	groupRes := map[string][]int{}
	keyOf := func(ks []int) string {
		var b strings.Builder
		for _, k := range ks {
			b.WriteString(strconv.Itoa(k))
			b.WriteByte(',')
		}
		return b.String()
	}
	group := func(ks []int) *resActions {
		key := keyOf(ks)
		g, ok := groups[key]
		if !ok {
			g = &resActions{ids: catalog.NewActionSet(catalog.Default())}
			groups[key] = g
			groupRes[key] = ks
		}
		return g
	}
	for id, ks := range perID {
		group(ks).ids.Add(id)
	}
	for a, ks := range perExtra {
		group(ks).addExtra(a)
	}
	var out []*Statement
	for key, g := range groups {
		var res []string
		for _, k := range groupRes[key] {
			res = append(res, resources[k])
		}
		out = append(out, allowStatement(g, res, opts))
	}
	return sortStatements(out)
}

// groupByResources writes one statement per set of resources that share the same actions.
func (rs *resourceGrants) groupByResources(resources []string, opts MinimizeOptions) sortedStatements {
	groups := map[string][]string{}
	for _, r := range resources {
		k := rs.byRes[r].key()
		groups[k] = append(groups[k], r)
	}
	var out []*Statement
	for _, res := range groups {
		out = append(out, allowStatement(rs.byRes[res[0]], res, opts))
	}
	return sortStatements(out)
}

func allowStatement(g *resActions, resources []string, opts MinimizeOptions) *Statement {
	return &Statement{
		Effect:    Allow,
		Actions:   compactActions(g.ids, g.extra, opts.Wildcards, opts.AllowStar),
		Resources: sortedUnique(resources),
	}
}

// sortedStatements are statements in canonical order and the length of their canonical
// form, both from one serialisation of each statement.
type sortedStatements struct {
	stmts []*Statement
	size  int
}

// sortStatements puts statements in canonical order, so that Sids number them in it.
func sortStatements(stmts []*Statement) sortedStatements {
	type keyed struct {
		s     *Statement
		canon []byte
	}
	ks := make([]keyed, len(stmts))
	size := 0
	for i, s := range stmts {
		ks[i] = keyed{s, canonicalStatement(s)}
		size += len(ks[i].canon)
	}
	slices.SortFunc(ks, func(a, b keyed) int { return bytes.Compare(a.canon, b.canon) })
	for i, k := range ks {
		stmts[i] = k.s
	}
	return sortedStatements{stmts: stmts, size: size}
}

// smaller is smaller (below) for statements whose size is known.
func (a sortedStatements) smaller(b sortedStatements) bool {
	if len(a.stmts) != len(b.stmts) {
		return len(a.stmts) < len(b.stmts)
	}
	return a.size < b.size
}

// smaller reports whether a is a smaller policy than b: fewer statements, then fewer characters.
func smaller(a, b []*Statement) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return statementsSize(a) < statementsSize(b)
}

func statementsSize(stmts []*Statement) int {
	n := 0
	for _, s := range stmts {
		n += len(canonicalStatement(s))
	}
	return n
}

// nameStatements gives statements Sids prefix1..prefixN, zero-padded to equal width,
// skipping Sids in use.
func nameStatements(stmts []*Statement, prefix string, used map[string]bool) {
	if prefix == "" {
		return
	}
	width := len(strconv.Itoa(len(stmts) + len(used)))
	n := 0
	for _, s := range stmts {
		for {
			n++
			sid := fmt.Sprintf("%s%0*d", prefix, width, n)
			if !used[sid] {
				s.Sid = sid
				break
			}
		}
	}
}
