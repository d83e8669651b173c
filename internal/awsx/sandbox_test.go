package awsx

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awstest"
)

// startSandbox runs the AWS sandbox with a role, a user (with an inline policy) and a
// group, and returns the wrapper pointed at it with the admin key.
func startSandbox(t *testing.T) (*IAM, *awstest.Server) {
	t.Helper()
	srv := awstest.Start(t)
	x := NewIAM(srv.AdminConfig(context.Background()))
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	must(t, func() error {
		_, err := x.Client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(trust)})
		return err
	})
	must(t, func() error {
		_, err := x.Client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
		return err
	})
	must(t, func() error {
		_, err := x.Client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("inline"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*","Condition":{"StringLike":{"aws:UserAgent":"a+b c"}}}]}`)})
		return err
	})
	must(t, func() error {
		_, err := x.Client.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")})
		return err
	})
	return x, srv
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}
