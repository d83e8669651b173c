package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/devstack"
)

// devStart runs `ciem dev` on random ports over data with clk until the returned stop is
// called, and returns what it wrote to dev.env.
func devStart(t *testing.T, data string, clk clock.Clock, extra ...string) (env map[string]string, welcome string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan devstack.Info, 1)
	var out bytes.Buffer
	cmd := newDevCmdWith(devHooks{clock: clk, ready: func(i devstack.Info) { ready <- i }})
	cmd.SetArgs(append([]string{"--addr", "127.0.0.1:0", "--sandbox-addr", "127.0.0.1:0", "--data", data}, extra...))
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("ciem dev stopped: %v", err)
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stopping ciem dev: %v", err)
		}
	})
	return devReadEnv(t, filepath.Join(data, "dev.env")), out.String(), stop
}

func devReadEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok || v == "" {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		env[k] = v
	}
	for _, k := range []string{"CIEM_ADDR", "CIEM_TOKEN_ADMIN", "CIEM_TOKEN_ALICE", "CIEM_TOKEN_BOB", "AWS_ENDPOINT_URL",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		if env[k] == "" {
			t.Errorf("%s: no %s in %v", path, k, env)
		}
	}
	return env
}

// devCLI runs a ciem command as the person whose token is in env[tokenVar] and returns
// its standard output.
func devCLI(t *testing.T, env map[string]string, tokenVar string, args ...string) string {
	t.Helper()
	t.Setenv(envBrokerAddr, env["CIEM_ADDR"])
	t.Setenv(envBrokerToken, env[tokenVar])
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), "test", args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("ciem %s as %s: exit %d: %s", strings.Join(args, " "), tokenVar, code, stderr.String())
	}
	return stdout.String()
}

// devS3Code runs op with creds against the sandbox: "" when allowed, else AWS's error code.
func devS3Code(t *testing.T, env map[string]string, cp api.CredentialProcess, op func(context.Context, *s3.Client) error) string {
	t.Helper()
	c := s3.NewFromConfig(aws.Config{
		Region:       env["AWS_REGION"],
		Credentials:  credentials.NewStaticCredentialsProvider(cp.AccessKeyID, cp.SecretAccessKey, cp.SessionToken),
		BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL"]),
		HTTPClient:   awstest.HTTPClient(),
	}, func(o *s3.Options) { o.UsePathStyle = true })
	err := op(context.Background(), c)
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("S3: %v", err)
	}
	return ae.ErrorCode()
}

var (
	devList = func(ctx context.Context, c *s3.Client) error {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(devstack.Bucket)})
		if err == nil && len(out.Contents) == 0 {
			return errors.New("the seeded bucket is empty")
		}
		return err
	}
	devGet = func(ctx context.Context, c *s3.Client) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(devstack.Bucket), Key: aws.String("README.txt")})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	devPut = func(ctx context.Context, c *s3.Client) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(devstack.Bucket), Key: aws.String("x"), Body: strings.NewReader("x")})
		return err
	}
)

// devVaultdev returns bin/vaultdev, building it (cached) when it is missing, as the
// broker's Vault tests do: the test fails rather than skips without it.
func devVaultdev(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin", "vaultdev")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if out, err := exec.Command(filepath.Join(root, "tools", "build.sh"), "vaultdev").CombinedOutput(); err != nil {
		t.Fatalf("bin/vaultdev is missing and tools/build.sh vaultdev failed (run `make tools`): %v\n%s", err, out)
	}
	return bin
}

// TestDevNewcomerFlow is the README's first five minutes, with each issuer: alice
// requests readonly for a minute, bob approves, alice reads the bucket (and cannot
// write), and at the grant's end AWS itself refuses her; a restart keeps the tokens and
// the record.
func TestDevNewcomerFlow(t *testing.T) {
	for _, tc := range []struct {
		issuer, says string
		args         func(t *testing.T) []string
	}{
		{"sts", "issuer: direct STS", func(*testing.T) []string { return nil }},
		{"vault", "issuer: Vault's AWS secrets engine", func(t *testing.T) []string {
			return []string{"--issuer", "vault", "--vaultdev", devVaultdev(t)}
		}},
	} {
		t.Run(tc.issuer, func(t *testing.T) { devNewcomerFlow(t, tc.says, tc.args(t)) })
	}
}

