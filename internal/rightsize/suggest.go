package rightsize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/usage"
)

// Options shape a suggestion.
type Options struct {
	// Kind is the kind of policy suggested: iam.KindManaged (the default), or the inline
	// kind of the principal (iam.KindInlineRole, iam.KindInlineUser). It decides the size
	// limit; a managed suggestion too large for one policy is split into several.
	Kind iam.Kind
	// ResourceScoping scopes each used action to the resources it was used on, where the
	// evidence allows it (see scoper.notScopable); otherwise actions keep the resources of
	// the statements that grant them.
	ResourceScoping bool
	// ExactObjectARNs keeps S3 object ARNs as used instead of widening them to their
	// bucket's objects (arn:aws:s3:::bucket/*).
	ExactObjectARNs bool
	// Keep are action patterns kept when granted, used or not ("ec2:Describe*").
	Keep []string
	// Wildcards compacts actions into wildcards where the wildcard's expansion is exactly
	// the kept actions (iam.Minimize); never "*".
	Wildcards bool
	// Name names the suggested policy (and its parts when split); default
	// "<principal name>-rightsized".
	Name string
}

// DefaultOptions are the command line's defaults: a managed policy, resources scoped,
// wildcards where exact.
func DefaultOptions() Options {
	return Options{Kind: iam.KindManaged, ResourceScoping: true, Wildcards: true}
}

// Input is what a suggestion is made from.
type Input struct {
	Principal string
	Granted   *Granted
	Digest    *usage.Digest
}

// Suggest makes the right-sized policy for the principal.
func Suggest(in Input, opts Options) (*Suggestion, error) {
	p, err := awsx.ParsePrincipalARN(in.Principal)
	if err != nil {
		return nil, err
	}
	if p.Kind != awsx.KindRole && p.Kind != awsx.KindUser {
		return nil, fmt.Errorf("%s is a %s: right-sizing needs a role or a user (usage is attributed to them, not to groups)", in.Principal, p.Kind)
	}
	if in.Granted == nil || in.Digest == nil {
		return nil, errors.New("right-sizing needs the granted policies and a usage digest")
	}
	if in.Granted.Principal != "" && in.Granted.Principal != in.Principal {
		return nil, fmt.Errorf("the granted policies are those of %s, not %s", in.Granted.Principal, in.Principal)
	}
	if err := in.Granted.Parse(); err != nil {
		return nil, err
	}
	if opts.Kind == "" {
		opts.Kind = iam.KindManaged
	}
	if err := checkKind(opts.Kind, p.Kind); err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = p.Name + "-rightsized"
	}
	cat := catalog.Default()
	keep := make([]catalog.ActionSet, len(opts.Keep))
	for i, k := range opts.Keep {
		keep[i] = cat.Match(strings.TrimSpace(k))
		if keep[i].IsEmpty() {
			return nil, fmt.Errorf("--keep %q: matches no action in the catalog (want service:Action, with * and ? wildcards)", k)
		}
	}

	s := &suggester{
		in: in, opts: opts, cat: cat, keep: keep,
		model:  newGrantModel(in.Granted),
		data:   newDataEvents(cat),
		scoper: &scoper{cat: cat, within: newContainment(), opts: opts},
		out:    newPolicyBuilder(),
		pu:     in.Digest.Principal(in.Principal),
	}
	return s.suggest()
}

func checkKind(k iam.Kind, pk awsx.PrincipalKind) error {
	switch {
	case k == iam.KindManaged:
	case k == iam.KindInlineRole && pk == awsx.KindRole, k == iam.KindInlineUser && pk == awsx.KindUser:
	case k == iam.KindInlineRole, k == iam.KindInlineUser:
		return fmt.Errorf("--kind %s: the principal is a %s", k, pk)
	default:
		return fmt.Errorf("--kind %q: want managed, inline-role (for a role) or inline-user (for a user)", k)
	}
	return nil
}

type suggester struct {
	in     Input
	opts   Options
	cat    *catalog.Catalog
	keep   []catalog.ActionSet // one per --keep pattern
	model  *grantModel
	data   *dataEvents
	scoper *scoper
	out    *policyBuilder
	pu     *usage.PrincipalUsage

	res  *Suggestion
	kept catalog.ActionSet // used and kept unobserved
}

