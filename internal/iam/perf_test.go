package iam

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// benchPolicy parses a policy of the given statements for benchmarks.
func benchPolicy(b *testing.B, statements ...string) *Policy {
	b.Helper()
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`), KindManaged)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// largeAnalyzePolicies is a principal with many statements across services, named and
// wildcard resources, conditions and a deny: the shape of a real role's policies.
func largeAnalyzePolicies(b *testing.B) []NamedPolicy {
	var stmts []string
	for i := range 60 {
		acts, _ := json.Marshal(sampleActions(i % len(riskRules)))
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":%s,"Resource":["arn:aws:s3:::bucket-%d/*","arn:aws:iam::123456789012:role/r%d","arn:aws:ssm:*:*:parameter/*"]}`, acts, i, i))
	}
	stmts = append(stmts,
		`{"Effect":"Allow","Action":["ec2:*","iam:PassRole","lambda:*"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`,
		`{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}`)
	return []NamedPolicy{
		{Name: "large", Policy: benchPolicy(b, stmts...)},
		{Name: "admin-ish", Policy: benchPolicy(b, `{"Effect":"Allow","Action":["s3:Get*","s3:List*","ec2:Describe*"],"Resource":"*"}`)},
	}
}

func BenchmarkAnalyze(b *testing.B) {
	cases := []struct {
		name string
		pols func(b *testing.B) []NamedPolicy
	}{
		{"small", func(b *testing.B) []NamedPolicy {
			return []NamedPolicy{{Name: "p", Policy: benchPolicy(b, `{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}`)}}
		}},
		{"large", largeAnalyzePolicies},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			pols := c.pols(b)
			Analyze(pols) // the catalog and the compiled rules, once
			b.ReportAllocs()
			for b.Loop() {
				Analyze(pols)
			}
		})
	}
}

// manyResourceGrants is one action on n resources, some inside others.
func manyResourceGrants(n int) []Grant {
	var out []Grant
	for i := range n {
		r := fmt.Sprintf("arn:aws:s3:::bucket-%d/prefix/%d/*", i%20, i)
		if i%10 == 0 {
			r = fmt.Sprintf("arn:aws:s3:::bucket-%d/*", i%20)
		}
		out = append(out, Grant{Action: "s3:GetObject", Resource: r})
	}
	return out
}

func BenchmarkMinimize(b *testing.B) {
	grants := manyResourceGrants(220)
	b.ReportAllocs()
	for b.Loop() {
		Minimize(grants, DefaultMinimizeOptions())
	}
}

func BenchmarkDiffSets(b *testing.B) {
	stmt := func(grants []Grant) string {
		var res []string
		for _, g := range grants {
			res = append(res, g.Resource)
		}
		r, _ := json.Marshal(res)
		return `{"Effect":"Allow","Action":"s3:GetObject","Resource":` + string(r) + `}`
	}
	grants := manyResourceGrants(220)
	a := benchPolicy(b, stmt(grants[:200]))
	c := benchPolicy(b, stmt(grants[20:]))
	b.ReportAllocs()
	for b.Loop() {
		DiffSets([]*Policy{a}, []*Policy{c})
	}
}
