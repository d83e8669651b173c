package iam

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"weak"
)

// Policy evaluation: AWS's evaluation logic for one request against every policy that
// applies to it. Evaluate reads as the order AWS documents ("Policy evaluation logic");
// the matching of single elements is in match.go, conditions.go and variables.go.
//
// The reference for every rule is the simulator @cloud-copilot/iam-simulate 0.1.173, run
// only as a separate process in tests. Where it departs from AWS's documentation, ciem
// follows AWS and the place says so.

// Request is one API call to authorise.
type Request struct {
	// Principal is the caller's ARN (a user, role, assumed-role session, federated user),
	// a service principal ("s3.amazonaws.com"), or AnonymousPrincipal.
	Principal string
	// Action is "service:Action", in any case.
	Action string
	// Resource is the resource's ARN, or "*" for an action without resource types (only a
	// policy's "*" matches it). An ARN with '*' in it is a pattern, as in the reference
	// simulator: an Allow applies when its Resource overlaps the pattern, a Deny only when
	// it covers all of it, so Allowed then means "allowed for some resources it names".
	Resource string
	// Context is exactly the context to use: nothing is derived here (aws:username,
	// aws:PrincipalAccount... are the caller's to set). nil is an empty context.
	Context *Context
}

// AnonymousPrincipal is the Principal of an unsigned request: only a resource-based
// policy that allows everyone ("Principal": "*") can allow it.
const AnonymousPrincipal = "anonymous"

// NamedPolicy is a policy with the name the result refers to it by.
type NamedPolicy struct {
	Name   string
	Policy *Policy
}

// PolicySet is every policy that applies to a request. Policies must not be modified once
// evaluated: compiled policies are cached by pointer.
type PolicySet struct {
	Identity   []NamedPolicy   // identity-based policies (attached managed, inline, through groups)
	Boundaries []NamedPolicy   // permissions boundary (0 or 1 in AWS; all must allow)
	SCPs       [][]NamedPolicy // one slice per level of the org hierarchy (root, OU..., account); each level must allow
	RCPs       [][]NamedPolicy // resource control policies, same shape; AWS's RCPFullAWSAccess is implied at every level
	Resource   *NamedPolicy    // resource-based policy (a role's trust policy for sts:AssumeRole*), nil if none
	Session    []NamedPolicy   // session policies (AssumeRole Policy + PolicyArns): together one layer, any may allow

	ResourceAccount  string // the account that owns the resource ("" = same as the principal's)
	PrincipalAccount string // the principal's account ("" = the account in the principal's ARN)
}

// Decision is the outcome of an evaluation.
type Decision uint8

const (
	ImplicitDeny Decision = iota // no policy allows the request (or a required one does not)
	Allowed                      // allowed
	ExplicitDeny                 // a Deny statement matches
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case ExplicitDeny:
		return "ExplicitlyDenied"
	}
	return "ImplicitlyDenied"
}

// Layer is the kind of policy a statement belongs to.
type Layer uint8

const (
	LayerIdentity Layer = iota
	LayerSession
	LayerBoundary
	LayerResource
	LayerSCP
	LayerRCP
	LayerService // a rule of the AWS service itself, not a policy
)

func (l Layer) String() string {
	switch l {
	case LayerIdentity:
		return "identity"
	case LayerSession:
		return "session"
	case LayerBoundary:
		return "boundary"
	case LayerResource:
		return "resource"
	case LayerSCP:
		return "scp"
	case LayerRCP:
		return "rcp"
	}
	return "service"
}

// MarshalText writes the layer's name.
func (l Layer) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// StatementRef names a statement: the policy's name as the caller gave it, the
// statement's Sid and JSON path ("$.Statement[2]"), and the layer of the policy. In an
// implicit deny's Result it names the layer that lacked an allow (Policy, Sid and Path
// empty).
type StatementRef struct {
	Policy string `json:"policy,omitempty"`
	Sid    string `json:"sid,omitempty"`
	Path   string `json:"path,omitempty"`
	Layer  Layer  `json:"layer"`
	Level  int    `json:"level,omitempty"` // SCP or RCP level (index into PolicySet.SCPs/RCPs)
}

