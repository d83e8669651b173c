package difftest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/simcase"
)

// doc is a policy document the generator writes. encoding/json sorts map keys, so the
// output is deterministic.
type doc struct {
	Version   string `json:"Version,omitempty"`
	Statement []stmt `json:"Statement"`
}

type stmt struct {
	Sid         string                    `json:"Sid,omitempty"`
	Effect      string                    `json:"Effect"`
	Principal   any                       `json:"Principal,omitempty"`
	Action      any                       `json:"Action,omitempty"`
	NotAction   any                       `json:"NotAction,omitempty"`
	Resource    any                       `json:"Resource,omitempty"`
	NotResource any                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string]any `json:"Condition,omitempty"`
}

func (d *doc) bytes() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("difftest: marshalling a generated policy: %v", err)) // only plain values inside
	}
	return b
}

// oneOrList writes a single value as a string, as policies often do.
func oneOrList(vs []string) any {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs
}

func newDoc(stmts ...stmt) *doc { return &doc{Version: iam.Version2012, Statement: stmts} }

// syntheticCase builds a case around a focus action: identity policies with allows and
// denies whose action, resource and condition elements hit, miss or border the focus
// request, sometimes with a permissions boundary, SCPs and a resource policy.
func (g *Generator) syntheticCase() Generated {
	var focus *catalog.Action
	if g.chance(50) && len(g.order) > 0 {
		focus = g.order[g.rng.IntN(len(g.order))]
	} else {
		focus = g.randomAction()
	}
	for !g.resolvable(focus) {
		focus = g.randomAction()
	}
	acct := accountA
	cross := g.chance(12)
	if cross {
		acct = accountB
	}
	r0 := &req{principal: g.pick(principals), action: focus, name: focus.FullName()}
	g.resourceFromType(r0, acct)

	c := g.baseCase()
	var feats []string
	nPol := 1 + g.rng.IntN(2)
	for i := range nPol {
		var stmts []stmt
		for range 1 + g.rng.IntN(3) {
			eff := "Allow"
			if g.chance(22) {
				eff = "Deny"
			}
			stmts = append(stmts, g.stmtAround(r0, eff, false))
		}
		d := newDoc(stmts...)
		if g.chance(4) {
			// Without Version 2012-10-17, policy variables are literal text; the reference
			// substitutes them anyway (known_differences.json), so only variable-free
			// documents go without a Version here.
			d.Version = ""
			if strings.Contains(string(d.bytes()), "${") {
				d.Version = iam.Version2012
			}
		}
		c.IdentityPolicies = append(c.IdentityPolicies, g.namedDoc(fmt.Sprintf("Identity%d", i+1), d))
	}
	if hasDeny(c) {
		feats = append(feats, "deny")
	}
	if g.chance(25) {
		c.PermissionBoundaryPolicies = []simcase.NamedPolicy{g.namedDoc("Boundary", g.boundaryAround(r0))}
		feats = append(feats, "boundary")
	}
	if g.chance(25) {
		c.ServiceControlPolicies = g.scpsAround(r0)
		feats = append(feats, "scp")
	}
	if g.chance(20) || (cross && g.chance(60)) {
		if len(focus.Resources) > 0 {
			c.ResourcePolicy = g.resourcePolicyAround(r0).bytes()
			feats = append(feats, "resource-policy")
		}
	}
	var r *req
	mode := "focus"
	if g.chance(40) {
		r = r0
	} else {
		var all []*iam.Statement
		for _, np := range c.IdentityPolicies {
			if p, err := iam.Parse(np.Policy, iam.KindManaged); err == nil {
				all = append(all, p.Statements...)
			}
		}
		r, mode = g.requestFor(all, focus)
	}
	all := g.statementsOf(c)
	g.fillContext(r, all)
	c.Request = r.toRequest()
	feats = append(feats, g.requestFeatures(r, all)...)
	return Generated{Category: "synthetic/" + mode, Features: feats, Case: c}
}

func hasDeny(c *simcase.Case) bool {
	for _, np := range c.IdentityPolicies {
		if strings.Contains(string(np.Policy), `"Effect":"Deny"`) {
			return true
		}
	}
	return false
}

