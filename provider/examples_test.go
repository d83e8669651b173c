package provider

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/zclconf/go-cty/cty"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/provider/acctest"
)

// Every example under examples/ (the source of the generated docs) runs here against the
// sandbox, in the sandbox's account 111122223333 that the examples use.

func readExample(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", rel))
	fatalIf(t, err)
	return string(b)
}

// sandboxProviderExample rewrites examples/provider/provider.tf for the sandbox: the
// terraform block gives way to the test's required_providers, the endpoints point at the
// sandbox, and the admin key becomes the chain's credentials.
func (e *accEnv) sandboxProviderExample() string {
	e.t.Helper()
	f, diags := hclwrite.ParseConfig([]byte(readExample(e.t, "provider/provider.tf")), "provider.tf", hcl.InitialPos)
	if diags.HasErrors() {
		e.t.Fatal(diags)
	}
	body := f.Body()
	for _, b := range body.Blocks() {
		if b.Type() == "terraform" {
			body.RemoveBlock(b)
		}
	}
	p := body.FirstMatchingBlock("provider", []string{"ciem"})
	if p == nil {
		e.t.Fatal("examples/provider/provider.tf has no provider \"ciem\" block")
	}
	creds := e.Sandbox.AdminCredentials()
	p.Body().SetAttributeValue("access_key", cty.StringVal(creds.AccessKeyID))
	p.Body().SetAttributeValue("secret_key", cty.StringVal(creds.SecretAccessKey))
	eps := p.Body().FirstMatchingBlock("endpoints", nil)
	if eps == nil {
		e.t.Fatal("examples/provider/provider.tf has no endpoints block")
	}
	for name := range eps.Body().Attributes() {
		eps.Body().SetAttributeValue(name, cty.StringVal(e.Sandbox.URL))
	}
	return `
terraform {
  required_providers {
    ciem = { source = "hashicorp/ciem" }
  }
}
` + string(f.Bytes())
}

// seedExamplePrincipals makes the principals the examples name, and the role the
// provider example assumes.
func (e *accEnv) seedExamplePrincipals() {
	e.t.Helper()
	e.CreateRole("reports-reader", "")
	e.CreateGroup("analysts")
	e.CreateRole("terraform", "")
	_, err := e.IAM.Client.AttachRolePolicy(context.Background(), &iamsdk.AttachRolePolicyInput{
		RoleName: aws.String("terraform"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMFullAccess"),
	})
	fatalIf(e.t, err)
}

// importCommands reads `terraform import ADDRESS ID` lines from an import.sh.
func importCommands(t *testing.T, script string) [][2]string {
	t.Helper()
	var out [][2]string
	sc := bufio.NewScanner(strings.NewReader(script))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "terraform" && f[1] == "import" {
			out = append(out, [2]string{f[2], strings.Trim(f[3], `'"`)})
		}
	}
	if len(out) == 0 {
		t.Fatal("import.sh has no terraform import command")
	}
	return out
}

// TestAccExamples_providerAndResource applies the provider example (which assumes a
// role) with the resource example, re-plans with no change, and runs import.sh.
func TestAccExamples_providerAndResource(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.seedExamplePrincipals()
		config := e.sandboxProviderExample() + readExample(t, "resources/ciem_entitlement/resource.tf")
		steps := []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("ciem_entitlement.reports_reader", tfjsonpath.New("policy_arn"),
					knownvalue.StringExact("arn:aws:iam::111122223333:policy/ciem/reports-reader-standing")),
				statecheck.ExpectKnownValue("ciem_entitlement.analysts", tfjsonpath.New("version_id"), knownvalue.StringExact("v1")),
				statecheck.ExpectKnownOutputValue("reports_reader_findings", knownvalue.NotNull()),
			},
			Check: e.checkAssumedRoleCreated("reports-reader-standing"),
		}}
		for _, c := range importCommands(t, readExample(t, "resources/ciem_entitlement/import.sh")) {
			steps = append(steps, resource.TestStep{
				Config:                               config,
				ResourceName:                         c[0],
				ImportState:                          true,
				ImportStateId:                        c[1],
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "policy_arn",
				// Import reads the policy in canonical form (compared by meaning below) and
				// cannot know deny_findings, which lives in configuration only.
				ImportStateVerifyIgnore: []string{"policy", "deny_findings"},
				ImportStateCheck:        checkImportedPolicyMeans(readExample(t, "resources/ciem_entitlement/resource.tf")),
			})
		}
		return resource.TestCase{Steps: steps}
	})
}

