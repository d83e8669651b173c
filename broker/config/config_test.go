package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/domain"
)

const sample = `
listen          = "0.0.0.0:9000"
store           = "postgres://ciem@db/ciem"
pending_timeout = "2h"
log_level       = "debug"

limits {
  body_bytes          = 32768
  requests_per_second = 2
  burst               = 10
}

revocation_retry {
  base     = "5s"
  attempts = 4
}

aws {
  region   = "eu-west-1"
  endpoint = "http://127.0.0.1:4566"
}

oidc {
  issuer   = "https://login.example.com"
  audience = "ciem"
}

vault {
  address = "http://127.0.0.1:8200"
}

admins {
  groups = ["platform"]
}

webhook "slack" {
  url    = env("SLACK_URL")
  format = "slack"
  events = ["grant.*"]
}

profile "readonly" {
  description    = "read the data"
  role_arn       = "arn:aws:iam::111122223333:role/ReadOnly"
  session_policy = file("readonly.json")
  max_duration   = "4h"
  requesters { groups = ["dev"] }
  approval {
    users    = ["bob", "carol"]
    required = 2
  }
  require_reason = true
  break_glass { max_duration = "20m" }
}

profile "auto" {
  role_arn       = "arn:aws:iam::111122223333:role/Dev"
  session_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*"}]})
  max_duration   = "30m"
  requesters { users = ["alice"] }
  approval { auto = true }
}
`

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "broker.hcl")
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	path := write(t, map[string]string{"broker.hcl": sample,
		"readonly.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`})
	cfg, err := Load(path, env(map[string]string{"SLACK_URL": "https://hooks.slack.com/x", "VAULT_TOKEN": "hvs.x"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "0.0.0.0:9000" || cfg.PendingTimeout != 2*time.Hour || cfg.Limits.Burst != 10 || cfg.Retry.Base != 5*time.Second ||
		cfg.AWS.Region != "eu-west-1" || cfg.OIDC.Audience != "ciem" || cfg.Admins.Groups[0] != "platform" {
		t.Fatalf("config %+v", cfg)
	}
	if cfg.Vault == nil || cfg.Vault.Address != "http://127.0.0.1:8200" || cfg.Vault.Token != "hvs.x" {
		t.Fatalf("vault %+v", cfg.Vault)
	}
	if len(cfg.Webhooks) != 1 || cfg.Webhooks[0].URL != "https://hooks.slack.com/x" || cfg.Webhooks[0].Format != "slack" {
		t.Fatalf("webhooks %+v", cfg.Webhooks)
	}
	ro, auto := cfg.Profiles[0], cfg.Profiles[1]
	if ro.SessionPolicy != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}` ||
		ro.DefaultDuration != time.Hour || ro.Approval.Required != 2 || !ro.BreakGlass.Enabled || ro.BreakGlass.MaxDuration != 20*time.Minute ||
		ro.Target.Issuer != domain.IssuerSTS || !ro.RequireReason {
		t.Fatalf("readonly %+v", ro)
	}
	if !auto.Approval.Auto || auto.DefaultDuration != 30*time.Minute || !strings.Contains(auto.SessionPolicy, "s3:ListAllMyBuckets") {
		t.Fatalf("auto %+v", auto)
	}
}

func TestEnvOverrides(t *testing.T) {
	path := write(t, map[string]string{"broker.hcl": `store = "sqlite:a.db"`})
	cfg, err := Load(path, env(map[string]string{EnvStore: "sqlite:b.db", EnvListen: ":1", EnvPendingTimeout: "10m",
		EnvOIDCIssuer: "https://i", EnvOIDCAudience: "a", EnvAWSEndpoint: "http://x", EnvLogLevel: "warn"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store != "sqlite:b.db" || cfg.Listen != ":1" || cfg.PendingTimeout != 10*time.Minute || cfg.OIDC.Issuer != "https://i" ||
		cfg.AWS.Endpoint != "http://x" || cfg.LogLevel.String() != "WARN" {
		t.Fatalf("config %+v", cfg)
	}
	if _, err := Load(path, env(map[string]string{EnvOIDCIssuer: "https://i"})); err == nil || !strings.Contains(err.Error(), EnvOIDCAudience) {
		t.Fatalf("issuer without audience: %v", err)
	}
	if _, err := Load(path, env(map[string]string{EnvVaultAddr: "http://v"})); err == nil || !strings.Contains(err.Error(), "vault: an address and a token") {
		t.Fatalf("vault without a token: %v", err)
	}
}

func TestErrorsSayWhere(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax", `listen = `, "broker.hcl:1,"},
		{"unknown attribute", `lissen = "x"`, `broker.hcl:1,1: Unsupported argument; An argument named "lissen" is not expected here`},
		{"wrong type", `limits { burst = "many" }`, "broker.hcl:1,19: Unsuitable value type; Unsuitable value: a number is required"},
		{"bad duration", `pending_timeout = "soon"`, `pending_timeout "soon"`},
		{"missing max_duration", `profile "p" { role_arn = "arn:aws:iam::111122223333:role/R" }`, `Missing required argument; The argument "max_duration" is required`},
		{"invalid profile", `profile "p" {
  role_arn = "arn:aws:iam::111122223333:role/R"
  max_duration = "1h"
}`, `profile "p": profile p: requesters`},
		{"invalid session policy", `profile "p" {
  role_arn = "arn:aws:iam::111122223333:role/R"
  max_duration = "1h"
  session_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:GetObjekt", Resource = "*"}]})
  requesters { users = ["a"] }
  approval { auto = true }
}`, "session_policy"},
		{"missing file", `profile "p" {
  max_duration = "1h"
  session_policy = file("nope.json")
}`, "nope.json"},
		{"duplicate profile", `profile "p" {
  max_duration = "1h"
  role_arn = "arn:aws:iam::111122223333:role/R"
  requesters { users = ["a"] }
  approval { auto = true }
}
profile "p" {
  max_duration = "1h"
}`, `profile "p" is defined twice`},
		{"webhook format", `webhook "w" {
  url = "https://x"
  format = "teams"
}`, `format "teams"`},
		{"log level", `log_level = "loud"`, `log_level "loud"`},
	}
	for _, tc := range tests {
		_, err := Load(write(t, map[string]string{"broker.hcl": tc.src}), env(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant it to contain %q", tc.name, err, tc.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.hcl"), nil); err == nil {
		t.Error("missing file: no error")
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]byte(``), "empty.hcl", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != DefaultListen || cfg.Store != DefaultStore || cfg.PendingTimeout != 3*time.Hour || cfg.OIDC != nil {
		t.Fatalf("defaults %+v", cfg)
	}
}
