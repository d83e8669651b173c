package awstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func createRole(t *testing.T, srv *Server, name, trust string, maxSession int32, policy string) string {
	t.Helper()
	ctx := context.Background()
	a := admin(t, srv)
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxSession > 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	out, err := a.iam.CreateRole(ctx, in)
	noErr(t, err)
	if policy != "" {
		_, err = a.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)})
		noErr(t, err)
	}
	return *out.Role.Arn
}

func sessionCreds(c *ststypes.Credentials) Credentials {
	return Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken, Expires: *c.Expiration}
}

func TestAssumeRole(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	roleARN := createRole(t, srv, "deployer", trustAccount(acct), 7200, allowAll)
	alice := newUserWithKey(t, srv, "alice", allow("sts:AssumeRole", roleARN))
	nobody := newUserWithKey(t, srv, "nobody", "")
	_, err := admin(t, srv).iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("trusted")})
	noErr(t, err)
	k, err := admin(t, srv).iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("trusted")})
	noErr(t, err)
	trusted := Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
	directARN := createRole(t, srv, "direct", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:user/trusted"},"Action":"sts:AssumeRole"}]}`, 0, "")

	now := srv.Clock().Now()
	out, err := as(srv, alice).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	noErr(t, err)
	if got := *out.AssumedRoleUser.Arn; got != "arn:aws:sts::"+acct+":assumed-role/deployer/s1" {
		t.Fatalf("assumed role ARN %s", got)
	}
	if !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") || !out.Credentials.Expiration.Equal(now.Add(time.Hour)) {
		t.Fatalf("credentials %s expire %v, want %v", *out.Credentials.AccessKeyId, out.Credentials.Expiration, now.Add(time.Hour))
	}
	session := sessionCreds(out.Credentials)
	id, err := as(srv, session).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
	if *id.Arn != *out.AssumedRoleUser.Arn || *id.UserId != *out.AssumedRoleUser.AssumedRoleId || *id.Account != acct {
		t.Fatalf("GetCallerIdentity: %s %s", *id.Arn, *id.UserId)
	}

	tests := []struct {
		name  string
		creds Credentials
		in    sts.AssumeRoleInput
		code  string
		msg   string
	}{
		{"no identity permission", nobody, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx")},
			"AccessDenied", "User: arn:aws:iam::" + acct + ":user/nobody is not authorized to perform: sts:AssumeRole on resource: " + roleARN},
		{"missing role", alice, sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/ghost"), RoleSessionName: aws.String("xx")},
			"AccessDenied", "is not authorized to perform: sts:AssumeRole"},
		{"not trusted", alice, sts.AssumeRoleInput{RoleArn: aws.String(directARN), RoleSessionName: aws.String("xx")}, "AccessDenied", ""},
		{"too short", alice, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx"), DurationSeconds: aws.Int32(600)},
			"ValidationError", "Member must have value greater than or equal to 900"},
		{"longer than the role allows", alice, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx"), DurationSeconds: aws.Int32(7201)},
			"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"bad session name", alice, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("a b")}, "ValidationError", "roleSessionName"},
		{"chained beyond an hour", session, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx"), DurationSeconds: aws.Int32(3601)},
			"ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{"malformed session policy", alice, sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xx"), Policy: aws.String(`{"Statement":`)},
			"MalformedPolicyDocument", "Syntax errors in policy."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := as(srv, tc.creds).sts.AssumeRole(ctx, &in)
			wantAPIError(t, err, tc.code, 0, tc.msg)
		})
	}

	// A trust policy that names the user allows without any identity policy.
	_, err = as(srv, trusted).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(directARN), RoleSessionName: aws.String("dd")})
	noErr(t, err)

	// Role chaining: allowed within an hour.
	chained, err := as(srv, session).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s2"), DurationSeconds: aws.Int32(3600)})
	noErr(t, err)
	if *chained.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/deployer/s2" {
		t.Fatalf("chained: %s", *chained.AssumedRoleUser.Arn)
	}
	// GetRole shows when the role was last used.
	r, err := admin(t, srv).iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
	noErr(t, err)
	if r.Role.RoleLastUsed == nil || r.Role.RoleLastUsed.LastUsedDate == nil || *r.Role.RoleLastUsed.Region != "us-east-1" {
		t.Fatalf("RoleLastUsed: %+v", r.Role.RoleLastUsed)
	}
}

