package iam

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

// testPolicy parses an identity policy from statements written as JSON.
func testPolicy(t *testing.T, statements string) *Policy {
	t.Helper()
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[`+statements+`]}`), KindManaged)
	if err != nil {
		t.Fatalf("parse %s: %v", statements, err)
	}
	return p
}

func TestDiff(t *testing.T) {
	const (
		getB         = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
		getAll       = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`
		listAll      = `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}`
		putB         = `{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`
		getPutB      = `{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}`
		getBIP       = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`
		getBIP2      = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"192.168.0.0/16"}}}`
		denyPut      = `{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`
		denyPutCond  = `{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`
		denyPutOther = `{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::other/*"}`
	)
	ra := func(res string, cond bool, actions ...string) ResourceActions {
		return ResourceActions{Resource: res, Actions: actions, Conditional: cond}
	}
	tests := []struct {
		name           string
		old, new       string
		added, removed []ResourceActions
	}{
		{"same", getB, getB, nil, nil},
		{"same meaning, other text", getPutB, getB + "," + putB, nil, nil},
		{"new action", getB, getPutB, []ResourceActions{ra("arn:aws:s3:::b/*", false, "s3:PutObject")}, nil},
		{"removed action", getPutB, getB, nil, []ResourceActions{ra("arn:aws:s3:::b/*", false, "s3:PutObject")}},
		{"wider resource", getB, getAll, []ResourceActions{ra("*", false, "s3:GetObject")}, nil},
		{"narrower resource", getAll, getB, nil, []ResourceActions{ra("*", false, "s3:GetObject")}},
		{"contained grant adds nothing", getAll, getAll + "," + getB, nil, nil},
		{"contained grant folds into the wider one", getPutB, getAll + "," + getB + "," + putB, []ResourceActions{ra("*", false, "s3:GetObject")}, nil},
		{"unconditional deny takes away", getPutB, getPutB + "," + denyPut, nil, []ResourceActions{ra("arn:aws:s3:::b/*", false, "s3:PutObject")}},
		{"deny on other resources takes nothing", getPutB, getPutB + "," + denyPutOther, nil, nil},
		{"conditional deny makes it conditional", getPutB, getPutB + "," + denyPutCond, nil, []ResourceActions{ra("arn:aws:s3:::b/*", false, "s3:PutObject")}},
		{"conditional grant added", listAll, listAll + "," + getBIP, []ResourceActions{ra("arn:aws:s3:::b/*", true, "s3:GetObject")}, nil},
		{"condition added to a grant", getB, getBIP, nil, []ResourceActions{ra("arn:aws:s3:::b/*", false, "s3:GetObject")}},
		{"condition dropped from a grant", getBIP, getB, []ResourceActions{ra("arn:aws:s3:::b/*", false, "s3:GetObject")}, nil},
		{"same condition", getBIP, getBIP, nil, nil},
		{"condition changed", getBIP, getBIP2, []ResourceActions{ra("arn:aws:s3:::b/*", true, "s3:GetObject")}, []ResourceActions{ra("arn:aws:s3:::b/*", true, "s3:GetObject")}},
		{"unconditional covers conditional", getAll, getAll + "," + getBIP, nil, nil},
		{"wildcard and names", `{"Effect":"Allow","Action":"s3:GetObject*","Resource":"arn:aws:s3:::b/*"}`, `{"Effect":"Allow","Action":"s3:getobject*","Resource":"arn:aws:s3:::b/*"}`, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff(testPolicy(t, tc.old), testPolicy(t, tc.new))
			if tc.added == nil {
				tc.added = []ResourceActions{}
			}
			if tc.removed == nil {
				tc.removed = []ResourceActions{}
			}
			if !equalResourceActions(d.Added, tc.added) {
				t.Errorf("added = %s, want %s", mustJSON(d.Added), mustJSON(tc.added))
			}
			if !equalResourceActions(d.Removed, tc.removed) {
				t.Errorf("removed = %s, want %s", mustJSON(d.Removed), mustJSON(tc.removed))
			}
		})
	}
}

