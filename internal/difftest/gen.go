package difftest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/simcase"
)

// Config sizes and seeds a generation run.
type Config struct {
	Seed    uint64
	Cases   int             // exactly this many cases are generated
	Managed []ManagedPolicy // AWS managed policies; when empty, every case is synthetic
	// ManagedShare is the share of cases built on managed policies (0 means 0.55).
	ManagedShare float64
}

// Generated is one case, the kind of request it makes (Category, e.g. "managed/hit" or
// "synthetic/border-action") and what else it involves (Features: "deny", "boundary",
// "scp", "resource-policy", "cross-account", "conditions"), for the disagreement summary.
type Generated struct {
	Category string
	Features []string
	Case     *simcase.Case
}

// Accounts and principals of generated cases. The principal's account is accountA; accountB
// is "another account" for cross-account requests.
const (
	accountA = "111122223333"
	accountB = "444455556666"
)

var principals = []string{
	"arn:aws:iam::" + accountA + ":user/alice",
	"arn:aws:iam::" + accountA + ":role/app-role",
	"arn:aws:sts::" + accountA + ":assumed-role/app-role/session-1",
}

var regions = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}

// words are the building blocks of names, tags and values: short, distinct, some sharing
// prefixes so that wildcards have something to bite on.
var words = []string{"alpha", "alpine", "beta", "prod", "production", "dev", "reports", "logs", "team-a", "team-b", "data", "x"}

// Generator makes cases. It is not safe for concurrent use.
type Generator struct {
	cfg   Config
	rng   *rand.Rand
	cat   *catalog.Catalog
	ids   map[string][]catalog.ActionID // pattern -> matching ids (sorted)
	sets  map[string]catalog.ActionSet
	order []*catalog.Action // actions of "popular" services, for synthetic focus actions
}

// NewGenerator returns a generator for cfg over the default catalog.
func NewGenerator(cfg Config) *Generator {
	if cfg.ManagedShare == 0 {
		cfg.ManagedShare = 0.55
	}
	g := &Generator{
		cfg:  cfg,
		rng:  rand.New(rand.NewPCG(cfg.Seed, 0x5eed_c1e0)),
		cat:  catalog.Default(),
		ids:  make(map[string][]catalog.ActionID),
		sets: make(map[string]catalog.ActionSet),
	}
	for _, prefix := range popularServices {
		if s := g.cat.Service(prefix); s != nil {
			for id := s.First; id < s.End; id++ {
				g.order = append(g.order, g.cat.Action(id))
			}
		}
	}
	return g
}

// popularServices are the services synthetic policies focus on half of the time (the other
// half picks any action): the ones real policies use most, and the ones with service-specific
// authorization rules in AWS (IAM, STS, KMS, S3).
var popularServices = []string{"s3", "ec2", "iam", "sts", "kms", "lambda", "dynamodb", "sqs", "sns", "logs", "secretsmanager", "ssm", "cloudformation", "rds"}

// Generate produces cfg.Cases cases and hands each to emit, in a fixed order.
func Generate(cfg Config, emit func(Generated) error) error {
	return NewGenerator(cfg).Run(emit)
}

// Run produces the generator's cases.
func (g *Generator) Run(emit func(Generated) error) error {
	managedCases := 0
	if len(g.cfg.Managed) > 0 {
		managedCases = int(float64(g.cfg.Cases) * g.cfg.ManagedShare)
	}
	n := len(g.cfg.Managed)
	for i, mp := range g.cfg.Managed {
		k := managedCases / n
		if i < managedCases%n {
			k++
		}
		if k == 0 {
			continue
		}
		if err := g.managedCases(mp, k, emit); err != nil {
			return err
		}
	}
	for i := managedCases; i < g.cfg.Cases; i++ {
		gen := g.syntheticCase()
		if err := emit(gen); err != nil {
			return err
		}
	}
	return nil
}

