package usage

import "testing"

func TestRollup(t *testing.T) {
	tests := []struct {
		name   string
		id     Identity
		want   string
		class  identityClass
		reason string
	}{
		{"assumed role rolls up to its role, path kept",
			Identity{Type: b("AssumedRole"), ARN: b("arn:aws:sts::111122223333:assumed-role/app/i-0abc"), IssuerType: b("Role"), IssuerARN: b("arn:aws:iam::111122223333:role/service-role/app")},
			"arn:aws:iam::111122223333:role/service-role/app", idPrincipal, ""},
		{"assumed role without session issuer: role derived from the session ARN",
			Identity{Type: b("AssumedRole"), ARN: b("arn:aws:sts::111122223333:assumed-role/app/i-0abc")},
			"arn:aws:iam::111122223333:role/app", idPrincipal, ""},
		{"assumed role in another partition",
			Identity{Type: b("AssumedRole"), ARN: b("arn:aws-cn:sts::111122223333:assumed-role/app/s")},
			"arn:aws-cn:iam::111122223333:role/app", idPrincipal, ""},
		{"federated user rolls up to the issuer",
			Identity{Type: b("FederatedUser"), ARN: b("arn:aws:sts::111122223333:federated-user/bob"), IssuerType: b("IAMUser"), IssuerARN: b("arn:aws:iam::111122223333:user/broker")},
			"arn:aws:iam::111122223333:user/broker", idPrincipal, ""},
		{"IAM user is itself",
			Identity{Type: b("IAMUser"), ARN: b("arn:aws:iam::111122223333:user/alice")},
			"arn:aws:iam::111122223333:user/alice", idPrincipal, ""},
		{"root",
			Identity{Type: b("Root"), ARN: b("arn:aws:iam::111122223333:root")},
			"arn:aws:iam::111122223333:root", idPrincipal, ""},
		{"root without an ARN",
			Identity{Type: b("Root"), AccountID: b("111122223333")},
			"arn:aws:iam::111122223333:root", idPrincipal, ""},
		{"AWS service", Identity{Type: b("AWSService"), InvokedBy: b("ec2.amazonaws.com")}, "", idAWSService, ""},
		{"service event without a type", Identity{InvokedBy: b("kms.amazonaws.com")}, "", idAWSService, ""},
		{"SAML user calling AssumeRoleWithSAML", Identity{Type: b("SAMLUser"), UserName: b("jane")}, "", idUnattributed, "SAMLUser"},
		{"web identity", Identity{Type: b("WebIdentityUser")}, "", idUnattributed, "WebIdentityUser"},
		{"unknown", Identity{Type: b("Unknown"), UserName: b("x")}, "", idUnattributed, "Unknown"},
		{"no identity", Identity{}, "", idUnattributed, "no userIdentity.type"},
		{"federated user with no issuer", Identity{Type: b("FederatedUser"), ARN: b("arn:aws:sts::1:federated-user/x")}, "", idUnattributed, "FederatedUser"},
		{"assumed role with a malformed ARN", Identity{Type: b("AssumedRole"), ARN: b("garbage")}, "", idUnattributed, "AssumedRole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf []byte
			arn, class, reason := rollup(&tt.id, &buf)
			if string(arn) != tt.want || class != tt.class || string(reason) != tt.reason {
				t.Errorf("rollup = %q, %v, %q; want %q, %v, %q", arn, class, reason, tt.want, tt.class, tt.reason)
			}
		})
	}
}

func b(s string) []byte { return []byte(s) }

func TestPrincipalType(t *testing.T) {
	for arn, want := range map[string]PrincipalType{
		"arn:aws:iam::1:role/x":          PrincipalRole,
		"arn:aws:iam::1:role/path/x":     PrincipalRole,
		"arn:aws:iam::1:user/alice":      PrincipalUser,
		"arn:aws:iam::1:root":            PrincipalRoot,
		"arn:aws:iam::1:group/g":         PrincipalOther,
		"not an arn":                     PrincipalOther,
		"arn:aws-us-gov:iam::1:role/app": PrincipalRole,
	} {
		if got := principalTypeOf(arn); got != want {
			t.Errorf("principalTypeOf(%s) = %s, want %s", arn, got, want)
		}
	}
}
