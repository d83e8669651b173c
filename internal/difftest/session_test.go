package difftest

import (
	"encoding/json"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/simcase"
)

// Session policies are not compared with the reference simulator (its documentation lists
// them as not yet supported); these cases carry the answers AWS documents instead:
//
//	[sessions] https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
//	"The resulting session's permissions are the intersection of the entity's identity-based
//	policies and the session policies. Permissions can also come from a resource-based policy.
//	An explicit deny in any of these policies overrides the allow."
//	"A resource-based policy can specify the ARN of the user or role as a principal. In that
//	case, the permissions from the resource-based policy are added to the role or user's
//	identity-based policy before the session is created. The session policy limits the total
//	permissions granted by the resource-based policy and the identity-based policy. [...]
//	Alternatively, the resource-based policy can specify the ARN of the session as a principal.
//	In that case, the permissions from the resource-based policy are added after the session
//	is created. The resource-based policy permissions are not limited by the session policy."
//
//	[logic] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//	(SCPs, permissions boundaries and session policies each must allow; an explicit deny in
//	any policy wins.)
func TestSessionPoliciesAsDocumented(t *testing.T) {
	const (
		role    = "arn:aws:iam::" + accountA + ":role/app-role"
		session = "arn:aws:sts::" + accountA + ":assumed-role/app-role/session-1"
		fedUser = "arn:aws:sts::" + accountA + ":federated-user/bob"
		object  = "arn:aws:s3:::reports/q1.csv"
	)
	allowGet := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	allowS3 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	allowList := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::reports"}]}`
	denyGet := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`
	allowFromNet := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`
	notActionIAM := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`
	bucketPolicy := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	}
	fullAccess := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	scpDenyS3 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`

	type tc struct {
		name       string
		principal  string
		identity   []string
		session    string
		boundary   string
		scp        string
		resource   string
		action     string
		resourceID string
		context    map[string]simcase.ContextValue
		want       string // decision, or "error"
		why        string
	}
	tests := []tc{
		{name: "identity and session both allow", principal: session, identity: []string{allowGet}, session: allowS3,
			want: "Allowed", why: "[sessions] the intersection of identity and session policies"},
		{name: "session allows less than identity", principal: session, identity: []string{allowS3}, session: allowList,
			want: "ImplicitlyDenied", why: "[sessions] the session policy limits the identity policy"},
		{name: "session cannot grant what identity does not", principal: session, identity: []string{allowList}, session: allowS3,
			want: "ImplicitlyDenied", why: "[sessions] session policies do not grant permissions themselves"},
		{name: "no identity policy at all", principal: session, session: allowS3,
			want: "ImplicitlyDenied", why: "[sessions] intersection with nothing is nothing"},
		{name: "explicit deny in the session policy", principal: session, identity: []string{allowS3}, session: denyGet,
			want: "ExplicitlyDenied", why: "[sessions] an explicit deny in any of these policies overrides the allow"},
		{name: "session NotAction allows s3", principal: session, identity: []string{allowGet}, session: notActionIAM,
			want: "Allowed", why: "[sessions] NotAction iam:* with Allow covers s3:GetObject"},
		{name: "session NotAction excludes iam", principal: session, identity: []string{fullAccess}, session: notActionIAM,
			action: "iam:ListRoles", resourceID: "*", want: "ImplicitlyDenied", why: "[sessions] the session policy does not cover iam:*"},
		{name: "session condition met", principal: session, identity: []string{allowGet}, session: allowFromNet,
			context: map[string]simcase.ContextValue{"aws:SourceIp": simcase.Single("203.0.113.9")},
			want:    "Allowed", why: "[sessions] the session policy's condition holds"},
		{name: "session condition not met", principal: session, identity: []string{allowGet}, session: allowFromNet,
			context: map[string]simcase.ContextValue{"aws:SourceIp": simcase.Single("198.51.100.9")},
			want:    "ImplicitlyDenied", why: "[sessions] the session policy's condition fails"},
		{name: "session condition key absent", principal: session, identity: []string{allowGet}, session: allowFromNet,
			want: "ImplicitlyDenied", why: "[sessions] a condition on an absent key does not match"},
		{name: "boundary limits a session too", principal: session, identity: []string{allowS3}, session: allowS3, boundary: allowList,
			want: "ImplicitlyDenied", why: "[logic] the boundary must also allow"},
		{name: "SCP deny wins over session allow", principal: session, identity: []string{allowS3}, session: allowS3, scp: scpDenyS3,
			want: "ExplicitlyDenied", why: "[logic] an explicit deny in an SCP wins"},
		{name: "resource policy naming the session is not limited by the session policy", principal: session, session: allowList,
			resource: bucketPolicy(session), want: "Allowed", why: "[sessions] resource-based policy permissions for the session ARN are not limited by the session policy"},
		{name: "resource policy naming the role is limited by the session policy", principal: session, session: allowList,
			resource: bucketPolicy(role), want: "ImplicitlyDenied", why: "[sessions] the session policy limits permissions granted to the role ARN"},
		{name: "resource policy naming the role, session allows", principal: session, session: allowS3,
			resource: bucketPolicy(role), want: "Allowed", why: "[sessions] within the session policy, the role's resource-based grant applies"},
		{name: "resource policy naming the session, session denies", principal: session, session: denyGet,
			resource: bucketPolicy(session), want: "ExplicitlyDenied", why: "[sessions] an explicit deny in the session policy still wins"},
		{name: "federated user session", principal: fedUser, identity: []string{allowS3}, session: allowList,
			want: "ImplicitlyDenied", why: "[sessions] GetFederationToken sessions are limited the same way"},
		{name: "federated user session allows", principal: fedUser, identity: []string{allowGet}, session: allowGet,
			want: "Allowed", why: "[sessions] intersection of the user's policies and the session policy"},
		{name: "IAM users have no session policies", principal: "arn:aws:iam::" + accountA + ":user/alice", identity: []string{allowGet}, session: allowGet,
			want: "error", why: "[sessions] session policies are passed only when assuming a role or getting a federation token"},
	}
	tr := simcase.NewTranslator(catalog.Default())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &simcase.Case{IdentityPolicies: []simcase.NamedPolicy{}, ServiceControlPolicies: []simcase.OrgPolicies{}, ResourceControlPolicies: []simcase.OrgPolicies{}}
			for i, p := range tt.identity {
				c.IdentityPolicies = append(c.IdentityPolicies, simcase.NamedPolicy{Name: "identity" + string(rune('1'+i)), Policy: json.RawMessage(p)})
			}
			if tt.session != "" {
				c.SessionPolicy = json.RawMessage(tt.session)
			}
			if tt.boundary != "" {
				c.PermissionBoundaryPolicies = []simcase.NamedPolicy{{Name: "boundary", Policy: json.RawMessage(tt.boundary)}}
			}
			if tt.scp != "" {
				c.ServiceControlPolicies = []simcase.OrgPolicies{{OrgIdentifier: "r-root", Policies: []simcase.NamedPolicy{{Name: "scp", Policy: json.RawMessage(tt.scp)}}}}
			}
			if tt.resource != "" {
				c.ResourcePolicy = json.RawMessage(tt.resource)
			}
			action, res := tt.action, tt.resourceID
			if action == "" {
				action, res = "s3:GetObject", object
			}
			ctx := tt.context
			if ctx == nil {
				ctx = map[string]simcase.ContextValue{}
			}
			c.Request = simcase.Request{Principal: tt.principal, Action: action,
				Resource: simcase.Resource{Resource: res, AccountID: accountA}, ContextVariables: ctx}
			res0, err := tr.Simulate(c)
			got := "error"
			if err == nil {
				got = res0.Decision.String()
			}
			if got != tt.want {
				t.Errorf("got %s (err %v), want %s: %s", got, err, tt.want, tt.why)
			}
		})
	}
}
