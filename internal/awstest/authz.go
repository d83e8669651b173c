package awstest

import (
	"net/http"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/iam"
)

// This file is the one place the sandbox calls ciem's policy engine to decide a
// request. Everything else hands it a caller, an action, a resource and a context.

// decision is the outcome of one authorisation, with AWS's reason for a denial.
type decision struct {
	allowed bool
	// reason completes AWS's AccessDenied message: "because no identity-based policy
	// allows the s3:GetObject action", "with an explicit deny in a permissions boundary".
	reason string
}

// policySource says where a document comes from, for parsing and deny reasons.
type namedDoc struct {
	name string
	doc  string
	kind iam.Kind
}

// callerPolicies are the documents that apply to a caller's requests.
type callerPolicies struct {
	identity []namedDoc
	boundary []namedDoc
	session  []namedDoc
	// sessionApplies is set when the credentials carry a session policy (or must have
	// one, as federation tokens do): then the session policies also have to allow.
	sessionApplies bool
}

// authorizer caches parsed documents and compiled policy sets. Entries are keyed by
// the state serial, which every IAM change bumps.
type authorizer struct {
	mu       sync.Mutex
	parsed   map[parsedKey]*iam.Policy
	compiled map[string]*compiledSet
}

type parsedKey struct {
	kind iam.Kind
	doc  string
}

type compiledSet struct {
	serial uint64
	ps     *iam.PolicySet
	ev     *iam.Evaluator
	// usable is false when the credentials can do nothing at all (no user left behind
	// them, or a federation token without a session policy).
	usable bool
}

func newAuthorizer() *authorizer {
	return &authorizer{parsed: map[parsedKey]*iam.Policy{}, compiled: map[string]*compiledSet{}}
}

// parse returns the parsed form of a stored document, parsing it once.
func (a *authorizer) parse(kind iam.Kind, doc string) (*iam.Policy, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := parsedKey{kind, doc}
	if p, ok := a.parsed[k]; ok {
		return p, nil
	}
	p, err := iam.Parse([]byte(doc), kind)
	if err != nil {
		return nil, err
	}
	if len(a.parsed) > 20000 {
		a.parsed = map[parsedKey]*iam.Policy{}
	}
	a.parsed[k] = p
	return p, nil
}

func (a *authorizer) named(docs []namedDoc) []iam.NamedPolicy {
	out := make([]iam.NamedPolicy, 0, len(docs))
	for _, d := range docs {
		p, err := a.parse(d.kind, d.doc)
		if err != nil {
			continue // stored documents were validated when they were written
		}
		out = append(out, iam.NamedPolicy{Name: d.name, Policy: p})
	}
	return out
}

// policySet builds the engine's policy set for a caller (no resource policy).
func (s *Server) policySet(cp callerPolicies) *iam.PolicySet {
	ps := &iam.PolicySet{
		Identity:         s.authz.named(cp.identity),
		Boundaries:       s.authz.named(cp.boundary),
		ResourceAccount:  s.st.Account,
		PrincipalAccount: s.st.Account,
	}
	if cp.sessionApplies {
		ps.Session = s.authz.named(cp.session)
	}
	return ps
}

// compiledFor returns the caller's compiled policy set, rebuilt when IAM changed.
func (s *Server) compiledFor(cl *caller) *compiledSet {
	key := cl.keyID
	s.authz.mu.Lock()
	cs, ok := s.authz.compiled[key]
	s.authz.mu.Unlock()
	if ok && cs.serial == s.st.Serial {
		return cs
	}
	cp, usable := s.callerPolicies(cl)
	ps := s.policySet(cp)
	cs = &compiledSet{serial: s.st.Serial, ps: ps, usable: usable}
	if ev, err := iam.Compile(ps); err == nil {
		cs.ev = ev
	} else {
		s.log.Warn("compiling policies", "caller", cl.arn, "err", err)
	}
	s.authz.mu.Lock()
	if len(s.authz.compiled) > 10000 {
		s.authz.compiled = map[string]*compiledSet{}
	}
	s.authz.compiled[key] = cs
	s.authz.mu.Unlock()
	return cs
}

