package workflow

import (
	"slices"
	"testing"

	"github.com/ciem/ciem/internal/iam"
)

func TestPreviewOf(t *testing.T) {
	const passRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`
	cases := []struct {
		name      string
		standing  []string
		wantAdded []string // actions, over every access level
		wantRules []string
	}{
		{name: "no standing access: the whole grant", wantAdded: []string{"iam:PassRole"}, wantRules: []string{"unrestricted-passrole"}},
		{name: "standing already has it", standing: []string{passRole}},
		{name: "a standing Deny does not take away what the grant's own session allows",
			standing:  []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
			wantAdded: []string{"iam:PassRole"}, wantRules: []string{"unrestricted-passrole"}},
		{name: "standing has it only under a condition: the unconditional grant is new",
			standing: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
				"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`},
			wantAdded: []string{"iam:PassRole"}, wantRules: []string{"unrestricted-passrole"}},
		{name: "standing has more than the grant: nothing shows as removed",
			standing: []string{passRole, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var standing []iam.NamedPolicy
			for i, doc := range tc.standing {
				p, err := iam.Parse([]byte(doc), iam.KindManaged)
				if err != nil {
					t.Fatalf("standing %d: %v", i, err)
				}
				standing = append(standing, iam.NamedPolicy{Name: "standing", Policy: p})
			}
			grant, err := iam.Parse([]byte(passRole), iam.KindSession)
			if err != nil {
				t.Fatal(err)
			}
			diff, findings := previewOf(standing, iam.NamedPolicy{Name: "grant", Policy: grant})
			var added []string
			for _, l := range diff.ByAccessLevel {
				if len(l.Removed) > 0 {
					t.Errorf("level %s: removed %v", l.Level, l.Removed)
				}
				added = append(added, l.Added...)
			}
			if len(diff.Removed) > 0 {
				t.Errorf("removed = %v", diff.Removed)
			}
			if !slices.Equal(added, tc.wantAdded) {
				t.Errorf("added = %v, want %v", added, tc.wantAdded)
			}
			var rules []string
			for _, f := range findings {
				rules = append(rules, f.Rule)
			}
			if !slices.Equal(rules, tc.wantRules) {
				t.Errorf("findings = %v, want %v", rules, tc.wantRules)
			}
		})
	}
}
