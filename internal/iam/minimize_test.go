package iam

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

func TestMinimize(t *testing.T) {
	g := func(a, r string) Grant { return Grant{Action: a, Resource: r} }
	getActions := catalog.Default().Names(ExpandActions("s3:Get*"))
	var allGet []Grant
	for _, a := range getActions {
		allGet = append(allGet, g(a, "arn:aws:s3:::b/*"))
	}
	tests := []struct {
		name   string
		grants []Grant
		opts   MinimizeOptions
		want   string
	}{
		{"one grant", []Grant{g("s3:GetObject", "arn:aws:s3:::b/*")}, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
		{"actions sharing resources in one statement", []Grant{g("s3:PutObject", "arn:aws:s3:::b/*"), g("s3:getobject", "arn:aws:s3:::b/*"), g("s3:GetObject", "arn:aws:s3:::b/*")}, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}]}`},
		{"resources sharing actions in one statement", []Grant{g("s3:GetObject", "arn:aws:s3:::b/*"), g("s3:GetObject", "arn:aws:s3:::a/*")}, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}]}`},
		{"a contained resource adds nothing", []Grant{g("s3:GetObject", "arn:aws:s3:::b/*"), g("s3:GetObject", "*"), g("s3:PutObject", "arn:aws:s3:::b/*")}, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`},
		{"fewest statements: by action", []Grant{
			g("s3:GetObject", "arn:aws:s3:::a/*"), g("s3:GetObject", "arn:aws:s3:::b/*"),
			g("s3:PutObject", "arn:aws:s3:::b/*"), g("s3:PutObject", "arn:aws:s3:::c/*"),
		}, DefaultMinimizeOptions(),
			// By resource this takes three statements (a: Get, b: Get+Put, c: Put).
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]},{"Effect":"Allow","Action":"s3:PutObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]}]}`},
		{"fewest statements: by resource", []Grant{
			g("s3:GetObject", "arn:aws:s3:::a/*"), g("s3:PutObject", "arn:aws:s3:::a/*"),
			g("s3:PutObject", "arn:aws:s3:::b/*"), g("s3:DeleteObject", "arn:aws:s3:::b/*"),
		}, DefaultMinimizeOptions(),
			// By action this takes three statements (Get: a, Put: a+b, Delete: b).
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:DeleteObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::a/*"}]}`},
		{"fewest characters among equal counts", []Grant{
			g("s3:GetObject", "arn:aws:s3:::a/*"), g("s3:GetObject", "arn:aws:s3:::b/*"), g("s3:GetObject", "arn:aws:s3:::c/*"),
			g("s3:PutObject", "arn:aws:s3:::a/*"), g("s3:DeleteObject", "arn:aws:s3:::b/*"),
		}, DefaultMinimizeOptions(),
			// Three statements either way; by resource is shorter.
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::c/*"},{"Effect":"Allow","Action":["s3:DeleteObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::a/*"}]}`},
		{"wildcard when the whole expansion is granted", allGet, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}`},
		{"no wildcard when one is missing", allGet[1:], DefaultMinimizeOptions(), ""},
		{"a pattern grant stands for its expansion", []Grant{g("s3:Get*", "arn:aws:s3:::b/*")}, MinimizeOptions{},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(getActions, `","`) + `"],"Resource":"arn:aws:s3:::b/*"}]}`},
		{"unknown action kept", []Grant{g("S3:FutureAction", "*")}, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:FutureAction","Resource":"*"}]}`},
		{"sids", []Grant{g("s3:GetObject", "arn:aws:s3:::b/*"), g("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q")}, MinimizeOptions{Wildcards: true, SidPrefix: "Grant"},
			`{"Version":"2012-10-17","Statement":[{"Sid":"Grant1","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"Grant2","Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:q"}]}`},
		{"empty action or resource ignored", []Grant{g("", "*"), g("s3:GetObject", "")}, DefaultMinimizeOptions(),
			`{"Version":"2012-10-17","Statement":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Minimize(tc.grants, tc.opts)
			got := string(Canonical(p))
			if tc.want != "" && got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			checkExactGrants(t, tc.grants, p)
		})
	}
}

func TestMinimizeStar(t *testing.T) {
	all := []Grant{{Action: "*", Resource: "*"}}
	if got := string(Canonical(Minimize(all, DefaultMinimizeOptions()))); strings.Contains(got, `"*"`) && strings.Contains(got, `"Action":"*"`) {
		t.Fatalf("wrote Action * without AllowStar: %s", got)
	}
	opts := DefaultMinimizeOptions()
	opts.AllowStar = true
	if got, want := string(Canonical(Minimize(all, opts))), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	// Every action but one is never "*".
	var most []Grant
	for _, n := range catalog.Default().Names(ExpandActions("*").Minus(ExpandActions("s3:GetObject"))) {
		most = append(most, Grant{Action: n, Resource: "*"})
	}
	p := Minimize(most, opts)
	if strings.Contains(string(Canonical(p)), `"Action":"*"`) || slices.Contains(p.Statements[0].Actions, "*") {
		t.Fatalf("every action but one written with *")
	}
	checkExactGrants(t, most, p)
}

// TestMinimizeDeterministic: the same grants in any order, with duplicates, give the same bytes.
func TestMinimizeDeterministic(t *testing.T) {
	grants := randomGrants(rand.New(rand.NewPCG(1, 2)), 300)
	want := Canonical(Minimize(grants, DefaultMinimizeOptions()))
	r := rand.New(rand.NewPCG(3, 4))
	for range 5 {
		shuffled := slices.Clone(grants)
		shuffled = append(shuffled, grants[:50]...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := Canonical(Minimize(shuffled, DefaultMinimizeOptions())); string(got) != string(want) {
			t.Fatalf("output depends on input order:\n%s\n%s", want, got)
		}
	}
}

// TestMinimizeExactRandom checks exactness over random grant sets, with and without wildcards.
func TestMinimizeExactRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 15 {
		grants := randomGrants(r, 1+r.IntN(200))
		for _, opts := range []MinimizeOptions{DefaultMinimizeOptions(), {}} {
			p := Minimize(grants, opts)
			checkExactGrants(t, grants, p)
			// Minimising the result again changes nothing.
			again := MinimizePolicy(p, opts)
			if string(Canonical(again)) != string(Canonical(p)) {
				t.Fatalf("case %d: not idempotent:\n%s\n%s", i, Canonical(p), Canonical(again))
			}
		}
	}
}

func TestMinimizePolicy(t *testing.T) {
	p := testPolicy(t, `
		{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectAcl"],"Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"},
		{"Effect":"Allow","Action":"s3:GetObjectAcl","Resource":"arn:aws:s3:::c/*"},
		{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},
		{"Sid":"OnlyFromVPC","Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}},
		{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::d/*"}`)
	got := string(Canonical(MinimizePolicy(p, MinimizeOptions{Wildcards: true, SidPrefix: "S"})))
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::d/*"},` +
		`{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},` +
		`{"Sid":"OnlyFromVPC","Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}},` +
		`{"Sid":"S1","Effect":"Allow","Action":"s3:GetObjectAcl","Resource":"arn:aws:s3:::c/*"},` +
		`{"Sid":"S2","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectAcl"],"Resource":"arn:aws:s3:::b/*"}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if d := Diff(p, MinimizePolicy(p, DefaultMinimizeOptions())); !d.IsEmpty() {
		t.Fatalf("minimised policy grants differently: %s", mustJSON(d))
	}
}

func TestMinimizePolicyKeepsStarAndUnknown(t *testing.T) {
	p := testPolicy(t, `{"Effect":"Allow","Action":["*","s3:NoSuchAction*"],"Resource":"*"}`)
	got := string(Canonical(MinimizePolicy(p, DefaultMinimizeOptions())))
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*","s3:NoSuchAction*"],"Resource":"*"}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestValidateGrants(t *testing.T) {
	tests := []struct {
		grants []Grant
		err    string
	}{
		{[]Grant{{"s3:GetObject", "*"}}, ""},
		{[]Grant{{"s3:GetObject", "*"}, {"", "*"}}, "grant 1: action is empty"},
		{[]Grant{{"s3:GetObject", " "}}, "grant 0: resource is empty (action s3:GetObject)"},
		{[]Grant{{"GetObject", "*"}}, `grant 0: action "GetObject" is not of the form service:action`},
	}
	for _, tc := range tests {
		err := ValidateGrants(tc.grants)
		if got := fmt.Sprint(err); (tc.err == "" && err != nil) || (tc.err != "" && got != tc.err) {
			t.Errorf("ValidateGrants(%v) = %v, want %q", tc.grants, err, tc.err)
		}
	}
}

// randomGrants draws grants from a few services' actions and a few nested resources, so
// that wildcards, shared resource sets and contained resources all occur.
func randomGrants(r *rand.Rand, n int) []Grant {
	cat := catalog.Default()
	pools := [][]string{
		cat.Names(ExpandActions("s3:Get*")),
		cat.Names(ExpandActions("s3:*")),
		cat.Names(ExpandActions("sqs:*")),
		cat.Names(ExpandActions("ec2:Describe*")),
		{"s3:FutureAction"},
	}
	resources := []string{"*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:s3:::c/*", "arn:aws:s3:::*", "arn:aws:sqs:*:111122223333:q"}
	var out []Grant
	for range n {
		pool := pools[r.IntN(len(pools))]
		res := resources[r.IntN(len(resources))]
		if r.IntN(10) == 0 {
			// A whole pool on one resource, so that wildcards apply.
			for _, a := range pool {
				out = append(out, Grant{a, res})
			}
			continue
		}
		out = append(out, Grant{pool[r.IntN(len(pool))], res})
	}
	return out
}

// checkExactGrants checks that p allows every grant and nothing more: every pair of p (an
// action of a statement's expansion on one of its resources) lies within some grant, and
// every grant lies within some pair of p. Wildcards in p must expand inside the grants.
func checkExactGrants(t *testing.T, grants []Grant, p *Policy) {
	t.Helper()
	cat := catalog.Default()
	// The grants' actions by resource (unknown actions by their text).
	byRes := map[string]catalog.ActionSet{}
	extra := map[string]map[string]bool{}
	for _, g := range grants {
		if g.Action == "" || g.Resource == "" {
			continue
		}
		s, ok := byRes[g.Resource]
		if !ok {
			s = cat.NewSet()
			extra[g.Resource] = map[string]bool{}
		}
		m := cat.Match(g.Action)
		if m.IsEmpty() {
			extra[g.Resource][CanonicalAction(g.Action)] = true
		}
		s.UnionWith(m)
		byRes[g.Resource] = s
	}
	covered := func(r string) (catalog.ActionSet, map[string]bool) {
		s, ex := cat.NewSet(), map[string]bool{}
		for gr, acts := range byRes {
			if resourceContains(gr, r) {
				s.UnionWith(acts)
				for a := range extra[gr] {
					ex[a] = true
				}
			}
		}
		return s, ex
	}
	for _, st := range p.Statements {
		if st.Effect != Allow || st.NotAction || st.NotResource || len(st.Conditions) > 0 {
			t.Fatalf("minimised statement is not a plain Allow: %s", canonicalStatement(st))
		}
		var known []string
		var unknown []string
		for _, a := range st.Actions {
			if cat.Match(a).IsEmpty() {
				unknown = append(unknown, a)
			} else {
				known = append(known, a)
			}
		}
		for _, r := range st.Resources {
			allowed, ex := covered(r)
			for _, a := range known {
				if m := cat.Match(a); !allowed.ContainsAll(m) {
					t.Fatalf("%s on %s grants %v, outside the grants", a, r, cat.Names(m.Minus(allowed)))
				}
			}
			for _, a := range unknown {
				if !ex[a] {
					t.Fatalf("unknown action %s on %s is not a grant", a, r)
				}
			}
		}
	}
	granted := policyGrants([]*Policy{p}, []string{"p"})
	for r, acts := range byRes {
		if missing := acts.Minus(granted.covering(resourceScope{patterns: []string{r}}, "")); !missing.IsEmpty() {
			t.Fatalf("grants on %s not allowed by the result: %v\n%s", r, cat.Names(missing), Canonical(p))
		}
		for a := range extra[r] {
			if !slices.ContainsFunc(p.Statements, func(st *Statement) bool {
				return slices.Contains(st.Actions, a) && slices.ContainsFunc(st.Resources, func(sr string) bool { return resourceContains(sr, r) })
			}) {
				t.Fatalf("unknown action %s on %s not in the result", a, r)
			}
		}
	}
}
