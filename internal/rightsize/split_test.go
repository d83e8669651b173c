package rightsize

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// manyStatements is a policy of n Allow statements on distinct buckets, each with a few
// actions, and a Deny.
func manyStatements(n int) *iam.Policy {
	p := &iam.Policy{Version: iam.Version2012}
	for i := range n {
		p.Statements = append(p.Statements, &iam.Statement{Effect: iam.Allow,
			Actions:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket-with-a-rather-long-name-%03d/some/prefix/*", i)}})
	}
	p.Statements = append(p.Statements, &iam.Statement{Effect: iam.Deny, Actions: []string{"s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::bucket-with-a-rather-long-name-000/keep/*"}})
	return p
}

func TestSplitPolicy(t *testing.T) {
	bigActions := catalog.Default().Names(iam.ExpandActions("ec2:Describe*"))
	tests := []struct {
		name  string
		pol   *iam.Policy
		kind  iam.Kind
		parts int // exact number of parts, 0 for "more than one"
	}{
		{"fits", manyStatements(3), iam.KindManaged, 1},
		{"managed limit", manyStatements(80), iam.KindManaged, 0},
		{"inline role fits more", manyStatements(40), iam.KindInlineRole, 1},
		{"inline user limit", manyStatements(40), iam.KindInlineUser, 0},
		{"one statement cut by its actions", &iam.Policy{Version: iam.Version2012, Statements: []*iam.Statement{
			{Effect: iam.Allow, Actions: bigActions, Resources: []string{"*"}}}}, iam.KindInlineUser, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := splitPolicy(tc.pol, tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			if tc.parts != 0 && len(parts) != tc.parts || tc.parts == 0 && len(parts) < 2 {
				t.Fatalf("%d parts, want %d", len(parts), tc.parts)
			}
			for i, p := range parts {
				if size := iam.PolicySize(iam.Canonical(p)); size > iam.SizeLimit(tc.kind) {
					t.Errorf("part %d: %d characters, over %d", i, size, iam.SizeLimit(tc.kind))
				}
			}
			// Together the parts grant and deny exactly what the policy does.
			if d := iam.DiffSets([]*iam.Policy{tc.pol}, parts); !d.IsEmpty() {
				t.Errorf("parts differ from the policy: %+v", d)
			}
			// Deterministic.
			again, _ := splitPolicy(tc.pol, tc.kind)
			for i := range parts {
				if string(iam.Canonical(parts[i])) != string(iam.Canonical(again[i])) {
					t.Fatalf("part %d differs on a second split", i)
				}
			}
		})
	}
}

func TestSplitPolicyTooLarge(t *testing.T) {
	cond := []iam.Condition{{Operator: "StringEquals", Key: "aws:PrincipalTag/team", Base: "StringEquals", Values: []string{strings.Repeat("x", 3000)}}}
	p := &iam.Policy{Version: iam.Version2012, Statements: []*iam.Statement{{Effect: iam.Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"*"}, Conditions: cond}}}
	_, err := splitPolicy(p, iam.KindInlineUser)
	if err == nil || !strings.Contains(err.Error(), "cannot be split") {
		t.Errorf("error %v", err)
	}
}

// A suggestion too large for one managed policy is split, and says so.
func TestSuggestionSplit(t *testing.T) {
	var calls []call
	var docs []string
	for i := range 220 {
		calls = append(calls, s3Call("GetObject", fmt.Sprintf("bucket-with-a-rather-long-name-%03d", i), "k"))
	}
	docs = append(docs, allow("s3:GetObject", "*"))
	d := digestWith(t, 300, calls...)
	s := suggest(t, grantedOf(t, docs...), d, DefaultOptions())
	if !s.Summary.Split || len(s.Policies) < 2 || s.Summary.PolicySize <= s.Summary.SizeLimit {
		t.Fatalf("summary %+v, %d policies", s.Summary, len(s.Policies))
	}
	var parts []*iam.Policy
	for i, p := range s.Policies {
		if p.Name != fmt.Sprintf("app-rightsized-%d", i+1) || p.Size > 6144 {
			t.Errorf("part %d: %s, %d characters", i, p.Name, p.Size)
		}
		parts = append(parts, iam.MustParse(string(p.Policy), iam.KindManaged))
	}
	if d := iam.DiffSets([]*iam.Policy{policyOf(t, s)}, parts); !d.IsEmpty() {
		t.Errorf("parts differ from the policy: %+v", d)
	}
	if !strings.Contains(strings.Join(s.Notes, "\n"), "split into") {
		t.Errorf("notes %q do not say it was split", s.Notes)
	}
	// As inline, too large even for a role's 10,240: suggested as managed, and said so.
	opts := DefaultOptions()
	opts.Kind = iam.KindInlineRole
	s = suggest(t, grantedOf(t, docs...), d, opts)
	if s.Kind != iam.KindManaged || !strings.Contains(strings.Join(s.Notes, "\n"), "suggested as managed policies instead") {
		t.Errorf("inline: kind %s, notes %q", s.Kind, s.Notes)
	}
}
