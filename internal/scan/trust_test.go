package scan

import (
	"sort"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/iam"
)

func TestTrustFindings(t *testing.T) {
	stmt := func(principal, action, cond string) string {
		s := `{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `"`
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return `{"Version":"2012-10-17","Statement":[` + s + `}]}`
	}
	gh := `{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}`
	tests := []struct {
		name     string
		trust    string
		powerful bool
		want     []string // type/rule/severity
	}{
		{"service", stmt(`{"Service":"lambda.amazonaws.com"}`, "sts:AssumeRole", ""), false, nil},
		{"a user of the account", stmt(`{"AWS":"arn:aws:iam::123456789012:user/u"}`, "sts:AssumeRole", ""), false, nil},
		{"own account", stmt(`{"AWS":"123456789012"}`, "sts:AssumeRole", ""), false, []string{"account_wide_trust/trust-own-account/low"}},
		{"own account with a condition", stmt(`{"AWS":"arn:aws:iam::123456789012:root"}`, "sts:AssumeRole", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), false, nil},
		{"another account", stmt(`{"AWS":"arn:aws:iam::999988887777:root"}`, "sts:AssumeRole", ""), false, []string{"cross_account_trust/trust-other-account/high"}},
		{"another account, admin role", stmt(`{"AWS":"999988887777"}`, "sts:AssumeRole", ""), true, []string{"cross_account_trust/trust-other-account/critical"}},
		{"another account with an external id", stmt(`{"AWS":"999988887777"}`, "sts:AssumeRole", `{"StringEquals":{"sts:ExternalId":"x"}}`), false,
			[]string{"cross_account_trust/trust-other-account/medium"}},
		{"a role of another account", stmt(`{"AWS":"arn:aws:iam::999988887777:role/ci"}`, "sts:AssumeRole", ""), false,
			[]string{"cross_account_trust/trust-other-account-principal/medium"}},
		{"everyone", stmt(`"*"`, "sts:AssumeRole", ""), false, []string{"public_trust/trust-everyone/critical"}},
		{"every AWS principal, limited to an organization", stmt(`{"AWS":"*"}`, "sts:AssumeRole", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`), false,
			[]string{"public_trust/trust-everyone/medium"}},
		{"NotPrincipal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/u"},"Action":"sts:AssumeRole"}]}`, false,
			[]string{"public_trust/trust-not-principal/high"}},
		{"GitHub without audience or subject", stmt(gh, "sts:AssumeRoleWithWebIdentity", ""), false,
			[]string{"federated_trust_without_audience/federated-trust-without-audience/high", "federated_trust_without_audience/federated-trust-without-subject/critical"}},
		{"GitHub with both", stmt(gh, "sts:AssumeRoleWithWebIdentity",
			`{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}`), false, nil},
		{"SAML without audience", stmt(`{"Federated":"arn:aws:iam::123456789012:saml-provider/okta"}`, "sts:AssumeRoleWithSAML", ""), false,
			[]string{"federated_trust_without_audience/federated-trust-without-audience/high"}},
		{"SAML with audience", stmt(`{"Federated":"arn:aws:iam::123456789012:saml-provider/okta"}`, "sts:AssumeRoleWithSAML",
			`{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}`), false, nil},
		{"Deny statements do not trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`, false, nil},
		{"statements that do not allow assuming", stmt(`"*"`, "sts:TagSession", ""), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Role{ARN: "arn:aws:iam::123456789012:role/r", Trust: iam.MustParse(tt.trust, iam.KindTrust)}
			var got []string
			for _, f := range trustFindings(r, "123456789012", tt.powerful) {
				got = append(got, f.Type+"/"+f.Rule+"/"+f.Severity)
				if f.Principal != r.ARN || f.Detail == "" || len(f.Policies) != 1 {
					t.Errorf("finding without principal, detail or policy: %+v", f)
				}
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
