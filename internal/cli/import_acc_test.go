package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/provider"
	"github.com/ciem/ciem/provider/acctest"
)

// TestAccImportPlansNoChange runs what `ciem import` wrote through OpenTofu (and
// Terraform where present): the plan imports every policy and changes nothing; after the
// apply the next plan is empty too.
func TestAccImportPlansNoChange(t *testing.T) {
	factories := acctest.Factories{"ciem": providerserver.NewProtocol6WithError(provider.New("test")())}
	acctest.Run(t, factories, func(t *testing.T, srv *awstest.Server) resource.TestCase {
		importFixture(t, srv)
		dir := t.TempDir()
		if _, _, err := importRun(t, srv, "--principal", "arn:aws:iam::111122223333:role/svc/app", "--out", dir); err != nil {
			t.Fatal(err)
		}
		generated, err := os.ReadFile(filepath.Join(dir, "role-app.tf"))
		if err != nil {
			t.Fatal(err)
		}
		// versions.tf names the registry address ciem/ciem; the test serves the provider
		// under plugin-testing's own address, which ProviderConfig declares instead.
		config := acctest.ProviderConfig(srv) + string(generated)
		var checks []plancheck.PlanCheck
		for _, addr := range []string{"ciem_entitlement.app_queue", "ciem_entitlement.app_reports"} {
			checks = append(checks, plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop), importing{addr})
		}
		return resource.TestCase{Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: checks}},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		}}
	})
}

// importing checks that the plan imports the resource.
type importing struct{ addr string }

func (c importing) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == c.addr {
			if rc.Change == nil || rc.Change.Importing == nil {
				resp.Error = fmt.Errorf("%s is not imported by the plan", c.addr)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

// TestAccImportRightsizeWorkflow is the whole least-privilege workflow: a role with a
// broad policy makes real calls in the sandbox; `ciem import --rightsize lookup-events`
// writes the import with the right-sized policy; OpenTofu (and Terraform) plans the
// import with an in-place reduction and applies it; the same calls are still allowed,
// and calls the broad policy allowed but nobody made are now denied.
func TestAccImportRightsizeWorkflow(t *testing.T) {
	factories := acctest.Factories{"ciem": providerserver.NewProtocol6WithError(provider.New("test")())}
	acctest.Run(t, factories, func(t *testing.T, srv *awstest.Server) resource.TestCase {
		role := acctest.BroadRole(t, srv, "app")
		ctx := context.Background()
		// Before: the broad policy allows the calls nobody made (asked of the engine, since
		// making them would count as use).
		broad := iam.MustParse(acctest.BroadPolicy, iam.KindManaged)
		for _, c := range acctest.UnusedCalls {
			req := &iam.Request{Principal: role, Action: c.Action, Resource: "*"}
			if r := iam.Evaluate(req, &iam.PolicySet{Identity: []iam.NamedPolicy{{Name: "broad", Policy: broad}}}); r.Decision != iam.Allowed {
				t.Fatalf("the broad policy does not allow %s: %v", c.Action, r.Decision)
			}
		}
		dir := t.TempDir()
		if _, _, err := importRun(t, srv, "--principal", role, "--rightsize", "lookup-events", "--out", dir); err != nil {
			t.Fatal(err)
		}
		generated, err := os.ReadFile(filepath.Join(dir, "role-app.tf"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`id = "arn:aws:iam::111122223333:policy/app-broad"`,
			"# Right-sized by ciem from usage since ",
			`Action = ["iam:ListRoles", "s3:ListAllMyBuckets"]`,
		} {
			if !strings.Contains(strings.Join(strings.Fields(string(generated)), " "), want) {
				t.Errorf("role-app.tf lacks %q:\n%s", want, generated)
			}
		}
		replay := func(s *terraform.State) error {
			cfg := acctest.AssumeRole(t, srv, role, "after")
			if denied, err := acctest.Replay(ctx, cfg, acctest.UsedCalls("app")); err != nil || len(denied) > 0 {
				return fmt.Errorf("replaying the calls made before right-sizing: denied %v, %v", denied, err)
			}
			denied, err := acctest.Replay(ctx, cfg, acctest.UnusedCalls)
			if err != nil {
				return err
			}
			if len(denied) != len(acctest.UnusedCalls) {
				return fmt.Errorf("calls never made before right-sizing: only %v denied, want all %d", denied, len(acctest.UnusedCalls))
			}
			return nil
		}
		config := acctest.ProviderConfig(srv) + string(generated)
		return resource.TestCase{Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					importing{"ciem_entitlement.app_broad"},
					plancheck.ExpectResourceAction("ciem_entitlement.app_broad", plancheck.ResourceActionUpdate),
				}},
				Check: replay,
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		}}
	})
}
