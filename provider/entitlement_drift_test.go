package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ciem/ciem/internal/awsx"
)

// TestAccEntitlement_drift changes the entitlement outside Terraform: a new default
// version that grants more, a detachment, and a new version that means the same. The
// first two show in the plan and apply puts things back; the last does not show.
func TestAccEntitlement_drift(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateRole("app", "")
		role := e.ARN("role/app")
		policyARN := e.ARN("policy/ciem/app-standing")
		bucket := "arn:aws:s3:::reports/*"
		config := e.Config(entitlementConfig(role, jsonencodePolicy(bucket, "s3:GetObject")))
		ctx := context.Background()
		outOfBand := func(f func() error) func() {
			return func() {
				if err := f(); err != nil {
					t.Fatalf("changing the sandbox outside Terraform: %v", err)
				}
			}
		}
		principal, err := awsx.ParsePrincipalARN(role)
		fatalIf(t, err)
		return resource.TestCase{Steps: []resource.TestStep{
			{Config: config, Check: e.checkRemote(role, wantDoc(bucket, "s3:GetObject"))},
			{
				PreConfig: outOfBand(func() error {
					_, err := e.IAM.SetDocument(ctx, policyARN, []byte(wantDoc("*", "s3:*")))
					return err
				}),
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("version_id"), knownvalue.StringExact("v3")),
				},
				Check: e.checkRemote(role, wantDoc(bucket, "s3:GetObject")),
			},
			{
				PreConfig: outOfBand(func() error { return e.IAM.Detach(ctx, principal, policyARN) }),
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// Re-attaching makes no new version.
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("version_id"), knownvalue.StringExact("v3")),
				},
				Check: e.checkRemote(role, wantDoc(bucket, "s3:GetObject")),
			},
			{
				PreConfig: outOfBand(func() error {
					_, err := e.IAM.SetDocument(ctx, policyARN,
						[]byte(`{"Statement":[{"Resource":"arn:aws:s3:::reports/*","Action":["s3:getobject"],"Effect":"Allow"}],"Version":"2012-10-17"}`))
					return err
				}),
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("version_id"), knownvalue.StringExact("v4")),
				},
			},
		}}
	})
}

// TestAccEntitlement_disappears deletes the policy outside Terraform: the next plan
// re-creates it.
func TestAccEntitlement_disappears(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateRole("app", "")
		role := e.ARN("role/app")
		bucket := "arn:aws:s3:::reports/*"
		config := e.Config(entitlementConfig(role, jsonencodePolicy(bucket, "s3:GetObject")))
		principal, err := awsx.ParsePrincipalARN(role)
		fatalIf(t, err)
		disappear := func(s *terraform.State) error {
			ctx := context.Background()
			arn := s.RootModule().Resources[entitlementAddr].Primary.Attributes["policy_arn"]
			if err := e.IAM.Detach(ctx, principal, arn); err != nil {
				return err
			}
			return e.IAM.DeletePolicy(ctx, arn)
		}
		return resource.TestCase{
			CheckDestroy: e.checkDestroyed(e.ARN("policy/ciem/app-standing")),
			Steps: []resource.TestStep{
				{
					Config:             config,
					Check:              resource.ComposeTestCheckFunc(e.checkRemote(role, wantDoc(bucket, "s3:GetObject")), disappear),
					ExpectNonEmptyPlan: true,
				},
				{
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionCreate),
					}},
					Check: e.checkRemote(role, wantDoc(bucket, "s3:GetObject")),
				},
			},
		}
	})
}

// checkDestroyed checks that the policy is gone after destroy.
func (e *accEnv) checkDestroyed(policyARN string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := e.IAM.GetPolicy(context.Background(), policyARN)
		if awsx.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("%s still exists after destroy", policyARN)
	}
}