func (s *suggester) suggest() (*Suggestion, error) {
	d := s.in.Digest
	s.res = &Suggestion{
		SchemaVersion:  SchemaVersion,
		Principal:      s.in.Principal,
		Kind:           s.opts.Kind,
		Window:         d.Window,
		Sources:        []Source{},
		Options:        Applied{ResourceScoping: s.opts.ResourceScoping, ExactObjectARNs: s.opts.ExactObjectARNs, Wildcards: s.opts.Wildcards, Keep: nonNil(s.opts.Keep)},
		Granted:        grantsOf(s.in.Granted),
		Kept:           []KeptAction{},
		KeptUnobserved: []UnobservedAction{},
		Removed:        []ActionGroup{},
		NotEffective:   []ActionGroup{},
		UsedNotGranted: []UsedAction{},
		Denied:         []DeniedAction{},
		ByService:      []ServiceLevel{},
		Notes:          []string{},
	}
	for _, src := range d.Sources {
		s.res.Sources = append(s.res.Sources, Source{Kind: src.Kind, Location: src.Location, Records: src.Stats.Records,
			Counted: src.Stats.Counted, DataEvents: src.Stats.DataEvents, Observations: src.Stats.Observations, Notes: src.Notes})
	}
	s.kept = s.cat.NewSet()
	s.unknownActions()
	s.classify()
	s.notEffective()
	s.usedElsewhere()
	s.carryDenies()
	pol := s.out.policy(s.opts.Wildcards)
	if err := s.checkWithin(pol); err != nil {
		return nil, err
	}
	if err := s.finish(pol); err != nil {
		return nil, err
	}
	return s.res, nil
}

// unknownActions notes the action names of Allow statements that the catalog does not
// know: they grant nothing the engine can see, so they are not carried over.
func (s *suggester) unknownActions() {
	var unknown []string
	for _, st := range s.model.allows {
		if st.st.NotAction {
			continue
		}
		for _, a := range st.st.Actions {
			if s.cat.Match(a).IsEmpty() {
				unknown = append(unknown, a)
			}
		}
	}
	if unknown = sortedUnique(unknown); len(unknown) > 0 {
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("%d action name(s) of the granted policies are not in the catalog and are not carried over: %s",
			len(unknown), strings.Join(unknown, ", ")))
	}
}

// classify puts every effectively granted action in exactly one class.
func (s *suggester) classify() {
	removed := map[string][]string{}
	var removedOrder []string
	levels := map[[2]string]*ServiceLevel{}
	var levelOrder [][2]string // first seen, in catalog order
	level := func(a *catalog.Action) *ServiceLevel {
		k := [2]string{a.Service.Prefix, a.Access.String()}
		l := levels[k]
		if l == nil {
			l = &ServiceLevel{Service: k[0], AccessLevel: k[1]}
			levels[k] = l
			levelOrder = append(levelOrder, k)
		}
		return l
	}
	s.model.effective.Each(func(id catalog.ActionID) bool {
		a := s.cat.Action(id)
		lv := level(a)
		lv.Granted++
		s.res.Summary.GrantedActions++
		granting := s.model.granting(id)
		var au *usage.ActionUsage
		if s.pu != nil {
			au = s.pu.Action(id)
		}
		if au != nil && au.Used() {
			lv.Used++
			s.res.Summary.UsedActions++
			s.keepUsed(a, au, granting)
			return true
		}
		if reason, detail := s.unobserved(a); reason != "" {
			lv.KeptUnobserved++
			s.res.Summary.KeptUnobservedActions++
			s.keepUnobserved(a, reason, detail, granting)
			return true
		}
		lv.Removed++
		s.res.Summary.RemovedActions++
		svc := a.Service.Prefix
		if _, ok := removed[svc]; !ok {
			removedOrder = append(removedOrder, svc)
		}
		removed[svc] = append(removed[svc], a.FullName())
		return true
	})
	for _, svc := range removedOrder { // catalog order is service order
		s.res.Removed = append(s.res.Removed, ActionGroup{Service: svc, Reason: ReasonUnused, Actions: removed[svc]})
	}
	for _, k := range levelOrder {
		s.res.ByService = append(s.res.ByService, *levels[k])
	}
	rank := func(l string) int {
		for i, a := range catalog.AccessLevels {
			if a.String() == l {
				return i
			}
		}
		return len(catalog.AccessLevels)
	}
	slices.SortStableFunc(s.res.ByService, func(a, b ServiceLevel) int {
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return rank(a.AccessLevel) - rank(b.AccessLevel)
	})
	if g := s.res.Summary.GrantedActions; g > 0 {
		unused := float64(g-s.res.Summary.UsedActions) / float64(g)
		s.res.Summary.UnusedShare = math.Round(unused*1e4) / 1e4
	}
}

