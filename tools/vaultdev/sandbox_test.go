package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The project's AWS sandbox (`ciem sandbox`, from the main module) is the AWS endpoint these
// tests point Vault's engine at. This module cannot import the main module's internal packages,
// so the tests run the ciem binary: $CIEM_BIN, or one built from the main module (../..) once
// per test run.

var ciemBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if ciemBuild.dir != "" {
		os.RemoveAll(ciemBuild.dir)
	}
	os.Exit(code)
}

func ciemBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CIEM_BIN"); p != "" {
		return p
	}
	ciemBuild.once.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			ciemBuild.err = err
			return
		}
		if ciemBuild.dir, err = os.MkdirTemp("", "vaultdev-ciem-"); err != nil {
			ciemBuild.err = err
			return
		}
		out := filepath.Join(ciemBuild.dir, "ciem")
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			ciemBuild.err = fmt.Errorf("building ciem from %s (set CIEM_BIN to use a built one): %w\n%s", root, err, msg)
			return
		}
		ciemBuild.path = out
	})
	if ciemBuild.err != nil {
		t.Fatal(ciemBuild.err)
	}
	return ciemBuild.path
}

// sandbox is a running `ciem sandbox` and its admin user's keys.
type sandbox struct {
	endpoint, accessKey, secretKey, region, account string
}

func startSandbox(t *testing.T) *sandbox {
	t.Helper()
	bin := ciemBinary(t)
	envFile := filepath.Join(t.TempDir(), "sandbox.env")
	cmd := exec.Command(bin, "sandbox", "--addr", "127.0.0.1:0", "--env-file", envFile, "--trail-delivery-interval", "0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("sandbox stderr:\n%s", stderr.String())
		}
	})
	// The sandbox prints its export lines once it listens, after writing the env file.
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		seen := false
		for sc.Scan() { // read to the end so the sandbox never blocks on stdout
			if !seen && strings.HasPrefix(sc.Text(), "export AWS_REGION=") {
				seen = true
				ready <- nil
			}
		}
		if !seen {
			ready <- fmt.Errorf("sandbox exited before printing its exports: %v", sc.Err())
		}
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("sandbox not ready after 2 minutes\n%s", stderr.String())
	}

	env, err := readEnvFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	sb := &sandbox{endpoint: env["AWS_ENDPOINT_URL"], accessKey: env["AWS_ACCESS_KEY_ID"], secretKey: env["AWS_SECRET_ACCESS_KEY"], region: env["AWS_REGION"]}
	if sb.endpoint == "" || sb.accessKey == "" || sb.secretKey == "" || sb.region == "" {
		t.Fatalf("sandbox env file %s lacks a value: %v", envFile, env)
	}
	id, err := sb.sts(sb.accessKey, sb.secretKey, "").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("sandbox admin identity: %v", err)
	}
	sb.account = aws.ToString(id.Account)
	return sb
}

// readEnvFile reads `export KEY=VALUE` lines.
func readEnvFile(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sandbox env file: %w", err)
	}
	env := map[string]string{}
	for line := range strings.SplitSeq(string(raw), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
		if ok {
			env[k] = strings.Trim(v, `'"`)
		}
	}
	return env, nil
}

func (sb *sandbox) creds(ak, sk, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(ak, sk, token)
}

func (sb *sandbox) iam(ak, sk, token string) *iam.Client {
	return iam.New(iam.Options{Region: sb.region, BaseEndpoint: aws.String(sb.endpoint), Credentials: sb.creds(ak, sk, token)})
}

func (sb *sandbox) sts(ak, sk, token string) *sts.Client {
	return sts.New(sts.Options{Region: sb.region, BaseEndpoint: aws.String(sb.endpoint), Credentials: sb.creds(ak, sk, token)})
}

func (sb *sandbox) adminIAM() *iam.Client { return sb.iam(sb.accessKey, sb.secretKey, "") }

// vaultOnSandbox is vaultdev with the engine configured against a fresh sandbox with its
// admin keys, as the broker's setup would do through the api client.
func vaultOnSandbox(t *testing.T) (*testVault, *sandbox) {
	t.Helper()
	sb := startSandbox(t)
	tv := startVault(t)
	if _, err := tv.client.Logical().Write("aws/config/root", map[string]any{
		"access_key":   sb.accessKey,
		"secret_key":   sb.secretKey,
		"region":       sb.region,
		"iam_endpoint": sb.endpoint,
		"sts_endpoint": sb.endpoint,
		"max_retries":  0,
	}); err != nil {
		t.Fatalf("configuring the engine: %v", err)
	}
	return tv, sb
}
