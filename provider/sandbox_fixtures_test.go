package provider

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// trustAccount lets principals of the sandbox account assume a role.
const trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`

// CreateRole makes a role in the sandbox (path "/" when empty).
func (e *accEnv) CreateRole(name, path string) {
	e.t.Helper()
	if path == "" {
		path = "/"
	}
	_, err := e.IAM.Client.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trustAccount),
	})
	fatalIf(e.t, err)
}

// CreateUser makes a user in the sandbox.
func (e *accEnv) CreateUser(name string) {
	e.t.Helper()
	_, err := e.IAM.Client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)})
	fatalIf(e.t, err)
}

// CreateGroup makes a group in the sandbox.
func (e *accEnv) CreateGroup(name string) {
	e.t.Helper()
	_, err := e.IAM.Client.CreateGroup(context.Background(), &iam.CreateGroupInput{GroupName: aws.String(name)})
	fatalIf(e.t, err)
}

func fatalIf(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