func (s *suggester) keepUsed(a *catalog.Action, au *usage.ActionUsage, granting []*statement) {
	grants, scoped, note := s.scoper.usedGrants(a.ID, au, granting)
	k := KeptAction{
		Action: a.FullName(), AccessLevel: a.Access.String(), Count: au.Count,
		FirstSeen: au.First, LastSeen: au.Last, Sources: nonNil(au.Sources), UsedOn: au.Resources,
		Scoped: scoped, Note: note,
	}
	if au.ResourcesCollapsed {
		k.Note = joinNote(k.Note, "used on more objects than the digest keeps one by one: their buckets are named")
	}
	k.Resources, k.NotResources, k.Conditional = s.record(a, grants)
	s.res.Kept = append(s.res.Kept, k)
}

func (s *suggester) keepUnobserved(a *catalog.Action, reason UnobservedReason, detail string, granting []*statement) {
	u := UnobservedAction{Action: a.FullName(), AccessLevel: a.Access.String(), Reason: reason, Detail: detail}
	u.Resources, u.NotResources, u.Conditional = s.record(a, s.scoper.asGranted(a.ID, granting))
	s.res.KeptUnobserved = append(s.res.KeptUnobserved, u)
}

// record adds the grants to the policy and returns what they allow, for the report.
func (s *suggester) record(a *catalog.Action, grants []grant) (resources, notResources []string, conditional bool) {
	s.kept.Add(a.ID)
	resources = []string{}
	for _, g := range grants {
		s.out.add(a.FullName(), g)
		if g.from.cond != "" {
			conditional = true
		}
		if g.notResource {
			resources = append(resources, "*")
			notResources = append(notResources, g.resources...)
			continue
		}
		resources = append(resources, g.resources...)
	}
	return sortedUnique(resources), sortedUniqueOrNil(notResources), conditional
}

// unobserved says why an unused action is kept, or "" when it is not.
func (s *suggester) unobserved(a *catalog.Action) (UnobservedReason, string) {
	var patterns []string
	for i, k := range s.keep {
		if k.Has(a.ID) {
			patterns = append(patterns, s.opts.Keep[i])
		}
	}
	if len(patterns) > 0 {
		return ReasonKeepPattern, "matches --keep " + strings.Join(patterns, ", ")
	}
	for _, n := range notLogged {
		if strings.EqualFold(n, a.FullName()) {
			return ReasonNotLogged, s.notLoggedDetail(a)
		}
	}
	if src, ok := s.data.eventSource(a.ID); ok && !s.dataLogged(src) {
		return ReasonDataEventsNotLogged, "a data event, and the usage sources hold no data events of " + src
	}
	if s.serviceLevelOnly(a.Service.Prefix) {
		return ReasonServiceLevelOnly, "Access Advisor saw " + a.Service.Prefix + " used, and no source says which of its actions"
	}
	return "", ""
}

// notLoggedDetail names the used actions that may pass a role with iam:PassRole.
func (s *suggester) notLoggedDetail(a *catalog.Action) string {
	const base = "CloudTrail does not log it as an event of its own: it is checked inside the call that passes the role"
	if !strings.EqualFold(a.FullName(), "iam:PassRole") || s.pu == nil {
		return base
	}
	var passers []string
	for i := range s.pu.Actions {
		au := &s.pu.Actions[i]
		if !au.Used() {
			continue
		}
		for _, r := range s.cat.Action(au.ID).Resources {
			if dependsOnPassRole(r.DependentActions) {
				passers = append(passers, au.Action)
				break
			}
		}
	}
	if len(passers) == 0 {
		return base + "; no used action is known to pass a role: review whether it is needed"
	}
	return base + "; used actions that can pass a role: " + strings.Join(passers, ", ")
}

func dependsOnPassRole(deps []string) bool {
	for _, d := range deps {
		if strings.EqualFold(d, "iam:PassRole") {
			return true
		}
	}
	return false
}

