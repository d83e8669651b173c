package scan

import (
	"container/heap"
	"runtime"
	"sort"
	"sync"

	"github.com/ciem/ciem/internal/iam"
)

// The escalation graph. A node is a principal in a state: as it is, or after one of the
// self-escalations the engine's rules name (its policies rewritten, its permissions
// boundary removed, a group joined). An edge is one or two steps that one node can take to
// hold another node's permissions: assume a role, create credentials for a user, pass a
// role to a compute service it can launch, rewrite a role's trust policy and assume it,
// change another principal's policies and then reach it. Every step is a request the
// engine allows. A node is an administrator when its policies allow every action on every
// resource; admin_reachable is a shortest path (fewest steps) to such a node, or to a step
// that makes the node itself one.

// Step is one step of an escalation path: From makes one request (or a short sequence of
// them) and then holds the permissions of To.
type Step struct {
	From     string   `json:"from"`               // the principal acting
	Kind     string   `json:"kind"`               // StepAssumeRole, ...
	Target   string   `json:"target"`             // the resource acted on: a role, user, group or policy ARN
	To       string   `json:"to"`                 // the principal whose permissions are held after the step
	Actions  []string `json:"actions"`            // the requests made
	Service  string   `json:"service,omitempty"`  // pass_role: the service principal the role is passed to
	Rule     string   `json:"rule,omitempty"`     // the engine's risk rule the step follows
	Policies []string `json:"policies"`           // the policies whose statements allow the requests
	Detail   string   `json:"detail"`             // the step in words
	State    string   `json:"to_state,omitempty"` // what has changed about To ("policies rewritten", ...)
}

// nodeState is what a self-escalation has changed about a principal.
type nodeState struct {
	group     string // a group the user has added itself to
	rewritten bool   // its identity policies replaced by one that allows everything
	unbounded bool   // its permissions boundary removed
}

func (s nodeState) String() string {
	out := ""
	add := func(t string) {
		if out != "" {
			out += ", "
		}
		out += t
	}
	if s.group != "" {
		add("member of group " + s.group)
	}
	if s.rewritten {
		add("policies rewritten")
	}
	if s.unbounded {
		add("permissions boundary removed")
	}
	return out
}

type node struct {
	pi       int // principal index
	p        *principal
	st       nodeState
	identity []iam.NamedPolicy
	boundary []iam.NamedPolicy
	sets     grantSets
	out      []edge

	evOnce sync.Once
	ev     *iam.Evaluator // compiled on first use: most nodes never need one
}

// evaluator returns the node's policies compiled for the engine.
func (n *node) evaluator() *iam.Evaluator {
	n.evOnce.Do(func() {
		n.ev, _ = iam.Compile(&iam.PolicySet{Identity: n.identity, Boundaries: n.boundary}) // nil policies are never given
	})
	return n.ev
}

// adminSink is the target of an edge whose steps make the acting node itself an
// administrator.
const adminSink = -1

type edge struct {
	to    int
	steps []Step
}

// pendingEdge is an edge found by discover, its target not yet a node.
type pendingEdge struct {
	admin bool
	pi    int
	st    nodeState
	steps []Step
}

type graph struct {
	acct       *Account
	sums       *summaries
	principals []*principal
	byARN      map[string]int
	nodes      []*node
	byKey      map[nodeKey]int
	trust      *trustIndex
	allowAll   *iam.Policy
	adminARN   string
	// logins says whether a user has a console password (from the credential report);
	// absent: unknown, and both creating and resetting one are tried.
	logins map[string]bool
	// serviceTrust[role index][service principal]: the role's trust policy lets the service
	// assume it.
	serviceTrust []map[string]bool
	trustFor     []*iam.Policy // per principal: a trust policy naming it (after a rewrite)
	workers      int
}

type nodeKey struct {
	pi int
	st nodeState
}

// PathResult is a principal's place in the graph.
type PathResult struct {
	IsAdmin   bool   // its own policies make it an administrator
	Reachable bool   // it is, or can become, an administrator
	Via       string // the principal that is administrator at the end of the path (itself when it escalates itself)
	Steps     []Step // the shortest path, nil for an administrator
}