// checkAssumedRoleCreated checks, in the sandbox's CloudTrail, that the policy was
// created by the role the provider example assumes.
func (e *accEnv) checkAssumedRoleCreated(policyName string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		who, err := e.creatorOf(policyName)
		if err != nil {
			return err
		}
		if !strings.Contains(who, ":assumed-role/terraform/terraform") {
			return fmt.Errorf("CreatePolicy %s was called by %s, want the assumed role terraform (session terraform)", policyName, who)
		}
		return nil
	}
}

// checkImportedPolicyMeans checks that the imported policy means what the example's
// reports_reader resource writes.
func checkImportedPolicyMeans(example string) resource.ImportStateCheckFunc {
	return func(states []*terraform.InstanceState) error {
		const want = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],` +
			`"Resource":["arn:aws:s3:::example-reports","arn:aws:s3:::example-reports/*"]}]}`
		if !strings.Contains(example, `"arn:aws:s3:::example-reports/*"`) {
			return fmt.Errorf("the resource example changed: update this check")
		}
		for _, s := range states {
			if got := s.Attributes["policy"]; !iam.EqualJSON([]byte(got), []byte(want), iam.KindManaged) {
				return fmt.Errorf("imported policy %s, want one meaning %s", got, want)
			}
		}
		return nil
	}
}

// TestAccExamples_importBlock plans the resource example with its import block against
// a policy that already exists: the plan imports it rather than creating it.
func TestAccExamples_importBlock(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		return e.importBlockExample("resources/ciem_entitlement/import-by-string-id.tf")
	})
}

// TestAccExamples_importBlockByIdentity is TestAccExamples_importBlock with the example
// that imports by identity (Terraform and OpenTofu 1.12 and later; older CLIs skip it,
// said in the test log).
func TestAccExamples_importBlockByIdentity(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		tc := e.importBlockExample("resources/ciem_entitlement/import-by-identity.tf")
		tc.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}
		return tc
	})
}

// importBlockExample creates and attaches the policy the resource example declares, then
// plans the example with the given import example: the plan imports it.
func (e *accEnv) importBlockExample(importExample string) resource.TestCase {
	t := e.t
	e.seedExamplePrincipals()
	ctx := context.Background()
	created, err := e.IAM.CreatePolicy(ctx, awsx.NewPolicy{Name: "reports-reader-standing", Path: "/ciem/", Description: "Read the monthly reports",
		Document: []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],` +
			`"Resource":["arn:aws:s3:::example-reports","arn:aws:s3:::example-reports/*"]}]}`)})
	fatalIf(t, err)
	role, err := awsx.ParsePrincipalARN("arn:aws:iam::111122223333:role/reports-reader")
	fatalIf(t, err)
	fatalIf(t, e.IAM.Attach(ctx, role, created.ARN))
	config := e.Config(readExample(t, "resources/ciem_entitlement/resource.tf") + readExample(t, importExample))
	return resource.TestCase{Steps: []resource.TestStep{{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			expectImporting("ciem_entitlement.reports_reader"),
			// Only deny_findings, which import cannot read, is added to state.
			plancheck.ExpectResourceAction("ciem_entitlement.reports_reader", plancheck.ResourceActionUpdate),
			plancheck.ExpectKnownValue("ciem_entitlement.reports_reader", tfjsonpath.New("version_id"), knownvalue.StringExact("v1")),
			plancheck.ExpectResourceAction("ciem_entitlement.analysts", plancheck.ResourceActionCreate),
		}},
	}}}
}

// expectImporting checks that the plan imports the resource.
func expectImporting(addr string) plancheck.PlanCheck { return importingCheck{addr} }

type importingCheck struct{ addr string }

