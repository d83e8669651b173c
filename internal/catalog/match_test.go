package catalog

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	c := Default()
	s3 := c.Service("s3")
	for _, tc := range []struct {
		pattern   string
		min, max  int
		has, lack []string
	}{
		{"*", c.NumActions(), c.NumActions(), []string{"s3:GetObject", "iam:PassRole"}, nil},
		{"*:*", c.NumActions(), c.NumActions(), nil, nil},
		{"s3:*", s3.NumActions(), s3.NumActions(), []string{"s3:GetObject", "s3:ListBucket"}, []string{"s3express:CreateSession", "iam:PassRole"}},
		{"S3:*", s3.NumActions(), s3.NumActions(), nil, nil},
		{"s3:get*", 40, 100, []string{"s3:GetObject", "s3:GetBucketPolicy"}, []string{"s3:PutObject", "s3:ListBucket"}},
		{"s3:?etObject", 1, 1, []string{"s3:GetObject"}, []string{"s3:PutObject"}},
		{"s3:GetObject", 1, 1, []string{"s3:GetObject"}, nil},
		{"s3:getobject", 1, 1, []string{"s3:GetObject"}, nil},
		{"iam:*Policy*", 20, 60, []string{"iam:CreatePolicyVersion", "iam:PutRolePolicy", "iam:GetPolicy"}, []string{"iam:PassRole"}},
		{"s3*:Get*", 40, 200, []string{"s3:GetObject"}, []string{"iam:GetRole"}},
		{"*:PassRole", 1, 5, []string{"iam:PassRole"}, nil},
		{"s?:getobject", 1, 3, []string{"s3:GetObject"}, nil},
		{"nosuchservice:*", 0, 0, nil, nil},
		{"s3:NoSuchAction", 0, 0, nil, nil},
		{"", 0, 0, nil, nil},
	} {
		got := c.Match(tc.pattern)
		if n := got.Len(); n < tc.min || n > tc.max {
			t.Errorf("Match(%q) has %d actions, want %d..%d", tc.pattern, n, tc.min, tc.max)
		}
		for _, name := range tc.has {
			if id, _ := c.LookupAction(name); !got.Has(id) {
				t.Errorf("Match(%q) lacks %s", tc.pattern, name)
			}
		}
		for _, name := range tc.lack {
			if id, _ := c.LookupAction(name); got.Has(id) {
				t.Errorf("Match(%q) has %s", tc.pattern, name)
			}
		}
		// Against a plain scan of every name: the range narrowing must not lose any.
		want := c.NewSet()
		for id := range ActionID(c.NumActions()) {
			if globMatch(strings.ToLower(tc.pattern), c.lowerNames[id]) {
				want.Add(id)
			}
		}
		if !got.Equal(want) {
			t.Errorf("Match(%q) = %d actions, full scan %d", tc.pattern, got.Len(), want.Len())
		}
	}
}

func TestMatchReturnsOwnCopy(t *testing.T) {
	c := Default()
	a := c.Match("s3:Get*")
	n := a.Len()
	a.MinusWith(a.Clone())
	if b := c.Match("s3:Get*"); b.Len() != n {
		t.Fatalf("changing a Match result changed the cache: %d then %d", n, b.Len())
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"**", "x", true},
		{"abc", "abd", false},
	} {
		if got := globMatch(tc.p, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

// Concurrent use shares the match cache and the lazily compiled ARN patterns; run with -race.
func TestConcurrentUse(t *testing.T) {
	c := Default()
	role := c.Service("iam").ResourceType("role")
	want := c.Match("ec2:Describe*").Len()
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			for range 50 {
				s := c.Match("ec2:Describe*")
				s.Add(0) // the caller's own copy
				ok = ok && role.MatchARN("arn:aws:iam::1:role/x")
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("MatchARN failed under concurrency")
		}
	}
	if got := c.Match("ec2:Describe*").Len(); got != want {
		t.Errorf("cached set changed under concurrency: %d, want %d", got, want)
	}
}
