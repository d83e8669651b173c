package rightsize

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
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
	"github.com/ciem/ciem/internal/awsx"
)

// sandboxClock is a usage.Clock on the sandbox's time whose Sleep advances it, so that the
// Access Advisor poll never waits on wall time.
type sandboxClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *sandboxClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *sandboxClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// workloadCall is one call the workload makes with its session's configuration.
type workloadCall struct {
	name string
	run  func(ctx context.Context, cfg aws.Config) error
}

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// theWorkload is what the application does: S3 reads, writes and listings on its bucket,
// IAM reads, an STS call.
func theWorkload() []workloadCall {
	put := func(key string) workloadCall {
		return workloadCall{"s3:PutObject " + key, func(ctx context.Context, cfg aws.Config) error {
			_, err := s3Client(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data-bucket"), Key: aws.String(key), Body: strings.NewReader(`{"ok":true}`)})
			return err
		}}
	}
	return []workloadCall{
		put("reports/a.json"),
		put("reports/b.json"),
		{"s3:GetObject", func(ctx context.Context, cfg aws.Config) error {
			out, err := s3Client(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data-bucket"), Key: aws.String("reports/a.json")})
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, out.Body)
			out.Body.Close()
			return err
		}},
		{"s3:ListObjectsV2", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3Client(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data-bucket")})
			return err
		}},
		{"iam:GetRole", func(ctx context.Context, cfg aws.Config) error {
			_, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
			return err
		}},
		{"iam:ListRoles", func(ctx context.Context, cfg aws.Config) error {
			_, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}},
		{"sts:GetCallerIdentity", func(ctx context.Context, cfg aws.Config) error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
	}
}

// removedSample are calls of actions the suggestion removes (or scopes away).
func removedSample() []workloadCall {
	return []workloadCall{
		{"s3:DeleteObject", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3Client(cfg).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data-bucket"), Key: aws.String("reports/a.json")})
			return err
		}},
		{"s3:CreateBucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3Client(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("new-bucket")})
			return err
		}},
		{"s3:GetObject on another bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3Client(cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other-bucket"), Key: aws.String("secret.json")})
			return err
		}},
		{"s3:ListBucket on another bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3Client(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("other-bucket")})
			return err
		}},
		{"iam:ListUsers", func(ctx context.Context, cfg aws.Config) error {
			_, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
		{"iam:GetRole of another role", func(ctx context.Context, cfg aws.Config) error {
			_, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("admin")})
			return err
		}},
	}
}

func isAccessDenied(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "AccessDenied" || apiErr.ErrorCode() == "AccessDeniedException")
}

