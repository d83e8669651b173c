package iam

import (
	"maps"
	"slices"
	"testing"
)

// FuzzEvaluate evaluates arbitrary policies against arbitrary requests: it must never
// panic, and must give the same result every time, compiled or not.
//
// doc is used as a policy document when it parses as one; otherwise the fuzzed strings are
// put into every element of hand-built statements (one per condition operator), so that
// patterns, ARNs, variables, numbers, dates and IP addresses of any shape get matched.
func FuzzEvaluate(f *testing.F) {
	f.Add(pol(allowGet, denyGet), getObject, object, alice, "aws:username", "alice", false)
	f.Add(pol(st("Allow", `"Action":"s3:*"`, `"NotResource":"arn:aws:s3:::b/${aws:username}/*"`, `"Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]}}`)),
		"s3:GetObject", "arn:aws:s3:::b/alice/x", session, "aws:TagKeys", "ab", true)
	f.Add(pol(st("Allow", `"Principal":{"AWS":["111122223333","`+appRole+`"]}`, `"Action":"sts:AssumeRole"`)), "sts:AssumeRole", target, session, "aws:SourceIp", "10.0.0.1", false)
	f.Add("not json", "ec2:Run*", "arn:aws:ec2:*:*:instance/*", AnonymousPrincipal, "aws:CurrentTime", "2020-01-02T03:04:05Z", false)
	f.Add("${aws:username}", "kms:Decrypt", kmsKey, "s3.amazonaws.com", "aws:username", "${*}", false)
	f.Add("2001:db8::/32", "s3:GetObject", "arn:aws:s3:::b/*", alice, "aws:SourceIp", "2001:db8::1", false)
	f.Add("1700000000", "iam:DeletePolicy", "arn:aws:iam::aws:policy/x", fedAlice, "aws:EpochTime", "1.5e3", true)

	f.Fuzz(func(t *testing.T, doc, action, resource, principal, key, value string, multi bool) {
		// Matching is O(pattern × subject); long inputs only slow the search down.
		for _, s := range []*string{&doc, &action, &resource, &principal, &key, &value} {
			if len(*s) > 300 {
				*s = (*s)[:300]
			}
		}
		ps := fuzzPolicySet(doc, action, resource, principal, key, value)
		ctx := NewContext()
		if multi {
			ctx.SetMulti(key, value, doc)
		} else {
			ctx.Set(key, value)
		}
		ctx.Set("aws:username", value)
		req := &Request{Principal: principal, Action: action, Resource: resource, Context: ctx}

		first := Evaluate(req, ps)
		e, _ := Compile(ps)
		for _, again := range []Result{Evaluate(req, ps), e.Evaluate(req), e.Evaluate(req)} {
			if again.Decision != first.Decision || !slices.Equal(again.Deciding, first.Deciding) {
				t.Fatalf("not deterministic: %+v then %+v", first, again)
			}
		}
		if first.Decision > ExplicitDeny {
			t.Fatalf("decision %d", first.Decision)
		}
		if first.Decision != ImplicitDeny && len(first.Deciding) == 0 && !(first.Decision == Allowed && req.Principal != AnonymousPrincipal && e.isGetCallerIdentity(req)) {
			t.Fatalf("%v without deciding statements", first.Decision)
		}
	})
}

func (e *Evaluator) isGetCallerIdentity(req *Request) bool {
	var r requestView
	r.init(req, e)
	return r.isGetCallerIdentity()
}

func fuzzPolicySet(doc, action, resource, principal, key, value string) *PolicySet {
	var p *Policy
	if parsed, err := Parse([]byte(doc), KindResource); err == nil {
		p = parsed
	} else {
		p = &Policy{Version: Version2012}
		if len(doc)%2 == 1 {
			p.Version = Version2008
		}
		prefixes := []string{"", "ForAllValues:", "ForAnyValue:"}
		ifExists := []string{"", "IfExists"}
		for _, op := range slices.Sorted(maps.Keys(condOpByLower)) { // in a fixed order: an input must replay exactly
			n := len(p.Statements)
			p.Statements = append(p.Statements, &Statement{
				Effect:     Effect(n%3 + 1), // Allow, Deny and an invalid effect
				Principal:  &Principal{AWS: []string{principal, doc}, Service: []string{value}},
				Actions:    []string{action, doc},
				Resources:  []string{resource, doc, value},
				Conditions: []Condition{{Operator: prefixes[n%3] + op + ifExists[n/3%2], Key: key, Values: []string{value, doc}}},
			})
		}
		p.Statements = append(p.Statements,
			&Statement{Effect: Deny, NotPrincipal: &Principal{All: true, AWS: []string{doc}}, Actions: []string{doc}, NotAction: true, Resources: []string{doc}, NotResource: true},
			&Statement{Effect: Allow, Principal: &Principal{Federated: []string{principal}, CanonicalUser: []string{doc}}, Actions: []string{"*"}, Resources: nil},
			nil,
		)
	}
	np := NamedPolicy{Name: "fuzz", Policy: p}
	return &PolicySet{
		Identity:   []NamedPolicy{np},
		Boundaries: []NamedPolicy{np},
		Session:    []NamedPolicy{np},
		SCPs:       [][]NamedPolicy{{np}, {np}},
		RCPs:       [][]NamedPolicy{{np}},
		Resource:   &np,
		// An account the principal may or may not be in.
		ResourceAccount: value,
	}
}
