package devstack

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/internal/awstest"
)

// Issuers ciem dev runs.
const (
	IssuerSTS   = domain.IssuerSTS
	IssuerVault = domain.IssuerVault
)

// Vault's engine runs in the sandbox as the seeded user ciem-vault.
const (
	vaultKeyID  = "AKIACIEMDEVVAULT0001"
	vaultSecret = "ciem-dev-vault-secret-not-for-production"
	vaultWait   = 60 * time.Second
)

// vaultdev is a running tools/vaultdev process (Vault's AWS secrets engine; it keeps
// nothing across restarts, so the roles are written at every start).
type vaultdev struct {
	cmd    *exec.Cmd
	addr   string
	token  string
	stderr *strings.Builder
}

// FindVaultdev returns path when set, else bin/vaultdev next to the running
// executable, else vaultdev on PATH.
func FindVaultdev(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "vaultdev")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("vaultdev"); err == nil {
		return p, nil
	}
	return "", errors.New("--issuer vault needs tools/vaultdev: build it with `make tools` (bin/vaultdev) or pass --vaultdev PATH")
}

// startVaultdev runs the vaultdev binary at path on a free port and points its engine
// at the sandbox, with a template role for each role of sd.
func startVaultdev(ctx context.Context, path, sandboxURL, region string, sd *awstest.Seed) (*vaultdev, error) {
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	v := &vaultdev{token: "hvs.dev-" + hex.EncodeToString(token), stderr: &strings.Builder{}}
	v.cmd = exec.Command(path, "-addr", "127.0.0.1:0", "-root-token", v.token, "-log-level", "warn")
	v.cmd.Stderr = v.stderr
	out, err := v.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("vaultdev: %w", err)
	}
	if err := v.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting vaultdev (%s): %w", path, err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "export VAULT_ADDR="); ok {
				found <- a
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case v.addr = <-found:
	case <-time.After(vaultWait):
		v.stop()
		return nil, fmt.Errorf("vaultdev (%s) printed no address within %s: %s", path, vaultWait, v.stderr.String())
	case <-ctx.Done():
		v.stop()
		return nil, ctx.Err()
	}
	if err := v.configure(ctx, sandboxURL, region, sd); err != nil {
		v.stop()
		return nil, err
	}
	return v, nil
}

// configure gives the engine its sandbox identity and one template role per role of sd.
func (v *vaultdev) configure(ctx context.Context, sandboxURL, region string, sd *awstest.Seed) error {
	c, err := vault.NewClient(&vault.Config{Address: v.addr})
	if err != nil {
		return fmt.Errorf("vaultdev client: %w", err)
	}
	c.SetToken(v.token)
	writes := []struct {
		path string
		data map[string]any
	}{
		{"aws/config/root", map[string]any{"access_key": vaultKeyID, "secret_key": vaultSecret, "region": region,
			"iam_endpoint": sandboxURL, "sts_endpoint": sandboxURL, "max_retries": 0}},
	}
	for _, r := range sd.Roles {
		role := r.Name
		writes = append(writes, struct {
			path string
			data map[string]any
		}{"aws/roles/" + role, map[string]any{"credential_type": domain.CredentialAssumedRole,
			"role_arns": []string{"arn:aws:iam::" + awstest.DefaultAccount + ":role/" + role}}})
	}
	for _, w := range writes {
		if _, err := c.Logical().WriteWithContext(ctx, w.path, w.data); err != nil {
			return fmt.Errorf("vaultdev: writing %s: %w", w.path, err)
		}
	}
	return nil
}

// stop interrupts vaultdev and waits for it.
func (v *vaultdev) stop() {
	if v.cmd.Process == nil {
		return
	}
	_ = v.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = v.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownBudget):
		_ = v.cmd.Process.Kill()
		<-done
	}
}

// useVault makes every profile issue through vaultdev's template role of the same name
// as the profile's IAM role.
func useVault(cfg *config.Config, v *vaultdev) {
	cfg.Vault = &config.Vault{Address: v.addr, Token: v.token}
	for i, p := range cfg.Profiles {
		p.Target.Issuer = domain.IssuerVault
		p.Target.VaultRole = p.Target.RoleARN[strings.LastIndex(p.Target.RoleARN, "/")+1:]
		p.Target.CredentialType = domain.CredentialAssumedRole
		cfg.Profiles[i] = p
	}
}
