package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccPolicyAnalysisDataSource(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		const addr = "data.ciem_policy_analysis.test"
		const trustAddr = "data.ciem_policy_analysis.trust"
		const badAddr = "data.ciem_policy_analysis.bad"
		config := e.Config(`
data "ciem_policy_analysis" "test" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:ListAllMyBuckets", "s3:getobject", "iam:PassRole", "s3:PutObjectTagging"]
      Resource = "*"
    }]
  })
}

data "ciem_policy_analysis" "trust" {
  kind   = "trust"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

data "ciem_policy_analysis" "bad" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObjet", Resource = "*" }] })
}
`)
		list := func(names ...string) knownvalue.Check {
			checks := make([]knownvalue.Check, len(names))
			for i, n := range names {
				checks[i] = knownvalue.StringExact(n)
			}
			return knownvalue.ListExact(checks)
		}
		return resource.TestCase{Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("actions"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"list":                   list("s3:ListAllMyBuckets"),
					"read":                   list("s3:GetObject"),
					"write":                  list("iam:PassRole"),
					"permissions_management": list(),
					"tagging":                list("s3:PutObjectTagging"),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("action_count"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("valid"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("size_limit"), knownvalue.Int64Exact(6144)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("within_limit"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("canonical"), knownvalue.StringExact(
					`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","s3:GetObject","s3:ListAllMyBuckets","s3:PutObjectTagging"],"Resource":"*"}]}`)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("findings"), knownvalue.ListPartial(map[int]knownvalue.Check{
					0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"category": knownvalue.StringExact("validation"),
						"severity": knownvalue.StringExact("SECURITY_WARNING"),
						"code":     knownvalue.StringExact("PASS_ROLE_ALL_RESOURCES"),
						"path":     knownvalue.StringExact("$.Statement[0].Resource"),
					}),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("size"), knownvalue.Int64Func(func(n int64) error {
					if n < 100 || n > 200 {
						return fmt.Errorf("size %d, want the document's length without whitespace", n)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(trustAddr, tfjsonpath.New("valid"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(trustAddr, tfjsonpath.New("size_limit"), knownvalue.Int64Exact(2048)),
				statecheck.ExpectKnownValue(trustAddr, tfjsonpath.New("size_limit_max"), knownvalue.Int64Exact(4096)),
				statecheck.ExpectKnownValue(badAddr, tfjsonpath.New("valid"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(badAddr, tfjsonpath.New("action_count"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(badAddr, tfjsonpath.New("findings"), knownvalue.ListPartial(map[int]knownvalue.Check{
					0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"code":    knownvalue.StringExact("UNKNOWN_ACTION"),
						"message": knownvalue.StringRegexp(regexp.MustCompile(`did you mean s3:GetObject\?`)),
					}),
				})),
			},
		}}}
	})
}