func (r StatementRef) String() string {
	if r.Policy == "" && r.Path == "" {
		return r.Layer.String()
	}
	s := r.Policy + " " + r.Path
	if r.Sid != "" {
		s += " (" + r.Sid + ")"
	}
	return s
}

// Result is a decision and what made it: for ExplicitDeny every matching Deny statement;
// for Allowed the statements that grant access (identity-based and/or resource-based); for
// ImplicitDeny the layers that lacked an allow. Deciding may be shared with the
// Evaluator: do not modify its elements.
type Result struct {
	Decision Decision
	Deciding []StatementRef
}

// Evaluate evaluates one request. Policies are compiled on first use and cached by
// pointer; Compile an Evaluator to evaluate many requests against one PolicySet.
func Evaluate(req *Request, ps *PolicySet) Result {
	e, _ := Compile(ps) // errors name nil policies and bad effects, which evaluate as empty
	return e.Evaluate(req)
}

// Evaluate evaluates one request against the compiled policy set. It is safe for
// concurrent use.
func (e *Evaluator) Evaluate(req *Request) Result {
	if req == nil {
		return Result{Decision: ImplicitDeny}
	}
	var r requestView
	r.init(req, e)
	var st evalState

	// AWS lets every authenticated caller call sts:GetCallerIdentity: no policy, not even an
	// explicit deny, applies to it.
	if !r.anonymous && r.isGetCallerIdentity() {
		return Result{Decision: Allowed}
	}

	// Evaluate every applicable policy once, recording matching statements. Policies of
	// the principal's side do not apply to anonymous requests.
	var identity, boundary, session outcome
	scp := true
	if !r.anonymous {
		identity = st.evalPolicies(e.identity, &r, true)
		if len(e.boundaries) > 0 {
			boundary = st.evalAll(e.boundaries, &r)
		}
		if len(e.session) > 0 {
			// The inline and managed session policies of one session act together as the
			// session's policy: an allow in any of them counts (their intersection with the
			// identity policies is what limits the session).
			session = st.evalPolicies(e.session, &r, false)
		}
		for i, level := range e.scps {
			if o := st.evalPolicies(level, &r, false); !o.allowed {
				scp = false
				st.missing(StatementRef{Layer: LayerSCP, Level: i})
			}
		}
	}
	for _, level := range e.rcps {
		st.evalPolicies(level, &r, false) // only their denies matter (RCPFullAWSAccess is implied)
	}
	res := st.evalResource(e.resource, &r, len(e.boundaries) > 0)

	// 1. An explicit deny in any applicable policy (identity, resource-based, boundary,
	// session, SCP, RCP) denies.
	if st.denies.n > 0 {
		return Result{Decision: ExplicitDeny, Deciding: st.denies.refsWhere(hitDeny)}
	}

	// Rules of the services themselves: AWS managed policies and service-reserved roles
	// cannot be changed, and KMS aliases under alias/aws/ are AWS's.
	if serviceForbids(&r) {
		return st.implicitDeny(lacking[LayerService]...)
	}

	// An anonymous request is allowed only by a resource-based policy that allows everyone.
	if r.anonymous {
		if res.direct {
			return Result{Decision: Allowed, Deciding: st.allows.refsWhere(allowResourceDirect)}
		}
		return st.implicitDeny(lacking[LayerResource]...)
	}

	// 2. Service control policies: every level of the organization must allow.
	// (Resource control policies are AWS's RCPFullAWSAccess plus denies: step 1.)
	if !scp {
		return Result{Decision: ImplicitDeny, Deciding: st.missed}
	}

	// 3. and 4. The resource-based policy and the identity-based policies.
	core := e.core(&r, identity, res)
	if !core.allowed {
		return st.implicitDeny(core.missing...)
	}

	// 5. The permissions boundary must allow, unless (same account) a resource-based
	// policy names the user or role session itself: AWS's boundary does not limit that.
	bypass := allowNone
	if r.sameAccount && res.direct {
		bypass = e.boundaryBypass(&r, &st)
	}
	if len(e.boundaries) > 0 && !boundary.allowed {
		if bypass == allowNone {
			return st.implicitDeny(lacking[LayerBoundary]...)
		}
		core.kinds = bypass
	}

	// 6. Session policies must allow, unless (same account) a resource-based policy names
	// the session itself: AWS adds those permissions after the session policy applies.
	if len(e.session) > 0 && !session.allowed {
		if bypass == allowNone || !(r.assumedRole || r.federatedUser) {
			return st.implicitDeny(lacking[LayerSession]...)
		}
		core.kinds = bypass
	}

	return Result{Decision: Allowed, Deciding: st.allows.refsWhere(core.kinds)}
}