// actionPatternsAround returns action patterns that cover a (or, with miss, do not),
// in the forms policies use: exact, other case, service wildcard, prefix wildcard, '?'.
func (g *Generator) actionPatternsAround(a *catalog.Action, miss bool) []string {
	svc := a.Service.Prefix
	name := a.Name
	var p string
	if miss {
		switch g.rng.IntN(3) {
		case 0:
			p = g.randomAction().FullName()
		case 1:
			if len(name) > 3 {
				p = svc + ":" + name[:len(name)-1] + "X*" // same prefix, diverges at the end
			} else {
				p = svc + ":Zz*"
			}
		default:
			p = "otherservice:" + name
		}
	} else {
		switch x := g.rng.IntN(100); {
		case x < 35:
			p = a.FullName()
		case x < 45:
			p = g.mangleCase(a.FullName())
		case x < 60:
			p = svc + ":*"
		case x < 80:
			k := 1 + g.rng.IntN(max(1, len(name)-1))
			p = svc + ":" + name[:k] + "*"
		case x < 88:
			k := g.rng.IntN(len(name))
			p = svc + ":" + name[:k] + "?" + name[k+1:]
		case x < 93:
			p = svc + ":*" + name[len(name)/2:]
		default:
			p = "*"
		}
	}
	out := []string{p}
	if g.chance(30) {
		out = append(out, g.randomAction().FullName())
	}
	return out
}

// resourcePatternsAround returns resource patterns that cover r's resource (or, with miss,
// do not): "*", the ARN, the ARN with wildcards, the ARN with a policy variable.
func (g *Generator) resourcePatternsAround(r *req, miss bool) ([]string, map[string]string) {
	res := r.resource
	if res == "*" {
		return []string{"*"}, nil
	}
	f := strings.SplitN(res, ":", 6)
	if len(f) != 6 {
		return []string{"*"}, nil
	}
	if miss {
		switch g.rng.IntN(3) {
		case 0:
			return []string{join6(f, 5, f[5]+"-other")}, nil
		case 1:
			return []string{join6(f, 5, strings.ToUpper(f[5]))}, nil // ARNs are case-sensitive
		default:
			return []string{"arn:aws:s3:::some-other-bucket/*"}, nil
		}
	}
	switch x := g.rng.IntN(100); {
	case x < 25:
		return []string{"*"}, nil
	case x < 45:
		return []string{res}, nil
	case x < 60:
		// Replace the last path element with '*'.
		if i := strings.LastIndexAny(f[5], "/:"); i >= 0 {
			return []string{join6(f, 5, f[5][:i+1]+"*")}, nil
		}
		return []string{join6(f, 5, f[5][:len(f[5])/2]+"*")}, nil
	case x < 68:
		g2 := append([]string(nil), f...)
		if g2[3] != "" {
			g2[3] = "*"
		}
		if g2[4] != "" {
			g2[4] = "*"
		}
		return []string{strings.Join(g2, ":")}, nil
	case x < 74:
		k := g.rng.IntN(len(f[5]))
		return []string{join6(f, 5, f[5][:k]+"?"+f[5][k+1:])}, nil
	case x < 88:
		// A policy variable standing for one of the ARN's words.
		// Not in the resource's first segment (before its first '/' or ':'), where the
		// reference never matches a variable (known_differences.json).
		first := strings.IndexAny(f[5], "/:")
		for _, w := range words {
			if i := strings.LastIndex(f[5], w); i >= 0 && first >= 0 && i > first {
				key := g.pick([]string{"aws:username", "aws:PrincipalTag/team", "aws:userid"})
				v := "${" + key + "}"
				if g.chance(15) {
					v = "${" + key + ", '" + w + "'}"
				}
				return []string{join6(f, 5, f[5][:i]+v+f[5][i+len(w):])}, map[string]string{key: w}
			}
		}
		return []string{res}, nil
	default:
		return []string{"arn:aws:" + r.action.Service.Prefix + ":*"}, nil
	}
}