func engineRequest(cl *caller, action, resource string, ctx map[string][]string) *iam.Request {
	ic := iam.NewContext()
	for k, v := range ctx {
		if k == "aws:TagKeys" || k == "sts:TransitiveTagKeys" {
			ic.SetMulti(k, v...)
			continue
		}
		ic.Set(k, v...)
	}
	return &iam.Request{Principal: cl.arn, Action: action, Resource: resource, Context: ic}
}

// decide authorises one action on one resource for the caller's identity-side
// policies.
func (s *Server) decide(cl *caller, action, resource string, ctx map[string][]string) decision {
	cs := s.compiledFor(cl)
	if !cs.usable {
		if cl.kind == sessionFederated {
			return decision{reason: "because no session policy allows the " + action + " action"}
		}
		return decision{reason: "because no identity-based policy allows the " + action + " action"}
	}
	req := engineRequest(cl, action, resource, ctx)
	var res iam.Result
	if cs.ev != nil {
		res = cs.ev.Evaluate(req)
	} else {
		res = iam.Evaluate(req, cs.ps)
	}
	if res.Decision == iam.Allowed {
		return decision{allowed: true}
	}
	return decision{reason: denyReason(res, action)}
}

// decideTrust authorises sts:AssumeRole (and sts:TagSession, sts:SetSourceIdentity)
// against the role's trust policy together with the caller's own policies.
func (s *Server) decideTrust(cl *caller, trust *iam.Policy, action, roleARN string, ctx map[string][]string) bool {
	cs := s.compiledFor(cl)
	var ps iam.PolicySet
	if cs.usable {
		ps = *cs.ps
	} else {
		ps = iam.PolicySet{ResourceAccount: s.st.Account, PrincipalAccount: s.st.Account}
	}
	ps.Resource = &iam.NamedPolicy{Name: "trust policy of " + roleARN, Policy: trust}
	res := iam.Evaluate(engineRequest(cl, action, roleARN, ctx), &ps)
	return res.Decision == iam.Allowed
}

// denyReason words the engine's reason for a denial as AWS's AccessDenied does.
func denyReason(res iam.Result, action string) string {
	var layer iam.Layer = iam.LayerIdentity
	policy := ""
	if len(res.Deciding) > 0 {
		layer, policy = res.Deciding[0].Layer, res.Deciding[0].Policy
	}
	kind := map[iam.Layer]string{
		iam.LayerIdentity: "identity-based policy", iam.LayerSession: "session policy", iam.LayerBoundary: "permissions boundary",
		iam.LayerResource: "resource-based policy", iam.LayerSCP: "service control policy", iam.LayerRCP: "resource control policy",
	}[layer]
	if kind == "" {
		kind = "identity-based policy"
	}
	if res.Decision == iam.ExplicitDeny {
		article := "an "
		if kind[0] != 'i' && kind[0] != 'a' {
			article = "a "
		}
		msg := "with an explicit deny in " + article + kind
		if strings.HasPrefix(policy, "arn:") {
			msg += ": " + policy
		}
		return msg
	}
	return "because no " + kind + " allows the " + action + " action"
}

// authorize checks the call's action on resource for the caller, and on a denial
// returns AWS's AccessDenied.
func (c *call) authorize(resource string) *apiError {
	return c.authorizeAction(c.action(), resource)
}

// authorizeAction checks a given action (for operations that need more than one).
func (c *call) authorizeAction(action, resource string) *apiError {
	c.authorized = true
	d := c.s.decide(c.caller, action, resource, c.requestContext())
	c.s.recordAccess(c, action, d.allowed)
	if d.allowed {
		return nil
	}
	return c.accessDenied(action, resource, d.reason)
}

// accessDenied builds AWS's AccessDenied for the call's service.
func (c *call) accessDenied(action, resource, reason string) *apiError {
	who := c.caller.arn
	res := resource
	if c.service == serviceS3 {
		res = `"` + resource + `"`
	}
	msg := "User: " + who + " is not authorized to perform: " + action
	if resource != "" && resource != "*" {
		msg += " on resource: " + res
	}
	if reason != "" {
		msg += " " + reason
	}
	e := errAccessDenied(msg)
	if c.service == serviceCloudTrail {
		e.Code = "AccessDeniedException"
		e.Status = http.StatusBadRequest
	}
	return e
}

// action is the IAM action the call is authorised as.
func (c *call) action() string {
	if c.iamAction != "" {
		return c.iamAction
	}
	return c.service + ":" + c.op
}
