package scan

import (
	"encoding/json"
	"sort"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// Discovering a node's edges. Each candidate step is first gated by the node's effective
// action set (cheap: a bit test) and then asked of the engine with the exact request:
// the caller's ARN and context, the action, the target's ARN, and the condition keys AWS
// sets for that request (iam:PassedToService, iam:PolicyARN, iam:PermissionsBoundary).

// discoverer holds one node's request contexts while its edges are found.
type discoverer struct {
	g          *graph
	n          *node
	change     *iam.Context            // with iam:PolicyARN and iam:PermissionsBoundary = AdministratorAccess
	passed     map[string]*iam.Context // per service principal
	launchable map[string][]string     // per pass-role rule: the launch actions allowed (nil: not launchable)
}

func (g *graph) discover(n *node) []pendingEdge {
	if n.sets.admin {
		return nil // an administrator needs no path
	}
	d := &discoverer{g: g, n: n, passed: map[string]*iam.Context{}, launchable: map[string][]string{}}
	d.change = n.p.ctx.Clone()
	d.change.Set("iam:PolicyARN", g.adminARN)
	d.change.Set("iam:PermissionsBoundary", g.adminARN)

	var out []pendingEdge
	p, st := n.p, n.st
	// Self-escalations.
	if !st.rewritten {
		if step, ok := d.changePolicies(n.pi); ok {
			if len(n.boundary) == 0 {
				out = append(out, pendingEdge{admin: true, steps: []Step{step}})
			} else {
				step.State = nodeState{rewritten: true, unbounded: st.unbounded}.String()
				out = append(out, pendingEdge{pi: n.pi, st: nodeState{rewritten: true, unbounded: st.unbounded}, steps: []Step{step}})
			}
		}
	}
	if len(n.boundary) > 0 {
		if step, ok := d.removeBoundary(); ok {
			next := nodeState{group: st.group, rewritten: st.rewritten, unbounded: true}
			step.State = next.String()
			if next.rewritten {
				out = append(out, pendingEdge{admin: true, steps: []Step{step}})
			} else {
				out = append(out, pendingEdge{pi: n.pi, st: next, steps: []Step{step}})
			}
		}
	}
	if p.typ == TypeUser && st.group == "" && !st.rewritten {
		out = append(out, d.joinGroups()...)
	}

	// Reaching other principals.
	reach := map[int][]Step{}
	var order []int
	add := func(ti int, steps []Step) {
		if ti == n.pi {
			return
		}
		if cur, ok := reach[ti]; ok && len(cur) <= len(steps) {
			return
		}
		if _, ok := reach[ti]; !ok {
			order = append(order, ti)
		}
		reach[ti] = steps
	}
	d.assumeEdges(add)
	d.updateTrustEdges(add, reach)
	d.credentialEdges(add)
	d.passRoleEdges(add)
	sort.Ints(order)
	for _, ti := range order {
		out = append(out, pendingEdge{pi: ti, steps: reach[ti]})
	}
	// Changing the policies of a principal it can reach, then reaching it.
	for _, ti := range order {
		base := g.nodes[g.byKey[nodeKey{pi: ti}]]
		if base.sets.admin {
			continue
		}
		if step, ok := d.changePolicies(ti); ok {
			step.To = n.p.arn // it changes ti's policies, and still holds only its own
			steps := append([]Step{step}, reach[ti]...)
			tst := nodeState{rewritten: true}
			last := &steps[len(steps)-1]
			last.State = tst.String()
			out = append(out, pendingEdge{pi: ti, st: tst, steps: steps})
		}
	}
	return out
}

// can asks the engine whether the node may make the request, and which policies allow it.
func (d *discoverer) can(id catalog.ActionID, resource string, ctx *iam.Context) ([]string, bool) {
	res := d.n.evaluator().Evaluate(&iam.Request{Principal: d.n.p.actingARN, Action: actionName(id), Resource: resource, Context: ctx})
	if res.Decision != iam.Allowed {
		return nil, false
	}
	return decidingPolicies(res), true
}

func decidingPolicies(res iam.Result) []string {
	var out []string
	for _, r := range res.Deciding {
		if r.Policy != "" {
			out = append(out, r.Policy)
		}
	}
	return sortedUnique(out)
}

// changePolicies finds a way for the node to make principal ti's permissions anything it
// wants: write or attach a policy on it or one of its groups, create a new default version
// of a customer managed policy attached to it, or make an older version that allows
// everything the default.
func (d *discoverer) changePolicies(ti int) (Step, bool) {
	t := d.g.principals[ti]
	for _, r := range graphRules() {
		if r.kind != StepChangePolicies && r.kind != StepSetDefaultVersion {
			continue
		}
		for _, id := range r.actions[0] {
			if !d.n.sets.effective.Has(id) {
				continue
			}
			for _, res := range d.changeTargets(t, id, r.kind) {
				if pols, ok := d.can(id, res, d.change); ok {
					step := Step{From: d.n.p.arn, Kind: r.kind, Target: res, To: t.arn, Actions: []string{actionName(id)}, Rule: r.ID, Policies: pols}
					if r.kind == StepSetDefaultVersion {
						step.Detail = "makes an older version of " + displayName(res) + " that allows everything the default version; " + displayName(t.arn) + " is attached to it"
					} else {
						step.Detail = "calls " + actionName(id) + " on " + displayName(res) + " to give " + displayName(t.arn) + " a policy that allows everything"
					}
					return step, true
				}
			}
		}
	}
	return Step{}, false
}

// changeTargets are the resources through which the action changes t's permissions.
func (d *discoverer) changeTargets(t *principal, id catalog.ActionID, kind string) []string {
	switch resourceTypeOf(id) {
	case "user":
		if t.typ == TypeUser {
			return []string{t.arn}
		}
	case "role":
		if t.typ == TypeRole {
			return []string{t.arn}
		}
	case "group":
		var out []string
		for _, g := range t.groups {
			out = append(out, g.ARN)
		}
		return out
	case "policy":
		var out []string
		for _, mp := range t.managed {
			if kind == StepSetDefaultVersion && !d.g.hasAdminVersion(mp) {
				continue
			}
			out = append(out, mp.ARN)
		}
		return out
	}
	return nil
}

// hasAdminVersion reports whether a non-default version of the policy allows everything.
func (g *graph) hasAdminVersion(mp *ManagedPolicy) bool {
	for _, v := range mp.Versions {
		if !v.Default && v.Policy != nil && g.sums.grants([]iam.NamedPolicy{{Name: mp.ARN, Policy: v.Policy}}, nil).admin {
			return true
		}
	}
	return false
}

// removeBoundary finds a way for the node to delete or replace its own permissions
// boundary.
func (d *discoverer) removeBoundary() (Step, bool) {
	p := d.n.p
	for _, r := range rulesOfKind(StepRemoveBoundary) {
		for _, id := range r.actions[0] {
			if resourceTypeOf(id) != p.typ || !d.n.sets.effective.Has(id) {
				continue
			}
			if pols, ok := d.can(id, p.arn, d.change); ok {
				return Step{From: p.arn, Kind: StepRemoveBoundary, Target: p.arn, To: p.arn, Actions: []string{actionName(id)}, Rule: r.ID, Policies: pols,
					Detail: "calls " + actionName(id) + " on itself: the permissions boundary " + d.n.boundary[0].Name + " no longer limits it"}, true
			}
		}
	}
	return Step{}, false
}

// joinGroups finds the groups the user can add itself to.
func (d *discoverer) joinGroups() []pendingEdge {
	p := d.n.p
	var out []pendingEdge
	for _, r := range rulesOfKind(StepAddToGroup) {
		for _, id := range r.actions[0] {
			if !d.n.sets.effective.Has(id) {
				continue
			}
			for _, grp := range d.g.acct.Groups {
				if isMember(p, grp) || len(groupPolicies(d.g.acct, grp)) == 0 {
					continue
				}
				if pols, ok := d.can(id, grp.ARN, p.ctx); ok {
					st := nodeState{group: grp.Name, unbounded: d.n.st.unbounded}
					out = append(out, pendingEdge{pi: d.n.pi, st: st, steps: []Step{{From: p.arn, Kind: StepAddToGroup, Target: grp.ARN, To: p.arn,
						Actions: []string{actionName(id)}, Rule: r.ID, Policies: pols, State: st.String(),
						Detail: "adds itself to group " + grp.Name + " and gets its permissions"}}})
				}
			}
			return out
		}
	}
	return out
}

func isMember(p *principal, grp *Group) bool {
	for _, g := range p.groups {
		if g == grp {
			return true
		}
	}
	return false
}

// assumeEdges finds the roles the node can assume: the engine evaluates sts:AssumeRole
// with the node's policies and the role's trust policy as the resource-based policy.
func (d *discoverer) assumeEdges(add func(int, []Step)) {
	n, g := d.n, d.g
	aid := assumeAction()
	mayAssume := n.sets.effective.Has(aid)
	named := map[int]bool{}
	for _, ri := range g.trust.byARN[n.p.arn] {
		named[ri] = true
	}
	for _, ri := range g.trust.anyone {
		named[ri] = true
	}
	for _, ri := range g.trust.candidates(n.p, mayAssume) {
		r := g.acct.Roles[ri]
		if !named[ri] {
			// Trusted only through the account: the caller's own policies must allow it.
			if _, ok := d.can(aid, r.ARN, n.p.ctx); !ok {
				continue
			}
		}
		res := iam.Evaluate(&iam.Request{Principal: n.p.actingARN, Action: assumeRoleActionName, Resource: r.ARN, Context: n.p.ctx},
			&iam.PolicySet{Identity: n.identity, Boundaries: n.boundary, Resource: &iam.NamedPolicy{Name: trustName(r.ARN), Policy: r.Trust}})
		if res.Decision != iam.Allowed {
			continue
		}
		add(g.byARN[r.ARN], []Step{{From: n.p.arn, Kind: StepAssumeRole, Target: r.ARN, To: r.ARN, Actions: []string{assumeRoleActionName},
			Policies: decidingPolicies(res), Detail: "assumes " + displayName(r.ARN) + ": its trust policy and the caller's policies allow it"}})
	}
}

const assumeRoleActionName = "sts:AssumeRole"

// updateTrustEdges finds the roles whose trust policy the node can rewrite to trust
// itself, and then assume.
func (d *discoverer) updateTrustEdges(add func(int, []Step), reach map[int][]Step) {
	n, g := d.n, d.g
	for _, r := range rulesOfKind(StepUpdateTrustPolicy) {
		for _, id := range r.actions[0] {
			if !n.sets.effective.Has(id) {
				continue
			}
			trust := g.trustFor[n.pi]
			for _, role := range g.acct.Roles {
				ti := g.byARN[role.ARN]
				if ti == n.pi {
					continue
				}
				if _, ok := reach[ti]; ok {
					continue // already reached in one step
				}
				pols, ok := d.can(id, role.ARN, n.p.ctx)
				if !ok {
					continue
				}
				res := iam.Evaluate(&iam.Request{Principal: n.p.actingARN, Action: assumeRoleActionName, Resource: role.ARN, Context: n.p.ctx},
					&iam.PolicySet{Identity: n.identity, Boundaries: n.boundary, Resource: &iam.NamedPolicy{Name: trustName(role.ARN) + " as rewritten", Policy: trust}})
				if res.Decision != iam.Allowed {
					continue
				}
				add(ti, []Step{
					{From: n.p.arn, Kind: StepUpdateTrustPolicy, Target: role.ARN, To: n.p.arn, Actions: []string{actionName(id)}, Rule: r.ID, Policies: pols,
						Detail: "rewrites the trust policy of " + displayName(role.ARN) + " to trust " + displayName(n.p.arn)},
					{From: n.p.arn, Kind: StepAssumeRole, Target: role.ARN, To: role.ARN, Actions: []string{assumeRoleActionName}, Policies: decidingPolicies(res),
						Detail: "assumes " + displayName(role.ARN) + " with the rewritten trust policy"},
				})
			}
			break
		}
	}
}

// credentialEdges finds the users the node can create credentials for: an access key, or
// a console password (created when the user has none, reset when it has one; both are
// tried when the credential report does not say).
func (d *discoverer) credentialEdges(add func(int, []Step)) {
	n, g := d.n, d.g
	var rules []graphRule
	for _, kind := range []string{StepCreateAccessKey, StepCreateLoginProfile, StepUpdateLoginProfile} {
		for _, r := range rulesOfKind(kind) {
			for _, id := range r.actions[0] {
				if n.sets.effective.Has(id) {
					rules = append(rules, r)
					break
				}
			}
		}
	}
	if len(rules) == 0 {
		return
	}
	for _, u := range g.acct.Users {
		ti := g.byARN[u.ARN]
		if ti == n.pi {
			continue
		}
		hasLogin, known := g.logins[u.ARN]
	rules:
		for _, r := range rules {
			if known && (r.kind == StepCreateLoginProfile && hasLogin || r.kind == StepUpdateLoginProfile && !hasLogin) {
				continue
			}
			for _, id := range r.actions[0] {
				if !n.sets.effective.Has(id) {
					continue
				}
				if pols, ok := d.can(id, u.ARN, n.p.ctx); ok {
					add(ti, []Step{{From: n.p.arn, Kind: r.kind, Target: u.ARN, To: u.ARN, Actions: []string{actionName(id)}, Rule: r.ID, Policies: pols,
						Detail: credentialDetail(r.kind, u.ARN)}})
					break rules
				}
			}
		}
	}
}

func credentialDetail(kind, user string) string {
	switch kind {
	case StepCreateAccessKey:
		return "creates an access key for " + displayName(user) + " and acts as it"
	case StepCreateLoginProfile:
		return "sets a console password for " + displayName(user) + " and signs in as it"
	}
	return "resets the console password of " + displayName(user) + " and signs in as it"
}

// passRoleEdges finds the roles the node can pass to a compute service it can launch:
// the role trusts the service, iam:PassRole is allowed on the role for that service
// (iam:PassedToService), and every launch action group of the rule has an action allowed
// on some resource.
func (d *discoverer) passRoleEdges(add func(int, []Step)) {
	n, g := d.n, d.g
	passID, _ := catalog.Default().LookupAction("iam:PassRole")
	if !n.sets.effective.Has(passID) {
		return
	}
	for _, r := range rulesOfKind(StepPassRole) {
		launch := d.launchActions(r, passID)
		if launch == nil {
			continue
		}
		roles := g.trust.byService[r.service]
		for _, ri := range roles {
			role := g.acct.Roles[ri]
			ti := g.byARN[role.ARN]
			if ti == n.pi || !g.serviceTrust[ri][r.service] {
				continue
			}
			if needsInstanceProfile[r.ID] && len(role.InstanceProfiles) == 0 && !d.canMakeInstanceProfile() {
				continue
			}
			ctx := d.passedTo(r.service)
			pols, ok := d.can(passID, role.ARN, ctx)
			if !ok {
				continue
			}
			add(ti, []Step{{From: n.p.arn, Kind: StepPassRole, Target: role.ARN, To: role.ARN, Actions: append([]string{"iam:PassRole"}, launch...),
				Service: r.service, Rule: r.ID, Policies: pols,
				Detail: "passes " + displayName(role.ARN) + " to " + r.service + " (" + r.Title + ") and runs its own code with it"}})
		}
	}
}

// launchActions returns, for a pass-role rule, one allowed action of each launch group
// (nil when a group has none allowed).
func (d *discoverer) launchActions(r graphRule, passID catalog.ActionID) []string {
	if got, ok := d.launchable[r.ID]; ok {
		return got
	}
	out := []string{}
	for _, group := range r.actions {
		if len(group) == 1 && group[0] == passID {
			continue
		}
		found := ""
		for _, id := range group {
			if d.n.sets.effective.Has(id) && d.allowedSomewhere(id) {
				found = actionName(id)
				break
			}
		}
		if found == "" {
			out = nil
			break
		}
		out = append(out, found)
	}
	d.launchable[r.ID] = out
	return out
}

// allowedSomewhere reports whether the action is allowed on some resource of each type it
// requires, in the account.
func (d *discoverer) allowedSomewhere(id catalog.ActionID) bool {
	for _, pat := range resourcePatterns(id, d.g.acct.Partition, d.n.p.account) {
		if _, ok := d.can(id, pat, d.n.p.ctx); !ok {
			return false
		}
	}
	return true
}

// canMakeInstanceProfile reports whether the node can put a role into a new instance
// profile (needed to pass a role to EC2 when the role is in none).
func (d *discoverer) canMakeInstanceProfile() bool {
	for _, name := range []string{"iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"} {
		id, _ := catalog.Default().LookupAction(name)
		if !d.n.sets.effective.Has(id) || !d.allowedSomewhere(id) {
			return false
		}
	}
	return true
}

func (d *discoverer) passedTo(service string) *iam.Context {
	if c, ok := d.passed[service]; ok {
		return c
	}
	c := d.n.p.ctx.Clone()
	c.Set("iam:PassedToService", service)
	d.passed[service] = c
	return c
}

func sortedUnique(in []string) []string {
	if len(in) == 0 {
		return []string{}
	}
	sort.Strings(in)
	out := in[:1]
	for _, s := range in[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// otherUserCheck returns, for principal pi, a check that one of a finding's actions is
// allowed on a user of the account other than the principal itself.
func (g *graph) otherUserCheck(pi int) func(iam.RiskRule, iam.RiskFinding) bool {
	n := g.nodes[g.byKey[nodeKey{pi: pi}]]
	return func(_ iam.RiskRule, rf iam.RiskFinding) bool {
		acts := iam.ExpandActions(rf.Actions...).IDs()
		for _, u := range g.acct.Users {
			if u.ARN == n.p.arn {
				continue
			}
			for _, id := range acts {
				if resourceTypeOf(id) != "user" {
					continue
				}
				res := n.evaluator().Evaluate(&iam.Request{Principal: n.p.actingARN, Action: actionName(id), Resource: u.ARN, Context: n.p.ctx})
				if res.Decision == iam.Allowed {
					return true
				}
			}
		}
		return false
	}
}
