package cli

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awstest"
)

// sandboxStart runs `ciem sandbox` with args until the returned stop is called, and
// returns the exported variables it printed.
func sandboxStart(t *testing.T, args ...string) (env map[string]string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	cmd := newSandboxCmd()
	cmd.SetArgs(args)
	cmd.SetOut(pw)
	cmd.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() {
		err := cmd.ExecuteContext(ctx)
		pw.Close()
		done <- err
	}()
	env = map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			env[k] = v
		}
		if strings.HasPrefix(line, "#   aws_secret_access_key") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(env) != 4 {
		cancel()
		t.Fatalf("sandbox printed %v (%v)", env, <-done)
	}
	return env, func() error { cancel(); return <-done }
}

func sandboxClient(env map[string]string) *iam.Client {
	return iam.NewFromConfig(aws.Config{
		Region:       env["AWS_REGION"],
		Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
		BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL"]),
		HTTPClient:   awstest.HTTPClient(),
	})
}

func TestSandboxCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	envFile := filepath.Join(dir, "env")
	ctx := context.Background()

	env, stop := sandboxStart(t, "--addr", "127.0.0.1:0", "--data", data, "--env-file", envFile, "--account", "210987654321", "--region", "eu-west-1")
	if env["AWS_REGION"] != "eu-west-1" || !strings.HasPrefix(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:") || !strings.HasPrefix(env["AWS_ACCESS_KEY_ID"], "AKIA") {
		t.Fatalf("exports: %v", env)
	}
	written, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(written), "export AWS_SECRET_ACCESS_KEY="+env["AWS_SECRET_ACCESS_KEY"]+"\n") {
		t.Fatalf("env file: %s", written)
	}
	c := sandboxClient(env)
	out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("persisted")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.User.Arn != "arn:aws:iam::210987654321:user/persisted" {
		t.Fatalf("account not applied: %s", *out.User.Arn)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}

	// Restarted on the same data: same admin key, the user is still there.
	env2, stop2 := sandboxStart(t, "--addr", "127.0.0.1:0", "--data", data, "--account", "210987654321", "--region", "eu-west-1")
	defer func() {
		if err := stop2(); err != nil {
			t.Error(err)
		}
	}()
	if env2["AWS_ACCESS_KEY_ID"] != env["AWS_ACCESS_KEY_ID"] {
		t.Fatal("admin key changed across restarts")
	}
	if _, err := sandboxClient(env2).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("persisted")}); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestSandboxCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad account", []string{"--addr", "127.0.0.1:0", "--account", "123"}, `account "123": must be 12 digits`},
		{"missing seed", []string{"--addr", "127.0.0.1:0", "--seed", "/nonexistent/seed.json"}, "reading seed"},
		{"bad address", []string{"--addr", "not-an-address"}, "listening on not-an-address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newSandboxCmd()
			cmd.SetArgs(tc.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.ExecuteContext(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
