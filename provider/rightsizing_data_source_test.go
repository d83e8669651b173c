package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ciem/ciem/provider/acctest"
)

// TestAccRightsizingDataSource right-sizes a role with a broad policy from the calls it
// made (CloudTrail LookupEvents in the sandbox), then re-plans: the same usage gives the
// same suggestion, so nothing changes.
func TestAccRightsizingDataSource(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		role := acctest.BroadRole(t, e.Sandbox, "app")
		const addr = "data.ciem_rightsizing.app"
		config := e.Config(`
data "ciem_rightsizing" "app" {
  principal_arn = "` + role + `"
  sources       = ["lookup-events"]
}

output "policy" {
  value = data.ciem_rightsizing.app.policy
}
`)
		strs := func(ss ...string) knownvalue.Check {
			c := make([]knownvalue.Check, len(ss))
			for i, s := range ss {
				c[i] = knownvalue.StringExact(s)
			}
			return knownvalue.ListExact(c)
		}
		return resource.TestCase{Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("used_actions"), strs("iam:GetRole", "iam:ListRoles", "s3:ListAllMyBuckets")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("unused_actions"), listContains("iam:ListUsers", "s3:CreateBucket")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("denied_actions"), strs()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("unused_ratio"), knownvalue.Float64Func(func(v float64) error {
						if v < 0.9 || v >= 1 {
							return fmt.Errorf("unused_ratio %v: three of a hundred or so granted actions were used", v)
						}
						return nil
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policies"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownOutputValue("policy", knownvalue.StringExact(
						`{"Version":"2012-10-17","Statement":[`+
							// GetRole is scoped to the role it was used on (the role's name under any path).
							`{"Effect":"Allow","Action":"iam:GetRole","Resource":["arn:aws:iam::111122223333:role/*/app","arn:aws:iam::111122223333:role/app"]},`+
							`{"Effect":"Allow","Action":["iam:ListRoles","s3:ListAllMyBuckets"],"Resource":"*"}]}`)),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		}}
	})
}
