package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLIv2 finds the AWS CLI v2: $CIEM_AWS_CLI, `aws` on PATH, or Debian's /usr/bin/aws
// (a pyenv shim for CLI v1 may come first on PATH).
func awsCLIv2(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p := os.Getenv("CIEM_AWS_CLI"); p != "" {
		candidates = append(candidates, p)
	}
	if p, err := exec.LookPath("aws"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/aws")
	var seen []string
	for _, c := range candidates {
		out, err := exec.Command(c, "--version").CombinedOutput()
		v := strings.TrimSpace(string(out))
		if err == nil && strings.HasPrefix(v, "aws-cli/2.") {
			return c
		}
		seen = append(seen, c+": "+v)
	}
	t.Fatalf("the AWS CLI v2 is needed for this test (Debian: apt-get install awscli; or set CIEM_AWS_CLI). Found: %s", strings.Join(seen, "; "))
	return ""
}

// TestSandboxWithAWSCLI runs internal/awstest/testdata/awscli.sh against `ciem sandbox`.
func TestSandboxWithAWSCLI(t *testing.T) {
	cli := awsCLIv2(t)
	env, stop := sandboxStart(t, "--addr", "127.0.0.1:0")
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	script, err := filepath.Abs("../awstest/testdata/awscli.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "AWS_CLI="+cli, "HOME="+t.TempDir(), "TMPDIR="+t.TempDir())
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("awscli.sh: %v", err)
	}
	if !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
		t.Fatal("awscli.sh did not reach PASS")
	}
}