// managedCases emits k cases about one managed policy: requests that hit, miss and border
// its statements, some with a deny, a permissions boundary or SCPs added.
func (g *Generator) managedCases(mp ManagedPolicy, k int, emit func(Generated) error) error {
	pol, err := iam.Parse(mp.Document, iam.KindManaged)
	if err != nil {
		// Still a case: both simulators must reject it.
		c := g.baseCase()
		c.IdentityPolicies = []simcase.NamedPolicy{{Name: mp.Name, Policy: mp.Document}}
		c.Request = simcase.Request{Principal: principals[0], Action: "s3:GetObject",
			Resource: simcase.Resource{Resource: "arn:aws:s3:::bucket/key", AccountID: accountA}, ContextVariables: map[string]simcase.ContextValue{}}
		for range k {
			if err := emit(Generated{Category: "managed/unparsable", Case: c}); err != nil {
				return err
			}
		}
		return nil
	}
	for range k {
		c := g.baseCase()
		c.IdentityPolicies = []simcase.NamedPolicy{{Name: mp.Name, Policy: mp.Document}}
		stmts := pol.Statements
		r, mode := g.requestFor(stmts, nil)
		var feats []string
		// Decorate some cases with the other policy types, built around the request.
		switch x := g.rng.IntN(100); {
		case x < 8:
			c.IdentityPolicies = append(c.IdentityPolicies, g.namedDoc("ExtraDeny", g.denyAround(r)))
			feats = append(feats, "deny")
		case x < 14:
			c.PermissionBoundaryPolicies = []simcase.NamedPolicy{g.namedDoc("Boundary", g.boundaryAround(r))}
			feats = append(feats, "boundary")
		case x < 20:
			c.ServiceControlPolicies = g.scpsAround(r)
			feats = append(feats, "scp")
		}
		all := g.statementsOf(c)
		g.fillContext(r, all)
		c.Request = r.toRequest()
		feats = append(feats, g.requestFeatures(r, all)...)
		if err := emit(Generated{Category: "managed/" + mode, Features: feats, Case: c}); err != nil {
			return err
		}
	}
	return nil
}

// requestFeatures names what the request involves beyond its category: another account,
// conditions in the statements that cover its action, a context.
func (g *Generator) requestFeatures(r *req, stmts []*iam.Statement) []string {
	var feats []string
	if r.account != accountA {
		feats = append(feats, "cross-account")
	}
	for _, s := range stmts {
		if len(s.Conditions) > 0 && g.statementMatchesAction(s, r.action) {
			feats = append(feats, "conditions")
			break
		}
	}
	return feats
}

func (g *Generator) baseCase() *simcase.Case {
	return &simcase.Case{
		IdentityPolicies:        []simcase.NamedPolicy{},
		ServiceControlPolicies:  []simcase.OrgPolicies{},
		ResourceControlPolicies: []simcase.OrgPolicies{},
	}
}

func (g *Generator) namedDoc(name string, d *doc) simcase.NamedPolicy {
	return simcase.NamedPolicy{Name: name, Policy: d.bytes()}
}

// statementsOf parses every policy of a case that the generator wrote or read, for context
// generation. Unparsable documents are skipped (the case is then an error case anyway).
func (g *Generator) statementsOf(c *simcase.Case) []*iam.Statement {
	var out []*iam.Statement
	add := func(raw json.RawMessage, kind iam.Kind) {
		if len(raw) == 0 {
			return
		}
		b, err := simcase.PolicyBytes(raw)
		if err != nil {
			return
		}
		p, err := iam.Parse(b, kind)
		if err != nil {
			return
		}
		out = append(out, p.Statements...)
	}
	for _, np := range c.IdentityPolicies {
		add(np.Policy, iam.KindManaged)
	}
	for _, np := range c.PermissionBoundaryPolicies {
		add(np.Policy, iam.KindBoundary)
	}
	for _, lvl := range c.ServiceControlPolicies {
		for _, np := range lvl.Policies {
			add(np.Policy, iam.KindSCP)
		}
	}
	add(c.ResourcePolicy, iam.KindResource)
	add(c.SessionPolicy, iam.KindSession)
	return out
}

// req is a request under construction.
type req struct {
	principal string
	action    *catalog.Action
	name      string // the action as written in the request (case may vary)
	resource  string
	account   string
	art       *catalog.ActionResource // the resource's type; nil for "*"
	vars      map[string]string       // policy-variable values the resource was built with
	ctx       map[string]simcase.ContextValue
}

func (r *req) toRequest() simcase.Request {
	ctx := r.ctx
	if ctx == nil {
		ctx = map[string]simcase.ContextValue{}
	}
	return simcase.Request{
		Principal:        r.principal,
		Action:           r.name,
		Resource:         simcase.Resource{Resource: r.resource, AccountID: r.account},
		ContextVariables: ctx,
	}
}

func (g *Generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *Generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

// token is a short random name.
func (g *Generator) token() string {
	w := g.pick(words)
	if g.chance(50) {
		w += fmt.Sprintf("-%d", g.rng.IntN(10))
	}
	return w
}

// mangleCase changes the case of some letters (action names are case-insensitive).
func (g *Generator) mangleCase(s string) string {
	b := []byte(s)
	for i := range b {
		if g.chance(30) {
			switch c := b[i]; {
			case c >= 'a' && c <= 'z':
				b[i] = c - 32
			case c >= 'A' && c <= 'Z':
				b[i] = c + 32
			}
		}
	}
	return string(b)
}

func splitService(pattern string) string {
	svc, _, ok := strings.Cut(pattern, ":")
	if !ok {
		return ""
	}
	return strings.ToLower(svc)
}
