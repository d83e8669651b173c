package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/iam"
)

// Small accounts written as get-account-authorization-details JSON, read with the file
// reader, scanned: each shows one kind of edge, and its decoy.

const acctID = "123456789012"

type tUser struct {
	name     string
	inline   []string // policy documents
	attach   []string // policy ARNs
	groups   []string
	boundary string
}

type tRole struct {
	name, path, trust string
	inline            []string
	attach            []string
	boundary          string
	profile           bool
}

type tGroup struct {
	name   string
	inline []string
	attach []string
}

type tPolicy struct {
	name     string
	versions []string // first is the default
}

type tAccount struct {
	users    []tUser
	roles    []tRole
	groups   []tGroup
	policies []tPolicy
}

func arnOf(kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + acctID + ":" + kind + path + name
}

const adminAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"

func allow(actions, resource string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":%s,"Resource":%s}]}`, jsonList(actions), jsonList(resource))
}

func jsonList(s string) string {
	b, _ := json.Marshal(strings.Split(s, ","))
	return string(b)
}

func trustAWS(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

func trustService(svc string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + svc + `"},"Action":"sts:AssumeRole"}]}`
}

// authDetails writes the account as the AWS CLI would.
func (ta tAccount) authDetails() []byte {
	raw := func(doc string) json.RawMessage { return json.RawMessage(doc) }
	inline := func(docs []string) []map[string]any {
		out := []map[string]any{}
		for i, d := range docs {
			out = append(out, map[string]any{"PolicyName": fmt.Sprintf("p%d", i), "PolicyDocument": raw(d)})
		}
		return out
	}
	attached := func(arns []string) []map[string]any {
		out := []map[string]any{}
		for _, a := range arns {
			out = append(out, map[string]any{"PolicyName": a[strings.LastIndexByte(a, '/')+1:], "PolicyArn": a})
		}
		return out
	}
	boundary := func(m map[string]any, arn string) {
		if arn != "" {
			m["PermissionsBoundary"] = map[string]any{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
		}
	}
	var users, groups, roles, policies []map[string]any
	for _, u := range ta.users {
		m := map[string]any{"Path": "/", "UserName": u.name, "UserId": "AIDA" + strings.ToUpper(u.name), "Arn": arnOf("user", "/", u.name),
			"CreateDate": "2024-01-01T00:00:00Z", "UserPolicyList": inline(u.inline), "GroupList": append([]string{}, u.groups...),
			"AttachedManagedPolicies": attached(u.attach)}
		boundary(m, u.boundary)
		users = append(users, m)
	}
	for _, g := range ta.groups {
		groups = append(groups, map[string]any{"Path": "/", "GroupName": g.name, "GroupId": "AGPA" + g.name, "Arn": arnOf("group", "/", g.name),
			"CreateDate": "2024-01-01T00:00:00Z", "GroupPolicyList": inline(g.inline), "AttachedManagedPolicies": attached(g.attach)})
	}
	for _, r := range ta.roles {
		m := map[string]any{"Path": orSlash(r.path), "RoleName": r.name, "RoleId": "AROA" + r.name, "Arn": arnOf("role", r.path, r.name),
			"CreateDate": "2024-01-01T00:00:00Z", "AssumeRolePolicyDocument": raw(r.trust), "RolePolicyList": inline(r.inline),
			"AttachedManagedPolicies": attached(r.attach), "InstanceProfileList": []any{}}
		if r.profile {
			m["InstanceProfileList"] = []any{map[string]any{"InstanceProfileName": r.name, "Arn": arnOf("instance-profile", "/", r.name)}}
		}
		boundary(m, r.boundary)
		roles = append(roles, m)
	}
	pol := func(name, arn string, docs []string) map[string]any {
		var vs []map[string]any
		for i, d := range docs {
			vs = append(vs, map[string]any{"Document": raw(d), "VersionId": fmt.Sprintf("v%d", len(docs)-i), "IsDefaultVersion": i == 0,
				"CreateDate": "2024-01-01T00:00:00Z"})
		}
		return map[string]any{"PolicyName": name, "Arn": arn, "Path": "/", "DefaultVersionId": fmt.Sprintf("v%d", len(docs)), "AttachmentCount": 1,
			"PolicyVersionList": vs}
	}
	for _, p := range ta.policies {
		policies = append(policies, pol(p.name, arnOf("policy", "/", p.name), p.versions))
	}
	policies = append(policies, pol("AdministratorAccess", adminAccessARN, []string{allow("*", "*")}))
	out, err := json.Marshal(map[string]any{"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies})
	if err != nil {
		panic(err)
	}
	return out
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func scanAccount(t *testing.T, ta tAccount, opts Options) *Report {
	t.Helper()
	a, err := ReadAuthDetails(ta.authDetails(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Problems) > 0 {
		t.Fatalf("problems: %v", a.Problems)
	}
	r, err := Scan(context.Background(), a, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pathKinds is a principal's path as "kind>target" steps.
func pathKinds(r *Report, name string) string {
	for _, p := range r.Principals {
		if p.Name == name {
			if p.IsAdmin {
				return "admin"
			}
			if !p.AdminReachable {
				return "none"
			}
			var parts []string
			for _, s := range p.AdminPath {
				parts = append(parts, s.Kind+">"+displayName(s.Target))
			}
			return strings.Join(parts, " ")
		}
	}
	return "missing"
}

func TestGraphEdges(t *testing.T) {
	admin := tRole{name: "admin", trust: trustAWS(acctID), attach: []string{adminAccessARN}}
	boundaryPolicy := func(actions string) tPolicy {
		return tPolicy{name: "boundary", versions: []string{allow(actions, "*")}}
	}
	boundaryARN := arnOf("policy", "/", "boundary")
	tests := []struct {
		name string
		acct tAccount
		who  string
		want string
	}{
		{"role chain through sessions",
			tAccount{roles: []tRole{admin, {name: "app", trust: trustService("ecs-tasks.amazonaws.com"), inline: []string{allow("sts:AssumeRole", arnOf("role", "/", "admin"))}}}},
			"app", "assume_role>role/admin"},
		{"trust naming the user is enough in the same account",
			tAccount{users: []tUser{{name: "u"}}, roles: []tRole{{name: "named", trust: trustAWS(arnOf("user", "/", "u")), attach: []string{adminAccessARN}}}},
			"u", "assume_role>role/named"},
		{"decoy: trust naming the account needs the caller's own allow",
			tAccount{users: []tUser{{name: "u"}}, roles: []tRole{admin}},
			"u", "none"},
		{"put own user policy",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:PutUserPolicy", arnOf("user", "/", "u"))}}}},
			"u", "change_policies>user/u"},
		{"decoy: put another user's policy",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:PutUserPolicy", arnOf("user", "/", "other"))}}, {name: "other"}}},
			"u", "none"},
		{"attach to own group",
			tAccount{users: []tUser{{name: "u", groups: []string{"g"}}}, groups: []tGroup{{name: "g", inline: []string{allow("iam:AttachGroupPolicy", arnOf("group", "/", "g"))}}}},
			"u", "change_policies>group/g"},
		{"add itself to an admin group",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:AddUserToGroup", arnOf("group", "/", "admins"))}}},
				groups: []tGroup{{name: "admins", attach: []string{adminAccessARN}}}},
			"u", "add_to_group>group/admins"},
		{"set an older admin version as default",
			tAccount{users: []tUser{{name: "u", attach: []string{arnOf("policy", "/", "app")}}},
				policies: []tPolicy{{name: "app", versions: []string{allow("iam:SetDefaultPolicyVersion", arnOf("policy", "/", "app")), allow("*", "*")}}}},
			"u", "set_default_policy_version>policy/app"},
		{"decoy: set default version when no older version is broader",
			tAccount{users: []tUser{{name: "u", attach: []string{arnOf("policy", "/", "app")}}},
				policies: []tPolicy{{name: "app", versions: []string{allow("iam:SetDefaultPolicyVersion", arnOf("policy", "/", "app")), allow("s3:GetObject", "*")}}}},
			"u", "none"},
		{"rewrite a trust policy, then assume",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:UpdateAssumeRolePolicy", arnOf("role", "/", "locked"))}}},
				roles: []tRole{{name: "locked", trust: trustService("ec2.amazonaws.com"), attach: []string{adminAccessARN}}}},
			"u", "update_trust_policy>role/locked assume_role>role/locked"},
		{"change a reachable role's policies, then assume it",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("sts:AssumeRole,iam:AttachRolePolicy", arnOf("role", "/", "worker"))}}},
				roles: []tRole{{name: "worker", trust: trustAWS(acctID)}}},
			"u", "change_policies>role/worker assume_role>role/worker"},
		{"pass a role to EC2: needs an instance profile",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:PassRole,ec2:RunInstances", "*")}}},
				roles: []tRole{{name: "box", trust: trustService("ec2.amazonaws.com"), attach: []string{adminAccessARN}, profile: true}}},
			"u", "pass_role>role/box"},
		{"decoy: pass a role to EC2 without an instance profile",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:PassRole,ec2:RunInstances", "*")}}},
				roles: []tRole{{name: "box", trust: trustService("ec2.amazonaws.com"), attach: []string{adminAccessARN}}}},
			"u", "none"},
		{"decoy: pass role to Lambda but cannot invoke",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:PassRole,lambda:CreateFunction", "*")}}},
				roles: []tRole{{name: "fn", trust: trustService("lambda.amazonaws.com"), attach: []string{adminAccessARN}}}},
			"u", "none"},
		{"remove the boundary, then rewrite own policies",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:DeleteUserPermissionsBoundary,iam:PutUserPolicy", arnOf("user", "/", "u"))},
				boundary: boundaryARN}}, policies: []tPolicy{boundaryPolicy("iam:DeleteUserPermissionsBoundary")}},
			"u", "remove_boundary>user/u change_policies>user/u"},
		{"decoy: boundary blocks rewriting own policies",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:PutUserPolicy", arnOf("user", "/", "u"))}, boundary: boundaryARN}},
				policies: []tPolicy{boundaryPolicy("s3:GetObject")}},
			"u", "none"},
		{"boundary allows iam: rewrite, then lift the boundary",
			tAccount{roles: []tRole{{name: "r", trust: trustService("ecs-tasks.amazonaws.com"), boundary: boundaryARN,
				inline: []string{allow("iam:PutRolePolicy", arnOf("role", "/", "r"))}}}, policies: []tPolicy{boundaryPolicy("iam:*")}},
			"r", "change_policies>role/r remove_boundary>role/r"},
		{"create a login profile for an admin user",
			tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:CreateLoginProfile", arnOf("user", "/", "root-like"))}}, {name: "root-like", attach: []string{adminAccessARN}}}},
			"u", "create_login_profile>user/root-like"},
		{"admin with a harmless deny is still an administrator",
			tAccount{users: []tUser{{name: "u", attach: []string{adminAccessARN}, inline: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`}}}},
			"u", "admin"},
		{"admin with a deny on iam is not",
			tAccount{users: []tUser{{name: "u", attach: []string{adminAccessARN}, inline: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`}}}},
			"u", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanAccount(t, tt.acct, Options{})
			if got := pathKinds(r, tt.who); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.who, got, tt.want)
			}
		})
	}
}