// coreOutcome is whether the identity-based and resource-based policies together allow.
type coreOutcome struct {
	allowed bool
	kinds   allowKind // which recorded allows granted it
	missing []StatementRef
}

// core applies AWS's rules for combining identity-based and resource-based policies.
func (e *Evaluator) core(r *requestView, identity outcome, res resourceOutcome) coreOutcome {
	missing := func(layers ...Layer) coreOutcome {
		if len(layers) == 1 {
			return coreOutcome{missing: lacking[layers[0]]}
		}
		return coreOutcome{missing: lackingIdentityAndResource}
	}
	// A service principal has no identity policies: the resource-based policy decides.
	if r.servicePrincipal {
		if res.direct {
			return coreOutcome{allowed: true, kinds: allowResourceDirect}
		}
		return missing(LayerResource)
	}
	// Cross-account: both the principal's account (identity policies) and the resource's
	// (resource-based policy, naming the principal or its account) must allow.
	if !r.sameAccount {
		switch {
		case identity.allowed && (res.direct || res.account):
			return coreOutcome{allowed: true, kinds: allowIdentity | allowResourceDirect | allowResourceAccount}
		case identity.allowed:
			return missing(LayerResource)
		case res.direct || res.account:
			return missing(LayerIdentity)
		}
		return missing(LayerIdentity, LayerResource)
	}
	// Same account: either an identity policy or a resource-based policy naming the
	// principal allows, as long as the service trusts the account's identity policies.
	switch e.trust(r, res) {
	case trustImplicit:
		kinds := allowNone
		if identity.allowed {
			kinds |= allowIdentity
		}
		if res.direct {
			kinds |= allowResourceDirect
		}
		if kinds != allowNone {
			return coreOutcome{allowed: true, kinds: kinds}
		}
		if e.resource != nil {
			return missing(LayerIdentity, LayerResource)
		}
		return missing(LayerIdentity)
	case trustExplicit:
		// The resource-based policy names the account: identity policies then count.
		kinds := allowNone
		if identity.allowed {
			kinds |= allowIdentity | allowResourceAccount
		}
		if res.direct {
			kinds |= allowResourceDirect
		}
		if kinds != allowNone {
			return coreOutcome{allowed: true, kinds: kinds}
		}
		return missing(LayerIdentity, LayerResource)
	}
	// The service trusts only its resource-based policy (a KMS key policy that does not
	// delegate to IAM; a trust policy that names neither the principal nor its account).
	if res.direct {
		return coreOutcome{allowed: true, kinds: allowResourceDirect}
	}
	return missing(LayerResource)
}

type trust uint8

const (
	trustImplicit trust = iota // identity policies of the resource's account count
	trustExplicit              // they count because the resource-based policy names the account
	trustNone                  // only the resource-based policy counts
)

// trust says whether the service trusts the account's identity policies for a same-account
// request. Most do. A KMS key trusts them only when its key policy names the account
// (arn:aws:iam::111122223333:root); a role's trust policy likewise for sts:AssumeRole*.
func (e *Evaluator) trust(r *requestView, res resourceOutcome) trust {
	switch r.service {
	case "kms":
		if r.resourceIsStar {
			return trustImplicit
		}
		if !hasPrefixFold(r.arn.resource, "key/") {
			return trustImplicit
		}
	case "sts":
		if e.resource == nil {
			return trustImplicit
		}
	default:
		return trustImplicit
	}
	if res.account {
		return trustExplicit
	}
	return trustNone
}

// boundaryBypass returns the resource-policy allows that hold despite a permissions
// boundary (or session policy) that does not allow: those naming the user or session
// itself (or everyone), for a same-account request. For a role ARN as principal only a
// statement with a wildcard principal counts.
func (e *Evaluator) boundaryBypass(r *requestView, st *evalState) allowKind {
	switch {
	case r.assumedRole, r.iamUser, r.federatedUser:
		if st.allows.any(allowResourceExact) {
			return allowResourceExact
		}
	case r.iamRole:
		if st.allows.any(allowResourceWildcard) {
			return allowResourceWildcard
		}
	}
	return allowNone
}