// dataLogged reports whether the usage sources hold data events of the eventSource.
func (s *suggester) dataLogged(eventSource string) bool {
	for _, t := range s.in.Digest.DataEventSources {
		if t.Key == eventSource && t.Count > 0 {
			return true
		}
	}
	return false
}

// serviceLevelOnly reports whether a service was seen used only at service level: Access
// Advisor reports it, and no source names any action of it (used or denied).
func (s *suggester) serviceLevelOnly(prefix string) bool {
	if s.pu == nil {
		return false
	}
	seen := false
	for _, sv := range s.pu.Services {
		if sv.Service == prefix && !sv.Last.IsZero() {
			seen = true
		}
	}
	if !seen {
		return false
	}
	for i := range s.pu.Actions {
		if s.cat.Action(s.pu.Actions[i].ID).Service.Prefix == prefix {
			return false
		}
	}
	return true
}

// notEffective lists what the identity policies name that the principal does not have.
func (s *suggester) notEffective() {
	outside := s.model.identity.Minus(s.model.denied)
	outside.MinusWith(s.model.bounded)
	denied := s.model.identity.Intersect(s.model.denied)
	s.res.NotEffective = append(s.res.NotEffective, s.groups(outside, ReasonOutsideBoundary)...)
	s.res.NotEffective = append(s.res.NotEffective, s.groups(denied, ReasonDeniedEverywhere)...)
}

func (s *suggester) groups(set catalog.ActionSet, reason string) []ActionGroup {
	var out []ActionGroup
	set.Each(func(id catalog.ActionID) bool {
		a := s.cat.Action(id)
		if n := len(out); n == 0 || out[n-1].Service != a.Service.Prefix {
			out = append(out, ActionGroup{Service: a.Service.Prefix, Reason: reason})
		}
		out[len(out)-1].Actions = append(out[len(out)-1].Actions, a.FullName())
		return true
	})
	return out
}

// usedElsewhere lists used actions that are not granted, and denied requests.
func (s *suggester) usedElsewhere() {
	if s.pu == nil {
		s.res.Notes = append(s.res.Notes, "no usage of "+s.in.Principal+" in the window: nothing was used, so nothing is kept but what no log can show")
		return
	}
	for i := range s.pu.Actions {
		au := &s.pu.Actions[i]
		a := s.cat.Action(au.ID)
		if au.Used() && !s.model.effective.Has(au.ID) {
			s.res.UsedNotGranted = append(s.res.UsedNotGranted, UsedAction{Action: a.FullName(), Count: au.Count,
				FirstSeen: au.First, LastSeen: au.Last, Sources: nonNil(au.Sources), Detail: s.whyNotGranted(au.ID) + ": not added"})
		}
		if au.Denied > 0 {
			d := DeniedAction{Action: a.FullName(), AccessLevel: a.Access.String(), Count: au.Denied,
				FirstSeen: au.DeniedFirst, LastSeen: au.DeniedLast, Granted: s.model.effective.Has(au.ID)}
			if d.Granted {
				d.Detail = "granted today: the refusal came from a resource, a condition or a Deny, or the policies changed since"
			} else {
				d.Detail = s.whyNotGranted(au.ID) + ": not added"
			}
			s.res.Denied = append(s.res.Denied, d)
		}
	}
	s.res.Summary.DeniedActions = len(s.res.Denied)
	s.res.Summary.UsedNotGranted = len(s.res.UsedNotGranted)
}

func (s *suggester) whyNotGranted(id catalog.ActionID) string {
	switch {
	case !s.model.identity.Has(id):
		return "no identity policy grants it"
	case s.model.denied.Has(id):
		return "denied on every resource"
	case !s.model.bounded.Has(id):
		return "outside the permissions boundary"
	}
	return "not granted"
}

// carryDenies carries over the Deny statements that apply to a kept action, so that the
// suggestion denies what the granted policies deny.
func (s *suggester) carryDenies() {
	n := 0
	for _, d := range s.model.denies {
		if d.actions.Intersects(s.kept) {
			s.out.carryDeny(d.st)
			n++
		}
	}
	if n > 0 {
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("%d Deny statement(s) of the granted policies apply to kept actions and are carried over unchanged", n))
	}
}

