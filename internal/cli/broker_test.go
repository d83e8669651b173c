package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/client"
	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/server"
	"github.com/ciem/ciem/internal/awstest"
)

// brokerRoot is the CLI with the broker commands (root.go registers them in ciem).
func brokerRoot() *cobra.Command {
	root := &cobra.Command{Use: "ciem", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(newBrokerCmd(), newRequestCmd(), newApproveCmd(), newDenyCmd(), newCancelCmd(), newRevokeCmd(),
		newRequestsCmd(), newCredsCmd(), newAuditCmd())
	return root
}

// ciemBroker runs the broker CLI with args and returns stdout, stderr and the exit code.
func ciemBroker(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := brokerRoot()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	code := 0
	if err := root.ExecuteContext(context.Background()); err != nil {
		code = 1
		var ee exitError
		if ok := brokerAsExit(err, &ee); ok {
			code = ee.code
		} else {
			errOut.WriteString("ciem: " + err.Error() + "\n")
		}
	}
	return out.String(), errOut.String(), code
}

func brokerAsExit(err error, ee *exitError) bool {
	e, ok := err.(exitError)
	if ok {
		*ee = e
	}
	return ok
}

// startBroker runs a broker (SQLite, the sandbox as its AWS) from an HCL file, and
// returns its URL, its config path and a token for each test identity.
func startBroker(t *testing.T) (string, string, map[string]string, *awstest.Server) {
	t.Helper()
	srvAWS := awstest.StartWith(t, awstest.Options{Clock: awstest.RealClock{}, Seed: brokertest.Seed()})
	dir := t.TempDir()
	hcl := `listen = "127.0.0.1:0"
store  = "sqlite:` + filepath.Join(dir, "broker.db") + `"
profile "readonly" {
  role_arn       = "` + brokertest.RoleARN + `"
  session_policy = file("read.json")
  max_duration   = "4h"
  requesters { groups = ["dev"] }
  approval { groups = ["leads"] }
}
`
	path := filepath.Join(dir, "broker.hcl")
	for name, body := range map[string]string{"broker.hcl": hcl, "read.json": brokertest.ReadPolicy} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	awsCfg := srvAWS.ConfigFor(awstest.Credentials{AccessKeyID: brokertest.BrokerKeyID, SecretAccessKey: brokertest.BrokerSecret})
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, server.Options{AWS: &awsCfg})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, id := range []struct {
		name   string
		groups []string
		admin  bool
	}{{"alice", []string{"dev"}, false}, {"bob", []string{"leads"}, false}, {"root", nil, true}} {
		plain, _, err := srv.Tokens.Create(ctx, "test", authn.NewToken{Name: id.name, Subject: id.name, Groups: id.groups, Admin: id.admin})
		if err != nil {
			t.Fatal(err)
		}
		tokens[id.name] = plain
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("broker: %v", err)
		}
	})
	return "http://" + addr, path, tokens, srvAWS
}

