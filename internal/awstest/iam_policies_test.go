package awstest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestManagedPolicyVersions(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	v1 := allow("s3:GetObject", "*")
	out, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("reader"), Path: aws.String("/app/"), PolicyDocument: aws.String(v1), Description: aws.String("reads")})
	noErr(t, err)
	arn := *out.Policy.Arn
	if arn != "arn:aws:iam::111122223333:policy/app/reader" || *out.Policy.DefaultVersionId != "v1" || !strings.HasPrefix(*out.Policy.PolicyId, "ANPA") {
		t.Fatalf("CreatePolicy: %+v", out.Policy)
	}
	_, err = a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("READER"), PolicyDocument: aws.String(v1)})
	wantAPIError(t, err, "EntityAlreadyExists", 409, "A policy called READER already exists.")

	// Versions v2..v5; the sixth is over the limit.
	for i := 2; i <= 5; i++ {
		_, err := a.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allow(fmt.Sprintf("s3:Get%d", i), "*")), SetAsDefault: i == 3})
		noErr(t, err)
	}
	_, err = a.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v1)})
	wantAPIError(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions.")
	pol, err := a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	noErr(t, err)
	if *pol.Policy.DefaultVersionId != "v3" || *pol.Policy.Description != "reads" {
		t.Fatalf("GetPolicy: %+v", pol.Policy)
	}
	vs, err := a.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	noErr(t, err)
	if len(vs.Versions) != 5 || *vs.Versions[0].VersionId != "v5" || !vs.Versions[2].IsDefaultVersion {
		t.Fatalf("ListPolicyVersions: %+v", vs.Versions)
	}
	pv, err := a.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	noErr(t, err)
	if decodeDoc(t, pv.PolicyVersion.Document) != v1 || pv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion v1: %+v", pv.PolicyVersion)
	}
	_, err = a.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	_, err = a.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	wantAPIError(t, err, "NoSuchEntity", 404, "")
	_, err = a.iam.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
	noErr(t, err)
	_, err = a.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, err, "DeleteConflict", 409, "must delete the policy's versions")
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		_, err := a.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})
		noErr(t, err)
	}
	// v6 next, never reusing numbers.
	nv, err := a.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v1)})
	noErr(t, err)
	if *nv.PolicyVersion.VersionId != "v6" {
		t.Fatalf("next version %s", *nv.PolicyVersion.VersionId)
	}
	_, err = a.iam.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v6")})
	noErr(t, err)

	// Attached policies cannot be deleted.
	_, err = a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})
	noErr(t, err)
	_, err = a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)})
	noErr(t, err)
	_, err = a.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	_, err = a.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)})
	noErr(t, err)
	_, err = a.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	noErr(t, err)
	_, err = a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, err, "NoSuchEntity", 404, "was not found")
}

