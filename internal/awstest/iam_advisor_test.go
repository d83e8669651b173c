package awstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestAccessAdvisor(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	a := admin(t, srv)
	s3Setup(t, srv, "advised/k")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","iam:ListUsers","ec2:DescribeInstances"],"Resource":"*"}]}`
	roleARN := createRole(t, srv, "advised", trustAccount(acct), 0, policy)
	out, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("use")})
	noErr(t, err)
	sess := as(srv, sessionCreds(out.Credentials))
	used := srv.Clock().Now()
	noErr(t, getObject(sess, "advised/k"))
	srv.Advance(time.Minute)
	_, err = sess.iam.ListUsers(ctx, &iam.ListUsersInput{})
	noErr(t, err)

	job, err := a.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(roleARN), Granularity: iamtypes.AccessAdvisorUsageGranularityTypeActionLevel})
	noErr(t, err)
	rep, err := a.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job.JobId})
	noErr(t, err)
	if rep.JobStatus != iamtypes.JobStatusTypeCompleted || rep.JobType != iamtypes.AccessAdvisorUsageGranularityTypeActionLevel {
		t.Fatalf("job %s %s", rep.JobStatus, rep.JobType)
	}
	byNS := map[string]iamtypes.ServiceLastAccessed{}
	for _, s := range rep.ServicesLastAccessed {
		byNS[*s.ServiceNamespace] = s
	}
	if len(byNS) != 3 {
		t.Fatalf("services %v, want ec2, iam and s3 (what the policy grants)", byNS)
	}
	s3r := byNS["s3"]
	if s3r.LastAuthenticated == nil || !s3r.LastAuthenticated.Equal(used) || *s3r.LastAuthenticatedEntity != roleARN || s3r.TotalAuthenticatedEntities == nil || *s3r.TotalAuthenticatedEntities != 1 || *s3r.ServiceName != "Amazon S3" {
		t.Fatalf("s3: %+v", s3r)
	}
	var actions []string
	for _, ta := range s3r.TrackedActionsLastAccessed {
		actions = append(actions, *ta.ActionName)
	}
	if strings.Join(actions, ",") != "GetObject" {
		t.Fatalf("tracked s3 actions %v", actions)
	}
	if ec2 := byNS["ec2"]; ec2.LastAuthenticated != nil || *ec2.TotalAuthenticatedEntities != 0 {
		t.Fatalf("ec2 was never used: %+v", ec2)
	}
	if iamr := byNS["iam"]; iamr.LastAuthenticated == nil || !iamr.LastAuthenticated.Equal(used.Add(time.Minute)) {
		t.Fatalf("iam: %+v", iamr)
	}

	// A policy's report covers every entity it is attached to.
	p, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(allow("s3:GetObject", "*"))})
	noErr(t, err)
	_, err = a.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("advised"), PolicyArn: p.Policy.Arn})
	noErr(t, err)
	job, err = a.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: p.Policy.Arn})
	noErr(t, err)
	rep, err = a.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job.JobId})
	noErr(t, err)
	if len(rep.ServicesLastAccessed) != 1 || *rep.ServicesLastAccessed[0].ServiceNamespace != "s3" || rep.ServicesLastAccessed[0].TrackedActionsLastAccessed != nil {
		t.Fatalf("policy report: %+v", rep.ServicesLastAccessed)
	}
	ents, err := a.iam.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job.JobId, ServiceNamespace: aws.String("s3")})
	noErr(t, err)
	if len(ents.EntityDetailsList) != 1 || *ents.EntityDetailsList[0].EntityInfo.Arn != roleARN || ents.EntityDetailsList[0].EntityInfo.Type != iamtypes.PolicyOwnerEntityTypeRole {
		t.Fatalf("entities: %+v", ents.EntityDetailsList)
	}

	_, err = a.iam.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + acct + ":role/ghost")})
	wantAPIError(t, err, "NoSuchEntity", 404, "")
	_, err = a.iam.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantAPIError(t, err, "NoSuchEntity", 404, "")
}

