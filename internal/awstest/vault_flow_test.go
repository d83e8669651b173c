package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestVaultSecretsEngineCalls replays the calls Vault's AWS secrets engine makes for
// an iam_user credential (create, then revoke), an assumed_role and a
// federation_token, in Vault's order, with a non-admin "root" user for Vault.
func TestVaultSecretsEngineCalls(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	a := admin(t, srv)
	_, err := a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("vault-devs")})
	noErr(t, err)
	roleARN := createRole(t, srv, "vault-role", trustAccount(acct), 0, allowAll)
	vaultPolicy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateUser","iam:DeleteAccessKey","iam:DeleteUser","iam:DeleteUserPolicy",
		"iam:DetachUserPolicy","iam:GetUser","iam:ListAccessKeys","iam:ListAttachedUserPolicies","iam:ListGroupsForUser","iam:ListUserPolicies",
		"iam:PutUserPolicy","iam:AddUserToGroup","iam:RemoveUserFromGroup","iam:TagUser"],"Resource":["arn:aws:iam::` + acct + `:user/vault-*","arn:aws:iam::` + acct + `:group/*"]},
		{"Effect":"Allow","Action":["iam:GetUser"],"Resource":"arn:aws:iam::` + acct + `:user/vault-root"},
		{"Effect":"Allow","Action":["sts:AssumeRole","sts:GetFederationToken"],"Resource":"*"}]}`
	root := as(srv, newUserWithKey(t, srv, "vault-root", vaultPolicy))

	id, err := root.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
	if *id.Arn != "arn:aws:iam::"+acct+":user/vault-root" {
		t.Fatalf("GetCallerIdentity %s", *id.Arn)
	}
	_, err = root.iam.GetUser(ctx, &iam.GetUserInput{})
	noErr(t, err)

	// iam_user: create.
	name := "vault-token-app-1700000000-abcdef"
	_, err = root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/"),
		Tags: []iamtypes.Tag{{Key: aws.String("vault"), Value: aws.String("yes")}}})
	noErr(t, err)
	_, err = root.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("vault-policy"), PolicyDocument: aws.String(allow("s3:ListAllMyBuckets", "*"))})
	noErr(t, err)
	_, err = root.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	noErr(t, err)
	_, err = root.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(name), GroupName: aws.String("vault-devs")})
	noErr(t, err)
	key, err := root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	noErr(t, err)
	issued := as(srv, Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey})
	_, err = issued.iam.ListRoles(ctx, &iam.ListRolesInput{})
	noErr(t, err)

	// iam_user: revoke, in Vault's order.
	groups, err := root.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
	noErr(t, err)
	for _, g := range groups.Groups {
		_, err := root.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: g.GroupName, UserName: aws.String(name)})
		noErr(t, err)
	}
	inline, err := root.iam.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(name)})
	noErr(t, err)
	for _, p := range inline.PolicyNames {
		_, err := root.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(p)})
		noErr(t, err)
	}
	attached, err := root.iam.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	noErr(t, err)
	for _, p := range attached.AttachedPolicies {
		_, err := root.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(name), PolicyArn: p.PolicyArn})
		noErr(t, err)
	}
	keys, err := root.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	noErr(t, err)
	for _, k := range keys.AccessKeyMetadata {
		_, err := root.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: k.AccessKeyId})
		noErr(t, err)
	}
	_, err = root.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
	noErr(t, err)
	_, err = issued.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	// Vault's root may not touch users outside its prefix.
	_, err = root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("someone-else")})
	wantAPIError(t, err, "AccessDenied", 403, "")

	// assumed_role and federation_token.
	ar, err := root.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("vault-session"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(allow("iam:ListRoles", "*"))})
	noErr(t, err)
	_, err = as(srv, sessionCreds(ar.Credentials)).iam.ListRoles(ctx, &iam.ListRolesInput{})
	noErr(t, err)
	ft, err := root.sts.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("vault-fed"), Policy: aws.String(allow("sts:GetCallerIdentity", "*"))})
	noErr(t, err)
	_, err = as(srv, sessionCreds(ft.Credentials)).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
}
