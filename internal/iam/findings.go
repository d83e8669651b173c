package iam

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/catalog"
)

// RiskFinding is one risky capability of a principal, from one RiskRule.
type RiskFinding struct {
	Rule     string // the RiskRule's ID
	Type     string // RiskPrivilegeEscalation, ...
	Severity string // RiskCritical, ...
	Title    string
	// Actions are the granted actions that meet the rule, canonical names sorted ("*" when
	// the rule needs every action and all are granted).
	Actions []string
	// Statements are the Allow statements that grant them, in policy and document order.
	Statements []StatementRef
	Detail     string
	// Conditional is set when some required action is granted only under conditions; the
	// severity is then one lower.
	Conditional bool
	Target      string // escalation paths: whose permissions it reaches (EscalationTarget...)
}

// MarshalJSON writes the finding with snake_case names and statements as policy, path and sid.
func (f RiskFinding) MarshalJSON() ([]byte, error) {
	type stmt struct {
		Policy string `json:"policy"`
		Path   string `json:"path"`
		Sid    string `json:"sid,omitempty"`
	}
	out := struct {
		Rule        string   `json:"rule"`
		Type        string   `json:"type"`
		Severity    string   `json:"severity"`
		Title       string   `json:"title"`
		Actions     []string `json:"actions"`
		Statements  []stmt   `json:"statements"`
		Detail      string   `json:"detail"`
		Conditional bool     `json:"conditional,omitempty"`
		Target      string   `json:"target,omitempty"`
	}{f.Rule, f.Type, f.Severity, f.Title, f.Actions, make([]stmt, 0, len(f.Statements)), f.Detail, f.Conditional, f.Target}
	for _, s := range f.Statements {
		out.Statements = append(out.Statements, stmt{s.Policy, s.Path, s.Sid})
	}
	return json.Marshal(out)
}

// Analyze looks for the risky capabilities of one principal, all of whose policies are given
// together: a rule that needs several actions applies when they are granted by different
// policies. A grant counts when an Allow statement gives it and no unconditional Deny of any
// of the policies takes it away (policyGrants says how denies and conditions are read); a
// rule met only through conditional grants is reported as Conditional, one severity lower.
// Findings are ordered by severity, then by their rule's place in RiskRules(): the same
// policies give the same findings in the same order.
func Analyze(policies []NamedPolicy) []RiskFinding {
	pols := make([]*Policy, len(policies))
	names := make([]string, len(policies))
	for i, np := range policies {
		pols[i], names[i] = np.Policy, np.Name
	}
	gs := policyGrants(pols, names)
	// Whether a grant is broad or names only the caller is asked by every rule: answer once.
	broad, self := make([]bool, len(gs)), make([]bool, len(gs))
	for i, g := range gs {
		broad[i], self[i] = g.scope.broad(), selfOnly(g.scope)
	}
	// Rules filter the grants in at most four ways (Broad, NotSelf); each filter's grants
	// and action unions are built once, when a rule first needs them.
	var inputs [4]*ruleInput
	var out []RiskFinding
	for i, r := range riskRules {
		k := 0
		if r.Broad {
			k |= 1
		}
		if r.NotSelf {
			k |= 2
		}
		if inputs[k] == nil {
			inputs[k] = newRuleInput(gs, broad, self, r.Broad, r.NotSelf)
		}
		if f, ok := applyRule(r, compiledRules()[i], inputs[k]); ok {
			out = append(out, f)
		}
	}
	rank := func(sev string) int { return slices.Index(RiskSeverities, sev) }
	slices.SortStableFunc(out, func(a, b RiskFinding) int { return rank(a.Severity) - rank(b.Severity) })
	return out
}

// compiledRule is a rule's groups expanded to action sets, with the words each group
// occupies: most rules are ruled out by looking at those few words of the grants.
type compiledRule struct {
	groups []ruleGroup
}

// ruleGroup is one group's actions and the words [lo, hi) they occupy (ActionSet.Span);
// lo == hi when the group matches no action of the catalog, and the rule cannot apply.
type ruleGroup struct {
	set    catalog.ActionSet
	lo, hi int
}

// compiledRules holds each rule compiled, once.
var compiledRules = sync.OnceValue(func() []compiledRule {
	cat := catalog.Default()
	out := make([]compiledRule, len(riskRules))
	for i, r := range riskRules {
		for _, group := range r.Requires {
			set := ExpandActions(group...)
			if r.Level != 0 {
				set.IntersectWith(cat.ByAccessLevel(r.Level))
			}
			lo, hi := set.Span()
			out[i].groups = append(out[i].groups, ruleGroup{set: set, lo: lo, hi: hi})
		}
	}
	return out
})

// ruleInput is the grants a kind of rule looks at and the unions of their actions: all of
// them, and, built when a rule that applies first asks, the unconditional ones and those
// on broad resources (most policies meet no rule and never need them).
type ruleInput struct {
	gs       grantSet
	broad    []bool // broad[i]: gs[i] is on broad resources
	anyGrant catalog.ActionSet

	uncond, br *catalog.ActionSet
}

// newRuleInput keeps the grants a rule with these Broad and NotSelf flags counts; broad[i]
// and self[i] say whether gs[i] is broad and names only the caller.
func newRuleInput(gs grantSet, broad, self []bool, onlyBroad, notSelf bool) *ruleInput {
	in := &ruleInput{anyGrant: catalog.Default().NewSet()}
	for i, g := range gs {
		if (onlyBroad && !broad[i]) || (notSelf && self[i]) {
			continue
		}
		in.gs = append(in.gs, g)
		in.broad = append(in.broad, broad[i])
		in.anyGrant.UnionWith(g.actions)
	}
	return in
}

