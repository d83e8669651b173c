package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ciem/ciem/internal/awsx"
)

func statementConfig(principalARN string) string {
	return fmt.Sprintf(`
resource "ciem_entitlement" "test" {
  principal_arn = %q
  name          = "team-standing"

  statement {
    sid       = "ReadReports"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["analytics"]
    }
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:DeleteObject"]
    resources = ["*"]
  }
}
`, principalARN)
}

const statementDoc = `{"Version":"2012-10-17","Statement":[
  {"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"],
   "Condition":{"StringEquals":{"aws:PrincipalTag/team":"analytics"}}},
  {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`

// TestAccEntitlement_statements writes the policy with statement blocks (the document is
// known at plan time), re-plans with no change, then moves the entitlement from a user to
// a group and a role in place.
func TestAccEntitlement_statements(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateUser("alice")
		e.CreateGroup("analysts")
		e.CreateRole("analytics", "/teams/")
		user, group, role := e.ARN("user/alice"), e.ARN("group/analysts"), e.ARN("role/teams/analytics")
		policyARN := e.ARN("policy/team-standing")
		notAttached := func(principalARN string) resource.TestCheckFunc {
			return func(*terraform.State) error {
				p, err := awsx.ParsePrincipalARN(principalARN)
				if err != nil {
					return err
				}
				ok, err := e.IAM.IsAttached(context.Background(), p, policyARN)
				if err != nil {
					return err
				}
				if ok {
					return fmt.Errorf("%s is still attached to %s", policyARN, principalARN)
				}
				return nil
			}
		}
		moveTo := func(to, from string) resource.TestStep {
			return resource.TestStep{
				Config: e.Config(statementConfig(to)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("version_id"), knownvalue.StringExact("v1")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(e.checkRemote(to, statementDoc), notAttached(from)),
			}
		}
		return resource.TestCase{Steps: []resource.TestStep{
			{
				Config: e.Config(statementConfig(user)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("policy"), knownvalue.StringExact(
						`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},`+
							`{"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"],`+
							`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"analytics"}}}]}`)),
				}},
				Check: e.checkRemote(user, statementDoc),
			},
			{
				Config:           e.Config(statementConfig(user)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			moveTo(group, user),
			moveTo(role, group),
		}}
	})
}

// TestAccEntitlement_import imports by policy ARN, with `terraform import` and with an
// import block, and checks every attribute against the state the apply wrote. The
// configuration writes its policy through canonical_policy, the form import reads.
func TestAccEntitlement_import(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateRole("app", "")
		role := e.ARN("role/app")
		policyARN := e.ARN("policy/ciem/app-standing")
		config := e.Config(entitlementConfig(role,
			`provider::ciem::canonical_policy(`+jsonencodePolicy("arn:aws:s3:::reports/*", "s3:GetObject", "s3:ListBucket")+`)`))
		importStep := func(kind resource.ImportStateKind, id string) resource.TestStep {
			return resource.TestStep{
				Config:                               config,
				ResourceName:                         entitlementAddr,
				ImportState:                          true,
				ImportStateKind:                      kind,
				ImportStateId:                        id,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "policy_arn",
			}
		}
		return resource.TestCase{Steps: []resource.TestStep{
			{Config: config},
			importStep(resource.ImportCommandWithID, policyARN),
			importStep(resource.ImportCommandWithID, policyARN+","+role),
			{
				// An import block: the plan imports and changes nothing (plugin-testing
				// verifies state only for the import command).
				Config:          config,
				ResourceName:    entitlementAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   policyARN,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				Config:        config,
				ResourceName:  entitlementAddr,
				ImportState:   true,
				ImportStateId: e.ARN("role/app"),
				ExpectError:   regexpMust(`(?s)Invalid import ID.*not\s+an\s+IAM\s+policy\s+ARN`),
			},
		}}
	})
}

