// Package acctest runs terraform-plugin-testing acceptance tests of the ciem provider
// against the AWS sandbox (internal/awstest) with a real OpenTofu binary (bin/tofu, from
// `make tools`), and with HashiCorp Terraform as well when one is on PATH. It is used by
// tests only: the provider's own, and those of packages that drive the provider end to end
// (the `ciem import` command).
//
// Tests run with TF_ACC=1 (`make test` sets it), as terraform-plugin-testing expects;
// without it they skip. With TF_ACC=1 a missing bin/tofu fails the test.
package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/difftest"
)

// Factories serve providers in-process by name, as resource.TestCase takes them.
type Factories = map[string]func() (tfprotov6.ProviderServer, error)

// Binary is one Terraform-compatible CLI the tests run.
type Binary struct {
	Name string
	Path string
	Env  map[string]string // terraform-plugin-testing settings for this CLI
}

// Binaries lists the CLIs to test with: OpenTofu always (a missing bin/tofu fails the
// test), HashiCorp Terraform when it is on PATH (said in the test log either way).
func Binaries(t testing.TB) []Binary {
	t.Helper()
	root, err := difftest.RepoRoot(".")
	if err != nil {
		t.Fatalf("acctest: %v", err)
	}
	tofu := filepath.Join(root, "bin", "tofu")
	if _, err := os.Stat(tofu); err != nil {
		t.Fatalf("OpenTofu not found at %s: run make tools (%v)", tofu, err)
	}
	bins := []Binary{{
		Name: "tofu",
		Path: tofu,
		// OpenTofu rejects the legacy "-" namespace plugin-testing uses by default.
		Env: map[string]string{"TF_ACC_PROVIDER_NAMESPACE": "hashicorp", "TF_ACC_PROVIDER_HOST": "registry.opentofu.org"},
	}}
	if tf, err := exec.LookPath("terraform"); err == nil {
		t.Logf("testing with OpenTofu (%s) and HashiCorp Terraform (%s)", tofu, tf)
		bins = append(bins, Binary{Name: "terraform", Path: tf, Env: map[string]string{"TF_ACC_PROVIDER_NAMESPACE": "", "TF_ACC_PROVIDER_HOST": ""}})
	} else {
		t.Logf("testing with OpenTofu (%s) only: no terraform on PATH", tofu)
	}
	return bins
}

// SetEnv points terraform-plugin-testing at one CLI for the rest of the test. The CLI
// config file must exist: a missing one makes tofu print a warning that plugin-testing
// then fails to parse as the version. No update check goes over the network.
func SetEnv(t *testing.T, b Binary) {
	t.Helper()
	rc := filepath.Join(t.TempDir(), "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", b.Path)
	t.Setenv("TF_CLI_CONFIG_FILE", rc)
	t.Setenv("CHECKPOINT_DISABLE", "1")
	for k, v := range b.Env {
		t.Setenv(k, v)
	}
}

// StartSandbox runs the AWS sandbox for one test, as awstest.Start does, but stops it with
// more patience: an HTTP client may leave a connection it dialled and never used, which
// net/http counts as active for five seconds, the very timeout of awstest's Close.
func StartSandbox(t testing.TB) *awstest.Server {
	t.Helper()
	return StartSandboxWith(t, awstest.Options{})
}

// StartSandboxWith is StartSandbox with options (a seed, say); without a clock the sandbox
// gets a manual one at the current second.
func StartSandboxWith(t testing.TB, opts awstest.Options) *awstest.Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = awstest.NewManualClock(time.Now().UTC().Truncate(time.Second))
	}
	srv, err := awstest.New(opts)
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatalf("awstest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("awstest: stopping the sandbox: %v", err)
		}
	})
	return srv
}

// Run runs an acceptance test case once per CLI, each against its own sandbox. build
// makes the case for one run; factories serve the provider unless the case names its own.
func Run(t *testing.T, factories Factories, build func(t *testing.T, srv *awstest.Server) resource.TestCase) {
	t.Helper()
	RunWith(t, factories, awstest.Options{}, build)
}

// RunWith is Run on sandboxes started with options (a seed, say), as StartSandboxWith
// starts them.
func RunWith(t *testing.T, factories Factories, opts awstest.Options, build func(t *testing.T, srv *awstest.Server) resource.TestCase) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	for _, bin := range Binaries(t) {
		t.Run(bin.Name, func(t *testing.T) {
			SetEnv(t, bin)
			srv := StartSandboxWith(t, opts)
			tc := build(t, srv)
			if tc.ProtoV6ProviderFactories == nil {
				tc.ProtoV6ProviderFactories = factories
			}
			resource.Test(t, tc)
		})
	}
}

// ProviderConfig is a configuration's preamble that reaches the sandbox as its admin:
// required_providers (which provider functions need; "hashicorp/ciem" is the address
// plugin-testing serves the provider under, for OpenTofu and Terraform alike) and the
// provider block.
func ProviderConfig(srv *awstest.Server) string {
	c := srv.AdminCredentials()
	return fmt.Sprintf(`
terraform {
  required_providers {
    ciem = { source = "hashicorp/ciem" }
  }
}

provider "ciem" {
  region     = %q
  access_key = %q
  secret_key = %q
  endpoints {
    iam        = %[4]q
    sts        = %[4]q
    s3         = %[4]q
    cloudtrail = %[4]q
  }
}
`, srv.Region(), c.AccessKeyID, c.SecretAccessKey, srv.URL)
}