func TestBrokerCommands(t *testing.T) {
	url, cfgPath, tokens, srvAWS := startBroker(t)
	as := func(user string, args ...string) []string {
		return append(args, "--addr", url, "--token", tokens[user])
	}
	out, errOut, code := ciemBroker(t, as("alice", "request", "readonly", "--duration", "30m", "--reason", "INC-42", "--format", "json")...)
	if code != 0 {
		t.Fatalf("request: %d %s", code, errOut)
	}
	var r api.RequestView
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.ID == "" || r.State != "pending" {
		t.Fatalf("request JSON: %v %s", err, out)
	}
	// Self-approval is refused with the broker's message and exit status 1.
	if _, errOut, code := ciemBroker(t, as("alice", "approve", r.ID)...); code != 1 ||
		!strings.Contains(errOut, "alice cannot approve their own request "+r.ID+" (self_approval, HTTP 403)") {
		t.Fatalf("self-approval: %d %s", code, errOut)
	}
	out, errOut, code = ciemBroker(t, as("bob", "approve", r.ID, "--comment", "ok")...)
	if code != 0 || !strings.Contains(out, "state:       active") || !strings.Contains(out, "approved by: bob at ") {
		t.Fatalf("approve: %d %s %s", code, out, errOut)
	}
	out, errOut, code = ciemBroker(t, as("alice", "creds", r.ID)...)
	var cp api.CredentialProcess
	if code != 0 || json.Unmarshal([]byte(out), &cp) != nil || cp.Version != 1 {
		t.Fatalf("creds: %d %s %s", code, out, errOut)
	}
	creds := issuer.Credentials{AccessKeyID: cp.AccessKeyID, SecretAccessKey: cp.SecretAccessKey, SessionToken: cp.SessionToken}
	if got := brokertest.S3Code(t, srvAWS, creds); got != "" {
		t.Fatalf("using the credentials: %s", got)
	}
	out, _, _ = ciemBroker(t, as("alice", "creds", r.ID, "--format", "env")...)
	if !strings.Contains(out, "export AWS_SESSION_TOKEN=") {
		t.Fatalf("creds --format env: %s", out)
	}
	// With the environment instead of flags.
	t.Setenv(envBrokerAddr, url)
	t.Setenv(envBrokerToken, tokens["bob"])
	out, errOut, code = ciemBroker(t, "requests", "--state", "active")
	if code != 0 || !strings.Contains(out, r.ID+"  active  readonly  alice") {
		t.Fatalf("requests: %d %q %s", code, out, errOut)
	}
	out, _, code = ciemBroker(t, "requests", "--state", "pending", "--format", "json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("requests json: %d %s", code, out)
	}
	out, errOut, code = ciemBroker(t, as("alice", "revoke", r.ID, "--reason", "done", "--format", "json")...)
	if code != 0 || !strings.Contains(out, `"state": "revoked"`) {
		t.Fatalf("revoke: %d %s %s", code, out, errOut)
	}
	if got := brokertest.S3Code(t, srvAWS, creds); got != "AccessDenied" {
		t.Fatalf("after revoke: %q", got)
	}
	// Deny and cancel.
	out, _, _ = ciemBroker(t, as("alice", "request", "readonly", "--format", "json")...)
	_ = json.Unmarshal([]byte(out), &r)
	if out, errOut, code := ciemBroker(t, as("bob", "deny", r.ID, "--reason", "no")...); code != 0 || !strings.Contains(out, "denied") {
		t.Fatalf("deny: %d %s %s", code, out, errOut)
	}
	out, _, _ = ciemBroker(t, as("alice", "request", "readonly", "--format", "json")...)
	_ = json.Unmarshal([]byte(out), &r)
	if out, errOut, code := ciemBroker(t, as("alice", "cancel", r.ID)...); code != 0 || !strings.Contains(out, "cancelled") {
		t.Fatalf("cancel: %d %s %s", code, out, errOut)
	}
	// The audit log verifies, through the API (downloaded, checked here)...
	out, errOut, code = ciemBroker(t, as("root", "audit", "verify")...)
	if code != 0 || !strings.HasPrefix(out, "audit log verified: ") {
		t.Fatalf("audit verify: %d %s %s", code, out, errOut)
	}
	head := strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])
	if _, _, code := ciemBroker(t, as("root", "audit", "verify", "--head", head)...); code != 0 {
		t.Fatalf("audit verify --head %s: %d", head, code)
	}
	// ...and from an export, which catches an edited line.
	export, _, code := ciemBroker(t, as("root", "audit", "export")...)
	if code != 0 {
		t.Fatal("export failed")
	}
	file := filepath.Join(t.TempDir(), "audit.jsonl")
	_ = os.WriteFile(file, []byte(strings.Replace(export, `"actor":"bob"`, `"actor":"eve"`, 1)), 0o600)
	out, _, code = ciemBroker(t, "audit", "verify", "--file", file)
	if code != 1 || !strings.Contains(out, "does NOT verify") || !strings.Contains(out, "the event was changed") {
		t.Fatalf("tampered export: %d %s", code, out)
	}
	// Administrators only.
	if _, errOut, code := ciemBroker(t, as("alice", "audit", "verify")...); code != 1 || !strings.Contains(errOut, "not_admin") {
		t.Fatalf("audit as alice: %d %s", code, errOut)
	}
	// SQLite serves one process: the token command says so while the broker runs.
	if _, errOut, code := ciemBroker(t, "broker", "token", "create", "--config", cfgPath, "--name", "x", "--subject", "x"); code != 1 ||
		!strings.Contains(errOut, "held by another broker process") {
		t.Fatalf("token create on a busy SQLite store: %d %s", code, errOut)
	}
}

func TestBrokerTokenCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broker.hcl")
	_ = os.WriteFile(path, []byte(`store = "sqlite:`+filepath.Join(dir, "b.db")+`"`), 0o600)
	out, errOut, code := ciemBroker(t, "broker", "token", "create", "--config", path, "--name", "ci", "--subject", "ci-bot", "--group", "a,b", "--admin", "--format", "json")
	var got struct {
		Token  string
		Admin  bool
		Groups []string
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || !strings.HasPrefix(got.Token, "ciem_") || !got.Admin || len(got.Groups) != 2 {
		t.Fatalf("token create: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := ciemBroker(t, "broker", "token", "create", "--config", path, "--name", "ci", "--subject", "x"); code != 1 || !strings.Contains(errOut, "a token named ci exists") {
		t.Fatalf("duplicate: %d %s", code, errOut)
	}
	if _, errOut, code := ciemBroker(t, "broker", "token", "revoke", "--config", path, "ci"); code != 0 {
		t.Fatalf("revoke: %d %s", code, errOut)
	}
	out, errOut, code = ciemBroker(t, "broker", "token", "list", "--config", path)
	if code != 0 || !regexp.MustCompile(`(?m)^ci +[a-z2-7]{16} +ci-bot +a,b +true +never +\S+$`).MatchString(out) {
		t.Fatalf("list --config: %d %q %s", code, out, errOut)
	}
	out, _, code = ciemBroker(t, "audit", "verify", "--config", path, "--format", "json")
	if code != 0 || !strings.Contains(out, `"ok": true`) || !strings.Contains(out, `"events": 2`) {
		t.Fatalf("audit verify --config: %d %s", code, out)
	}
	if _, errOut, code := ciemBroker(t, "request", "readonly"); code != 1 || !strings.Contains(errOut, "no broker address") {
		t.Fatalf("no address: %d %s", code, errOut)
	}
}

// With a broker running (SQLite, so its store is not open to the CLI), an
// administrator manages tokens through the API.
func TestBrokerTokensThroughAPI(t *testing.T) {
	url, cfgPath, tokens, _ := startBroker(t)
	t.Setenv(envBrokerAddr, url)
	t.Setenv(envBrokerToken, tokens["root"])
	me := func(token string) error {
		c, err := client.New(url, token)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Me(context.Background())
		return err
	}

	out, errOut, code := ciemBroker(t, "broker", "token", "create", "--name", "ci", "--subject", "ci-bot", "--group", "dev", "--ttl", "24h", "--format", "json")
	var created api.CreatedToken
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || created.Name != "ci" || created.CreatedBy != "root" ||
		created.ExpiresAt == nil || !strings.HasPrefix(created.Token, "ciem_"+created.ID+"_") {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	if err := me(created.Token); err != nil {
		t.Fatalf("the new token: %v", err)
	}
	out, errOut, code = ciemBroker(t, "broker", "token", "create", "--name", "ops", "--subject", "ops", "--admin")
	ops := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(ops, "ciem_") || strings.Contains(ops, "\n") {
		t.Fatalf("create (text): %d %q %s", code, out, errOut)
	}
	// The new administrator lists tokens; nothing secret is shown.
	out, errOut, code = ciemBroker(t, "broker", "token", "list", "--token", ops)
	if code != 0 || !regexp.MustCompile(`(?m)^ci +`+created.ID+` +ci-bot +dev +false +\S+ +-$`).MatchString(out) ||
		!strings.Contains(out, "ops ") || strings.Contains(out, "ciem_") {
		t.Fatalf("list: %d %q %s", code, out, errOut)
	}
	// Administrators only, in the API's words.
	if _, errOut, code := ciemBroker(t, "broker", "token", "create", "--name", "x", "--subject", "x", "--token", tokens["alice"]); code != 1 ||
		!strings.Contains(errOut, "only administrators may do this (not_admin, HTTP 403)") {
		t.Fatalf("create as alice: %d %s", code, errOut)
	}
	if _, errOut, code := ciemBroker(t, "broker", "token", "create", "--name", "ci", "--subject", "x"); code != 1 ||
		!strings.Contains(errOut, "a token named ci exists (token_exists, HTTP 409)") {
		t.Fatalf("duplicate: %d %s", code, errOut)
	}
	// Revoked by name; the token is refused at once.
	out, errOut, code = ciemBroker(t, "broker", "token", "revoke", "ci")
	if code != 0 || out != "revoked token ci (id "+created.ID+")\n" {
		t.Fatalf("revoke: %d %q %s", code, out, errOut)
	}
	var ce *client.Error
	if err := me(created.Token); !errors.As(err, &ce) || ce.Status != 401 || ce.Code != "token_revoked" {
		t.Fatalf("the revoked token: %v", err)
	}
	if _, errOut, code := ciemBroker(t, "broker", "token", "revoke", created.ID); code != 1 || !strings.Contains(errOut, "token_revoked, HTTP 409") {
		t.Fatalf("revoke by id again: %d %s", code, errOut)
	}
	if _, errOut, code := ciemBroker(t, "broker", "token", "revoke", "nope"); code != 1 || !strings.Contains(errOut, `no token named or with id "nope"`) {
		t.Fatalf("revoke unknown: %d %s", code, errOut)
	}
	// --config and --addr are two different targets.
	if _, errOut, code := ciemBroker(t, "broker", "token", "list", "--config", cfgPath, "--addr", url); code != 1 ||
		!strings.Contains(errOut, "give one or the other") {
		t.Fatalf("--config with --addr: %d %s", code, errOut)
	}
	out, errOut, code = ciemBroker(t, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "audit log verified: ") {
		t.Fatalf("audit verify: %d %s %s", code, out, errOut)
	}
}
