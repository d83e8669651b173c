package scan

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// Effective permissions: what a principal's policies grant, taken together and bounded by
// its permissions boundary, as action sets. These sets are the summary a report shows and
// the gate that keeps the escalation graph from evaluating requests that cannot be allowed;
// every edge of the graph itself is decided by the engine.

// policySummary is what one policy document grants and denies, as action sets, ignoring
// resources except to tell "*" apart.
type policySummary struct {
	allowAny  actionBag // actions of every Allow statement (an upper bound)
	allowStar actionBag // actions of unconditional Allow statements on every resource
	allowWild actionBag // actions of Allow statements on a resource pattern with a wildcard, NotResource, or none
	denyAny   actionBag // actions of every Deny statement
	denyStar  actionBag // actions of unconditional Deny statements on every resource
	wildcards []WildcardGrant
	// riskRelevant: an Allow statement may take part in one of the engine's risk rules
	// other than wildcard-admin (see analyzer).
	riskRelevant bool
	hasDeny      bool
}

// WildcardGrant is an Allow statement whose actions are a wildcard ("*", "s3:*",
// "iam:Put*") or NotAction.
type WildcardGrant struct {
	Policy    string   `json:"policy"`
	Statement string   `json:"statement"` // JSON path, e.g. "$.Statement[0]"
	Sid       string   `json:"sid,omitempty"`
	Actions   []string `json:"actions"` // the patterns as written
	NotAction bool     `json:"not_action,omitempty"`
	Resources []string `json:"resources"`
}

// summaries caches a policySummary per distinct policy document.
type summaries struct {
	mu sync.Mutex
	m  map[*iam.Policy]*policySummary
}

func newSummaries() *summaries { return &summaries{m: map[*iam.Policy]*policySummary{}} }

func (s *summaries) get(p *iam.Policy) *policySummary {
	s.mu.Lock()
	ps, ok := s.m[p]
	s.mu.Unlock()
	if ok {
		return ps
	}
	ps = summarize(p)
	s.mu.Lock()
	if prev, ok := s.m[p]; ok {
		ps = prev
	} else {
		s.m[p] = ps
	}
	s.mu.Unlock()
	return ps
}

func summarize(p *iam.Policy) *policySummary {
	cat := catalog.Default()
	allowAny, allowStar, allowWild, denyAny, denyStar := cat.NewSet(), cat.NewSet(), cat.NewSet(), cat.NewSet(), cat.NewSet()
	ps := &policySummary{}
	narrowRules, broadRules := riskActions()
	for i, st := range p.Statements {
		acts := st.ActionSet()
		star := onEveryResource(st) && len(st.Conditions) == 0
		switch st.Effect {
		case iam.Allow:
			allowAny.UnionWith(acts)
			if star {
				allowStar.UnionWith(acts)
			}
			wild := onWildResource(st)
			if wild {
				allowWild.UnionWith(acts)
			}
			if acts.Intersects(narrowRules) || wild && acts.Intersects(broadRules) {
				ps.riskRelevant = true
			}
			if w, ok := wildcardOf(st, i); ok {
				ps.wildcards = append(ps.wildcards, w)
			}
		case iam.Deny:
			ps.hasDeny = true
			denyAny.UnionWith(acts)
			if star {
				denyStar.UnionWith(acts)
			}
		}
	}
	ps.allowAny, ps.allowStar, ps.allowWild = bagOf(allowAny), bagOf(allowStar), bagOf(allowWild)
	ps.denyAny, ps.denyStar = bagOf(denyAny), bagOf(denyStar)
	return ps
}

// onEveryResource reports whether a statement applies to every resource: Resource "*",
// or no Resource element at all.
func onEveryResource(st *iam.Statement) bool {
	if !st.HasResource() {
		return true
	}
	if st.NotResource {
		return false
	}
	for _, r := range st.Resources {
		if r == "*" {
			return true
		}
	}
	return false
}

// onWildResource reports whether a statement may apply to every resource of some type:
// a Resource pattern with a wildcard, NotResource, or no Resource element.
func onWildResource(st *iam.Statement) bool {
	if !st.HasResource() || st.NotResource {
		return true
	}
	for _, r := range st.Resources {
		if strings.ContainsAny(r, "*?") {
			return true
		}
	}
	return false
}

func wildcardOf(st *iam.Statement, i int) (WildcardGrant, bool) {
	var pats []string
	for _, a := range st.Actions {
		if st.NotAction || strings.ContainsAny(a, "*?") {
			pats = append(pats, a)
		}
	}
	if len(pats) == 0 {
		return WildcardGrant{}, false
	}
	res := append([]string(nil), st.Resources...)
	if !st.HasResource() {
		res = []string{"*"}
	}
	if st.NotResource {
		for j := range res {
			res[j] = "not " + res[j]
		}
	}
	path := st.Path
	if path == "" {
		path = "$.Statement[" + strconv.Itoa(i) + "]"
	}
	return WildcardGrant{Statement: path, Sid: st.Sid, Actions: pats, NotAction: st.NotAction, Resources: res}, true
}

// grantSets is what a set of identity policies and an optional boundary grant together.
type grantSets struct {
	// effective: allowed by some identity Allow, not denied everywhere by an identity Deny,
	// and (with a boundary) the same for the boundary: an upper bound of what is allowed.
	effective catalog.ActionSet
	// admin: see isAdmin; in the identity policies and in the boundary.
	admin bool
}