// serviceForbids applies the services' own rules that no policy can grant.
func serviceForbids(r *requestView) bool {
	var buf [48]byte
	switch r.service {
	case "iam":
		// A map lookup of string(bytes) does not allocate.
		if iamManagedPolicyActions[string(lowerASCII(buf[:0], r.actionName))] && r.arn.account == "aws" && hasPrefixFold(r.arn.resource, "policy/") {
			return true
		}
		return iamReservedRoleActions[string(lowerASCII(buf[:0], r.actionName))] && hasPrefixFold(r.arn.resource, "role/aws-reserved/")
	case "kms":
		if kmsAWSAliasActions[string(lowerASCII(buf[:0], r.actionName))] {
			return hasPrefixFold(r.arn.resource, "alias/aws/")
		}
	}
	return false
}

func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s) && len(dst) < cap(dst); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

var kmsAWSAliasActions = map[string]bool{"createalias": true, "deletealias": true, "updatealias": true}

var iamManagedPolicyActions = map[string]bool{
	"createpolicy": true, "createpolicyversion": true, "deletepolicy": true, "deletepolicyversion": true,
	"setdefaultpolicyversion": true, "tagpolicy": true, "untagpolicy": true,
}

var iamReservedRoleActions = map[string]bool{
	"attachrolepolicy": true, "createrole": true, "createservicelinkedrole": true, "deleterole": true,
	"deleterolepermissionsboundary": true, "deleterolepolicy": true, "deleteservicelinkedrole": true,
	"detachrolepolicy": true, "passrole": true, "putrolepermissionsboundary": true, "putrolepolicy": true,
	"tagrole": true, "untagrole": true, "updateassumerolepolicy": true, "updaterole": true,
	"updateroledescription": true,
}

// ---- The request, prepared once per evaluation ----

type requestView struct {
	ctx *Context

	service    string // lower-cased
	actionName string // as written

	arn                 arn
	resourceIsStar      bool
	resourceHasWildcard bool

	principal        string
	anonymous        bool
	servicePrincipal bool
	principalAccount string
	principalARN     arn
	assumedRole      bool
	federatedUser    bool
	iamUser          bool
	iamRole          bool
	sessionRole      string // the role name of an assumed-role session
	sameAccount      bool
}

func (r *requestView) init(req *Request, e *Evaluator) {
	r.ctx = req.Context
	svc, rest, _ := strings.Cut(req.Action, ":")
	r.service = strings.ToLower(svc)
	r.actionName, _, _ = strings.Cut(rest, ":")
	r.arn = splitARN(req.Resource)
	r.resourceIsStar = req.Resource == "*"
	r.resourceHasWildcard = !r.resourceIsStar && strings.IndexByte(req.Resource, '*') >= 0

	p := req.Principal
	r.principal = p
	if p == AnonymousPrincipal {
		r.anonymous = true
		return
	}
	r.servicePrincipal = !strings.HasPrefix(p, "arn:") && strings.HasSuffix(p, "amazonaws.com")
	r.principalARN = splitARN(p)
	r.principalAccount = e.principalAccount
	if r.principalAccount == "" && r.principalARN.segments >= 6 && strings.HasPrefix(p, "arn:") {
		r.principalAccount = r.principalARN.account
	}
	r.sameAccount = e.resourceAccount == "" || r.principalAccount != "" && r.principalAccount == e.resourceAccount
	if e.resource != nil || len(e.boundaries) > 0 || len(e.session) > 0 {
		switch a := &r.principalARN; {
		case a.service == "sts" && strings.HasPrefix(a.resource, "assumed-role/"):
			r.assumedRole = isIAMARN(p, "sts", "assumed-role/")
			if r.assumedRole {
				r.sessionRole = firstPathSegment(resourcePath(r.principalARN))
			}
		case a.service == "sts":
			r.federatedUser = isIAMARN(p, "sts", "federated-user/")
		case a.service == "iam" && strings.HasPrefix(a.resource, "user/"):
			r.iamUser = isIAMARN(p, "iam", "user/")
		case a.service == "iam":
			r.iamRole = isIAMARN(p, "iam", "role/")
		}
	}
}

