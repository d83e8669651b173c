package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccEntitlement_invalid fails plans on invalid policies, at the attribute the
// finding is about (Terraform prints that attribute's source line, which the patterns
// match), and on risks that deny_findings names.
func TestAccEntitlement_invalid(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		role := e.ARN("role/app")
		cases := []struct {
			name   string
			config string
			want   string
		}{
			{
				name: "unknown action in policy",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "bad"
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObjet"], Resource = "*" }] })
}`,
				want: `(?s)Invalid policy: UNKNOWN_ACTION.*policy\s+= jsonencode.*Statement\[0\]\.Action\[0\].*did\s+you\s+mean\s+s3:GetObject`,
			},
			{
				name: "policy that is not JSON",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "bad"
  policy        = "{\"Version\": "
}`,
				want: `(?s)Invalid policy: JSON_SYNTAX.*policy\s+= "`,
			},
			{
				name: "unknown action in a statement block",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "bad"
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    sid       = "Second"
    actions   = ["sqs:SendMessage", "sqs:SendMesage"]
    resources = ["*"]
  }
}`,
				want: `(?s)Invalid policy: UNKNOWN_ACTION.*actions\s+= \["sqs:SendMessage", "sqs:SendMesage"\].*Statement\[1\]\.Action\[1\]`,
			},
			{
				name: "unknown condition operator in a statement block",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "bad"
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
    condition {
      test     = "StringEqualz"
      variable = "aws:PrincipalTag/team"
      values   = ["web"]
    }
  }
}`,
				want: `(?s)Invalid policy: UNKNOWN_CONDITION_OPERATOR.*test\s+= "StringEqualz"`,
			},
			{
				name: "denied risk",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "risky"
  deny_findings = ["privilege_escalation"]
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["iam:CreatePolicyVersion"], Resource = "*" }] })
}`,
				want: `(?s)Policy grants privilege_escalation.*deny_findings\s+forbids\s+privilege_escalation`,
			},
			{
				// ModifyPlan finds the risks in the document it builds for the plan, from
				// blocks whose effect the framework has defaulted. (Terraform shows a
				// diagnostic on a block at the resource; the detail names the statement.)
				name: "denied risk in a statement block",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "risky"
  deny_findings = ["privilege_escalation"]
  statement {
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
  }
  statement {
    actions   = ["iam:CreatePolicyVersion"]
    resources = ["*"]
  }
}`,
				want: `(?s)Policy grants privilege_escalation.*at\s+\$\.Statement\[1\].*deny_findings\s+forbids\s+privilege_escalation`,
			},
			{
				name: "unknown deny_findings type",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "x"
  deny_findings = ["privilege_escalator"]
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }] })
}`,
				want: `(?s)deny_findings.*privilege_escalation`,
			},
			{
				name: "policy and statements",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "x"
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }] })
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}`,
				want: `Conflicting policy`,
			},
			{
				name: "neither policy nor statements",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "x"
}`,
				want: `Missing policy`,
			},
			{
				name: "principal that is a policy",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + e.ARN("policy/x") + `"
  name          = "x"
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }] })
}`,
				want: `(?s)Invalid principal ARN.*is\s+not\s+a\s+role,\s+user\s+or\s+group`,
			},
			{
				name: "bad policy name",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "no spaces"
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }] })
}`,
				want: `(?s)name.*must\s+be\s+1\s+to\s+128\s+letters`,
			},
			{
				name: "policy name too long",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "` + strings.Repeat("n", 129) + `"
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }] })
}`,
				want: `(?s)name\s+string\s+length\s+must\s+be\s+at\s+most\s+128`,
			},
			{
				name: "path too long",
				config: `resource "ciem_entitlement" "test" {
  principal_arn = "` + role + `"
  name          = "x"
  path          = "/` + strings.Repeat("p", 511) + `/"
  policy        = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }] })
}`,
				want: `(?s)path\s+string\s+length\s+must\s+be\s+at\s+most\s+512`,
			},
		}
		var steps []resource.TestStep
		for _, c := range cases {
			steps = append(steps, resource.TestStep{
				Config:      e.Config(c.config),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(c.want),
			})
		}
		// A principal that does not exist passes the plan and fails the apply.
		steps = append(steps, resource.TestStep{
			Config:      e.Config(entitlementConfig(e.ARN("role/nobody"), jsonencodePolicy("*", "s3:GetObject"))),
			ExpectError: regexp.MustCompile(`(?s)Principal not found.*role\s+nobody\s+not\s+found`),
		})
		return resource.TestCase{Steps: steps}
	})
}
