package usage

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ciem/ciem/internal/awstest"
)

// End to end on the sandbox: a workload assumes a role and makes real calls through
// aws-sdk-go-v2; the sandbox's CloudTrail (the S3 archive a trail delivers, and
// LookupEvents) and Access Advisor feed the digest.
func TestSandboxEndToEnd(t *testing.T) {
	ctx := context.Background()
	srv := awstest.Start(t)
	admin := srv.AdminConfig(ctx)
	acct := srv.Account()
	s3c := func(cfg aws.Config) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	}
	iamAdmin := iam.NewFromConfig(admin)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// The role, the buckets and a trail that logs data events too.
	must(iamAdmin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/workloads/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	must(iamAdmin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("access"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:GetRole","sts:GetCallerIdentity"],"Resource":"*"}]}`)}))
	for _, b := range []string{"trail-bucket", "data-bucket"} {
		must(s3c(admin).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	ct := cloudtrail.NewFromConfig(admin)
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-bucket"), IsMultiRegionTrail: aws.Bool(true)}))
	must(ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []cttypes.EventSelector{{
		ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}},
	}}}))
	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))

	// The workload, through an assumed-role session.
	roleARN := "arn:aws:iam::" + acct + ":role/workloads/app"
	out, err := sts.NewFromConfig(admin).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("worker-1")})
	if err != nil {
		t.Fatal(err)
	}
	session := srv.ConfigFor(awstest.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken})
	data := s3c(session)
	for _, key := range []string{"reports/a.json", "reports/b.json"} {
		must(data.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data-bucket"), Key: aws.String(key), Body: strings.NewReader(`{"ok":true}`)}))
	}
	got, err := data.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data-bucket"), Key: aws.String("reports/a.json")})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, got.Body)
	got.Body.Close()
	must(data.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data-bucket")}))
	must(iam.NewFromConfig(session).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))
	_, err = iam.NewFromConfig(session).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("intruder")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("CreateUser by the workload: %v, want AccessDenied", err)
	}
	srv.Advance(time.Minute)
	if _, err := srv.DeliverTrailLogs(); err != nil {
		t.Fatal(err)
	}

	clock := &fakeClock{now: srv.Clock().Now()}
	opts := Options{Account: acct, Clock: clock, Window: Window{Since: clock.now.Add(-time.Hour)}}

	// The S3 archive: management and data events.
	archive, err := Collect(ctx, opts, S3Trail{Client: s3c(admin), Bucket: "trail-bucket"})
	if err != nil {
		t.Fatal(err)
	}
	if archive.Problems.Total() != 0 || archive.Totals.Files == 0 {
		t.Fatalf("archive: %d files, problems %+v", archive.Totals.Files, archive.Problems)
	}
	for action, want := range map[string]int64{"s3:PutObject": 2, "s3:GetObject": 1, "s3:ListBucket": 1, "iam:GetRole": 1} {
		if a := mustAction(t, archive, roleARN, action); a.Count != want {
			t.Errorf("archive: %s count %d, want %d", action, a.Count, want)
		}
	}
	put := mustAction(t, archive, roleARN, "s3:PutObject")
	if strings.Join(put.Resources, " ") != "arn:aws:s3:::data-bucket/reports/a.json arn:aws:s3:::data-bucket/reports/b.json" {
		t.Errorf("PutObject resources %q", put.Resources)
	}
	if get := mustAction(t, archive, roleARN, "iam:GetRole"); len(get.Resources) != 1 || !strings.HasSuffix(get.Resources[0], ":role/app") {
		t.Errorf("GetRole resources %q", get.Resources)
	}
	if denied := mustAction(t, archive, roleARN, "iam:CreateUser"); denied.Denied != 1 || denied.Count != 0 {
		t.Errorf("CreateUser: %+v, want one denied call", denied)
	}
	if archive.Totals.DataEvents == 0 {
		t.Error("no data events in the archive")
	}

	// LookupEvents: the same management events, no data events.
	lookup, err := Collect(ctx, opts, LookupEvents{Client: cloudtrail.NewFromConfig(admin), Region: srv.Region()})
	if err != nil {
		t.Fatal(err)
	}
	if a := mustAction(t, lookup, roleARN, "iam:GetRole"); a.Count != 1 || a.Sources[0] != SourceLookupEvents {
		t.Errorf("lookup GetRole %+v", a)
	}
	if p := lookup.Principal(roleARN); p == nil || p.Action(mustID(t, "s3:PutObject")) != nil {
		t.Errorf("LookupEvents returned data events: %+v", p)
	}

	// Access Advisor: last access of the services and tracked actions the role used.
	advisor, err := Collect(ctx, opts, AccessAdvisor{Client: iam.NewFromConfig(admin), Principals: []string{roleARN}})
	if err != nil {
		t.Fatal(err)
	}
	p := advisor.Principal(roleARN)
	if p == nil || len(p.Services) == 0 {
		t.Fatalf("advisor: %+v", p)
	}
	var services []string
	for _, s := range p.Services {
		services = append(services, s.Service)
	}
	if !strings.Contains(strings.Join(services, " "), "s3") {
		t.Errorf("advisor services %v: s3 was used", services)
	}

	// All three together: one digest, sources merged per action.
	all, err := Collect(ctx, opts, S3Trail{Client: s3c(admin), Bucket: "trail-bucket"}, LookupEvents{Client: cloudtrail.NewFromConfig(admin), Region: srv.Region()},
		AccessAdvisor{Client: iam.NewFromConfig(admin), Principals: []string{roleARN}})
	if err != nil {
		t.Fatal(err)
	}
	if a := mustAction(t, all, roleARN, "iam:GetRole"); a.Count != 2 || len(a.Sources) < 2 {
		t.Errorf("merged GetRole %+v (counted once per source that saw it)", a)
	}
}
