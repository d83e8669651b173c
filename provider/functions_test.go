package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func TestAccFunctions(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		str := knownvalue.StringExact
		list := func(names ...string) knownvalue.Check {
			checks := make([]knownvalue.Check, len(names))
			for i, n := range names {
				checks[i] = str(n)
			}
			return knownvalue.ListExact(checks)
		}
		return resource.TestCase{Steps: []resource.TestStep{
			{
				Config: e.Config(`
locals {
  old = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::b/*" }] })
  new = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "iam:PassRole"], Resource = "*" }] })
}

output "expanded" {
  value = provider::ciem::expand_actions("S3:getobjectta*")
}

output "nothing" {
  value = provider::ciem::expand_actions("s3:NoSuchThing*")
}

output "canonical" {
  value = provider::ciem::canonical_policy(jsonencode({
    Version   = "2012-10-17"
    Statement = { Resource = ["*"], Action = ["S3:GETOBJECT", "s3:GetObject"], Effect = "Allow" }
  }))
}

output "canonical_trust" {
  value = provider::ciem::canonical_policy(jsonencode({
    Statement = [{ Action = "sts:AssumeRole", Effect = "Allow", Principal = { Service = ["ec2.amazonaws.com"] } }]
    Version   = "2012-10-17"
  }))
}

output "diff" {
  value = provider::ciem::policy_diff(local.old, local.new)
}

output "same" {
  value = provider::ciem::policy_diff(local.old, local.old).equal
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("expanded", list("s3:GetObjectTagging")),
					statecheck.ExpectKnownOutputValue("nothing", list()),
					statecheck.ExpectKnownOutputValue("canonical", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)),
					statecheck.ExpectKnownOutputValue("canonical_trust", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)),
					statecheck.ExpectKnownOutputValue("same", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("diff", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"equal": knownvalue.Bool(false),
						"added": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"resource": str("*"), "except": list(), "actions": list("iam:PassRole", "s3:GetObject"), "conditional": knownvalue.Bool(false),
							}),
						}),
						"removed": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"resource": str("arn:aws:s3:::b/*"), "except": list(), "actions": list("s3:PutObject"), "conditional": knownvalue.Bool(false),
							}),
						}),
						"by_access_level": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{"level": str("Write"), "added": list("iam:PassRole"), "removed": list("s3:PutObject")}),
							knownvalue.ObjectExact(map[string]knownvalue.Check{"level": str("Read"), "added": list("s3:GetObject"), "removed": list()}),
						}),
					})),
				},
			},
			{
				Config:      e.Config(`output "x" { value = provider::ciem::expand_actions("GetObject") }`),
				ExpectError: regexp.MustCompile(`(?s)not\s+an\s+action\s+pattern`),
			},
			{
				Config:      e.Config(`output "x" { value = provider::ciem::canonical_policy("{") }`),
				ExpectError: regexp.MustCompile(`(?s)not\s+a\s+policy\s+document`),
			},
			{
				Config:      e.Config(`output "x" { value = provider::ciem::policy_diff(jsonencode({ Version = "2012-10-17", Statement = [] }), "[]") }`),
				ExpectError: regexp.MustCompile(`(?s)not\s+an\s+identity\s+policy`),
			},
		}}
	})
}