// GraphEdge is an edge between principals, for reports: From can come to hold To's
// permissions (To is From itself when it can make itself an administrator).
type GraphEdge struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Kinds []string `json:"kinds"` // the kinds of its steps, in order
	// ToAdmin: after the edge, From holds administrator permissions (To is an
	// administrator, or From made itself one).
	ToAdmin bool `json:"to_admin"`
}

func newGraph(a *Account, sums *summaries, ps []*principal, logins map[string]bool) *graph {
	g := &graph{acct: a, sums: sums, principals: ps, byARN: map[string]int{}, byKey: map[nodeKey]int{}, logins: logins,
		adminARN: "arn:" + a.Partition + ":iam::aws:policy/AdministratorAccess", workers: runtime.GOMAXPROCS(0)}
	g.allowAll = iam.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, iam.KindInlineRole)
	for i, p := range ps {
		g.byARN[p.arn] = i
	}
	g.trust = newTrustIndex(a.Roles)
	g.serviceTrust = make([]map[string]bool, len(a.Roles))
	for svc, roles := range g.trust.byService {
		for _, ri := range roles {
			r := a.Roles[ri]
			res := iam.Evaluate(&iam.Request{Principal: svc, Action: "sts:AssumeRole", Resource: r.ARN},
				&iam.PolicySet{Resource: &iam.NamedPolicy{Name: trustName(r.ARN), Policy: r.Trust}})
			if res.Decision == iam.Allowed {
				if g.serviceTrust[ri] == nil {
					g.serviceTrust[ri] = map[string]bool{}
				}
				g.serviceTrust[ri][svc] = true
			}
		}
	}
	g.trustFor = make([]*iam.Policy, len(ps))
	for i, p := range ps {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":` + jsonString(p.arn) + `},"Action":"sts:AssumeRole"}]}`
		g.trustFor[i] = iam.MustParse(doc, iam.KindTrust)
	}
	return g
}

func trustName(roleARN string) string { return roleARN + " (trust policy)" }

// build creates every principal's node, discovers edges round by round (each round the
// nodes the previous one reached), in parallel, and merges them in node order so that the
// graph is the same on every run.
func (g *graph) build() {
	var frontier []int
	for i := range g.principals {
		frontier = append(frontier, g.node(i, nodeState{}))
	}
	for len(frontier) > 0 {
		found := make([][]pendingEdge, len(frontier))
		parallel(len(frontier), g.workers, func(i int) { found[i] = g.discover(g.nodes[frontier[i]]) })
		var next []int
		for i, ni := range frontier {
			for _, pe := range found[i] {
				to := adminSink
				if !pe.admin {
					before := len(g.nodes)
					to = g.node(pe.pi, pe.st)
					if len(g.nodes) > before {
						next = append(next, to)
					}
				}
				g.nodes[ni].out = append(g.nodes[ni].out, edge{to: to, steps: pe.steps})
			}
		}
		frontier = next
	}
}

// node returns the index of a principal's node in a state, creating it.
func (g *graph) node(pi int, st nodeState) int {
	k := nodeKey{pi, st}
	if i, ok := g.byKey[k]; ok {
		return i
	}
	p := g.principals[pi]
	n := &node{pi: pi, p: p, st: st}
	switch {
	case st.rewritten:
		n.identity = []iam.NamedPolicy{{Name: "(a policy the caller writes)", Policy: g.allowAll}}
	case st.group != "":
		n.identity = append(append([]iam.NamedPolicy(nil), p.identity...), groupPolicies(g.acct, g.acct.Group(st.group))...)
	default:
		n.identity = p.identity
	}
	if !st.unbounded {
		n.boundary = p.boundary
	}
	n.sets = g.sums.grants(n.identity, n.boundary)
	g.nodes = append(g.nodes, n)
	g.byKey[k] = len(g.nodes) - 1
	return len(g.nodes) - 1
}

// groupPolicies are a group's policies as a member holds them.
func groupPolicies(a *Account, grp *Group) []iam.NamedPolicy {
	var out []iam.NamedPolicy
	if grp == nil {
		return nil
	}
	for _, ap := range grp.Attached {
		if mp := a.Policy(ap.ARN); mp != nil && mp.DefaultPolicy() != nil {
			out = append(out, iam.NamedPolicy{Name: mp.ARN, Policy: mp.DefaultPolicy()})
		}
	}
	for _, ip := range grp.Inline {
		if ip.Policy != nil {
			out = append(out, iam.NamedPolicy{Name: inlineName(grp.Name, ip.Name), Policy: ip.Policy})
		}
	}
	return out
}