// TestCredentialReportDecidesLoginProfile: with the credential report, creating a console
// password counts only for a user without one (and resetting only for a user with one).
func TestCredentialReportDecidesLoginProfile(t *testing.T) {
	acct := tAccount{users: []tUser{{name: "u", inline: []string{allow("iam:CreateLoginProfile", arnOf("user", "/", "boss"))}}, {name: "boss", attach: []string{adminAccessARN}}}}
	for _, tt := range []struct {
		password string
		want     string
	}{{"false", "create_login_profile>user/boss"}, {"true", "none"}} {
		cr, err := ReadCredentialReport([]byte(credHeader+"\nboss,"+arnOf("user", "/", "boss")+",2024-01-01T00:00:00+00:00,"+tt.password+
			",N/A,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"), "cr.csv")
		if err != nil {
			t.Fatal(err)
		}
		r := scanAccount(t, acct, Options{CredentialReport: cr, Now: mustTime("2024-02-01T00:00:00Z")})
		if got := pathKinds(r, "u"); got != tt.want {
			t.Errorf("boss has a password: %s: got %q, want %q", tt.password, got, tt.want)
		}
	}
}

// TestRuleTableCoverage: every escalation rule of the engine is either an edge of the
// graph or a finding without one, and every pass-role rule names its service.
func TestRuleTableCoverage(t *testing.T) {
	for _, r := range iam.RiskRules() {
		if r.Type != iam.RiskPrivilegeEscalation {
			continue
		}
		if isModelled(r.ID) == isUnmodelled(r.ID) {
			t.Errorf("rule %s: modelled %v, unmodelled %v: decide one in graph_rules.go", r.ID, isModelled(r.ID), isUnmodelled(r.ID))
		}
		if strings.HasPrefix(r.ID, "passrole-") && passRoleServices[r.ID] == "" {
			t.Errorf("rule %s has no service principal", r.ID)
		}
	}
	for id := range modelledRules {
		if _, ok := ruleGroups()[id]; !ok {
			t.Errorf("modelled rule %s is not in iam.RiskRules()", id)
		}
	}
}
