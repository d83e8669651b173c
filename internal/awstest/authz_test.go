package awstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// s3Setup creates buckets with one object each.
func s3Setup(t *testing.T, srv *Server, objects ...string) {
	t.Helper()
	ctx := context.Background()
	a := admin(t, srv)
	made := map[string]bool{}
	for _, o := range objects {
		b, k, _ := strings.Cut(o, "/")
		if !made[b] {
			_, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
			noErr(t, err)
			made[b] = true
		}
		_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader(o)})
		noErr(t, err)
	}
}

func getObject(c clients, object string) error {
	b, k, _ := strings.Cut(object, "/")
	out, err := c.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func TestAuthorisationOfIdentityPolicies(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	a := admin(t, srv)
	s3Setup(t, srv, "alpha-bucket/k", "beta-bucket/k", "home-bucket/reader/x", "home-bucket/other/x")

	// reader: an inline policy for alpha, a group for beta, ${aws:username} for home.
	reader := newUserWithKey(t, srv, "reader", allow("s3:GetObject", "arn:aws:s3:::alpha-bucket/*"))
	_, err := a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("beta-readers")})
	noErr(t, err)
	_, err = a.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("beta-readers"), PolicyName: aws.String("beta"),
		PolicyDocument: aws.String(allow("s3:GetObject", "arn:aws:s3:::beta-bucket/*"))})
	noErr(t, err)
	_, err = a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("beta-readers"), UserName: aws.String("reader")})
	noErr(t, err)
	home, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("home"), PolicyDocument: aws.String(allow("s3:GetObject", "arn:aws:s3:::home-bucket/${aws:username}/*"))})
	noErr(t, err)
	_, err = a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: home.Policy.Arn})
	noErr(t, err)
	c := as(srv, reader)
	user := "User: arn:aws:iam::" + acct + ":user/reader is not authorized to perform: "

	tests := []struct {
		object string
		msg    string // "" when allowed
	}{
		{"alpha-bucket/k", ""},
		{"beta-bucket/k", ""},
		{"home-bucket/reader/x", ""},
		{"home-bucket/other/x", user + `s3:GetObject on resource: "arn:aws:s3:::home-bucket/other/x" because no identity-based policy allows the s3:GetObject action`},
	}
	for _, tc := range tests {
		t.Run(tc.object, func(t *testing.T) {
			err := getObject(c, tc.object)
			if tc.msg == "" {
				noErr(t, err)
				return
			}
			wantAPIError(t, err, "AccessDenied", 403, tc.msg)
		})
	}

	// An explicit deny in a managed policy names it; in an inline policy it does not.
	deny, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("no-beta"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::beta-bucket/*"}]}`)})
	noErr(t, err)
	_, err = a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: deny.Policy.Arn})
	noErr(t, err)
	wantAPIError(t, getObject(c, "beta-bucket/k"), "AccessDenied", 403,
		user+`s3:GetObject on resource: "arn:aws:s3:::beta-bucket/k" with an explicit deny in an identity-based policy: `+*deny.Policy.Arn)
	_, err = a.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("inline-deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::alpha-bucket/*"}]}`)})
	noErr(t, err)
	err = getObject(c, "alpha-bucket/k")
	wantAPIError(t, err, "AccessDenied", 403, `"arn:aws:s3:::alpha-bucket/k" with an explicit deny in an identity-based policy`)

	// Removing the user from the group takes effect at once.
	_, err = a.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: deny.Policy.Arn})
	noErr(t, err)
	noErr(t, getObject(c, "beta-bucket/k"))
	_, err = a.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("beta-readers"), UserName: aws.String("reader")})
	noErr(t, err)
	wantAPIError(t, getObject(c, "beta-bucket/k"), "AccessDenied", 403, "because no identity-based policy allows")

	// IAM calls are authorised too, on the entity's ARN.
	_, err = c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
	wantAPIError(t, err, "AccessDenied", 403, user+"iam:CreateUser on resource: arn:aws:iam::"+acct+":user/mallory because no identity-based policy allows the iam:CreateUser action")
	_, err = c.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AccessDenied", 403, user+"s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action")
	// GetCallerIdentity needs no permission.
	_, err = c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
}

func TestPermissionsBoundaryLimitsAccess(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	s3Setup(t, srv, "bounded/k")
	b, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-only-s3"), PolicyDocument: aws.String(allow("s3:Get*", "*"))})
	noErr(t, err)
	k := newUserWithKey(t, srv, "bounded", allowAll)
	_, err = a.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: b.Policy.Arn})
	noErr(t, err)
	c := as(srv, k)
	noErr(t, getObject(c, "bounded/k"))
	_, err = c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bounded"), Key: aws.String("new"), Body: strings.NewReader("x")})
	wantAPIError(t, err, "AccessDenied", 403, `s3:PutObject on resource: "arn:aws:s3:::bounded/new" because no permissions boundary allows the s3:PutObject action`)

	// A role with a boundary: its sessions are bounded too.
	roleARN := createRole(t, srv, "bounded-role", trustAccount(srv.Account()), 0, allowAll)
	_, err = a.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role"), PermissionsBoundary: b.Policy.Arn})
	noErr(t, err)
	out, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bb")})
	noErr(t, err)
	sess := as(srv, sessionCreds(out.Credentials))
	noErr(t, getObject(sess, "bounded/k"))
	_, err = sess.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantAPIError(t, err, "AccessDenied", 403, "because no permissions boundary allows the iam:ListRoles action")
}

func TestRequestContextConditions(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	now := srv.Clock().Now()
	s3Setup(t, srv, "ctx-bucket/k")
	cond := func(op, key, value string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"` + op + `":{"` + key + `":"` + value + `"}}}]}`
	}
	tests := []struct {
		name    string
		policy  string
		tags    map[string]string
		allowed bool
	}{
		{"current time before", cond("DateLessThan", "aws:CurrentTime", now.Add(time.Hour).Format(time.RFC3339)), nil, true},
		{"current time after", cond("DateGreaterThan", "aws:CurrentTime", now.Add(time.Hour).Format(time.RFC3339)), nil, false},
		{"source ip", cond("IpAddress", "aws:SourceIp", "127.0.0.0/8"), nil, true},
		{"other source ip", cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"), nil, false},
		{"insecure transport", cond("Bool", "aws:SecureTransport", "false"), nil, true},
		{"username", cond("StringEquals", "aws:username", "ctx-username"), nil, true},
		{"principal arn", cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/ctx-principal-arn"), nil, true},
		{"principal account", cond("StringEquals", "aws:PrincipalAccount", srv.Account()), nil, true},
		{"principal tag", cond("StringEquals", "aws:PrincipalTag/team", "blue"), map[string]string{"team": "blue"}, true},
		{"other principal tag", cond("StringEquals", "aws:PrincipalTag/team", "red"), map[string]string{"team": "blue"}, false},
		{"no MFA on long-term keys", cond("Bool", "aws:MultiFactorAuthPresent", "true"), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := "ctx-" + strings.ReplaceAll(tc.name, " ", "-")
			k := newUserWithKey(t, srv, name, tc.policy)
			for key, v := range tc.tags {
				_, err := a.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(name), Tags: []iamtypes.Tag{{Key: aws.String(key), Value: aws.String(v)}}})
				noErr(t, err)
			}
			err := getObject(as(srv, k), "ctx-bucket/k")
			if tc.allowed {
				noErr(t, err)
			} else {
				wantAPIError(t, err, "AccessDenied", 403, "")
			}
		})
	}
}

// TestGrantExpiresWithTheClock is the broker's pattern: a session policy that allows
// until a time, and a deny on aws:TokenIssueTime that revokes older sessions.
func TestGrantExpiresWithTheClock(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	s3Setup(t, srv, "grant-bucket/k")
	roleARN := createRole(t, srv, "jit", trustAccount(srv.Account()), 0, allowAll)
	expiry := srv.Clock().Now().Add(20 * time.Minute).Format(time.RFC3339)
	out, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("grant-42"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"` + expiry + `"}}}]}`)})
	noErr(t, err)
	sess := as(srv, sessionCreds(out.Credentials))
	noErr(t, getObject(sess, "grant-bucket/k"))
	srv.Advance(21 * time.Minute)
	wantAPIError(t, getObject(sess, "grant-bucket/k"), "AccessDenied", 403, "because no session policy allows the s3:GetObject action")

	// Revoke older sessions: deny everything issued before now.
	out, err = a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("grant-43")})
	noErr(t, err)
	sess = as(srv, sessionCreds(out.Credentials))
	noErr(t, getObject(sess, "grant-bucket/k"))
	srv.Advance(time.Minute)
	cutoff := srv.Clock().Now().Format(time.RFC3339)
	_, err = a.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("jit"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`)})
	noErr(t, err)
	wantAPIError(t, getObject(sess, "grant-bucket/k"), "AccessDenied", 403, "with an explicit deny in an identity-based policy")
	fresh, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("grant-44")})
	noErr(t, err)
	noErr(t, getObject(as(srv, sessionCreds(fresh.Credentials)), "grant-bucket/k"))

	// Sessions of a deleted role can do nothing.
	_, err = a.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("jit"), PolicyName: aws.String("p")})
	noErr(t, err)
	_, err = a.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("jit"), PolicyName: aws.String("AWSRevokeOlderSessions")})
	noErr(t, err)
	_, err = a.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("jit")})
	noErr(t, err)
	wantAPIError(t, getObject(as(srv, sessionCreds(fresh.Credentials)), "grant-bucket/k"), "AccessDenied", 403, "")
}

func TestMFASessionContext(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	s3Setup(t, srv, "mfa-bucket/k")
	k := newUserWithKey(t, srv, "mfa", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	plain, err := as(srv, k).sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	noErr(t, err)
	wantAPIError(t, getObject(as(srv, sessionCreds(plain.Credentials)), "mfa-bucket/k"), "AccessDenied", 403, "")
	withMFA, err := as(srv, k).sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/mfa"), TokenCode: aws.String("123456")})
	noErr(t, err)
	noErr(t, getObject(as(srv, sessionCreds(withMFA.Credentials)), "mfa-bucket/k"))
}