func (r *requestView) isGetCallerIdentity() bool {
	return r.service == "sts" && strings.EqualFold(r.actionName, "GetCallerIdentity")
}

// ---- Recording what matched ----

// allowKind classifies a recorded statement.
type allowKind uint8

const (
	allowIdentity         allowKind = 1 << iota // an identity-based policy's Allow
	allowResourceDirect                         // a resource-based Allow naming the principal (or its role or user)
	allowResourceAccount                        // a resource-based Allow naming the principal's account
	allowResourceExact                          // ...naming the principal itself or everyone (also Direct)
	allowResourceWildcard                       // ...naming everyone (also Direct and Exact)
	hitDeny                                     // a Deny

	allowNone allowKind = 0
)

type hit struct {
	bp   *boundPolicy
	i    int // statement index
	kind allowKind
}

// hits is a list of matched statements that stays on the stack when short.
type hits struct {
	buf  [8]hit
	n    int
	more []hit
}

func (h *hits) add(x hit) {
	if h.n < len(h.buf) {
		h.buf[h.n] = x
	} else {
		h.more = append(h.more, x)
	}
	h.n++
}

func (h *hits) at(i int) hit {
	if i < len(h.buf) {
		return h.buf[i]
	}
	return h.more[i-len(h.buf)]
}

func (h *hits) any(kinds allowKind) bool {
	for i := 0; i < h.n; i++ {
		if h.at(i).kind&kinds != 0 {
			return true
		}
	}
	return false
}

// refsWhere returns the recorded statements of the given kinds. A single statement's
// reference is shared with the Evaluator rather than copied.
func (h *hits) refsWhere(kinds allowKind) []StatementRef {
	count, first := 0, -1
	for i := 0; i < h.n; i++ {
		if h.at(i).kind&kinds != 0 {
			if count == 0 {
				first = i
			}
			count++
		}
	}
	switch count {
	case 0:
		return nil
	case 1:
		x := h.at(first)
		return x.bp.refs[x.i : x.i+1 : x.i+1]
	}
	out := make([]StatementRef, 0, count)
	for i := first; i < h.n; i++ {
		if x := h.at(i); x.kind&kinds != 0 {
			out = append(out, x.bp.refs[x.i])
		}
	}
	return out
}

type evalState struct {
	denies hits
	allows hits
	missed []StatementRef // SCP levels without an allow
}

func (st *evalState) missing(ref StatementRef) { st.missed = append(st.missed, ref) }

func (st *evalState) implicitDeny(missing ...StatementRef) Result {
	return Result{Decision: ImplicitDeny, Deciding: missing}
}

// lacking names a layer without an allow, for implicit denies (shared, not copied).
var lacking = func() [LayerService + 1][]StatementRef {
	var out [LayerService + 1][]StatementRef
	for l := range out {
		out[l] = []StatementRef{{Layer: Layer(l)}}
	}
	return out
}()

var lackingIdentityAndResource = []StatementRef{{Layer: LayerIdentity}, {Layer: LayerResource}}

// outcome is what one layer's policies say.
type outcome struct {
	allowed bool
}

// evalPolicies matches every statement of the policies (a layer, or one level of SCPs or
// RCPs), recording denies, and allows when record is set.
func (st *evalState) evalPolicies(ps []boundPolicy, r *requestView, record bool) outcome {
	var o outcome
	for pi := range ps {
		bp := &ps[pi]
		for si := range bp.cp.stmts {
			s := &bp.cp.stmts[si]
			if !s.matches(r, bp.layer) {
				continue
			}
			switch s.effect {
			case Deny:
				st.denies.add(hit{bp: bp, i: si, kind: hitDeny})
			case Allow:
				o.allowed = true
				if record {
					st.allows.add(hit{bp: bp, i: si, kind: allowIdentity})
				}
			}
		}
	}
	return o
}

// evalAll is evalPolicies for layers where each policy must allow on its own (permissions
// boundaries).
func (st *evalState) evalAll(ps []boundPolicy, r *requestView) outcome {
	all := true
	for pi := range ps {
		if !st.evalPolicies(ps[pi:pi+1], r, false).allowed {
			all = false
		}
	}
	return outcome{allowed: all}
}