// paths computes every node's shortest path to administrator: distances backwards from
// the administrators, weighted by steps, ties broken by node and edge order.
func (g *graph) paths() []PathResult {
	const inf = int(^uint(0) >> 1)
	dist := make([]int, len(g.nodes))
	type revEdge struct{ from, w int }
	rev := make([][]revEdge, len(g.nodes)) // rev[v]: the edges into v
	h := &distHeap{}
	for i, n := range g.nodes {
		dist[i] = inf
		if n.sets.admin {
			dist[i] = 0
		}
		for _, e := range n.out {
			if e.to == adminSink {
				if len(e.steps) < dist[i] {
					dist[i] = len(e.steps)
				}
				continue
			}
			rev[e.to] = append(rev[e.to], revEdge{i, len(e.steps)})
		}
		if dist[i] != inf {
			heap.Push(h, distItem{dist[i], i})
		}
	}
	for h.Len() > 0 {
		it := heap.Pop(h).(distItem)
		if it.d != dist[it.n] {
			continue
		}
		for _, re := range rev[it.n] {
			if it.d+re.w < dist[re.from] {
				dist[re.from] = it.d + re.w
				heap.Push(h, distItem{dist[re.from], re.from})
			}
		}
	}
	out := make([]PathResult, len(g.principals))
	for pi := range g.principals {
		ni := g.byKey[nodeKey{pi: pi}]
		n := g.nodes[ni]
		r := PathResult{IsAdmin: n.sets.admin, Reachable: dist[ni] != inf}
		cur := ni
		for r.Reachable && !g.nodes[cur].sets.admin {
			best, bestD := -1, inf
			for k, e := range g.nodes[cur].out {
				d := 0
				if e.to != adminSink {
					d = dist[e.to]
				}
				if d != inf && d+len(e.steps) < bestD {
					best, bestD = k, d+len(e.steps)
				}
			}
			e := g.nodes[cur].out[best]
			r.Steps = append(r.Steps, e.steps...)
			if e.to == adminSink {
				break
			}
			cur = e.to
		}
		if r.Reachable {
			r.Via = g.nodes[cur].p.arn
		}
		out[pi] = r
	}
	return out
}

type distItem struct{ d, n int }
type distHeap []distItem

func (h distHeap) Len() int { return len(h) }
func (h distHeap) Less(i, j int) bool {
	if h[i].d != h[j].d {
		return h[i].d < h[j].d
	}
	return h[i].n < h[j].n
}
func (h distHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *distHeap) Push(x any)   { *h = append(*h, x.(distItem)) }
func (h *distHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// edges lists the graph's edges between principals: node states fold into their
// principal, edges from a principal to itself are left out unless they make it
// administrator, and each pair keeps one edge (one to administrator first, then the
// shortest).
func (g *graph) edges() []GraphEdge {
	type pair struct{ from, to string }
	type choice struct {
		steps []Step
		admin bool
	}
	best := map[pair]choice{}
	for _, n := range g.nodes {
		for _, e := range n.out {
			to, admin := n.p.arn, true
			if e.to != adminSink {
				to, admin = g.nodes[e.to].p.arn, g.nodes[e.to].sets.admin
				if to == n.p.arn && !admin {
					continue
				}
			}
			k := pair{n.p.arn, to}
			cur, ok := best[k]
			if !ok || admin && !cur.admin || admin == cur.admin && len(e.steps) < len(cur.steps) {
				best[k] = choice{e.steps, admin}
			}
		}
	}
	out := make([]GraphEdge, 0, len(best))
	for k, c := range best {
		ge := GraphEdge{From: k.from, To: k.to, ToAdmin: c.admin}
		for _, s := range c.steps {
			ge.Kinds = append(ge.Kinds, s.Kind)
		}
		out = append(out, ge)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].To < out[j].To
	})
	return out
}

// parallel runs f(0..n-1) on up to workers goroutines.
func parallel(n, workers int, f func(int)) {
	if workers < 1 {
		workers = 1
	}
	if n < 2 || workers == 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
