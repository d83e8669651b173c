package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/provider/acctest"
)

// testAccProtoV6ProviderFactories serves the provider in-process under the name "ciem".
var testAccProtoV6ProviderFactories = acctest.Factories{
	"ciem": providerserver.NewProtocol6WithError(New("test")()),
}

// accEnv is what one acceptance test run gets: a fresh sandbox, an IAM client on it as
// the admin, and the provider block that points at it.
type accEnv struct {
	t       *testing.T
	Sandbox *awstest.Server
	IAM     *awsx.IAM
}

// accTest runs an acceptance test case once per CLI (see acctest.Run).
func accTest(t *testing.T, build func(e *accEnv) resource.TestCase) {
	t.Helper()
	accTestWith(t, awstest.Options{}, build)
}

// accTestWith is accTest on sandboxes started with options (see acctest.RunWith).
func accTestWith(t *testing.T, opts awstest.Options, build func(e *accEnv) resource.TestCase) {
	t.Helper()
	acctest.RunWith(t, testAccProtoV6ProviderFactories, opts, func(t *testing.T, srv *awstest.Server) resource.TestCase {
		return build(&accEnv{t: t, Sandbox: srv, IAM: awsx.NewIAM(srv.AdminConfig(context.Background()))})
	})
}

// ProviderConfig is the provider block that reaches the sandbox as its admin.
func (e *accEnv) ProviderConfig() string { return acctest.ProviderConfig(e.Sandbox) }

// Config is the provider block followed by the given configuration.
func (e *accEnv) Config(hcl string) string { return e.ProviderConfig() + hcl }

// ARN builds an ARN in the sandbox's account: ARN("role/app").
func (e *accEnv) ARN(resource string) string {
	return "arn:aws:iam::" + e.Sandbox.Account() + ":" + resource
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// listContains checks that a list value holds every one of the strings (among others).
func listContains(want ...string) knownvalue.Check { return containsCheck(want) }

type containsCheck []string

func (c containsCheck) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	have := map[string]bool{}
	for _, e := range list {
		if s, ok := e.(string); ok {
			have[s] = true
		}
	}
	for _, w := range c {
		if !have[w] {
			return fmt.Errorf("%q is not in the list (%d elements)", w, len(list))
		}
	}
	return nil
}

func (c containsCheck) String() string { return fmt.Sprintf("list containing %v", []string(c)) }