// unconditional is the union of the actions of the grants without conditions.
func (in *ruleInput) unconditional() catalog.ActionSet {
	if in.uncond == nil {
		set := catalog.Default().NewSet()
		for _, g := range in.gs {
			if g.cond == "" {
				set.UnionWith(g.actions)
			}
		}
		in.uncond = &set
	}
	return *in.uncond
}

// onBroad is the union of the actions of the grants on broad resources.
func (in *ruleInput) onBroad() catalog.ActionSet {
	if in.br == nil {
		set := catalog.Default().NewSet()
		for i, g := range in.gs {
			if in.broad[i] {
				set.UnionWith(g.actions)
			}
		}
		in.br = &set
	}
	return *in.br
}

func applyRule(r RiskRule, cr compiledRule, in *ruleInput) (RiskFinding, bool) {
	met := func(have, group catalog.ActionSet) bool {
		if r.AllOf {
			return have.ContainsAll(group)
		}
		return have.Intersects(group)
	}
	// Most rules do not apply: find out before building anything, over the few words
	// each group occupies (a group has no action outside its span). An empty group rules
	// the rule out by itself, also for AllOf, which an empty window would meet.
	for _, g := range cr.groups {
		if g.lo == g.hi || !met(in.anyGrant.Window(g.lo, g.hi), g.set.Window(g.lo, g.hi)) {
			return RiskFinding{}, false
		}
	}
	cat := catalog.Default()
	gs := in.gs
	used := cat.NewSet()
	conditional, restricted := false, false
	var narrow []catalog.ActionSet // groups met only on named resources
	for _, g := range cr.groups {
		group := g.set
		used.UnionWith(in.anyGrant.Intersect(group))
		if !met(in.unconditional(), group) {
			conditional = true
		}
		// A Broad rule's input holds only broad grants, so onBroad is anyGrant and meets
		// every group: the question is only asked of the other rules.
		if !r.Broad && !met(in.onBroad(), group) {
			restricted = true
			narrow = append(narrow, group)
		}
	}
	f := RiskFinding{Rule: r.ID, Type: r.Type, Severity: r.Severity, Title: r.Title, Target: r.Target, Conditional: conditional}
	if r.AllOf {
		f.Actions = compactActions(used, nil, true, true)
	} else {
		f.Actions = cat.Names(used)
	}
	detail := []string{r.Detail}
	seen := map[StatementRef]bool{}
	var condRefs []string
	usedIn := intersector(used)
	for _, g := range gs {
		if !usedIn(g.actions) || seen[g.ref] {
			continue
		}
		seen[g.ref] = true
		f.Statements = append(f.Statements, g.ref)
		if g.cond != "" && !slices.Contains(condRefs, g.ref.Policy+" "+g.ref.Path) {
			condRefs = append(condRefs, g.ref.Policy+" "+g.ref.Path)
		}
	}
	if conditional {
		f.Severity = lowerSeverity(f.Severity)
		detail = append(detail, "granted only under conditions ("+strings.Join(condRefs, ", ")+"), which may limit it")
	}
	if restricted {
		f.Severity = lowerSeverity(f.Severity)
		detail = append(detail, "granted only on named resources ("+strings.Join(scopesOf(gs, narrow), "; ")+"), which limits it to them")
	}
	f.Detail = strings.Join(detail, "; ")
	return f, true
}

// intersector returns a test of whether a set shares an action with s. When s holds few
// actions (the usual finding), looking each up beats comparing every word of two sets.
// Comparing only the words of s's Span is slower here: a finding's actions are often in
// services far apart (iam:PassRole with ec2:RunInstances), so the span covers many words.
func intersector(s catalog.ActionSet) func(catalog.ActionSet) bool {
	const few = 32
	var ids []catalog.ActionID
	s.Each(func(id catalog.ActionID) bool {
		ids = append(ids, id)
		return len(ids) <= few
	})
	if len(ids) > few {
		return s.Intersects
	}
	return func(o catalog.ActionSet) bool { return slices.ContainsFunc(ids, o.Has) }
}

// selfOnly reports whether every resource of the scope names the caller itself.
func selfOnly(s resourceScope) bool {
	if s.except || len(s.patterns) == 0 {
		return false
	}
	for _, p := range s.patterns {
		lp := strings.ToLower(p)
		if !strings.Contains(lp, "${aws:username}") && !strings.Contains(lp, "${aws:userid}") {
			return false
		}
	}
	return true
}

// scopesOf lists the scopes of the grants that give an action of one of the groups, sorted
// and deduplicated, at most five (and a count of the rest).
func scopesOf(gs grantSet, groups []catalog.ActionSet) []string {
	var out []string
	for _, g := range gs {
		if slices.ContainsFunc(groups, g.actions.Intersects) {
			out = append(out, g.scope.String())
		}
	}
	out = sortedUnique(out)
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("and %d more", len(out)-5))
	}
	return out
}

func lowerSeverity(s string) string {
	i := slices.Index(RiskSeverities, s)
	if i < 0 || i == len(RiskSeverities)-1 {
		return s
	}
	return RiskSeverities[i+1]
}