func (s *summaries) grants(identity, boundary []iam.NamedPolicy) grantSets {
	cat := catalog.Default()
	allow, star, deny, denyStar := cat.NewSet(), cat.NewSet(), cat.NewSet(), cat.NewSet()
	for _, np := range identity {
		ps := s.get(np.Policy)
		ps.allowAny.addTo(&allow)
		ps.allowStar.addTo(&star)
		ps.denyAny.addTo(&deny)
		ps.denyStar.addTo(&denyStar)
	}
	g := grantSets{effective: allow.Minus(denyStar)}
	g.admin = isAdmin(star, deny)
	for _, np := range boundary {
		ps := s.get(np.Policy)
		g.effective.IntersectWith(ps.allowAny.set().Minus(ps.denyStar.set()))
		g.admin = g.admin && isAdmin(ps.allowStar.set(), ps.denyAny.set())
	}
	return g
}

// actionBag holds an action set compactly: most policies name a few actions, and a
// bitset over the whole catalog is 2.8 KB. Small sets are kept as ids, large ones as a
// bitset.
type actionBag struct {
	ids  []catalog.ActionID
	bits catalog.ActionSet
}

// bagIDLimit: up to this many actions are kept as ids (4 bytes each, against the
// bitset's fixed size).
const bagIDLimit = 256

func bagOf(s catalog.ActionSet) actionBag {
	if n := s.Len(); n <= bagIDLimit {
		if n == 0 {
			return actionBag{}
		}
		return actionBag{ids: s.IDs()}
	}
	return actionBag{bits: s}
}

// addTo adds the bag's actions to s.
func (b actionBag) addTo(s *catalog.ActionSet) {
	if b.ids == nil {
		s.UnionWith(b.bits)
		return
	}
	for _, id := range b.ids {
		s.Add(id)
	}
}

// set returns the bag as a set (shared when the bag holds a bitset: do not modify it).
func (b actionBag) set() catalog.ActionSet {
	if b.ids == nil {
		if b.bits.IsEmpty() {
			return catalog.Default().NewSet()
		}
		return b.bits
	}
	s := catalog.Default().NewSet()
	b.addTo(&s)
	return s
}

func (b actionBag) isEmpty() bool { return len(b.ids) == 0 && b.bits.IsEmpty() }

// isAdmin: every action is allowed on every resource without conditions, and Deny
// statements take away no IAM, STS or Organizations action (AdministratorAccess with a
// Deny on deleting buckets is still an administrator: it can lift the Deny by changing its
// own policies).
func isAdmin(star, deny catalog.ActionSet) bool {
	return star.ContainsAll(catalog.Default().AllActions()) && !deny.Intersects(controlActions())
}

// controlActions are the actions that control permissions themselves.
var controlActions = sync.OnceValue(func() catalog.ActionSet {
	return iam.ExpandActions("iam:*", "sts:*", "organizations:*")
})

// Permissions summarises a principal's effective permissions.
type Permissions struct {
	// Actions is the number of distinct actions granted on some resource (an upper bound:
	// conditions and resource scopes are not narrowed here).
	Actions  int `json:"actions"`
	Services int `json:"services"`
	// ByAccessLevel counts the actions per access level.
	ByAccessLevel LevelCounts `json:"by_access_level"`
	// ByService lists each service with granted actions, by service prefix.
	ByService []ServicePermissions `json:"by_service"`
	// Wildcards are the Allow statements that grant actions by wildcard or NotAction.
	Wildcards []WildcardGrant `json:"wildcards"`
}

// LevelCounts counts actions per access level.
type LevelCounts struct {
	List                  int `json:"list"`
	Read                  int `json:"read"`
	Write                 int `json:"write"`
	PermissionsManagement int `json:"permissions_management"`
	Tagging               int `json:"tagging"`
}

func (l *LevelCounts) add(level catalog.AccessLevel, n int) {
	switch level {
	case catalog.List:
		l.List += n
	case catalog.Read:
		l.Read += n
	case catalog.Write:
		l.Write += n
	case catalog.PermissionsManagement:
		l.PermissionsManagement += n
	case catalog.Tagging:
		l.Tagging += n
	}
}

// ServicePermissions is one service's granted actions. Used is set only when usage was
// given: the granted actions of the service seen in use.
type ServicePermissions struct {
	Service string      `json:"service"`
	Actions int         `json:"actions"`
	Levels  LevelCounts `json:"levels"`
	Used    *int        `json:"used"`
}

// permissionsOf summarises an effective action set.
func permissionsOf(set catalog.ActionSet) Permissions {
	cat := catalog.Default()
	var out Permissions
	var cur *ServicePermissions
	set.Each(func(id catalog.ActionID) bool {
		a := cat.Action(id)
		if cur == nil || cur.Service != a.Service.Prefix {
			out.ByService = append(out.ByService, ServicePermissions{Service: a.Service.Prefix})
			cur = &out.ByService[len(out.ByService)-1]
		}
		cur.Actions++
		cur.Levels.add(a.Access, 1)
		out.ByAccessLevel.add(a.Access, 1)
		out.Actions++
		return true
	})
	// Catalog ids are grouped by service; sort by prefix for a stable, readable order.
	sort.Slice(out.ByService, func(i, j int) bool { return out.ByService[i].Service < out.ByService[j].Service })
	out.Services = len(out.ByService)
	if out.ByService == nil {
		out.ByService = []ServicePermissions{}
	}
	return out
}

// wildcardsOf lists the wildcard grants of the identity policies.
func (s *summaries) wildcardsOf(identity []iam.NamedPolicy) []WildcardGrant {
	out := []WildcardGrant{}
	for _, np := range identity {
		for _, w := range s.get(np.Policy).wildcards {
			w.Policy = np.Name
			out = append(out, w)
		}
	}
	return out
}