// TestAccEntitlement_importByIdentity imports with an import block's identity
// (Terraform and OpenTofu 1.12 and later; older CLIs have no identity and skip it, said
// in the test log): the identity apply wrote, the plan it imports to a no-op, and a bad
// identity's error at the attribute.
func TestAccEntitlement_importByIdentity(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateRole("app", "")
		role := e.ARN("role/app")
		policyARN := e.ARN("policy/ciem/app-standing")
		config := e.Config(entitlementConfig(role,
			`provider::ciem::canonical_policy(`+jsonencodePolicy("arn:aws:s3:::reports/*", "s3:GetObject")+`)`))
		return resource.TestCase{
			TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
			Steps: []resource.TestStep{
				{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectIdentity(entitlementAddr, map[string]knownvalue.Check{
							"policy_arn": knownvalue.StringExact(policyARN),
						}),
					},
				},
				{
					// plugin-testing writes `import { identity = { policy_arn = ... } }` from
					// the identity in state and checks the plan: a no-op, the same identity.
					Config:          config,
					ResourceName:    entitlementAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithResourceIdentity,
				},
				{
					Config: config + (`
import {
  to       = ciem_entitlement.other
  identity = { policy_arn = "` + role + `" }
}
` + strings.Replace(entitlementConfig(role, jsonencodePolicy("*", "s3:GetObject")), `"test"`, `"other"`, 1)),
					ExpectError: regexpMust(`(?s)Invalid import identity.*not\s+an\s+IAM\s+policy\s+ARN`),
				},
			},
		}
	})
}

// TestAccEntitlement_importJSONEncode imports a policy whose configuration uses plain
// jsonencode: the imported canonical text means the same, so the plan after import is
// empty.
func TestAccEntitlement_importJSONEncode(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateRole("app", "")
		role := e.ARN("role/app")
		ctx := context.Background()
		created, err := e.IAM.CreatePolicy(ctx, awsx.NewPolicy{Name: "app-standing", Path: "/ciem/", Description: "standing access of app",
			Document: []byte(wantDoc("arn:aws:s3:::reports/*", "s3:GetObject"))})
		fatalIf(t, err)
		p, err := awsx.ParsePrincipalARN(role)
		fatalIf(t, err)
		fatalIf(t, e.IAM.Attach(ctx, p, created.ARN))
		return resource.TestCase{Steps: []resource.TestStep{{
			Config: e.Config(fmt.Sprintf(`
import {
  to = ciem_entitlement.test
  id = %q
}
`, created.ARN) + entitlementConfig(role, jsonencodePolicy("arn:aws:s3:::reports/*", "s3:GetObject"))),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("principal_arn"), knownvalue.StringExact(role)),
			},
		}}}
	})
}

func TestStatementDocumentAttrPath(t *testing.T) {
	d := statementDocument{conditions: [][]conditionKey{
		{{"StringEquals", "aws:PrincipalTag/team"}, {"StringLike", "s3:prefix"}},
	}}
	tests := []struct{ json, want string }{
		{"$", "statement"},
		{"$.Version", "statement"},
		{"$.Statement[0]", "statement[0]"},
		{"$.Statement[1].Sid", "statement[1].sid"},
		{"$.Statement[0].Action[2]", "statement[0].actions[2]"},
		{"$.Statement[0].NotResource", "statement[0].not_resources"},
		{"$.Statement[0].Condition.StringLike.s3:prefix", "statement[0].condition[1]"},
		{"$.Statement[0].Condition.StringEquals.aws:PrincipalTag/team[0]", "statement[0].condition[0].values[0]"},
		{"$.Statement[0].Condition.StringLike", "statement[0].condition[1].test"},
		{"$.Statement[0].Condition.Bool", "statement[0].condition"},
		{"$.Statement[3].Condition.Bool.aws:SecureTransport", "statement[3].condition"},
		{"$.Statement[0].Principal", "statement[0]"},
	}
	for _, tt := range tests {
		if got := d.attrPath(tt.json).String(); got != tt.want {
			t.Errorf("attrPath(%q) = %s, want %s", tt.json, got, tt.want)
		}
	}
}
