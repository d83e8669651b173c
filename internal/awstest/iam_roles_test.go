package awstest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestRoles(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	out, err := a.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("runs functions"), MaxSessionDuration: aws.Int32(7200), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	noErr(t, err)
	if *out.Role.Arn != "arn:aws:iam::111122223333:role/svc/fn" || !strings.HasPrefix(*out.Role.RoleId, "AROA") {
		t.Fatalf("CreateRole: %+v", out.Role)
	}
	got, err := a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("fn")})
	noErr(t, err)
	if decodeDoc(t, got.Role.AssumeRolePolicyDocument) != trust || *got.Role.MaxSessionDuration != 7200 || *got.Role.Description != "runs functions" || len(got.Role.Tags) != 1 {
		t.Fatalf("GetRole: %+v", got.Role)
	}

	errorCases := []struct {
		name   string
		input  *iam.CreateRoleInput
		code   string
		status int
		msg    string
	}{
		{"exists", &iam.CreateRoleInput{RoleName: aws.String("FN"), AssumeRolePolicyDocument: aws.String(trust)}, "EntityAlreadyExists", 409, "Role with name FN already exists."},
		{"bad name", &iam.CreateRoleInput{RoleName: aws.String("a/b"), AssumeRolePolicyDocument: aws.String(trust)}, "ValidationError", 400, "Value 'a/b' at 'roleName'"},
		{"trust without principal", &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", 400, "Missing required field Principal"},
		{"trust with other actions", &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject"}]}`)},
			"MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"unknown principal", &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ghost"},"Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/ghost"`},
		{"trust too large", &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + strings.Repeat("a", 2100) + `.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)},
			"LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048"},
		{"session too long", &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(50000)},
			"ValidationError", 400, "Member must have value less than or equal to 43200"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.iam.CreateRole(ctx, tc.input)
			wantAPIError(t, err, tc.code, tc.status, tc.msg)
		})
	}
	roles, err := a.iam.ListRoles(ctx, &iam.ListRolesInput{})
	noErr(t, err)
	if len(roles.Roles) != 1 {
		t.Fatalf("failed CreateRole calls left roles behind: %d", len(roles.Roles))
	}
	if roles.Roles[0].Tags != nil {
		t.Fatal("ListRoles must not return tags")
	}

	// Updates.
	_, err = a.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("fn"), MaxSessionDuration: aws.Int32(3600), Description: aws.String("new")})
	noErr(t, err)
	newTrust := trustAccount("111122223333")
	_, err = a.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("fn"), PolicyDocument: aws.String(newTrust)})
	noErr(t, err)
	_, err = a.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("fn"), PolicyDocument: aws.String("{")})
	wantAPIError(t, err, "MalformedPolicyDocument", 400, "")
	got, err = a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("fn")})
	noErr(t, err)
	if decodeDoc(t, got.Role.AssumeRolePolicyDocument) != newTrust || *got.Role.MaxSessionDuration != 3600 || *got.Role.Description != "new" {
		t.Fatalf("after updates: %+v", got.Role)
	}
	_, err = a.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("fn"), Tags: []types.Tag{{Key: aws.String("k2"), Value: aws.String("v2")}}})
	noErr(t, err)
	rt, err := a.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("fn")})
	noErr(t, err)
	if len(rt.Tags) != 2 {
		t.Fatalf("role tags %+v", rt.Tags)
	}

	// Delete needs policies gone first.
	_, err = a.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)})
	noErr(t, err)
	_, err = a.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	_, err = a.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p")})
	noErr(t, err)
	_, err = a.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")})
	noErr(t, err)
	_, err = a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("fn")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The role with name fn cannot be found.")
}