// stmtAround writes a statement about r with the given effect: mostly covering r, with
// NotAction/NotResource forms and conditions on keys r's action takes.
func (g *Generator) stmtAround(r *req, effect string, forSCP bool) stmt {
	s := stmt{Effect: effect}
	missAction := g.chance(15)
	if g.chance(15) {
		// NotAction: the list names other actions (r is covered) or r's (r is not).
		s.NotAction = oneOrList(g.actionPatternsAround(r.action, !missAction))
	} else {
		s.Action = oneOrList(g.actionPatternsAround(r.action, missAction))
	}
	missRes := g.chance(15)
	pats, vars := g.resourcePatternsAround(r, missRes)
	if vars != nil && r.vars == nil {
		r.vars = vars
	}
	if g.chance(12) && !(forSCP && effect == "Allow") {
		neg, _ := g.resourcePatternsAround(r, !missRes)
		if len(neg) == 1 && neg[0] == "*" {
			neg = []string{"arn:aws:s3:::not-this-bucket"}
		}
		s.NotResource = oneOrList(neg)
	} else {
		s.Resource = oneOrList(pats)
	}
	if g.chance(45) {
		s.Condition = g.conditionsAround(r)
	}
	return s
}

// conditionsAround writes one or two conditions on keys r's request may carry.
func (g *Generator) conditionsAround(r *req) map[string]map[string]any {
	keys := g.keysFor(r)
	cond := map[string]map[string]any{}
	for range 1 + g.rng.IntN(2) {
		var key string
		if len(keys) > 0 && g.chance(45) {
			key = keys[g.rng.IntN(len(keys))]
		} else {
			key = g.pick(commonGlobalKeys)
		}
		op, vals := g.operatorAndValues(key)
		if cond[op] == nil {
			cond[op] = map[string]any{}
		}
		cond[op][key] = oneOrList(vals)
	}
	return cond
}