func TestGetAccountAuthorizationDetails(t *testing.T) {
	sd, err := LoadSeed("testdata/seed.json")
	noErr(t, err)
	srv := StartWith(t, Options{Seed: sd})
	ctx := context.Background()
	a := admin(t, srv)
	var users []iamtypes.UserDetail
	var groups []iamtypes.GroupDetail
	var roles []iamtypes.RoleDetail
	var policies []iamtypes.ManagedPolicyDetail
	pages := 0
	p := iam.NewGetAccountAuthorizationDetailsPaginator(a.iam, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		users = append(users, out.UserDetailList...)
		groups = append(groups, out.GroupDetailList...)
		roles = append(roles, out.RoleDetailList...)
		policies = append(policies, out.Policies...)
	}
	// admin and dana; developers; deploy; two local policies and the AWS managed
	// ReadOnlyAccess and AdministratorAccess, which are attached.
	if len(users) != 2 || len(groups) != 1 || len(roles) != 1 || len(policies) != 4 || pages != 4 {
		t.Fatalf("%d users %d groups %d roles %d policies in %d pages", len(users), len(groups), len(roles), len(policies), pages)
	}
	var dana iamtypes.UserDetail
	for _, u := range users {
		if *u.UserName == "dana" {
			dana = u
		}
	}
	if len(dana.GroupList) != 1 || dana.GroupList[0] != "developers" || len(dana.UserPolicyList) != 1 ||
		!strings.Contains(decodeDoc(t, dana.UserPolicyList[0].PolicyDocument), "sts:AssumeRole") || len(dana.Tags) != 1 {
		t.Fatalf("dana: %+v", dana)
	}
	if !strings.Contains(decodeDoc(t, roles[0].AssumeRolePolicyDocument), "user/dana") || len(roles[0].AttachedManagedPolicies) != 1 || roles[0].PermissionsBoundary == nil {
		t.Fatalf("deploy: %+v", roles[0])
	}
	for _, pd := range policies {
		if len(pd.PolicyVersionList) == 0 || !pd.PolicyVersionList[0].IsDefaultVersion || decodeDoc(t, pd.PolicyVersionList[0].Document) == "" {
			t.Fatalf("policy %s without its default document", *pd.PolicyName)
		}
	}
	only, err := a.iam.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole}})
	noErr(t, err)
	if len(only.RoleDetailList) != 1 || len(only.UserDetailList) != 0 || len(only.Policies) != 0 {
		t.Fatal("Filter=Role returned more than roles")
	}
}

func TestAccessKeys(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	k1 := newUserWithKey(t, srv, "keyed", allow("iam:*", "*"))
	// A user may manage their own keys without naming themselves.
	u := as(srv, k1)
	k2, err := u.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	noErr(t, err)
	if *k2.AccessKey.UserName != "keyed" || len(*k2.AccessKey.SecretAccessKey) != 40 || !strings.HasPrefix(*k2.AccessKey.AccessKeyId, "AKIA") {
		t.Fatalf("CreateAccessKey: %+v", k2.AccessKey)
	}
	_, err = u.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
	list, err := u.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	noErr(t, err)
	if len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys: %d", len(list.AccessKeyMetadata))
	}
	last, err := a.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(k1.AccessKeyID)})
	noErr(t, err)
	if last.AccessKeyLastUsed.LastUsedDate == nil || *last.AccessKeyLastUsed.ServiceName != "iam" || *last.UserName != "keyed" {
		t.Fatalf("GetAccessKeyLastUsed: %+v", last.AccessKeyLastUsed)
	}
	last, err = a.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k2.AccessKey.AccessKeyId})
	noErr(t, err)
	if last.AccessKeyLastUsed.LastUsedDate != nil || *last.AccessKeyLastUsed.ServiceName != "N/A" {
		t.Fatalf("unused key: %+v", last.AccessKeyLastUsed)
	}
	_, err = a.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("admin"), AccessKeyId: k2.AccessKey.AccessKeyId})
	wantAPIError(t, err, "NoSuchEntity", 404, "The Access Key with id "+*k2.AccessKey.AccessKeyId+" cannot be found.")
	_, err = a.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("keyed"), AccessKeyId: k2.AccessKey.AccessKeyId, Status: "Sideways"})
	wantAPIError(t, err, "ValidationError", 400, "Member must satisfy enum value set: [Active, Inactive]")
	_, err = u.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k2.AccessKey.AccessKeyId})
	noErr(t, err)
	// Role sessions must name the user.
	roleARN := createRole(t, srv, "keyless", trustAccount(srv.Account()), 0, allowAll)
	out, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("rs")})
	noErr(t, err)
	_, err = as(srv, sessionCreds(out.Credentials)).iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantAPIError(t, err, "ValidationError", 400, "Must specify userName when calling with non-User credentials")
}
