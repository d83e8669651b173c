package rightsize

import (
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/usage"
)

func TestClassification(t *testing.T) {
	getRole := iamCall("GetRole", map[string]string{"roleName": "app"})
	tests := []struct {
		name       string
		docs       []string
		calls      []call
		keep       []string
		kept       string                      // used actions kept, in catalog order
		unobserved map[string]UnobservedReason // kept without evidence
		removed    string                      // removed actions, in catalog order
		denied     map[string]bool             // denied action -> granted today
		notGranted string                      // used but not granted
		notEff     map[string]string           // action -> not-effective reason
	}{
		{
			name:    "used kept, unused removed",
			docs:    []string{allow("s3:GetObject,s3:PutObject,iam:GetRole,iam:ListRoles", "*")},
			calls:   []call{s3Call("GetObject", "data", "a.json"), getRole},
			kept:    "iam:GetRole s3:GetObject",
			removed: "iam:ListRoles s3:PutObject",
		},
		{
			name:  "data events not logged keep the service's data actions",
			docs:  []string{allow("s3:GetObject,s3:ListBucket,s3:ListAllMyBuckets,s3:CreateBucket,iam:GetRole", "*")},
			calls: []call{getRole},
			kept:  "iam:GetRole",
			unobserved: map[string]UnobservedReason{
				"s3:GetObject": ReasonDataEventsNotLogged, "s3:ListBucket": ReasonDataEventsNotLogged},
			removed: "s3:CreateBucket s3:ListAllMyBuckets",
		},
		{
			name:       "iam:PassRole is never logged",
			docs:       []string{allow("iam:PassRole,iam:GetRole,iam:DeleteRole", "*")},
			calls:      []call{getRole},
			kept:       "iam:GetRole",
			unobserved: map[string]UnobservedReason{"iam:PassRole": ReasonNotLogged},
			removed:    "iam:DeleteRole",
		},
		{
			name:       "keep patterns",
			docs:       []string{allow("ec2:DescribeInstances,ec2:DescribeVpcs,ec2:RunInstances,iam:GetRole", "*")},
			calls:      []call{getRole},
			keep:       []string{"ec2:Describe*"},
			kept:       "iam:GetRole",
			unobserved: map[string]UnobservedReason{"ec2:DescribeInstances": ReasonKeepPattern, "ec2:DescribeVpcs": ReasonKeepPattern},
			removed:    "ec2:RunInstances",
		},
		{
			name: "denied requests are listed, never added",
			docs: []string{allow("iam:GetRole,iam:DeleteRole", "*")},
			calls: []call{getRole,
				func() call { c := iamCall("CreateUser", map[string]string{"userName": "x"}); c.denied = true; return c }(),
				func() call { c := iamCall("DeleteRole", map[string]string{"roleName": "y"}); c.denied = true; return c }()},
			kept:    "iam:GetRole",
			removed: "iam:DeleteRole",
			denied:  map[string]bool{"iam:CreateUser": false, "iam:DeleteRole": true},
		},
		{
			name:    "the boundary bounds what is granted",
			docs:    []string{allow("iam:GetRole,iam:ListRoles,iam:CreateUser", "*"), "boundary:" + allow("iam:Get*,iam:List*", "*")},
			calls:   []call{getRole, iamCall("CreateUser", map[string]string{"userName": "x"})},
			kept:    "iam:GetRole",
			removed: "iam:ListRoles",
			// CreateUser was seen used (an earlier policy, say) but is not effective now.
			notGranted: "iam:CreateUser",
			notEff:     map[string]string{"iam:CreateUser": ReasonOutsideBoundary},
		},
		{
			name: "a Deny on every resource takes actions away",
			docs: []string{allow("iam:GetRole,iam:DeleteRole", "*"),
				`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`},
			calls:  []call{getRole},
			kept:   "iam:GetRole",
			notEff: map[string]string{"iam:DeleteRole": ReasonDeniedEverywhere},
		},
		{
			name:    "used but not granted is not added",
			docs:    []string{allow("iam:GetRole", "*")},
			calls:   []call{getRole, iamCall("ListUsers", nil)},
			kept:    "iam:GetRole",
			removed: "",
			// ListUsers: no identity policy grants it.
			notGranted: "iam:ListUsers",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Keep = tc.keep
			s := suggest(t, grantedOf(t, tc.docs...), digestOf(t, tc.calls...), opts)
			if got := keptNames(s); got != tc.kept {
				t.Errorf("kept %q, want %q", got, tc.kept)
			}
			if got := unobservedOf(s); !mapsEqual(got, tc.unobserved) {
				t.Errorf("kept unobserved %v, want %v", got, tc.unobserved)
			}
			if got := removedNames(s); got != tc.removed {
				t.Errorf("removed %q, want %q", got, tc.removed)
			}
			gotDenied := map[string]bool{}
			for _, d := range s.Denied {
				gotDenied[d.Action] = d.Granted
			}
			if !mapsEqual(gotDenied, tc.denied) {
				t.Errorf("denied %v, want %v", gotDenied, tc.denied)
			}
			var ng []string
			for _, u := range s.UsedNotGranted {
				ng = append(ng, u.Action)
			}
			if got := strings.Join(ng, " "); got != tc.notGranted {
				t.Errorf("used not granted %q, want %q", got, tc.notGranted)
			}
			gotEff := map[string]string{}
			for _, g := range s.NotEffective {
				for _, a := range g.Actions {
					gotEff[a] = g.Reason
				}
			}
			if !mapsEqual(gotEff, tc.notEff) {
				t.Errorf("not effective %v, want %v", gotEff, tc.notEff)
			}
			// Every granted action is in exactly one class, and the share follows.
			sm := s.Summary
			if sm.UsedActions+sm.KeptUnobservedActions+sm.RemovedActions != sm.GrantedActions ||
				sm.UsedActions != len(s.Kept) || sm.KeptUnobservedActions != len(s.KeptUnobserved) {
				t.Errorf("summary %+v does not add up", sm)
			}
			// Denied and not-granted actions are never in the policy.
			for a := range tc.denied {
				if !tc.denied[a] && allowed(t, s, a, "*") {
					t.Errorf("denied action %s allowed by the suggestion", a)
				}
			}
			for _, a := range strings.Fields(tc.notGranted) {
				if allowed(t, s, a, "arn:aws:iam::123456789012:user/x") {
					t.Errorf("not granted action %s allowed by the suggestion", a)
				}
			}
			for _, a := range strings.Fields(tc.removed) {
				if allowed(t, s, a, "arn:aws:iam::123456789012:role/y") || allowed(t, s, a, "arn:aws:s3:::data/a.json") {
					t.Errorf("removed action %s allowed by the suggestion", a)
				}
			}
		})
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestUnusedShare(t *testing.T) {
	s := suggest(t, grantedOf(t, allow("iam:GetRole,iam:ListRoles,iam:ListUsers,iam:PassRole", "*")),
		digestOf(t, iamCall("GetRole", map[string]string{"roleName": "app"})), DefaultOptions())
	// 4 granted, 1 used: PassRole is kept but unused, so it counts as unused.
	if s.Summary.GrantedActions != 4 || s.Summary.UnusedShare != 0.75 {
		t.Errorf("summary %+v, want 4 granted and 0.75 unused", s.Summary)
	}
	if len(s.Findings.Before) == 0 {
		t.Error("no findings before: iam:PassRole on * is one")
	}
}

// Access Advisor's service-level observations: a service seen used with no action named
// keeps all its granted actions.
func TestServiceLevelOnly(t *testing.T) {
	cat := catalog.Default()
	id := func(name string) catalog.ActionID {
		i, ok := cat.LookupAction(name)
		if !ok {
			t.Fatal(name)
		}
		return i
	}
	last := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)
	d := &usage.Digest{Principals: []usage.PrincipalUsage{{
		ARN: testRole, Count: 1,
		Actions: []usage.ActionUsage{{ID: id("iam:GetRole"), Action: "iam:GetRole", Last: last, Sources: []usage.SourceKind{usage.SourceAccessAdvisor}}},
		Services: []usage.ServiceUsage{
			{Service: "iam", Last: last, Sources: []usage.SourceKind{usage.SourceAccessAdvisor}},
			{Service: "sts", Last: last, Sources: []usage.SourceKind{usage.SourceAccessAdvisor}},
		},
	}}}
	s := suggest(t, grantedOf(t, allow("iam:GetRole,iam:ListRoles,sts:GetCallerIdentity,sts:AssumeRole,cloudtrail:LookupEvents", "*")), d, DefaultOptions())
	want := map[string]UnobservedReason{"sts:AssumeRole": ReasonServiceLevelOnly, "sts:GetCallerIdentity": ReasonServiceLevelOnly}
	if got := unobservedOf(s); !mapsEqual(got, want) {
		t.Errorf("kept unobserved %v, want %v", got, want)
	}
	// iam has an action named, so its other actions go; cloudtrail was not seen at all.
	if got := removedNames(s); got != "cloudtrail:LookupEvents iam:ListRoles" {
		t.Errorf("removed %q", got)
	}
	// Access Advisor counts nothing and names no resource: GetRole is not scoped.
	if k := s.Kept[0]; k.Scoped || k.Resources[0] != "*" || !strings.Contains(k.Note, "Access Advisor") {
		t.Errorf("GetRole kept as %+v", k)
	}
}