func TestManagedPolicyDocumentErrorsLeaveStateUnchanged(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	tests := []struct {
		name, doc, code string
		status          int
		msg             string
	}{
		{"oversized", docOfSize(limitManagedPolicy + 1), "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144"},
		{"syntax", `{"Version":"2012-10-17",`, "MalformedPolicyDocument", 400, "Syntax errors in policy."},
		{"no effect", `{"Version":"2012-10-17","Statement":[{"Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument", 400, "Missing required field Effect"},
		{"bad version", `{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument", 400, "The policy failed legacy parsing"},
		{"duplicate sid", `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			"MalformedPolicyDocument", 400, "Statement IDs (SID) in a single policy must be unique."},
		{"bad resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}`, "MalformedPolicyDocument", 400, `Resource bucket must be in ARN format or "*".`},
		{"non-latin-1", `{"Version":"2012-10-17","Statement":[{"Sid":"ж","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "ValidationError", 400, "at 'policyDocument' failed to satisfy constraint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p-" + strings.ReplaceAll(tc.name, " ", "-")), PolicyDocument: aws.String(tc.doc)})
			wantAPIError(t, err, tc.code, tc.status, tc.msg)
		})
	}
	// Exactly at the limit is fine, whitespace is free.
	padded := strings.ReplaceAll(docOfSize(limitManagedPolicy), ",", " ,\n  ")
	_, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("at-limit"), PolicyDocument: aws.String(padded)})
	noErr(t, err)
	list, err := a.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	noErr(t, err)
	if len(list.Policies) != 1 || *list.Policies[0].PolicyName != "at-limit" {
		t.Fatalf("local policies: %d", len(list.Policies))
	}
	// A bad new version leaves the versions as they were.
	arn := *list.Policies[0].Arn
	_, err = a.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(docOfSize(limitManagedPolicy + 1))})
	wantAPIError(t, err, "LimitExceeded", 409, "")
	vs, err := a.iam.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	noErr(t, err)
	if len(vs.Versions) != 1 {
		t.Fatalf("versions after a failed CreatePolicyVersion: %d", len(vs.Versions))
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	arn := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	p, err := a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	noErr(t, err)
	if *p.Policy.Path != "/service-role/" || *p.Policy.PolicyName != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("GetPolicy: %+v", p.Policy)
	}
	v, err := a.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
	noErr(t, err)
	if !strings.Contains(decodeDoc(t, v.PolicyVersion.Document), "logs:CreateLogGroup") {
		t.Fatalf("document: %s", decodeDoc(t, v.PolicyVersion.Document))
	}
	// AWS managed policies are read-only.
	_, err = a.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowAll)})
	if err == nil {
		t.Fatal("CreatePolicyVersion on an AWS managed policy succeeded")
	}
	// Scopes and OnlyAttached.
	aws1, err := a.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
	noErr(t, err)
	if len(aws1.Policies) != 1000 || !aws1.IsTruncated {
		t.Fatalf("AWS scope: %d truncated=%v", len(aws1.Policies), aws1.IsTruncated)
	}
	attached, err := a.iam.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true})
	noErr(t, err)
	if len(attached.Policies) != 1 || *attached.Policies[0].PolicyName != "AdministratorAccess" || *attached.Policies[0].AttachmentCount != 1 {
		t.Fatalf("OnlyAttached: %+v", attached.Policies)
	}
	ents, err := a.iam.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	noErr(t, err)
	if len(ents.PolicyUsers) != 1 || *ents.PolicyUsers[0].UserName != AdminUserName || len(ents.PolicyRoles) != 0 {
		t.Fatalf("ListEntitiesForPolicy: %+v", ents)
	}
}

func TestListEntitiesForPolicy(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	p, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("shared"), PolicyDocument: aws.String(allowAll)})
	noErr(t, err)
	arn := p.Policy.Arn
	_, err = a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u1")})
	noErr(t, err)
	_, err = a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: arn})
	noErr(t, err)
	_, err = a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u2"), PermissionsBoundary: arn})
	noErr(t, err)
	_, err = a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})
	noErr(t, err)
	_, err = a.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arn})
	noErr(t, err)
	_, err = a.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustAccount("111122223333"))})
	noErr(t, err)
	_, err = a.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn})
	noErr(t, err)

	tests := []struct {
		name                 string
		in                   iam.ListEntitiesForPolicyInput
		users, groups, roles int
	}{
		{"all", iam.ListEntitiesForPolicyInput{}, 2, 1, 1},
		{"users", iam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeUser}, 2, 0, 0},
		{"permissions only", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}, 1, 1, 1},
		{"boundary only", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, 1, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.PolicyArn = arn
			out, err := a.iam.ListEntitiesForPolicy(ctx, &in)
			noErr(t, err)
			if len(out.PolicyUsers) != tc.users || len(out.PolicyGroups) != tc.groups || len(out.PolicyRoles) != tc.roles {
				t.Fatalf("users %d groups %d roles %d", len(out.PolicyUsers), len(out.PolicyGroups), len(out.PolicyRoles))
			}
		})
	}
	// Pages of one.
	var n int
	pg := iam.NewListEntitiesForPolicyPaginator(a.iam, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, MaxItems: aws.Int32(1)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		noErr(t, err)
		n += len(out.PolicyUsers) + len(out.PolicyGroups) + len(out.PolicyRoles)
	}
	if n != 4 {
		t.Fatalf("paged entities: %d", n)
	}
	pol, err := a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	noErr(t, err)
	if *pol.Policy.AttachmentCount != 3 || *pol.Policy.PermissionsBoundaryUsageCount != 1 {
		t.Fatalf("counts %d %d", *pol.Policy.AttachmentCount, *pol.Policy.PermissionsBoundaryUsageCount)
	}
}
