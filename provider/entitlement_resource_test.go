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

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/iam"
)

const entitlementAddr = "ciem_entitlement.test"

// entitlementConfig is a ciem_entitlement on a role with the given policy expression.
func entitlementConfig(principalARN, policyExpr string) string {
	return fmt.Sprintf(`
resource "ciem_entitlement" "test" {
  principal_arn = %q
  name          = "app-standing"
  path          = "/ciem/"
  description   = "standing access of app"
  policy        = %s
}
`, principalARN, policyExpr)
}

// jsonencodePolicy writes a jsonencode({...}) expression allowing actions on resource.
func jsonencodePolicy(resource string, actions ...string) string {
	return fmt.Sprintf(`jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = [%s]
      Resource = %q
    }]
  })`, quoteList(actions), resource)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// checkRemote checks the policy of ciem_entitlement.test (or of the resource at addr) in
// the sandbox: it exists, its default version means wantDoc, and it is attached to the
// principal.
func (e *accEnv) checkRemote(principalARN, wantDoc string, addr ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := entitlementAddr
		if len(addr) > 0 {
			a = addr[0]
		}
		rs, ok := s.RootModule().Resources[a]
		if !ok {
			return fmt.Errorf("%s not in state", a)
		}
		arn := rs.Primary.Attributes["policy_arn"]
		ctx := context.Background()
		p, err := e.IAM.GetPolicy(ctx, arn)
		if err != nil {
			return err
		}
		if !iam.EqualJSON(p.Document, []byte(wantDoc), iam.KindManaged) {
			return fmt.Errorf("remote document %s, want one meaning %s", p.Document, wantDoc)
		}
		if p.DefaultVersionID != rs.Primary.Attributes["version_id"] {
			return fmt.Errorf("remote default version %s, state %s", p.DefaultVersionID, rs.Primary.Attributes["version_id"])
		}
		pr, err := awsx.ParsePrincipalARN(principalARN)
		if err != nil {
			return err
		}
		attached, err := e.IAM.IsAttached(ctx, pr, arn)
		if err != nil {
			return err
		}
		if !attached {
			return fmt.Errorf("%s is not attached to %s", arn, principalARN)
		}
		return nil
	}
}

// checkVersions checks the remote policy's version IDs, oldest first.
func (e *accEnv) checkVersions(want ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		arn := s.RootModule().Resources[entitlementAddr].Primary.Attributes["policy_arn"]
		vs, err := e.IAM.ListPolicyVersions(context.Background(), arn)
		if err != nil {
			return err
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Errorf("versions %v, want %v", got, want)
		}
		return nil
	}
}

func wantDoc(resource string, actions ...string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[%s],"Resource":%q}]}`, quoteList(actions), resource)
}

// TestAccEntitlement_basic creates an entitlement, re-plans a policy that means the same
// written differently (no change), then updates it past IAM's five versions.
func TestAccEntitlement_basic(t *testing.T) {
	accTest(t, func(e *accEnv) resource.TestCase {
		e.CreateRole("app", "")
		role := e.ARN("role/app")
		bucket := "arn:aws:s3:::reports/*"
		steps := []resource.TestStep{
			{
				Config: e.Config(entitlementConfig(role, jsonencodePolicy(bucket, "s3:GetObject"))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionCreate),
					// Findings are known at plan time, before anything is created.
					plancheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("findings"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("policy_arn"),
						knownvalue.StringExact(e.ARN("policy/ciem/app-standing"))),
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("version_id"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: e.checkRemote(role, wantDoc(bucket, "s3:GetObject")),
			},
			{
				// The same policy: other key order, action case, a list for one value.
				Config: e.Config(entitlementConfig(role, `<<-EOT
				  {
				    "Statement": {"Resource": ["arn:aws:s3:::reports/*"], "Action": "S3:getobject", "Effect": "Allow"},
				    "Version": "2012-10-17"
				  }
				EOT`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		}
		// Five updates: versions v2..v6; IAM keeps five, so v1 is pruned.
		actions := []string{"s3:GetObject"}
		for i, a := range []string{"s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:GetObjectAcl"} {
			actions = append(actions, a)
			want := []string{"v1", "v2", "v3", "v4", "v5", "v6"}[:i+2]
			if len(want) > 5 {
				want = want[len(want)-5:]
			}
			steps = append(steps, resource.TestStep{
				Config: e.Config(entitlementConfig(role, jsonencodePolicy(bucket, actions...))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entitlementAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(entitlementAddr, tfjsonpath.New("version_id"), knownvalue.StringExact(fmt.Sprintf("v%d", i+2))),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.checkRemote(role, wantDoc(bucket, actions...)),
					e.checkVersions(want...),
				),
			})
		}
		return resource.TestCase{Steps: steps}
	})
}

func TestCheckPolicyARN(t *testing.T) {
	tests := []struct{ arn, wantErr string }{
		{"arn:aws:iam::111122223333:policy/app", ""},
		{"arn:aws:iam::111122223333:policy/ciem/app", ""},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "AWS managed policy"},
		{"arn:aws:iam::111122223333:role/app", "not an IAM policy ARN"},
		{"app", "not an IAM policy ARN"},
	}
	for _, tt := range tests {
		err := checkPolicyARN(tt.arn)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("checkPolicyARN(%q) = %v, want %q", tt.arn, err, tt.wantErr)
		}
	}
}
