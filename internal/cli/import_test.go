package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/provider/acctest"
)

func TestImportResourceName(t *testing.T) {
	used := map[string]bool{}
	tests := []struct{ policy, want string }{
		{"reports-reader", "reports_reader"},
		{"Reports.Reader", "reports_reader_2"},
		{"S3--Full__Access!", "s3_full_access"},
		{"2024-audit", "policy_2024_audit"},
		{"@@@", "policy_"},
	}
	for _, tt := range tests {
		if got := importResourceName(tt.policy, used); got != tt.want {
			t.Errorf("importResourceName(%q) = %q, want %q", tt.policy, got, tt.want)
		}
	}
}

// importFixture makes, in a sandbox, a role holding two customer managed policies, an
// AWS managed policy and an inline policy, and a group holding nothing.
func importFixture(t *testing.T, srv *awstest.Server) {
	t.Helper()
	ctx := context.Background()
	x := awsx.NewIAM(srv.AdminConfig(ctx))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := x.Client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/svc/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	must(err)
	_, err = x.Client.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")})
	must(err)
	role, err := awsx.ParsePrincipalARN("arn:aws:iam::111122223333:role/svc/app")
	must(err)
	for _, p := range []awsx.NewPolicy{
		{Name: "app-reports", Path: "/ciem/", Description: "Read the reports", Document: []byte(`{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "Read",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*", "arn:aws:s3:::home/${aws:username}/*"],
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "analytics"}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}
  }]
}`)},
		{Name: "App.Queue", Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:jobs"}}`)},
	} {
		mp, err := x.CreatePolicy(ctx, p)
		must(err)
		must(x.Attach(ctx, role, mp.ARN))
	}
	must(x.Attach(ctx, role, "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	_, err = x.Client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("legacy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}}`)})
	must(err)
}

// importRun runs `ciem import` against the sandbox with its admin key in the environment.
func importRun(t *testing.T, srv *awstest.Server, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	creds := srv.AdminCredentials()
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	cmd := newImportCmd()
	cmd.SetArgs(append([]string{"--endpoint-url", srv.URL}, args...))
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

const wantRoleHCL = `# Entitlements of arn:aws:iam::111122223333:role/svc/app, written by ` + "`ciem import`" + `.

import {
  to = ciem_entitlement.app_queue
  id = "arn:aws:iam::111122223333:policy/App.Queue"
}

resource "ciem_entitlement" "app_queue" {
  principal_arn = "arn:aws:iam::111122223333:role/svc/app"
  name          = "App.Queue"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = "arn:aws:sqs:us-east-1:111122223333:jobs"
      },
    ]
  })
}

import {
  to = ciem_entitlement.app_reports
  id = "arn:aws:iam::111122223333:policy/ciem/app-reports"
}

resource "ciem_entitlement" "app_reports" {
  principal_arn = "arn:aws:iam::111122223333:role/svc/app"
  name          = "app-reports"
  path          = "/ciem/"
  description   = "Read the reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Read"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::home/$${aws:username}/*", "arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
        Condition = {
          NumericLessThan = {
            "aws:MultiFactorAuthAge" = "3600"
          }
          StringEquals = {
            "aws:PrincipalTag/team" = "analytics"
          }
        }
      },
    ]
  })
}

# AWS managed policies stay as they are (ciem_entitlement manages customer managed policies):
#   arn:aws:iam::aws:policy/ReadOnlyAccess

# Inline policies stay as they are (ciem_entitlement manages customer managed policies):
#   legacy
`

func TestImportWritesImportBlocksAndResources(t *testing.T) {
	srv := acctest.StartSandbox(t)
	importFixture(t, srv)
	out, _, err := importRun(t, srv, "--principal", "arn:aws:iam::111122223333:role/svc/app", "--principal", "arn:aws:iam::111122223333:group/ops")
	if err != nil {
		t.Fatal(err)
	}
	want := wantRoleHCL + `
# Entitlements of arn:aws:iam::111122223333:group/ops, written by ` + "`ciem import`" + `.

# No customer managed policy is attached to this principal.
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestImportOut(t *testing.T) {
	srv := acctest.StartSandbox(t)
	importFixture(t, srv)
	dir := filepath.Join(t.TempDir(), "entitlements")
	args := []string{"--principal", "arn:aws:iam::111122223333:role/svc/app", "--out", dir}
	_, log, err := importRun(t, srv, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"role-app.tf", "versions.tf"} {
		if !strings.Contains(log, filepath.Join(dir, name)) {
			t.Errorf("log %q does not mention %s", log, name)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "role-app.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantRoleHCL {
		t.Errorf("role-app.tf:\n%s\nwant:\n%s", got, wantRoleHCL)
	}
	if _, _, err := importRun(t, srv, args...); err == nil || !strings.Contains(err.Error(), "role-app.tf exists") {
		t.Errorf("second run without --force: %v, want a refusal to overwrite", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "versions.tf"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := importRun(t, srv, append(args, "--force")...); err != nil {
		t.Fatalf("with --force: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "versions.tf")); string(b) != "# mine\n" {
		t.Errorf("versions.tf was overwritten: %q", b)
	}
}

func TestImportBadInput(t *testing.T) {
	srv := acctest.StartSandbox(t)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "--principal: at least one principal ARN is required"},
		{[]string{"--principal", "arn:aws:iam::111122223333:policy/x"}, `"policy" is not a role, user or group`},
		{[]string{"--principal", "arn:aws:iam::111122223333:role/nobody"}, "principal arn:aws:iam::111122223333:role/nobody: reading role nobody: role nobody not found"},
	}
	for _, tt := range tests {
		_, _, err := importRun(t, srv, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ciem import %v: %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}
