package acctest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ciem/ciem/internal/awstest"
)

// BroadPolicy is what the right-sizing tests start from: far more than the traffic uses.
const BroadPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","s3:ListAllMyBuckets","s3:CreateBucket"],"Resource":"*"}]}`

// Call is one API call a test makes as a principal.
type Call struct {
	Action string // the IAM action it needs, e.g. "iam:ListRoles"
	Run    func(ctx context.Context, cfg aws.Config) error
}

// UsedCalls are the calls the right-sizing tests make as role/NAME before right-sizing
// (management events, which LookupEvents records).
func UsedCalls(roleName string) []Call {
	return []Call{
		{"iam:ListRoles", func(ctx context.Context, c aws.Config) error {
			_, err := iam.NewFromConfig(c).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}},
		{"iam:GetRole", func(ctx context.Context, c aws.Config) error {
			_, err := iam.NewFromConfig(c).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
			return err
		}},
		{"s3:ListAllMyBuckets", func(ctx context.Context, c aws.Config) error {
			_, err := s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
	}
}

// UnusedCalls need actions BroadPolicy grants and UsedCalls never make.
var UnusedCalls = []Call{
	{"iam:ListUsers", func(ctx context.Context, c aws.Config) error {
		_, err := iam.NewFromConfig(c).ListUsers(ctx, &iam.ListUsersInput{})
		return err
	}},
	{"s3:CreateBucket", func(ctx context.Context, c aws.Config) error {
		_, err := s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("replay-bucket")})
		return err
	}},
}

// AssumeRole returns a configuration that calls the sandbox as a session of the role,
// assumed with the admin key.
func AssumeRole(t testing.TB, srv *awstest.Server, roleARN, session string) aws.Config {
	t.Helper()
	ctx := context.Background()
	out, err := sts.NewFromConfig(srv.AdminConfig(ctx)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session),
	})
	if err != nil {
		t.Fatalf("assuming %s: %v", roleARN, err)
	}
	c := out.Credentials
	return srv.ConfigFor(awstest.Credentials{
		AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken),
	})
}

// Replay makes each call and reports which the sandbox denied (AccessDenied) and which
// failed otherwise.
func Replay(ctx context.Context, cfg aws.Config, calls []Call) (denied []string, err error) {
	for _, c := range calls {
		err := c.Run(ctx, cfg)
		if err == nil {
			continue
		}
		var ae smithy.APIError
		if errors.As(err, &ae) && (ae.ErrorCode() == "AccessDenied" || ae.ErrorCode() == "AccessDeniedException") {
			denied = append(denied, c.Action)
			continue
		}
		return denied, fmt.Errorf("%s: %w", c.Action, err)
	}
	return denied, nil
}

// BroadRole makes role/NAME (assumable by the account) holding BroadPolicy as the customer
// managed policy NAME-broad, and makes the UsedCalls as a session of it. It returns the
// role's ARN.
func BroadRole(t testing.TB, srv *awstest.Server, name string) string {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(srv.AdminConfig(ctx))
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, srv.Account())
	role, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name + "-broad"), PolicyDocument: aws.String(BroadPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	denied, err := Replay(ctx, AssumeRole(t, srv, aws.ToString(role.Role.Arn), "traffic"), UsedCalls(name))
	if err != nil || len(denied) > 0 {
		t.Fatalf("making the traffic: denied %v, %v", denied, err)
	}
	return aws.ToString(role.Role.Arn)
}