// resourceOutcome is what the resource-based policy says about the request's principal.
type resourceOutcome struct {
	direct  bool // an Allow names the principal, its role or user, or everyone
	account bool // an Allow names the principal's account
}

func (st *evalState) evalResource(bp *boundPolicy, r *requestView, hasBoundary bool) resourceOutcome {
	var o resourceOutcome
	if bp == nil {
		return o
	}
	for si := range bp.cp.stmts {
		s := &bp.cp.stmts[si]
		if !s.matches(r, LayerResource) {
			continue
		}
		pm := principalNoMatch
		switch {
		case s.principal != nil:
			pm = matchPrincipals(s.principal, r)
		case s.notPrincipal != nil:
			pm = matchNotPrincipals(s.notPrincipal, r)
		}
		// AWS: a Deny with NotPrincipal always applies to a principal with a permissions
		// boundary, whatever NotPrincipal names.
		if hasBoundary && !r.anonymous && s.notPrincipal != nil && s.effect == Deny {
			pm = principalDirect
		}
		if pm == principalNoMatch {
			continue
		}
		switch s.effect {
		case Deny:
			st.denies.add(hit{bp: bp, i: si, kind: hitDeny})
		case Allow:
			kind := allowResourceAccount
			if pm != principalAccountLevel {
				kind = allowResourceDirect
				o.direct = true
				if pm == principalDirect {
					kind |= allowResourceExact
					if s.wildcardPrincipal {
						kind |= allowResourceWildcard
					}
				}
			} else {
				o.account = true
			}
			st.allows.add(hit{bp: bp, i: si, kind: kind})
		}
	}
	return o
}

// ---- Compiled policies ----

// Evaluator is a PolicySet compiled for fast evaluation.
type Evaluator struct {
	identity   []boundPolicy
	boundaries []boundPolicy
	session    []boundPolicy
	scps       [][]boundPolicy
	rcps       [][]boundPolicy
	resource   *boundPolicy

	principalAccount, resourceAccount string
}

// boundPolicy is a compiled policy in its place in a PolicySet.
type boundPolicy struct {
	cp    *compiledPolicy
	layer Layer
	refs  []StatementRef // one per statement
}

// Compile compiles a policy set. The error lists nil policies and statements and invalid
// effects; the Evaluator is usable regardless (they match nothing).
func Compile(ps *PolicySet) (*Evaluator, error) {
	e := &Evaluator{}
	if ps == nil {
		return e, nil
	}
	var errs []error
	bind := func(np NamedPolicy, layer Layer, level int, where string) boundPolicy {
		if np.Policy == nil {
			errs = append(errs, fmt.Errorf("%s %q: no policy", where, np.Name))
		}
		cp := compiledFor(np.Policy)
		errs = append(errs, cp.errs(where, np.Name)...)
		bp := boundPolicy{cp: cp, layer: layer, refs: make([]StatementRef, len(cp.stmts))}
		for i := range cp.stmts {
			bp.refs[i] = StatementRef{Policy: np.Name, Sid: cp.stmts[i].sid, Path: cp.stmts[i].path, Layer: layer, Level: level}
		}
		return bp
	}
	list := func(nps []NamedPolicy, layer Layer, level int, where string) []boundPolicy {
		out := make([]boundPolicy, len(nps))
		for i, np := range nps {
			out[i] = bind(np, layer, level, where)
		}
		return out
	}
	e.identity = list(ps.Identity, LayerIdentity, 0, "identity policy")
	e.boundaries = list(ps.Boundaries, LayerBoundary, 0, "permissions boundary")
	e.session = list(ps.Session, LayerSession, 0, "session policy")
	for i, level := range ps.SCPs {
		e.scps = append(e.scps, list(level, LayerSCP, i, fmt.Sprintf("SCP level %d", i)))
	}
	for i, level := range ps.RCPs {
		e.rcps = append(e.rcps, list(level, LayerRCP, i, fmt.Sprintf("RCP level %d", i)))
	}
	if ps.Resource != nil {
		bp := bind(*ps.Resource, LayerResource, 0, "resource-based policy")
		e.resource = &bp
	}
	e.principalAccount, e.resourceAccount = ps.PrincipalAccount, ps.ResourceAccount
	return e, errors.Join(errs...)
}