func (c importingCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == c.addr {
			if rc.Change == nil || rc.Change.Importing == nil {
				resp.Error = fmt.Errorf("%s is not imported by the plan", c.addr)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s not in the plan", c.addr)
}

// TestAccExamples_dataSourcesAndFunctions applies each data source and function example.
func TestAccExamples_dataSourcesAndFunctions(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		examples := []struct {
			file   string
			checks []statecheck.StateCheck
		}{
			{"data-sources/ciem_policy_analysis/data-source.tf", []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("deploy_writes", knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("iam:PassRole")})),
				statecheck.ExpectKnownOutputValue("deploy_size", knownvalue.StringRegexp(regexpMust(`^\d+ of 6144 characters$`))),
			}},
			{"functions/expand_actions/function.tf", []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("s3_object_reads", knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("s3:GetObject")})),
				statecheck.ExpectKnownOutputValue("sqs_action_count", knownvalue.Int64Func(func(n int64) error {
					if n < 10 {
						return fmt.Errorf("sqs:* expands to %d actions, want SQS's twenty or so", n)
					}
					return nil
				})),
			}},
			{"functions/canonical_policy/function.tf", []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("canonical", knownvalue.StringExact(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)),
				statecheck.ExpectKnownOutputValue("same_as_jsonencode", knownvalue.Bool(true)),
			}},
			{"functions/policy_diff/function.tf", []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("removes_put_object", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("adds_nothing", knownvalue.Bool(true)),
			}},
		}
		var steps []resource.TestStep
		for _, ex := range examples {
			steps = append(steps, resource.TestStep{Config: e.Config(readExample(t, ex.file)), ConfigStateChecks: ex.checks})
		}
		return resource.TestCase{Steps: steps}
	})
}

// TestAccExamples_rightsizing applies the ciem_rightsizing example to a role that holds a
// broad policy and used three of its actions.
func TestAccExamples_rightsizing(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		acctest.BroadRole(t, e.Sandbox, "reports-reader")
		return resource.TestCase{Steps: []resource.TestStep{{
			Config: e.Config(readExample(t, "data-sources/ciem_rightsizing/data-source.tf")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("removed", listContains("iam:ListUsers", "s3:CreateBucket")),
				statecheck.ExpectKnownValue("ciem_entitlement.reports_reader_rightsized", tfjsonpath.New("policy"),
					knownvalue.StringRegexp(regexpMust(`"Action":\["iam:ListRoles","s3:ListAllMyBuckets"\]`))),
			},
			Check: e.checkRemote("arn:aws:iam::111122223333:role/reports-reader",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":["arn:aws:iam::111122223333:role/*/reports-reader","arn:aws:iam::111122223333:role/reports-reader"]},`+
					`{"Effect":"Allow","Action":["iam:ListRoles","s3:ListAllMyBuckets"],"Resource":"*"}]}`, "ciem_entitlement.reports_reader_rightsized"),
		}}}
	})
}

// TestExamplesAreAllExercised fails when an example file is added that no test above reads.
func TestExamplesAreAllExercised(t *testing.T) {
	exercised := map[string]bool{
		"provider/provider.tf":                              true,
		"resources/ciem_entitlement/resource.tf":            true,
		"resources/ciem_entitlement/import.sh":              true,
		"resources/ciem_entitlement/import-by-string-id.tf": true,
		"resources/ciem_entitlement/import-by-identity.tf":  true,
		"data-sources/ciem_policy_analysis/data-source.tf":  true,
		"data-sources/ciem_rightsizing/data-source.tf":      true,
		"data-sources/ciem_account_findings/data-source.tf": true, // run by TestAccAccountFindingsDataSource* against a seeded sandbox
		"functions/expand_actions/function.tf":              true,
		"functions/canonical_policy/function.tf":            true,
		"functions/policy_diff/function.tf":                 true,
	}
	root := filepath.Join("..", "examples")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && rel == "policies" {
			return filepath.SkipDir // policy documents for the CLI, not Terraform examples
		}
		if !d.IsDir() && !exercised[filepath.ToSlash(rel)] {
			t.Errorf("examples/%s is not run by any acceptance test", rel)
		}
		return nil
	})
	fatalIf(t, err)
}