func TestDiffNotResourceAndNotAction(t *testing.T) {
	old := testPolicy(t, `{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)
	next := testPolicy(t, `{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::secret/*"}`)
	d := Diff(old, next)
	// The new policy adds iam:* on every resource but the secret bucket's objects, and
	// removes everything but iam:* on those objects.
	if len(d.Added) != 1 || d.Added[0].Resource != "*" || !slices.Equal(d.Added[0].Except, []string{"arn:aws:s3:::secret/*"}) {
		t.Fatalf("added = %s", mustJSON(d.Added))
	}
	if !slices.Equal(d.Added[0].Actions, namesOf(ExpandActions("iam:*"))) {
		t.Fatalf("added actions are not iam:*: %d actions", len(d.Added[0].Actions))
	}
	if len(d.Removed) != 1 || d.Removed[0].Resource != "*" || len(d.Removed[0].Except) != 0 {
		t.Fatalf("removed = %v", d.Removed)
	}
	if want := ExpandActions("*").Minus(ExpandActions("iam:*")).Len(); len(d.Removed[0].Actions) != want {
		t.Fatalf("removed %d actions, want %d", len(d.Removed[0].Actions), want)
	}
}

func TestDiffSetsAcrossPolicies(t *testing.T) {
	// A deny in one policy of a side applies to the allows of its other policies.
	allow := testPolicy(t, `{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}`)
	deny := testPolicy(t, `{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`)
	d := DiffSets([]*Policy{allow}, []*Policy{allow, deny})
	if len(d.Added) != 0 || len(d.Removed) != 1 || !slices.Equal(d.Removed[0].Actions, []string{"s3:PutObject"}) {
		t.Fatalf("diff = %s", mustJSON(d))
	}
	// Grants split over two policies equal the same grants in one.
	get := testPolicy(t, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)
	put := testPolicy(t, `{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`)
	if d := DiffSets([]*Policy{get, put}, []*Policy{allow}); !d.IsEmpty() {
		t.Fatalf("split grants differ: %s", mustJSON(d))
	}
	// Nothing against something.
	if d := Diff(nil, get); len(d.Added) != 1 || len(d.Removed) != 0 {
		t.Fatalf("diff from nothing = %s", mustJSON(d))
	}
}

func TestDiffByAccessLevel(t *testing.T) {
	old := testPolicy(t, `{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}`)
	next := testPolicy(t, `{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:PutBucketPolicy","s3:PutObjectTagging"],"Resource":"*"}`)
	d := Diff(old, next)
	want := []AccessLevelChange{
		{Level: "Permissions management", Added: []string{"s3:PutBucketPolicy"}},
		{Level: "Write", Added: []string{"s3:PutObject"}},
		{Level: "Tagging", Added: []string{"s3:PutObjectTagging"}},
		{Level: "List", Removed: []string{"s3:ListBucket"}},
	}
	if got, w := mustJSON(d.ByAccessLevel), mustJSON(want); got != w {
		t.Fatalf("by access level = %s, want %s", got, w)
	}
}

func TestDiffDeterministic(t *testing.T) {
	a := testPolicy(t, `{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*","*"]}`)
	b := testPolicy(t, `{"Effect":"Allow","Action":["sqs:*","s3:Get*"],"Resource":["arn:aws:s3:::c/*","arn:aws:s3:::d/*"]},{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`)
	first := mustJSON(Diff(a, b))
	for range 5 {
		if got := mustJSON(Diff(a, b)); got != first {
			t.Fatalf("diff changed between runs:\n%s\n%s", first, got)
		}
	}
}

func equalResourceActions(a, b []ResourceActions) bool {
	return mustJSON(a) == mustJSON(b)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func namesOf(s catalog.ActionSet) []string { return catalog.Default().Names(s) }
