package scan

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awstest"
)

// The proof of the escalation graph: a sandbox seeded with known paths to administrator
// and with decoys that look like them but are safe. The scan must report every real path
// with its exact steps, and no path (nor escalation finding) for any decoy.

const seedAccount = "arn:aws:iam::111122223333:"

// sandboxScan seeds a sandbox, reads it live and scans it.
func sandboxScan(t *testing.T) (*awstest.Server, *Report) {
	t.Helper()
	sd, err := awstest.LoadSeed("testdata/escalation_seed.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := awstest.StartWith(t, awstest.Options{Seed: sd})
	ctx := context.Background()
	acct, err := ReadAWS(ctx, awsiam.NewFromConfig(srv.AdminConfig(ctx)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(acct.Problems) != 0 {
		t.Fatalf("problems reading the sandbox: %v", acct.Problems)
	}
	r, err := Scan(ctx, acct, Options{Source: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, r
}

func principalByName(t *testing.T, r *Report, short string) PrincipalReport {
	t.Helper()
	for _, p := range r.Principals {
		if displayName(p.ARN) == short {
			return p
		}
	}
	t.Fatalf("no principal %s in the report", short)
	return PrincipalReport{}
}

type wantStep struct{ from, kind, target, to, rule string }

func TestSandboxEscalationPaths(t *testing.T) {
	_, r := sandboxScan(t)
	paths := map[string]struct {
		steps []wantStep
		via   string
	}{
		"user/lambda-dev": {[]wantStep{{"user/lambda-dev", StepPassRole, "role/lambda-admin", "role/lambda-admin", "passrole-lambda"}}, "role/lambda-admin"},
		"user/policy-editor": {[]wantStep{{"user/policy-editor", StepChangePolicies, "policy/editor-policy", "user/policy-editor", "iam-create-policy-version"}},
			"user/policy-editor"},
		"user/ops-alice": {[]wantStep{{"user/ops-alice", StepAssumeRole, "role/ops-admin", "role/ops-admin", ""}}, "role/ops-admin"},
		"user/deployer":  {[]wantStep{{"user/deployer", StepAssumeRole, "role/deploy-admin", "role/deploy-admin", ""}}, "role/deploy-admin"},
		"user/helpdesk": {[]wantStep{
			{"user/helpdesk", StepCreateAccessKey, "user/deployer", "user/deployer", "iam-create-access-key"},
			{"user/deployer", StepAssumeRole, "role/deploy-admin", "role/deploy-admin", ""},
		}, "role/deploy-admin"},
		"role/ci-runner": {[]wantStep{{"role/ci-runner", StepAssumeRole, "role/deploy-admin", "role/deploy-admin", ""}}, "role/deploy-admin"},
	}
	admins := []string{"user/admin", "role/lambda-admin", "role/ec2-admin", "role/ops-admin", "role/deploy-admin"}
	decoys := map[string]string{
		"user/lambda-dev-ec2only":      "iam:PassRole only for ec2.amazonaws.com (condition), and the role trusts only Lambda",
		"user/lambda-dev-wrongrole":    "passes a role that trusts EC2, not Lambda",
		"user/mfa-editor":              "CreatePolicyVersion only with MFA (condition)",
		"user/bounded-admin":           "iam:* and sts:AssumeRole, but a permissions boundary allows only reads",
		"user/self-keys-only":          "CreateAccessKey denied on every user but itself",
		"user/denied-assumer":          "sts:AssumeRole on *, denied on the admin roles",
		"user/wrong-trust":             "may call AssumeRole on ops-admin, whose trust names someone else",
		"user/orphan-editor":           "edits a policy attached only to a role it cannot reach",
		"role/vendor-audit":            "read-only, trusted by another account",
		"role/vendor-with-external-id": "read-only, trusted by another account with an external id",
		"role/github-deploy":           "federated, writes one bucket",
		"role/orphan-role":             "lists buckets",
	}

	for name, want := range paths {
		t.Run(name, func(t *testing.T) {
			p := principalByName(t, r, name)
			if p.IsAdmin || !p.AdminReachable || p.AdminSteps != len(want.steps) || displayName(p.AdminVia) != want.via {
				t.Fatalf("is_admin %v, admin_reachable %v, %d steps via %s; want a %d-step path via %s", p.IsAdmin, p.AdminReachable,
					p.AdminSteps, p.AdminVia, len(want.steps), want.via)
			}
			for i, w := range want.steps {
				s := p.AdminPath[i]
				got := wantStep{displayName(s.From), s.Kind, displayName(s.Target), displayName(s.To), s.Rule}
				if got != w {
					t.Errorf("step %d: got %+v, want %+v", i+1, got, w)
				}
				if len(s.Policies) == 0 || s.Detail == "" || len(s.Actions) == 0 {
					t.Errorf("step %d without the policies, actions or detail that explain it: %+v", i+1, s)
				}
			}
			if !hasFinding(p, FindingPrivilegeEscalation, RuleAdminPath, "critical") {
				t.Errorf("no critical admin-path finding: %+v", p.Findings)
			}
		})
	}
	for _, name := range admins {
		if p := principalByName(t, r, name); !p.IsAdmin || !hasFinding(p, FindingWildcardAdmin, "wildcard-admin", "critical") {
			t.Errorf("%s: is_admin %v, findings %+v; want an administrator", name, p.IsAdmin, p.Findings)
		}
	}
	for name, why := range decoys {
		p := principalByName(t, r, name)
		if p.AdminReachable || len(p.AdminPath) != 0 {
			t.Errorf("decoy %s (%s) reported with a path to administrator: %+v", name, why, p.AdminPath)
		}
		for _, f := range p.Findings {
			if f.Type == FindingPrivilegeEscalation || f.Rule == "iam-user-credentials" {
				t.Errorf("decoy %s (%s) has finding %s/%s: %s", name, why, f.Type, f.Rule, f.Detail)
			}
		}
	}
	// Every principal is one of the above: nothing else has a path.
	if got := r.Summary.AdminReachable; got != len(paths) {
		t.Errorf("%d principals can become administrator, want %d", got, len(paths))
	}
	if got := r.Summary.Admins; got != len(admins) {
		t.Errorf("%d administrators, want %d", got, len(admins))
	}
}

func hasFinding(p PrincipalReport, typ, rule, severity string) bool {
	for _, f := range p.Findings {
		if f.Type == typ && f.Rule == rule && f.Severity == severity {
			return true
		}
	}
	return false
}

func TestSandboxTrustFindings(t *testing.T) {
	_, r := sandboxScan(t)
	tests := []struct{ role, typ, rule, severity, resource string }{
		{"role/vendor-audit", FindingCrossAccountTrust, "trust-other-account", "high", "arn:aws:iam::444455556666:root"},
		{"role/vendor-with-external-id", FindingCrossAccountTrust, "trust-other-account-principal", "low", "arn:aws:iam::444455556666:role/scanner"},
		{"role/github-deploy", FindingFederatedNoAudience, "federated-trust-without-subject", "critical", seedAccount + "oidc-provider/token.actions.githubusercontent.com"},
		{"role/deploy-admin", FindingAccountWideTrust, "trust-own-account", "low", seedAccount + "root"},
	}
	for _, tt := range tests {
		p := principalByName(t, r, tt.role)
		found := false
		for _, f := range p.Findings {
			if f.Type == tt.typ {
				found = true
				if f.Rule != tt.rule || f.Severity != tt.severity || f.Resource != tt.resource {
					t.Errorf("%s: got %s %s on %s, want %s %s on %s", tt.role, f.Rule, f.Severity, f.Resource, tt.rule, tt.severity, tt.resource)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s finding in %+v", tt.role, tt.typ, p.Findings)
		}
	}
	// The audience condition is there: only the subject is missing.
	for _, f := range principalByName(t, r, "role/github-deploy").Findings {
		if f.Rule == "federated-trust-without-audience" {
			t.Errorf("github-deploy has an audience condition but got %s", f.Detail)
		}
	}
}

// TestSandboxSameBytes: the same account gives the same JSON, whatever the number of
// workers, and the AWS CLI's export of it (--auth-details) gives the same report as the
// live read.
func TestSandboxSameBytes(t *testing.T) {
	srv, r := sandboxScan(t)
	var first bytes.Buffer
	if err := WriteJSON(&first, r); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, workers := range []int{1, 3} {
		acct, err := ReadAWS(ctx, awsiam.NewFromConfig(srv.AdminConfig(ctx)), nil)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Scan(ctx, acct, Options{Source: "aws", Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), b.Bytes()) {
			t.Fatalf("workers %d: the JSON differs from the first scan's", workers)
		}
	}

	// The AWS CLI writes the export a user would give to --auth-details.
	cli := awsCLIv2(t)
	export := filepath.Join(t.TempDir(), "auth.json")
	creds := srv.AdminCredentials()
	cmd := exec.Command(cli, "iam", "get-account-authorization-details", "--endpoint-url", srv.URL, "--output", "json")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
		"AWS_SESSION_TOKEN="+creds.SessionToken, "AWS_DEFAULT_REGION="+srv.AdminConfig(ctx).Region, "AWS_PAGER=", "HOME="+t.TempDir(),
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws iam get-account-authorization-details: %v", err)
	}
	if err := os.WriteFile(export, out, 0o600); err != nil {
		t.Fatal(err)
	}
	acct, err := ReadAuthDetailsFile(export)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := Scan(ctx, acct, Options{Source: "aws"}) // the same source label, to compare the rest
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, fromFile); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), b.Bytes()) {
		t.Fatalf("the report from the AWS CLI's export differs from the live read's:\n%s", firstDiff(first.String(), b.String()))
	}
}

// awsCLIv2 finds the AWS CLI v2: $CIEM_AWS_CLI, `aws` on PATH, or Debian's /usr/bin/aws.
func awsCLIv2(t *testing.T) string {
	t.Helper()
	var candidates, seen []string
	if p := os.Getenv("CIEM_AWS_CLI"); p != "" {
		candidates = append(candidates, p)
	}
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/aws")
	for _, c := range candidates {
		out, err := exec.Command(c, "--version").CombinedOutput()
		v := strings.TrimSpace(string(out))
		if err == nil && strings.HasPrefix(v, "aws-cli/2.") {
			return c
		}
		seen = append(seen, c+": "+v)
	}
	t.Fatalf("the AWS CLI v2 is needed for this test (Debian: apt-get install awscli, see tools/test-deps.sh; or set CIEM_AWS_CLI). Found: %s", strings.Join(seen, "; "))
	return ""
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n- " + al[i] + "\n+ " + bl[i]
		}
	}
	return "one is a prefix of the other"
}