func TestSessionTagsAndSourceIdentity(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	plainTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	// The role may read the bucket prefix named after the session's "project" tag.
	perm := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/${aws:PrincipalTag/project}/*"},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@example.com"}}},
		{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	tagged := createRole(t, srv, "tagged", trustAccount(acct), 0, perm)
	plain := createRole(t, srv, "plain", plainTrust, 0, allowAll)
	// With a trust policy that names the account, the caller's own policy must allow
	// sts:TagSession and sts:SetSourceIdentity too.
	caller := newUserWithKey(t, srv, "caller", allow("sts:*", "*"))
	a := admin(t, srv)
	_, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")})
	noErr(t, err)
	for _, k := range []string{"apollo/a", "gemini/a"} {
		_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: strings.NewReader("x")})
		noErr(t, err)
	}
	tags := []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("apollo")}}

	// Tags need sts:TagSession in the trust policy, a source identity sts:SetSourceIdentity.
	_, err = as(srv, caller).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("tt"), Tags: tags})
	wantAPIError(t, err, "AccessDenied", 403, "sts:TagSession")
	_, err = as(srv, caller).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("tt"), SourceIdentity: aws.String("alice@example.com")})
	wantAPIError(t, err, "AccessDenied", 403, "sts:SetSourceIdentity")

	out, err := as(srv, caller).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tagged), RoleSessionName: aws.String("tt"), Tags: tags,
		TransitiveTagKeys: []string{"project"}, SourceIdentity: aws.String("alice@example.com")})
	noErr(t, err)
	if out.SessionTokenUtilization == nil || *out.SessionTokenUtilization < 1 || *out.SessionTokenSize != int32(len(*out.Credentials.SessionToken)) || *out.SourceIdentity != "alice@example.com" {
		t.Fatalf("AssumeRole: token use %v source %v", out.SessionTokenUtilization, out.SourceIdentity)
	}
	sess := as(srv, sessionCreds(out.Credentials))
	_, err = sess.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("apollo/a")})
	noErr(t, err)
	_, err = sess.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("gemini/a")})
	wantAPIError(t, err, "AccessDenied", 403, `is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/gemini/a"`)
	_, err = sess.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("apollo/b"), Body: strings.NewReader("y")})
	noErr(t, err)

	// Chaining keeps the source identity and the transitive tag.
	chained, err := sess.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tagged), RoleSessionName: aws.String("t2")})
	noErr(t, err)
	c2 := as(srv, sessionCreds(chained.Credentials))
	_, err = c2.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("apollo/a")})
	noErr(t, err)
	_, err = c2.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("apollo/c"), Body: strings.NewReader("z")})
	noErr(t, err)
	// The events of the chained session name the source identity.
	var found bool
	for _, e := range srv.Events() {
		if e.EventName == "PutObject" && e.UserIdentity.SessionContext != nil && strings.HasSuffix(e.UserIdentity.ARN, "/t2") {
			found = e.UserIdentity.SessionContext.SourceIdentity == "alice@example.com" && e.UserIdentity.SessionContext.SessionIssuer.UserName == "tagged"
		}
	}
	if !found {
		t.Fatal("no PutObject event of the chained session with its source identity")
	}
}

func TestSessionPolicy(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	roleARN := createRole(t, srv, "broad", trustAccount(srv.Account()), 0, allowAll)
	caller := newUserWithKey(t, srv, "caller", allow("sts:AssumeRole", roleARN))
	out, err := as(srv, caller).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(allow("s3:ListAllMyBuckets", "*"))})
	noErr(t, err)
	sess := as(srv, sessionCreds(out.Credentials))
	_, err = sess.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	noErr(t, err)
	_, err = sess.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "AccessDenied", 403, "User: arn:aws:sts::111122223333:assumed-role/broad/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::111122223333:user/ because no session policy allows the iam:ListUsers action")

	// A managed policy as session policy.
	p, err := admin(t, srv).iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("list-users"), PolicyDocument: aws.String(allow("iam:ListUsers", "*"))})
	noErr(t, err)
	out, err = as(srv, caller).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("arns"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: p.Policy.Arn}}})
	noErr(t, err)
	sess = as(srv, sessionCreds(out.Credentials))
	_, err = sess.iam.ListUsers(ctx, &iam.ListUsersInput{})
	noErr(t, err)
	_, err = sess.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AccessDenied", 403, "because no session policy allows the s3:ListAllMyBuckets action")
}

func TestGetSessionTokenAndFederationToken(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	user := newUserWithKey(t, srv, "fed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:GetFederationToken","iam:GetUser"],"Resource":"*"}]}`)
	u := as(srv, user)

	// GetSessionToken: the same user, temporary keys, 12 hours by default.
	now := srv.Clock().Now()
	st, err := u.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	noErr(t, err)
	if !st.Credentials.Expiration.Equal(now.Add(12 * time.Hour)) {
		t.Fatalf("session token expires %v", st.Credentials.Expiration)
	}
	tmp := as(srv, sessionCreds(st.Credentials))
	id, err := tmp.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
	if *id.Arn != "arn:aws:iam::"+acct+":user/fed" {
		t.Fatalf("session token identity %s", *id.Arn)
	}
	_, err = tmp.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	noErr(t, err)
	_, err = tmp.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "AccessDenied", 403, "")
	_, err = u.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	wantAPIError(t, err, "ValidationError", 400, "")

	// GetFederationToken without a policy: a session with no permissions.
	ft, err := u.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob")})
	noErr(t, err)
	if *ft.FederatedUser.Arn != "arn:aws:sts::"+acct+":federated-user/bob" || *ft.FederatedUser.FederatedUserId != acct+":bob" {
		t.Fatalf("federated user %+v", ft.FederatedUser)
	}
	fed := as(srv, sessionCreds(ft.Credentials))
	id, err = fed.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
	if *id.Arn != *ft.FederatedUser.Arn {
		t.Fatalf("federated identity %s", *id.Arn)
	}
	_, err = fed.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AccessDenied", 403, "because no session policy allows the s3:ListAllMyBuckets action")

	// With a policy: the intersection of the user's permissions and the policy.
	ft, err = u.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","iam:ListUsers"],"Resource":"*"}]}`)})
	noErr(t, err)
	fed = as(srv, sessionCreds(ft.Credentials))
	_, err = fed.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	noErr(t, err)
	_, err = fed.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fed-bucket")})
	wantAPIError(t, err, "AccessDenied", 403, "because no session policy allows the s3:CreateBucket action")
	// Federation tokens, and session tokens without MFA, cannot call IAM at all.
	_, err = fed.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	_, err = tmp.iam.GetUser(ctx, &iam.GetUserInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	_, err = fed.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/x"), RoleSessionName: aws.String("xx")})
	wantAPIError(t, err, "AccessDenied", 403, "")
	_, err = fed.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	wantAPIError(t, err, "AccessDenied", 403, "Cannot call GetFederationToken with session credentials")
}