// operatorAndValues picks an operator that suits the key's type (mostly; sometimes a
// string operator on a non-string key), with IfExists and set qualifiers, and values.
func (g *Generator) operatorAndValues(key string) (string, []string) {
	typ := g.keyType(key)
	multi := strings.HasPrefix(typ, "ArrayOf")
	elem := strings.TrimPrefix(typ, "ArrayOf")
	if g.chance(8) {
		return "Null", []string{g.pick([]string{"true", "false"})}
	}
	var base string
	var vals []string
	n := 1 + g.rng.IntN(2)
	switch elem {
	case "Numeric":
		base = g.pick([]string{"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"})
		for range n {
			vals = append(vals, g.pick([]string{"0", "1", "3600", "86400", "10", "2.5", "-1"}))
		}
	case "Date":
		base = g.pick([]string{"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"})
		// Values in the notation of the key's context value (epoch for aws:EpochTime, ISO
		// 8601 otherwise): the reference reads epoch seconds as milliseconds, which only
		// cancels out when both sides are epochs (known_differences.json).
		dates := []string{"2024-05-01T12:00:00Z", "2020-01-01T00:00:00Z", "2030-12-31T23:59:59Z", "2024-05-01", "2024-05-01T14:00:00+02:00"}
		if strings.EqualFold(key, "aws:EpochTime") {
			dates = []string{"1714564800", "1577836800", "1924991999"}
		}
		for range n {
			vals = append(vals, g.pick(dates))
		}
	case "Bool":
		base = "Bool"
		vals = []string{g.pick([]string{"true", "false"})}
	case "IPAddress":
		base = g.pick([]string{"IpAddress", "NotIpAddress"})
		for range n {
			// Not 0.0.0.0/0: the reference matches no address against it (known_differences.json).
			vals = append(vals, g.pick([]string{"10.0.0.0/8", "192.168.1.0/24", "203.0.113.7/32", "203.0.113.7", "2001:db8::/32", "128.0.0.0/1", "::/0"}))
		}
	case "Binary":
		base = "BinaryEquals"
		vals = []string{g.pick([]string{"QmluYXJ5VmFsdWU=", "Zm9v"})}
	case "ARN":
		base = g.pick([]string{"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike"})
		for range n {
			vals = append(vals, g.pick([]string{
				"arn:aws:iam::" + accountA + ":role/app-role", "arn:aws:iam::*:role/*", "arn:aws:iam::" + accountA + ":user/${aws:username}",
				"arn:aws:s3:::bucket-*", "arn:aws:sts::" + accountA + ":assumed-role/app-role/*", "arn:aws:lambda:us-east-1:" + accountA + ":function:f?"}))
		}
	default:
		base = g.pick([]string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"})
		for range n {
			v := g.token()
			switch g.rng.IntN(10) {
			case 0:
				v = "${aws:username}"
			case 1:
				v = "${aws:PrincipalTag/team}"
			case 2:
				v = v[:1] + "*"
			case 3:
				v = "team-?"
			case 4:
				v = "literal-${*}-${?}-${$}"
			case 5:
				v = "${aws:username, 'fallback'}"
			}
			vals = append(vals, v)
		}
	}
	op := base
	if g.chance(20) {
		op += "IfExists"
	}
	if multi || g.chance(6) {
		op = g.pick([]string{"ForAnyValue:", "ForAllValues:"}) + op
	}
	return op, vals
}

// denyAround writes a policy that denies r's action (or a pattern around it), sometimes
// only under a condition or with NotAction/NotResource.
func (g *Generator) denyAround(r *req) *doc {
	return newDoc(g.stmtAround(r, "Deny", false))
}

// boundaryAround writes a permissions boundary that mostly covers r.
func (g *Generator) boundaryAround(r *req) *doc {
	s := g.stmtAround(r, "Allow", false)
	d := newDoc(s)
	if g.chance(20) {
		d.Statement = append(d.Statement, g.stmtAround(r, "Deny", false))
	}
	return d
}

// scpsAround writes one to three levels of SCPs: FullAWSAccess-style allows, allows about
// r's service or something else, and denies around r.
func (g *Generator) scpsAround(r *req) []simcase.OrgPolicies {
	ids := []string{"r-root", "ou-prod", accountA}
	n := 1 + g.rng.IntN(3)
	levels := make([]simcase.OrgPolicies, 0, n)
	for i := range n {
		var pols []simcase.NamedPolicy
		switch x := g.rng.IntN(100); {
		case x < 45:
			pols = append(pols, g.namedDoc("FullAWSAccess", newDoc(stmt{Effect: "Allow", Action: "*", Resource: "*"})))
		case x < 75:
			pols = append(pols, g.namedDoc("AllowAround", newDoc(g.stmtAround(r, "Allow", true))))
		case x < 85:
			pols = append(pols, g.namedDoc("AllowOther", newDoc(stmt{Effect: "Allow", Action: "otherservice:*", Resource: "*"})))
		default:
			pols = append(pols, g.namedDoc("FullAWSAccess", newDoc(stmt{Effect: "Allow", Action: "*", Resource: "*"})))
			pols = append(pols, g.namedDoc("DenyAround", newDoc(g.stmtAround(r, "Deny", true))))
		}
		levels = append(levels, simcase.OrgPolicies{OrgIdentifier: ids[i], Policies: pols})
	}
	return levels
}

// resourcePolicyAround writes a resource policy for r's resource naming r's principal, its
// account, everyone, or someone else.
func (g *Generator) resourcePolicyAround(r *req) *doc {
	s := g.stmtAround(r, g.pick([]string{"Allow", "Allow", "Allow", "Deny"}), false)
	switch g.rng.IntN(7) {
	case 0:
		s.Principal = map[string]any{"AWS": r.principal}
	case 1:
		s.Principal = map[string]any{"AWS": "arn:aws:iam::" + accountA + ":root"}
	case 2:
		s.Principal = map[string]any{"AWS": accountA}
	case 3:
		s.Principal = "*"
	case 4:
		s.Principal = map[string]any{"AWS": "arn:aws:iam::" + accountB + ":root"}
	case 5:
		s.Principal = map[string]any{"AWS": "arn:aws:iam::" + accountA + ":role/other-role"}
	default:
		s.Principal = map[string]any{"Service": "lambda.amazonaws.com"}
	}
	return newDoc(s)
}
