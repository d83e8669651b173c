package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// deployer makes a user that may only assume role/terraform, which has IAMFullAccess,
// and returns the user's access key.
func (e *accEnv) deployer() (keyID, secret string) {
	e.t.Helper()
	ctx := context.Background()
	e.CreateRole("terraform", "")
	_, err := e.IAM.Client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
		RoleName: aws.String("terraform"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMFullAccess"),
	})
	fatalIf(e.t, err)
	e.CreateUser("deployer")
	_, err = e.IAM.Client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String("deployer"), PolicyName: aws.String("assume-terraform"),
		PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":%q}]}`,
			e.ARN("role/terraform"))),
	})
	fatalIf(e.t, err)
	out, err := e.IAM.Client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("deployer")})
	fatalIf(e.t, err)
	return aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey)
}

// TestAccProvider_assumeRole configures credentials that can do nothing but assume a
// role: the entitlement is created only if the provider really assumed it.
func TestAccProvider_assumeRole(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		keyID, secret := e.deployer()
		e.CreateRole("app", "")
		provider := func(roleARN string) string {
			return fmt.Sprintf(`
provider "ciem" {
  access_key = %q
  secret_key = %q
  assume_role {
    role_arn     = %q
    session_name = "acceptance"
    duration     = "30m"
  }
  endpoints {
    iam = %[4]q
    sts = %[4]q
  }
}
`, keyID, secret, roleARN, e.Sandbox.URL)
		}
		resourceHCL := entitlementConfig(e.ARN("role/app"), jsonencodePolicy("*", "s3:ListAllMyBuckets"))
		return resource.TestCase{Steps: []resource.TestStep{
			{
				// Without assume_role the deployer may not create policies.
				Config: fmt.Sprintf(`
provider "ciem" {
  access_key = %q
  secret_key = %q
  endpoints { iam = %q }
}
`, keyID, secret, e.Sandbox.URL) + resourceHCL,
				ExpectError: regexp.MustCompile(`(?s)Cannot read the principal.*AccessDenied.*iam:GetRole`),
			},
			{
				Config:      provider(e.ARN("role/nobody")) + resourceHCL,
				ExpectError: regexp.MustCompile(`(?s)Cannot assume role.*role/nobody`),
			},
			{
				Config: provider(e.ARN("role/terraform")) + resourceHCL,
				Check:  e.checkRemote(e.ARN("role/app"), wantDoc("*", "s3:ListAllMyBuckets")),
			},
		}}
	})
}

// TestAccProvider_endpointFromEnvironment points the provider at the sandbox with only
// the SDK's environment variables, as a user of the AWS CLI would.
func TestAccProvider_endpointFromEnvironment(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		creds := e.Sandbox.AdminCredentials()
		t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens there
		t.Setenv("AWS_ENDPOINT_URL_IAM", e.Sandbox.URL)    // the service variable wins
		t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
		t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
		t.Setenv("AWS_REGION", e.Sandbox.Region())
		e.CreateRole("app", "")
		return resource.TestCase{Steps: []resource.TestStep{{
			Config: `provider "ciem" {}` + entitlementConfig(e.ARN("role/app"), jsonencodePolicy("*", "s3:ListAllMyBuckets")),
			Check:  e.checkRemote(e.ARN("role/app"), wantDoc("*", "s3:ListAllMyBuckets")),
		}}}
	})
}

// TestAccProvider_invalidConfig checks the provider block's own validation.
func TestAccProvider_invalidConfig(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		resourceHCL := entitlementConfig(e.ARN("role/app"), jsonencodePolicy("*", "s3:ListAllMyBuckets"))
		cases := []struct{ provider, want string }{
			{`provider "ciem" {
  endpoints { iam = "localhost:4566" }
}`, `(?s)Invalid endpoint URL.*iam\s+=`},
			{`provider "ciem" {
  assume_role {
    role_arn = "arn:aws:iam::111122223333:role/x"
    duration = "5m"
  }
}`, `(?s)Invalid duration.*15m\s+to\s+12h`},
			{`provider "ciem" {
  assume_role { session_name = "x-y" }
  endpoints { sts = "` + e.Sandbox.URL + `" }
}`, `(?s)Missing role_arn`},
			{`provider "ciem" {
  access_key = "AKIAEXAMPLE"
}`, `(?s)secret_key`},
		}
		var steps []resource.TestStep
		for _, c := range cases {
			steps = append(steps, resource.TestStep{Config: c.provider + resourceHCL, PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
		}
		return resource.TestCase{Steps: steps}
	})
}
