package vaultissuer

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	vault "github.com/hashicorp/vault/api"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/internal/awstest"
)

// Vault in tests is tools/vaultdev: Vault's own AWS secrets engine behind Vault's HTTP
// API (a Vault server cannot be built here). The tests fail, not skip, without it: it is
// built into bin/ by tools/build.sh (cached), which they run when bin/vaultdev is missing.

// repoRoot is the module root (two levels above broker/issuer/vaultissuer).
func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func vaultdevBinary(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	bin := filepath.Join(root, "bin", "vaultdev")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	out, err := exec.Command(filepath.Join(root, "tools", "build.sh"), "vaultdev").CombinedOutput()
	if err != nil {
		t.Fatalf("bin/vaultdev is missing and tools/build.sh vaultdev failed (run `make tools`): %v\n%s", err, out)
	}
	return bin
}

// VaultRootPolicy is what Vault's engine needs from its AWS identity in the sandbox.
const vaultRootPolicy = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateUser","iam:DeleteAccessKey","iam:DeleteUser","iam:DeleteUserPolicy",
	"iam:DetachUserPolicy","iam:GetUser","iam:ListAccessKeys","iam:ListAttachedUserPolicies","iam:ListGroupsForUser","iam:ListUserPolicies",
	"iam:PutUserPolicy","iam:AddUserToGroup","iam:RemoveUserFromGroup","iam:TagUser","iam:PutUserPermissionsBoundary"],"Resource":["arn:aws:iam::` + awstest.DefaultAccount + `:user/vault-*","arn:aws:iam::` + awstest.DefaultAccount + `:user/ciem/vault-*"]},
	{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::` + awstest.DefaultAccount + `:user/vault-root"},
	{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

const (
	vaultRootKey    = "AKIAVAULTROOT0000001"
	vaultRootSecret = "vaultrootsecret"
)

// seed is brokertest's seed with the user Vault's engine runs as.
func seed() *awstest.Seed {
	s := brokertest.Seed()
	s.Users = append(s.Users, awstest.SeedUser{Name: "vault-root", Policies: map[string]json.RawMessage{"engine": json.RawMessage(vaultRootPolicy)},
		AccessKeys: []awstest.SeedAccessKey{{ID: vaultRootKey, Secret: vaultRootSecret}}})
	return s
}

// startVault runs vaultdev with its engine pointed at the sandbox, and template roles
// "reader-sts" (assumed_role on the Reader role) and "reader-user" (iam_user).
func startVault(t *testing.T, sandbox *awstest.Server) (addr, token string) {
	t.Helper()
	token = "test-root"
	cmd := exec.Command(vaultdevBinary(t), "-addr", "127.0.0.1:0", "-root-token", token, "-log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "export VAULT_ADDR="); ok {
				found <- strings.Trim(a, `'"`)
			}
		}
	}()
	select {
	case addr = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("vaultdev did not start:\n%s", stderr.String())
	}
	c, err := vault.NewClient(&vault.Config{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(token)
	write := func(path string, data map[string]any) {
		t.Helper()
		if _, err := c.Logical().Write(path, data); err != nil {
			t.Fatalf("vault write %s: %v", path, err)
		}
	}
	write("aws/config/root", map[string]any{"access_key": vaultRootKey, "secret_key": vaultRootSecret, "region": awstest.DefaultRegion,
		"iam_endpoint": sandbox.URL, "sts_endpoint": sandbox.URL, "max_retries": 0})
	write("aws/roles/reader-sts", map[string]any{"credential_type": "assumed_role", "role_arns": []string{brokertest.RoleARN}})
	write("aws/roles/reader-user", map[string]any{"credential_type": "iam_user", "user_path": "/ciem/"})
	return addr, token
}

// vaultClient is a client for checks the tests make themselves.
func vaultClient(t *testing.T, addr, token string) *vault.Client {
	c, err := vault.NewClient(&vault.Config{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(token)
	return c
}

func callerARN(t *testing.T, e *env, c issuer.Credentials) string {
	t.Helper()
	cfg := e.sandbox.ConfigFor(awstest.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken})
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return *out.Arn
}