func TestNoUsage(t *testing.T) {
	s := suggest(t, grantedOf(t, allow("iam:GetRole", "*")), &usage.Digest{}, DefaultOptions())
	if len(s.Kept) != 0 || s.Summary.RemovedActions != 1 || len(s.Notes) < 2 {
		t.Errorf("kept %v, summary %+v, notes %q", s.Kept, s.Summary, s.Notes)
	}
	if string(s.Policy) != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("policy %s", s.Policy)
	}
}

func TestSuggestBadInput(t *testing.T) {
	gr := grantedOf(t, allow("iam:GetRole", "*"))
	d := &usage.Digest{}
	tests := []struct {
		name      string
		principal string
		opts      Options
		want      string
	}{
		{"not an ARN", "app", DefaultOptions(), `principal ARN "app": not an ARN`},
		{"a group", "arn:aws:iam::123456789012:group/ops", DefaultOptions(), "right-sizing needs a role or a user"},
		{"another principal", "arn:aws:iam::123456789012:role/other", DefaultOptions(), "the granted policies are those of " + testRole},
		{"keep matching nothing", testRole, Options{Keep: []string{"s3:Nope*"}}, `--keep "s3:Nope*": matches no action`},
		{"inline kind of another principal type", testRole, Options{Kind: "inline-user"}, "--kind inline-user: the principal is a role"},
		{"unknown kind", testRole, Options{Kind: "scp"}, `--kind "scp": want managed`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Suggest(Input{Principal: tc.principal, Granted: gr, Digest: d}, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// The data-event table names only actions the catalog has.
func TestDataEventTable(t *testing.T) {
	cat := catalog.Default()
	for _, s := range dataEventServices {
		if cat.Service(s.prefix) == nil {
			t.Errorf("service %s not in the catalog", s.prefix)
		}
		for _, a := range s.actions {
			if _, ok := cat.LookupAction(a); !ok {
				t.Errorf("%s: not in the catalog", a)
			}
		}
	}
	for _, a := range notLogged {
		if _, ok := cat.LookupAction(a); !ok {
			t.Errorf("%s: not in the catalog", a)
		}
	}
	d := newDataEvents(cat)
	for name, want := range map[string]bool{"s3:GetObject": true, "s3:PutObject": true, "s3:ListBucket": true, "s3:CreateBucket": false,
		"s3:ListAllMyBuckets": false, "dynamodb:GetItem": true, "dynamodb:CreateTable": false, "lambda:InvokeFunction": true, "iam:GetRole": false} {
		id, _ := cat.LookupAction(name)
		if _, got := d.eventSource(id); got != want {
			t.Errorf("%s data event: %v, want %v", name, got, want)
		}
	}
}

func TestUnknownActionsNoted(t *testing.T) {
	s := suggest(t, grantedOf(t, allow("iam:GetRole,iam:FrobnicateWidgets", "*")), digestOf(t, iamCall("GetRole", map[string]string{"roleName": "app"})), DefaultOptions())
	if !strings.Contains(strings.Join(s.Notes, "\n"), "not in the catalog and are not carried over: iam:FrobnicateWidgets") {
		t.Errorf("notes %q", s.Notes)
	}
	if strings.Contains(string(s.Policy), "Frobnicate") {
		t.Errorf("policy %s", s.Policy)
	}
}
