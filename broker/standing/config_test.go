package standing

import (
	"slices"
	"testing"
)

func TestPrincipals(t *testing.T) {
	const a = "arn:aws:iam::111122223333:"
	cfg := Config{
		Users:       map[string][]string{"bob": {a + "user/robert", a + "role/ops"}},
		Groups:      map[string][]string{"dev": {a + "group/developers"}, "ops": {a + "role/ops"}},
		UserPattern: a + "user/people/{subject}",
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		subject string
		groups  []string
		want    []string
	}{
		{"bob", nil, []string{a + "role/ops", a + "user/robert"}},                             // listed: the pattern does not apply
		{"bob", []string{"ops"}, []string{a + "role/ops", a + "user/robert"}},                 // no duplicates
		{"alice", []string{"dev"}, []string{a + "group/developers", a + "user/people/alice"}}, // pattern and group
		{"alice@example.com", nil, []string{a + "user/people/alice@example.com"}},             // @ is allowed in IAM names
		{"a/b", nil, []string{}}, // cannot be an IAM name
		{"", []string{"sales"}, []string{}},
	}
	for _, tc := range cases {
		if got := cfg.Principals(tc.subject, tc.groups); !slices.Equal(got, tc.want) {
			t.Errorf("Principals(%q, %v) = %v, want %v", tc.subject, tc.groups, got, tc.want)
		}
	}
}