// checkWithin checks with the engine's diff that the suggestion grants nothing the granted
// policies do not: it is a bug if it does, and no such policy is ever returned.
func (s *suggester) checkWithin(pol *iam.Policy) error {
	var granted []*iam.Policy
	for i := range s.in.Granted.Policies {
		granted = append(granted, s.in.Granted.Policies[i].policy)
	}
	d := iam.DiffSets(granted, []*iam.Policy{pol})
	if len(d.Added) == 0 {
		return nil
	}
	var parts []string
	for _, ra := range d.Added {
		parts = append(parts, strings.Join(ra.Actions, ",")+" on "+ra.Resource)
	}
	return fmt.Errorf("internal error: the suggestion would grant more than the granted policies (%s); please report it", strings.Join(parts, "; "))
}

// finish writes the policy, its parts and the findings.
func (s *suggester) finish(pol *iam.Policy) error {
	doc := iam.Canonical(pol)
	s.res.Policy = json.RawMessage(doc)
	s.res.Summary.PolicySize = iam.PolicySize(doc)
	s.res.Summary.SizeLimit = iam.SizeLimit(s.opts.Kind)
	parts, err := splitPolicy(pol, s.opts.Kind)
	if err != nil {
		return err
	}
	kind := s.opts.Kind
	if len(parts) > 1 && kind != iam.KindManaged {
		// Inline policies share one limit per principal: splitting does not help, managed
		// policies do.
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("the policy is %d characters, over the %d of a %s policy: suggested as managed policies instead",
			s.res.Summary.PolicySize, s.res.Summary.SizeLimit, kind))
		kind = iam.KindManaged
		s.res.Kind = kind
		s.res.Summary.SizeLimit = iam.SizeLimit(kind)
		if parts, err = splitPolicy(pol, kind); err != nil {
			return err
		}
	}
	s.res.Summary.Split = len(parts) > 1
	for i, part := range parts {
		name := s.opts.Name
		if len(parts) > 1 {
			name = fmt.Sprintf("%s-%d", s.opts.Name, i+1)
		}
		pd := iam.Canonical(part)
		s.res.Policies = append(s.res.Policies, SuggestedPolicy{Name: name, Size: iam.PolicySize(pd), Policy: json.RawMessage(pd)})
	}
	if s.res.Summary.Split {
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("the policy is %d characters, over the %d of one %s policy: split into %d managed policies, to be attached together",
			s.res.Summary.PolicySize, s.res.Summary.SizeLimit, kind, len(parts)))
		if len(parts) > 10 {
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("%d managed policies exceed the 10 a principal may have attached by default (20 with a quota increase)", len(parts)))
		}
	}
	if len(pol.Statements) == 0 {
		s.res.Notes = append(s.res.Notes, "the suggested policy has no statement: IAM does not accept an empty policy; the principal needs none of its permissions")
	}
	s.res.Findings.Before = nonNil(iam.Analyze(s.boundedIdentity()))
	s.res.Findings.After = nonNil(iam.Analyze([]iam.NamedPolicy{{Name: s.opts.Name, Policy: pol}}))
	return nil
}

// boundedIdentity is the identity policies with what the boundary leaves out denied, so
// that the findings before are those of what the principal effectively has.
func (s *suggester) boundedIdentity() []iam.NamedPolicy {
	out := s.in.Granted.Identity()
	outside := s.model.identity.Minus(s.model.bounded)
	if !s.model.hasBoundary || outside.IsEmpty() {
		return out
	}
	var grants []iam.Grant
	outside.Each(func(id catalog.ActionID) bool {
		grants = append(grants, iam.Grant{Action: s.cat.Action(id).FullName(), Resource: "*"})
		return true
	})
	deny := iam.Minimize(grants, iam.MinimizeOptions{Wildcards: true})
	for _, st := range deny.Statements {
		st.Effect = iam.Deny
	}
	return append(out, iam.NamedPolicy{Name: "(outside the permissions boundary)", Policy: deny})
}

func grantsOf(gr *Granted) Grants {
	ref := func(g *GrantedPolicy) PolicyRef {
		return PolicyRef{Ref: g.Ref(), Name: g.Name, Source: g.Source, ARN: g.ARN, Group: g.Group}
	}
	out := Grants{Policies: []PolicyRef{}}
	for i := range gr.Policies {
		out.Policies = append(out.Policies, ref(&gr.Policies[i]))
	}
	if gr.Boundary != nil {
		b := ref(gr.Boundary)
		out.Boundary = &b
	}
	return out
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func sortedUnique(s []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append([]string{}, s...))))
}

func sortedUniqueOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return sortedUnique(s)
}