// compiledPolicy is a policy's statements, compiled. It holds no pointer into the Policy,
// so that the cache does not keep policies alive.
type compiledPolicy struct {
	stmts   []compiledStatement
	invalid []string // paths of statements that are nil or have no valid Effect
}

func (cp *compiledPolicy) errs(where, name string) []error {
	var out []error
	for _, path := range cp.invalid {
		out = append(out, fmt.Errorf("%s %q: %s: the statement is missing or has no valid Effect", where, name, path))
	}
	return out
}

type compiledStatement struct {
	effect    Effect
	sid, path string

	actions   actionMatcher
	notAction bool

	hasResource bool
	resources   []*resourcePattern
	notResource bool

	principal         []principalEntry // nil without a Principal element
	notPrincipal      []principalEntry // nil without a NotPrincipal element
	wildcardPrincipal bool             // Principal names everyone

	conds []compiledCondition
}

func compilePolicy(p *Policy) *compiledPolicy {
	cp := &compiledPolicy{}
	if p == nil {
		return cp
	}
	vars := p.Version == Version2012
	cp.stmts = make([]compiledStatement, 0, len(p.Statements))
	for i, s := range p.Statements {
		path := fmt.Sprintf("$.Statement[%d]", i)
		if s == nil {
			cp.invalid = append(cp.invalid, path)
			continue
		}
		if s.Path != "" {
			path = s.Path
		}
		if s.Effect != Allow && s.Effect != Deny {
			cp.invalid = append(cp.invalid, path)
		}
		cs := compiledStatement{
			effect: s.Effect, sid: s.Sid, path: path,
			actions: compileActions(s.Actions), notAction: s.NotAction,
			hasResource: s.HasResource(), notResource: s.NotResource,
		}
		for _, res := range s.Resources {
			cs.resources = append(cs.resources, compileResource(res, vars))
		}
		if s.Principal != nil {
			cs.principal = compilePrincipal(s.Principal)
			if cs.principal == nil {
				cs.principal = []principalEntry{}
			}
			for _, pe := range cs.principal {
				cs.wildcardPrincipal = cs.wildcardPrincipal || pe.kind == principalWildcard
			}
		} else if s.NotPrincipal != nil {
			cs.notPrincipal = compilePrincipal(s.NotPrincipal)
			if cs.notPrincipal == nil {
				cs.notPrincipal = []principalEntry{}
			}
		}
		for ci := range s.Conditions {
			cs.conds = append(cs.conds, compileCondition(&s.Conditions[ci], vars))
		}
		cp.stmts = append(cp.stmts, cs)
	}
	return cp
}

// matches reports whether the statement applies to the request (principals aside): its
// action, resource and conditions all match.
func (s *compiledStatement) matches(r *requestView, layer Layer) bool {
	if s.actions.match(r.service, r.actionName) == s.notAction {
		return false
	}
	if !s.matchesResource(r, layer) {
		return false
	}
	for i := range s.conds {
		if !s.conds[i].eval(r.ctx) {
			return false
		}
	}
	return true
}

func (s *compiledStatement) matchesResource(r *requestView, layer Layer) bool {
	if !s.hasResource {
		return true // trust and resource policies may omit Resource
	}
	deny := s.effect == Deny
	if !s.notResource {
		for _, p := range s.resources {
			if p.match(r, layer, deny, false).matched {
				return true
			}
		}
		return false
	}
	// NotResource: the request must be provably outside every value.
	for _, p := range s.resources {
		if m := p.match(r, layer, deny, true); m.matched || !m.invertible {
			return false
		}
	}
	return true
}

// policyCache holds compiled policies by pointer, for as long as the policy lives.
var policyCache sync.Map // weak.Pointer[Policy] -> *compiledPolicy

func compiledFor(p *Policy) *compiledPolicy {
	if p == nil {
		return &compiledPolicy{}
	}
	key := weak.Make(p)
	if v, ok := policyCache.Load(key); ok {
		return v.(*compiledPolicy)
	}
	cp := compilePolicy(p)
	if v, loaded := policyCache.LoadOrStore(key, cp); loaded {
		return v.(*compiledPolicy)
	}
	runtime.AddCleanup(p, func(k weak.Pointer[Policy]) { policyCache.Delete(k) }, key)
	return cp
}
