package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/scan"
)

// accountFindingsFixture is a small export of get-account-authorization-details: an
// administrator, a helpdesk user who can create the administrator's access keys (a
// one-step path), a reader, and a role another account may assume.
const accountFindingsFixture = `{
 "UserDetailList": [
  {"Path": "/", "UserName": "admin", "UserId": "AIDAADMIN", "Arn": "arn:aws:iam::123456789012:user/admin", "CreateDate": "2026-01-01T00:00:00Z",
   "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
   "GroupList": [], "AttachedManagedPolicies": []},
  {"Path": "/", "UserName": "helpdesk", "UserId": "AIDAHELPDESK", "Arn": "arn:aws:iam::123456789012:user/helpdesk", "CreateDate": "2026-01-01T00:00:00Z",
   "UserPolicyList": [{"PolicyName": "keys", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::123456789012:user/admin"}]}}],
   "GroupList": [], "AttachedManagedPolicies": []},
  {"Path": "/", "UserName": "reader", "UserId": "AIDAREADER", "Arn": "arn:aws:iam::123456789012:user/reader", "CreateDate": "2026-01-01T00:00:00Z",
   "UserPolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
   "GroupList": [], "AttachedManagedPolicies": []}
 ],
 "GroupDetailList": [],
 "RoleDetailList": [
  {"Path": "/", "RoleName": "partner", "RoleId": "AROAPARTNER", "Arn": "arn:aws:iam::123456789012:role/partner", "CreateDate": "2026-01-01T00:00:00Z",
   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}]},
   "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}}],
   "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []}
 ],
 "Policies": []
}`

const fixtureAccount = "arn:aws:iam::123456789012:"

