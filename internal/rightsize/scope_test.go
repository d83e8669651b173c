package rightsize

import (
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/iam"
)

func TestResourceScoping(t *testing.T) {
	get := func(bucket, key string) call { return s3Call("GetObject", bucket, key) }
	type check struct {
		action, resource string
		allowed          bool
	}
	tests := []struct {
		name   string
		docs   []string
		calls  []call
		opts   func(*Options)
		action string // the kept action to look at
		res    string // its resources in the report, space-separated
		scoped bool
		note   string // part of its note
		policy string // part of the canonical policy
		checks []check
	}{
		{
			name:   "objects widen to their bucket",
			docs:   []string{allow("s3:GetObject", "*")},
			calls:  []call{get("data", "reports/a.json"), get("data", "reports/b.json")},
			action: "s3:GetObject", res: "arn:aws:s3:::data/*", scoped: true,
			checks: []check{{"s3:GetObject", "arn:aws:s3:::data/reports/c.json", true}, {"s3:GetObject", "arn:aws:s3:::other/a.json", false}},
		},
		{
			name:   "exact object ARNs on request",
			docs:   []string{allow("s3:GetObject", "*")},
			calls:  []call{get("data", "reports/a.json")},
			opts:   func(o *Options) { o.ExactObjectARNs = true },
			action: "s3:GetObject", res: "arn:aws:s3:::data/reports/a.json", scoped: true,
			checks: []check{{"s3:GetObject", "arn:aws:s3:::data/reports/a.json", true}, {"s3:GetObject", "arn:aws:s3:::data/reports/b.json", false}},
		},
		{
			name:   "a bucket wider than the grant stays exact",
			docs:   []string{allow("s3:GetObject", "arn:aws:s3:::data/reports/*")},
			calls:  []call{get("data", "reports/a.json")},
			action: "s3:GetObject", res: "arn:aws:s3:::data/reports/a.json", scoped: true,
			checks: []check{{"s3:GetObject", "arn:aws:s3:::data/private/x", false}},
		},
		{
			name:   "used outside the granted resources: kept as granted",
			docs:   []string{allow("s3:GetObject", "arn:aws:s3:::data/*")},
			calls:  []call{get("data", "a.json"), get("elsewhere", "b.json")},
			action: "s3:GetObject", res: "arn:aws:s3:::data/*", scoped: false,
			note: "used on arn:aws:s3:::elsewhere/b.json, outside the resources its statements grant",
		},
		{
			name:   "scoping off keeps the granted resources",
			docs:   []string{allow("s3:GetObject", "arn:aws:s3:::data/*,arn:aws:s3:::logs/*")},
			calls:  []call{get("data", "a.json")},
			opts:   func(o *Options) { o.ResourceScoping = false },
			action: "s3:GetObject", res: "arn:aws:s3:::data/* arn:aws:s3:::logs/*", scoped: false,
		},
		{
			name:   "IAM names may have a path",
			docs:   []string{allow("iam:GetRole", "*")},
			calls:  []call{iamCall("GetRole", map[string]string{"roleName": "app"})},
			action: "iam:GetRole", res: "arn:aws:iam::123456789012:role/*/app arn:aws:iam::123456789012:role/app", scoped: true,
			checks: []check{{"iam:GetRole", "arn:aws:iam::123456789012:role/workloads/app", true}, {"iam:GetRole", "arn:aws:iam::123456789012:role/admin", false},
				{"iam:GetRole", "arn:aws:iam::123456789012:role/myapp", false}},
		},
		{
			name:   "no resource types: * as granted",
			docs:   []string{allow("s3:ListAllMyBuckets", "*")},
			calls:  []call{{source: "s3.amazonaws.com", name: "ListBuckets"}},
			action: "s3:ListAllMyBuckets", res: "*", scoped: false,
		},
		{
			name:   "kept under the granting statement's conditions",
			docs:   []string{allow("s3:GetObject", "*", `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`)},
			calls:  []call{get("data", "a.json")},
			action: "s3:GetObject", res: "arn:aws:s3:::data/*", scoped: true,
			policy: `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`,
		},
		{
			name:   "an unconditional grant covers a conditional one",
			docs:   []string{allow("s3:GetObject", "*"), allow("s3:GetObject", "arn:aws:s3:::data/*", `,"Condition":{"Bool":{"aws:SecureTransport":"true"}}`)},
			calls:  []call{get("data", "a.json")},
			opts:   func(o *Options) { o.ResourceScoping = false },
			action: "s3:GetObject", res: "*",
		},
		{
			name:   "NotResource grants stay NotResource",
			docs:   []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}]}`},
			calls:  []call{get("data", "a.json")},
			opts:   func(o *Options) { o.ResourceScoping = false },
			action: "s3:GetObject", res: "*",
			policy: `"NotResource":"arn:aws:s3:::secret/*"`,
			checks: []check{{"s3:GetObject", "arn:aws:s3:::secret/x", false}, {"s3:GetObject", "arn:aws:s3:::data/x", true}},
		},
		{
			name: "Deny statements that apply are carried",
			docs: []string{allow("s3:GetObject,s3:PutObject", "*"),
				`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::data/secret/*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`},
			calls:  []call{get("data", "a.json")},
			action: "s3:GetObject", res: "arn:aws:s3:::data/*", scoped: true,
			policy: `{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::data/secret/*"}`,
			checks: []check{{"s3:GetObject", "arn:aws:s3:::data/secret/x", false}, {"s3:GetObject", "arn:aws:s3:::data/public/x", true}},
		},
		{
			name:   "several resources a call are not scoped",
			docs:   []string{allow("ec2:RunInstances", "*")},
			calls:  []call{{source: "ec2.amazonaws.com", name: "RunInstances", resources: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}}},
			action: "ec2:RunInstances", res: "*", scoped: false,
			note: "authorised against several resources",
		},
		{
			name:   "no resource named",
			docs:   []string{allow("iam:GetRole", "*")},
			calls:  []call{iamCall("GetRole", nil)},
			action: "iam:GetRole", res: "*", scoped: false,
			note: "its events named no resource",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			s := suggest(t, grantedOf(t, tc.docs...), digestOf(t, tc.calls...), opts)
			var k *KeptAction
			for i := range s.Kept {
				if s.Kept[i].Action == tc.action {
					k = &s.Kept[i]
				}
			}
			if k == nil {
				t.Fatalf("%s not kept: %s", tc.action, s.Policy)
			}
			if got := strings.Join(k.Resources, " "); got != tc.res || k.Scoped != tc.scoped {
				t.Errorf("resources %q scoped %v, want %q %v (note %q)", got, k.Scoped, tc.res, tc.scoped, k.Note)
			}
			if !strings.Contains(k.Note, tc.note) {
				t.Errorf("note %q, want %q", k.Note, tc.note)
			}
			if !strings.Contains(string(s.Policy), tc.policy) {
				t.Errorf("policy %s lacks %s", s.Policy, tc.policy)
			}
			for _, c := range tc.checks {
				if got := allowed(t, s, c.action, c.resource); got != c.allowed {
					t.Errorf("%s on %s: allowed %v, want %v\n%s", c.action, c.resource, got, c.allowed, s.Policy)
				}
			}
			// Never wider than granted, per the engine's diff.
			var granted []*iam.Policy
			gr := grantedOf(t, tc.docs...)
			for _, p := range gr.Identity() {
				granted = append(granted, p.Policy)
			}
			if d := iam.DiffSets(granted, []*iam.Policy{policyOf(t, s)}); len(d.Added) != 0 {
				t.Errorf("the suggestion adds %+v", d.Added)
			}
		})
	}
}

func TestWildcardsOnlyWhereExact(t *testing.T) {
	var docs = []string{allow("s3:*", "*")}
	calls := []call{s3Call("GetObject", "data", "a"), s3Call("GetObjectAcl", "data", "a")}
	opts := DefaultOptions()
	opts.ResourceScoping = false
	s := suggest(t, grantedOf(t, docs...), digestOf(t, calls...), opts)
	if !strings.Contains(string(s.Policy), `"Action":["s3:GetObject","s3:GetObjectAcl"]`) {
		t.Errorf("policy %s", s.Policy)
	}
	// Keep all of s3:List*: exactly the expansion of the wildcard, so it is written so.
	opts.Keep = []string{"s3:List*"}
	s = suggest(t, grantedOf(t, docs...), digestOf(t, calls...), opts)
	if !strings.Contains(string(s.Policy), `"s3:List*"`) {
		t.Errorf("wildcards: policy %s", s.Policy)
	}
	opts.Wildcards = false
	s = suggest(t, grantedOf(t, docs...), digestOf(t, calls...), opts)
	if strings.Contains(string(s.Policy), `:List*"`) || !strings.Contains(string(s.Policy), `"s3:ListBucket"`) {
		t.Errorf("no wildcards: policy %s", s.Policy)
	}
}