func devNewcomerFlow(t *testing.T, says string, args []string) {
	for _, k := range []string{envBrokerAddr, envBrokerToken, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
	}
	data := filepath.Join(t.TempDir(), ".ciem")
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	env, welcome, stop := devStart(t, data, clk, args...)
	for _, want := range []string{env["CIEM_ADDR"], env["AWS_ENDPOINT_URL"], env["CIEM_TOKEN_ALICE"], "ciem request readonly --duration 1m",
		"credential_process = ciem creds", "aws s3 ls s3://ciem-dev-data", "fresh state", says} {
		if !strings.Contains(welcome, want) {
			t.Errorf("the welcome text lacks %q:\n%s", want, welcome)
		}
	}

	var req api.RequestView
	if err := json.Unmarshal([]byte(devCLI(t, env, "CIEM_TOKEN_ALICE", "request", "readonly", "--duration", "1m",
		"--reason", "look at the Q1 report", "--format", "json")), &req); err != nil {
		t.Fatal(err)
	}
	if req.State != "pending" {
		t.Fatalf("new request: %s", req.State)
	}
	if err := json.Unmarshal([]byte(devCLI(t, env, "CIEM_TOKEN_BOB", "approve", req.ID, "--format", "json")), &req); err != nil {
		t.Fatal(err)
	}
	if req.State != "active" {
		t.Fatalf("after bob's approval: %s", req.State)
	}
	var cp api.CredentialProcess
	if err := json.Unmarshal([]byte(devCLI(t, env, "CIEM_TOKEN_ALICE", "creds", req.ID)), &cp); err != nil {
		t.Fatal(err)
	}

	checks := []struct {
		name  string
		after time.Duration // advance the clock first
		op    func(context.Context, *s3.Client) error
		want  string
	}{
		{"list while active", 0, devList, ""},
		{"get while active", 0, devGet, ""},
		{"put is not granted", 0, devPut, "AccessDenied"},
		{"get a second before the end", 58 * time.Second, devGet, ""},
		{"list after the end", 2 * time.Second, devList, "AccessDenied"},
		{"get after the end", 0, devGet, "AccessDenied"},
	}
	for _, c := range checks {
		clk.Advance(c.after)
		if got := devS3Code(t, env, cp, c.op); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}

	// Restart on the same directory: same tokens, same record, the grant expired.
	if err := stop(); err != nil {
		t.Fatalf("stopping: %v", err)
	}
	env2, welcome2, _ := devStart(t, data, clk, args...)
	for _, k := range []string{"CIEM_TOKEN_ADMIN", "CIEM_TOKEN_ALICE", "CIEM_TOKEN_BOB", "AWS_ACCESS_KEY_ID"} {
		if env2[k] != env[k] {
			t.Errorf("after a restart %s changed", k)
		}
	}
	if !strings.Contains(welcome2, "state from the last run kept") {
		t.Errorf("the restart does not say it kept the state:\n%s", welcome2)
	}
	var mine []api.RequestView
	if err := json.Unmarshal([]byte(devCLI(t, env2, "CIEM_TOKEN_ALICE", "requests", "--mine", "--format", "json")), &mine); err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0].ID != req.ID || mine[0].State != "expired" {
		t.Errorf("alice's requests after the end and a restart: %+v, want %s expired", mine, req.ID)
	}
	if out := devCLI(t, env2, "CIEM_TOKEN_ADMIN", "audit", "verify"); !strings.Contains(out, "audit log verified") {
		t.Errorf("audit verify: %s", out)
	}
}

// TestDevBadInput checks that ciem dev refuses what it cannot run, saying why.
func TestDevBadInput(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown issuer", []string{"--issuer", "nope"}, `--issuer "nope"`},
		{"bad broker address", []string{"--addr", "256.0.0.1:x", "--sandbox-addr", "127.0.0.1:0"}, "--addr"},
		{"bad sandbox address", []string{"--sandbox-addr", "nowhere:-1"}, "--sandbox-addr"},
		{"no vaultdev", []string{"--addr", "127.0.0.1:0", "--sandbox-addr", "127.0.0.1:0", "--issuer", "vault", "--vaultdev", filepath.Join(data, "missing")},
			"starting vaultdev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), "test", append([]string{"dev", "--data", data}, tc.args...), strings.NewReader(""), io.Discard, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want an error mentioning %q", code, stderr.String(), tc.want)
			}
		})
	}
}