func writeFixture(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "auth-details.json")
	fatalIf(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// findingKey is what identifies a finding in these tests.
func findingKey(principal, typ, rule string) string { return principal + " " + typ + " " + rule }

func TestAccountFindingsOf(t *testing.T) {
	acct, err := scan.ReadAuthDetailsFile(writeFixture(t, accountFindingsFixture))
	fatalIf(t, err)
	r, err := scan.Scan(context.Background(), acct, scan.Options{Source: "file"})
	fatalIf(t, err)

	admin, helpdesk, reader, partner := fixtureAccount+"user/admin", fixtureAccount+"user/helpdesk", fixtureAccount+"user/reader", fixtureAccount+"role/partner"
	tests := []struct {
		name   string
		filter accountFindingsFilter
		want   []string // findings, in order
		counts map[string]int64
	}{
		{"every finding, in the scan's order", accountFindingsFilter{minSeverity: "low"}, []string{
			findingKey(admin, "wildcard_admin", "wildcard-admin"),
			findingKey(admin, "user_attached_policies", "user-attached-policies"),
			findingKey(helpdesk, "privilege_escalation", "admin-path"),
			findingKey(helpdesk, "credentials_exposure", "iam-user-credentials"),
			findingKey(helpdesk, "user_attached_policies", "user-attached-policies"),
			findingKey(reader, "data_exfiltration", "s3-read-all"),
			findingKey(reader, "user_attached_policies", "user-attached-policies"),
			findingKey(partner, "cross_account_trust", "trust-other-account"),
			findingKey("", "no_support_role", "no-support-role"),
		}, map[string]int64{"critical": 2, "high": 2, "medium": 1, "low": 4}},
		{"critical only", accountFindingsFilter{minSeverity: "critical"}, []string{
			findingKey(admin, "wildcard_admin", "wildcard-admin"),
			findingKey(helpdesk, "privilege_escalation", "admin-path"),
		}, map[string]int64{"critical": 2, "high": 0, "medium": 0, "low": 0}},
		{"one type", accountFindingsFilter{minSeverity: "low", types: []string{"cross_account_trust"}}, []string{
			findingKey(partner, "cross_account_trust", "trust-other-account"),
		}, map[string]int64{"critical": 0, "high": 1, "medium": 0, "low": 0}},
		{"types and severity", accountFindingsFilter{minSeverity: "high", types: []string{"user_attached_policies", "data_exfiltration"}}, []string{
			findingKey(reader, "data_exfiltration", "s3-read-all"),
		}, map[string]int64{"critical": 0, "high": 1, "medium": 0, "low": 0}},
		{"nothing matches", accountFindingsFilter{minSeverity: "low", types: []string{"public_trust"}}, []string{},
			map[string]int64{"critical": 0, "high": 0, "medium": 0, "low": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			principals, findings, counts := accountFindingsOf(r, tt.filter)
			got := []string{}
			for _, f := range findings {
				got = append(got, findingKey(f.PrincipalARN, f.Type, f.Rule))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
			if fmt.Sprint(counts) != fmt.Sprint(tt.counts) {
				t.Errorf("counts %v, want %v", counts, tt.counts)
			}
			// The filter never hides principals.
			var arns []string
			for _, p := range principals {
				arns = append(arns, p.ARN)
			}
			if want := []string{admin, helpdesk, reader, partner}; !slices.Equal(arns, want) {
				t.Errorf("principals %q, want %q", arns, want)
			}
		})
	}

	principals, _, _ := accountFindingsOf(r, accountFindingsFilter{minSeverity: "low"})
	wantPaths := map[string][]string{
		admin:    {},
		helpdesk: {helpdesk + ", create_access_key: creates an access key for user/admin and acts as it"},
		reader:   {},
		partner:  {},
	}
	for _, p := range principals {
		if !slices.Equal(p.AdminPath, wantPaths[p.ARN]) {
			t.Errorf("%s: admin_path %q, want %q", p.ARN, p.AdminPath, wantPaths[p.ARN])
		}
		if reach := p.ARN == admin || p.ARN == helpdesk; p.AdminReachable != reach || p.IsAdmin != (p.ARN == admin) {
			t.Errorf("%s: admin_reachable %v, is_admin %v", p.ARN, p.AdminReachable, p.IsAdmin)
		}
		if !p.UnusedRatio.IsNull() {
			t.Errorf("%s: unused_ratio %v without usage, want null", p.ARN, p.UnusedRatio)
		}
	}
}

// seededAccTest is accTest on a sandbox seeded from a file (an awstest seed), once per CLI.
func seededAccTest(t *testing.T, seedFile string, build func(e *accEnv) resource.TestCase) {
	t.Helper()
	sd, err := awstest.LoadSeed(seedFile)
	fatalIf(t, err)
	accTestWith(t, awstest.Options{Seed: sd}, build)
}

// TestAccAccountFindingsDataSource scans the sandbox seeded with the scan's escalation
// paths and decoys (internal/scan/testdata/escalation_seed.json): the example's
// postcondition fails the plan, and every real path is reported, no decoy. Steps that
// fail come first: the post-test destroy runs the last step's configuration.
func TestAccAccountFindingsDataSource(t *testing.T) {
	seededAccTest(t, filepath.Join("..", "internal", "scan", "testdata", "escalation_seed.json"), func(e *accEnv) resource.TestCase {
		const addr = "data.ciem_account_findings.account"
		arn := func(short string) string { return e.ARN(short) }
		paths := []string{"user/lambda-dev", "user/policy-editor", "user/ops-alice", "user/deployer", "user/helpdesk", "role/ci-runner"}
		decoys := []string{"user/lambda-dev-ec2only", "user/lambda-dev-wrongrole", "user/mfa-editor", "user/bounded-admin",
			"user/self-keys-only", "user/denied-assumer", "user/wrong-trust", "user/orphan-editor", "role/vendor-audit",
			"role/vendor-with-external-id", "role/github-deploy", "role/orphan-role"}
		var want, unwanted []string
		for _, p := range paths {
			want = append(want, findingKey(arn(p), "privilege_escalation", "admin-path"))
		}
		for _, d := range decoys {
			unwanted = append(unwanted, arn(d))
		}
		return resource.TestCase{Steps: []resource.TestStep{
			{
				Config:      e.Config(readExample(t, "data-sources/ciem_account_findings/data-source.tf")),
				ExpectError: regexpMust(`New privilege escalation path:(.|\n)*user/helpdesk`),
			},
			{
				Config: e.Config(`
data "ciem_account_findings" "account" {
  types = ["privilege_escalation"]
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account"), knownvalue.StringExact(e.Sandbox.Account())),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("admin_reachable_count"), knownvalue.Int64Exact(int64(len(paths)))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("findings"), findingsCheck{want: want, unwantedPrincipals: unwanted}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("principals"), principalPathCheck{arn: arn("user/helpdesk"), steps: []string{
						arn("user/helpdesk") + ", create_access_key: ",
						arn("user/deployer") + ", assume_role: assumes role/deploy-admin",
					}}),
				},
			},
		}}
	})
}

// TestAccAccountFindingsDataSource_file scans an exported file, and runs the example on a
// sandbox without escalation paths, where its postcondition holds.
func TestAccAccountFindingsDataSource_file(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		const addr = "data.ciem_account_findings.export"
		file := writeFixture(t, accountFindingsFixture)
		bad := writeFixture(t, `{"Users": []}`)
		return resource.TestCase{Steps: []resource.TestStep{
			{
				Config:      e.Config(fmt.Sprintf("data \"ciem_account_findings\" \"bad\" {\n  auth_details_file = %q\n}\n", bad)),
				ExpectError: regexpMust(`Cannot read the authorization details(.|\n)*none of UserDetailList`),
			},
			{
				Config:      e.Config("data \"ciem_account_findings\" \"bad\" {\n  min_severity = \"severe\"\n}\n"),
				ExpectError: regexpMust(`min_severity(.|\n)*value must be one of`),
			},
			{
				Config:      e.Config("data \"ciem_account_findings\" \"bad\" {\n  types = [\"escalation\"]\n}\n"),
				ExpectError: regexpMust(`types(.|\n)*value must be one of`),
			},
			{
				Config: e.Config(fmt.Sprintf(`
data "ciem_account_findings" "export" {
  auth_details_file = %q
  min_severity      = "critical"
}
`, file)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account"), knownvalue.StringExact("123456789012")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("admin_reachable_count"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("finding_counts"), knownvalue.MapExact(map[string]knownvalue.Check{
						"critical": knownvalue.Int64Exact(2), "high": knownvalue.Int64Exact(0),
						"medium": knownvalue.Int64Exact(0), "low": knownvalue.Int64Exact(0),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("findings"), findingsCheck{exact: true, want: []string{
						findingKey(fixtureAccount+"user/admin", "wildcard_admin", "wildcard-admin"),
						findingKey(fixtureAccount+"user/helpdesk", "privilege_escalation", "admin-path"),
					}}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("principals").AtSliceIndex(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"arn":             knownvalue.StringExact(fixtureAccount + "user/helpdesk"),
						"type":            knownvalue.StringExact("user"),
						"is_admin":        knownvalue.Bool(false),
						"admin_reachable": knownvalue.Bool(true),
						"admin_path": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(
							fixtureAccount + "user/helpdesk, create_access_key: creates an access key for user/admin and acts as it")}),
						"unused_ratio": knownvalue.Null(),
					})),
				},
			},
			{
				Config: e.Config(readExample(t, "data-sources/ciem_account_findings/data-source.tf")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("administrators", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(e.ARN("user/admin"))})),
					statecheck.ExpectKnownOutputValue("finding_counts", knownvalue.MapPartial(map[string]knownvalue.Check{"critical": knownvalue.Int64Exact(1)})),
				},
			},
		}}
	})
}

// findingsCheck checks a findings list: it holds every wanted finding (and only those, in
// that order, when exact), and none about the unwanted principals.
type findingsCheck struct {
	want               []string // findingKey of each
	exact              bool
	unwantedPrincipals []string
}

func (c findingsCheck) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	var got []string
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("expected objects in the list, got %T", e)
		}
		p, _ := m["principal_arn"].(string)
		typ, _ := m["type"].(string)
		rule, _ := m["rule"].(string)
		if slices.Contains(c.unwantedPrincipals, p) {
			return fmt.Errorf("finding %s %s about %s, which has none", typ, rule, p)
		}
		got = append(got, findingKey(p, typ, rule))
	}
	if c.exact {
		if !slices.Equal(got, c.want) {
			return fmt.Errorf("findings %q, want %q", got, c.want)
		}
		return nil
	}
	for _, w := range c.want {
		if !slices.Contains(got, w) {
			return fmt.Errorf("no finding %q among %q", w, got)
		}
	}
	return nil
}

func (c findingsCheck) String() string { return fmt.Sprintf("findings %q", c.want) }

// principalPathCheck checks one principal's admin_path: as many steps as prefixes, each
// step starting with its prefix.
type principalPathCheck struct {
	arn   string
	steps []string
}

func (c principalPathCheck) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["arn"] != c.arn {
			continue
		}
		steps, _ := m["admin_path"].([]any)
		if len(steps) != len(c.steps) {
			return fmt.Errorf("%s: admin_path %v, want %d steps", c.arn, steps, len(c.steps))
		}
		for i, s := range steps {
			if str, _ := s.(string); !strings.HasPrefix(str, c.steps[i]) {
				return fmt.Errorf("%s: step %d is %q, want it to start with %q", c.arn, i+1, str, c.steps[i])
			}
		}
		return nil
	}
	return fmt.Errorf("no principal %s", c.arn)
}

func (c principalPathCheck) String() string { return fmt.Sprintf("admin_path of %s", c.arn) }