// End to end on the sandbox: a role with a broad policy under a permissions boundary; a
// workload makes real calls through aws-sdk-go-v2 with an assumed-role session; the trail's
// S3 archive and Access Advisor feed Run (the path `ciem rightsize` takes, granted policies
// read from IAM); the suggested policy, attached instead of the broad one, still allows
// every call the workload made and denies a sample of what it removed.
func TestSandboxEndToEnd(t *testing.T) {
	ctx := context.Background()
	srv := awstest.Start(t)
	admin := srv.AdminConfig(ctx)
	acct := srv.Account()
	iamAdmin := iam.NewFromConfig(admin)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	roleARN := "arn:aws:iam::" + acct + ":role/workloads/app"
	must(iamAdmin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/workloads/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	must(iamAdmin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	broad, err := iamAdmin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("broad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:*","sts:*"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	must(iamAdmin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: broad.Policy.Arn}))
	limit, err := iamAdmin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("limit"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:Get*","iam:List*","iam:PassRole","sts:*","cloudtrail:*"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	must(iamAdmin.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: limit.Policy.Arn}))
	for _, b := range []string{"trail-bucket", "data-bucket", "other-bucket"} {
		must(s3Client(admin).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	must(s3Client(admin).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other-bucket"), Key: aws.String("secret.json"), Body: strings.NewReader("{}")}))
	ct := cloudtrail.NewFromConfig(admin)
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-bucket"), IsMultiRegionTrail: aws.Bool(true)}))
	must(ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []cttypes.EventSelector{{
		ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}},
	}}}))
	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}))

	session := func() aws.Config {
		t.Helper()
		out, err := sts.NewFromConfig(admin).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("worker")})
		if err != nil {
			t.Fatal(err)
		}
		c := out.Credentials
		return srv.ConfigFor(awstest.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken})
	}

	// The workload runs under the broad policy; one request falls outside it.
	cfg := session()
	for _, c := range theWorkload() {
		if err := c.run(ctx, cfg); err != nil {
			t.Fatalf("workload %s under the broad policy: %v", c.name, err)
		}
	}
	if _, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); !isAccessDenied(err) {
		t.Fatalf("DescribeTrails by the workload: %v, want AccessDenied", err)
	}
	srv.Advance(time.Minute)
	if _, err := srv.DeliverTrailLogs(); err != nil {
		t.Fatal(err)
	}

	// Right-size through the command line's path: sources by spec, granted from IAM.
	res, err := Run(ctx, Config{
		Principal: roleARN,
		Sources:   []string{"cloudtrail-s3=s3://trail-bucket", "access-advisor"},
		Since:     "1h",
		AWSConfig: func(context.Context) (aws.Config, error) { return admin, nil },
		Clock:     &sandboxClock{now: srv.Clock().Now()},
		Options:   DefaultOptions(),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Suggestion
	var text bytes.Buffer
	if err := s.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("suggestion:\n%s", text.String())
	if len(res.Granted.Policies) != 1 || res.Granted.Boundary == nil || res.Granted.Boundary.ARN != *limit.Policy.Arn {
		t.Errorf("granted %+v", res.Granted)
	}
	if got := keptNames(s); got != "iam:GetRole iam:ListRoles s3:GetObject s3:ListBucket s3:PutObject sts:GetCallerIdentity" {
		t.Errorf("kept %q", got)
	}
	if u := unobservedOf(s); len(u) != 1 || u["iam:PassRole"] != ReasonNotLogged {
		t.Errorf("kept unobserved %v", u)
	}
	for _, k := range s.Kept {
		if len(k.Sources) == 0 || k.LastSeen.IsZero() {
			t.Errorf("%s without evidence: %+v", k.Action, k)
		}
		if strings.HasPrefix(k.Action, "s3:") && (!k.Scoped || !strings.Contains(strings.Join(k.Resources, " "), "data-bucket")) {
			t.Errorf("%s not scoped to data-bucket: %+v", k.Action, k)
		}
	}
	if len(s.Denied) != 1 || s.Denied[0].Action != "cloudtrail:DescribeTrails" || s.Denied[0].Granted {
		t.Errorf("denied %+v", s.Denied)
	}
	if s.Summary.UnusedShare < 0.9 || len(s.Findings.After) >= len(s.Findings.Before) {
		t.Errorf("summary %+v, findings %d before, %d after", s.Summary, len(s.Findings.Before), len(s.Findings.After))
	}
	if len(s.Policies) != 1 {
		t.Fatalf("%d policies", len(s.Policies))
	}

	// Attach the suggestion instead of the broad policy.
	sized, err := iamAdmin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(s.Policies[0].Name), PolicyDocument: aws.String(string(s.Policies[0].Policy))})
	if err != nil {
		t.Fatalf("creating the suggested policy: %v\n%s", err, s.Policies[0].Policy)
	}
	must(iamAdmin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: sized.Policy.Arn}))
	must(iamAdmin.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: broad.Policy.Arn}))

	cfg = session()
	for _, c := range theWorkload() {
		if err := c.run(ctx, cfg); err != nil {
			t.Errorf("replay %s under the suggested policy: %v", c.name, err)
		}
	}
	for _, c := range removedSample() {
		if err := c.run(ctx, cfg); !isAccessDenied(err) {
			t.Errorf("removed %s under the suggested policy: %v, want AccessDenied", c.name, err)
		}
	}
}

// A user's granted policies from IAM: its own (attached and inline), its groups' and its
// permissions boundary.
func TestReadGrantedAWSUser(t *testing.T) {
	ctx := context.Background()
	srv := awstest.Start(t)
	c := iam.NewFromConfig(srv.AdminConfig(ctx))
	acct := srv.Account()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	doc := func(action string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`)
	}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci"), Path: aws.String("/build/")}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("ci")}))
	deploy, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"), PolicyDocument: doc("s3:PutObject")})
	if err != nil {
		t.Fatal(err)
	}
	opsRead, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ops-read"), PolicyDocument: doc("s3:GetObject")})
	if err != nil {
		t.Fatal(err)
	}
	limit, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("limit"), PolicyDocument: doc("s3:*")})
	if err != nil {
		t.Fatal(err)
	}
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ci"), PolicyArn: deploy.Policy.Arn}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ci"), PolicyName: aws.String("own"), PolicyDocument: doc("sts:GetCallerIdentity")}))
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: opsRead.Policy.Arn}))
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("ops-inline"), PolicyDocument: doc("iam:ListRoles")}))
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("ci"), PermissionsBoundary: limit.Policy.Arn}))

	user := "arn:aws:iam::" + acct + ":user/build/ci"
	gr, err := ReadGrantedAWS(ctx, awsx.NewIAM(srv.AdminConfig(ctx)), user)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, p := range gr.Policies {
		refs = append(refs, p.Ref())
	}
	want := "arn:aws:iam::" + acct + ":policy/deploy inline:own group/ops:arn:aws:iam::" + acct + ":policy/ops-read group/ops:inline:ops-inline"
	if got := strings.Join(refs, " "); got != want {
		t.Errorf("policies %s\nwant %s", got, want)
	}
	if gr.Boundary == nil || gr.Boundary.ARN != *limit.Policy.Arn || gr.Boundary.Policy() == nil {
		t.Errorf("boundary %+v", gr.Boundary)
	}
	for _, bad := range []string{"arn:aws:iam::" + acct + ":user/nobody", "arn:aws:iam::" + acct + ":group/ops"} {
		if _, err := ReadGrantedAWS(ctx, awsx.NewIAM(srv.AdminConfig(ctx)), bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
