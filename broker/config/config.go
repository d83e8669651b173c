// Package config reads the broker's HCL configuration file, with environment
// variables overriding the settings operators most often change per deployment:
//
//	listen          = "127.0.0.1:8080"
//	store           = "sqlite:/var/lib/ciem/broker.db"   # or postgres://...
//	pending_timeout = "3h"
//	aws { region = "us-east-1" }                        # the broker's own AWS identity
//	oidc { issuer = "https://login.example.com"  audience = "ciem" }
//	vault { address = "https://vault:8200"  token = env("VAULT_TOKEN") }  # issuer = "vault"
//	admins { groups = ["platform"] }
//	webhook "slack" { url = env("SLACK_WEBHOOK")  format = "slack" }
//	standing_access {                                   # what previews subtract (optional)
//	  users        = { alice = ["arn:aws:iam::111122223333:user/alice"] }
//	  groups       = { dev = ["arn:aws:iam::111122223333:group/developers"] }
//	  user_pattern = "arn:aws:iam::111122223333:user/{subject}"  # subjects not in users
//	}
//	profile "readonly" {
//	  role_arn       = "arn:aws:iam::111122223333:role/ReadOnly"
//	  session_policy = file("readonly.json")            # or jsonencode({...})
//	  max_duration   = "4h"
//	  requesters { groups = ["dev"] }
//	  approval { groups = ["leads"] }                   # the approvers; required = N of them
//	}
//
// Functions: file(path) (relative to the config file), env(name), jsonencode(value).
package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/notify"
	"github.com/ciem/ciem/broker/standing"
	"github.com/ciem/ciem/broker/workflow"
)

// Config is the broker's resolved configuration.
type Config struct {
	Listen         string
	Store          string
	PendingTimeout time.Duration
	LogLevel       slog.Level
	Limits         api.Limits
	Retry          workflow.RetryPolicy
	AWS            AWS
	OIDC           *OIDC
	Vault          *Vault
	Admins         domain.Principals
	Webhooks       []notify.Webhook
	Profiles       []domain.Profile
	Standing       *standing.Config // nil: previews show everything a grant allows
}

// AWS is the broker's own AWS identity (for the STS issuer and fences), found the
// usual way (environment, shared config, instance role) unless keys are given.
type AWS struct {
	Region   string
	Endpoint string // e.g. the sandbox's URL
	Profile  string // shared config profile
}

// Vault is the Vault the vault issuer uses (profiles with issuer = "vault").
type Vault struct {
	Address string
	Token   string
}

// OIDC configures people's bearer tokens.
type OIDC struct {
	Issuer        string
	Audience      string
	UsernameClaim string
	GroupsClaim   string
}

// Defaults.
const (
	DefaultListen = "127.0.0.1:8080"
	DefaultStore  = "sqlite:ciem-broker.db"
)

// file is the HCL schema.
type file struct {
	Listen         string           `hcl:"listen,optional"`
	Store          string           `hcl:"store,optional"`
	PendingTimeout string           `hcl:"pending_timeout,optional"`
	LogLevel       string           `hcl:"log_level,optional"`
	Limits         *limitsBlock     `hcl:"limits,block"`
	Retry          *retryBlock      `hcl:"revocation_retry,block"`
	AWS            *awsBlock        `hcl:"aws,block"`
	OIDC           *oidcBlock       `hcl:"oidc,block"`
	Vault          *vaultBlock      `hcl:"vault,block"`
	Admins         *principalsBlock `hcl:"admins,block"`
	Webhooks       []webhookBlock   `hcl:"webhook,block"`
	Profiles       []profileBlock   `hcl:"profile,block"`
	Standing       *standingBlock   `hcl:"standing_access,block"`
}

type standingBlock struct {
	Users       map[string][]string `hcl:"users,optional"`
	Groups      map[string][]string `hcl:"groups,optional"`
	UserPattern string              `hcl:"user_pattern,optional"`
	Cache       string              `hcl:"cache,optional"`
}

type limitsBlock struct {
	BodyBytes      int64   `hcl:"body_bytes,optional"`
	PerSecond      float64 `hcl:"requests_per_second,optional"`
	Burst          int     `hcl:"burst,optional"`
	PerIPPerSecond float64 `hcl:"ip_requests_per_second,optional"`
	PerIPBurst     int     `hcl:"ip_burst,optional"`
}

type retryBlock struct {
	Base        string `hcl:"base,optional"`
	Max         string `hcl:"max,optional"`
	Attempts    int    `hcl:"attempts,optional"`
	Irrevocable string `hcl:"irrevocable_interval,optional"`
}

type awsBlock struct {
	Region   string `hcl:"region,optional"`
	Endpoint string `hcl:"endpoint,optional"`
	Profile  string `hcl:"profile,optional"`
}

type vaultBlock struct {
	Address string `hcl:"address,optional"`
	Token   string `hcl:"token,optional"`
}

type oidcBlock struct {
	Issuer        string `hcl:"issuer"`
	Audience      string `hcl:"audience"`
	UsernameClaim string `hcl:"username_claim,optional"`
	GroupsClaim   string `hcl:"groups_claim,optional"`
}

type principalsBlock struct {
	Users  []string `hcl:"users,optional"`
	Groups []string `hcl:"groups,optional"`
}

type webhookBlock struct {
	Name   string   `hcl:"name,label"`
	URL    string   `hcl:"url"`
	Format string   `hcl:"format,optional"`
	Events []string `hcl:"events,optional"`
	Secret string   `hcl:"secret,optional"`
}

type profileBlock struct {
	Name            string           `hcl:"name,label"`
	Description     string           `hcl:"description,optional"`
	Issuer          string           `hcl:"issuer,optional"`
	RoleARN         string           `hcl:"role_arn,optional"`
	VaultRole       string           `hcl:"vault_role,optional"`
	VaultMount      string           `hcl:"vault_mount,optional"`
	CredentialType  string           `hcl:"credential_type,optional"`
	SessionPolicy   string           `hcl:"session_policy,optional"`
	MaxDuration     string           `hcl:"max_duration"`
	DefaultDuration string           `hcl:"default_duration,optional"`
	Requesters      *principalsBlock `hcl:"requesters,block"`
	Approval        *approvalBlock   `hcl:"approval,block"`
	RequireReason   bool             `hcl:"require_reason,optional"`
	RequireTicket   bool             `hcl:"require_ticket,optional"`
	BreakGlass      *breakGlassBlock `hcl:"break_glass,block"`
}

// approvalBlock names the approvers (users, groups) and how many must approve.
type approvalBlock struct {
	Users    []string `hcl:"users,optional"`
	Groups   []string `hcl:"groups,optional"`
	Required int      `hcl:"required,optional"`
	Auto     bool     `hcl:"auto,optional"`
}

type breakGlassBlock struct {
	MaxDuration string `hcl:"max_duration,optional"`
}

// Load reads path and applies environment overrides from getenv (os.Getenv when nil).
func Load(path string, getenv func(string) string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the broker configuration: %w", err)
	}
	return Parse(src, path, getenv)
}

// Parse reads a configuration from src (named filename in messages; file() paths are
// relative to its directory).
func Parse(src []byte, filename string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	f, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	var raw file
	if diags := gohcl.DecodeBody(f.Body, evalContext(filepath.Dir(filename), getenv), &raw); diags.HasErrors() {
		return nil, diagError(diags)
	}
	cfg, err := resolve(raw, filename)
	if err != nil {
		return nil, err
	}
	if err := applyEnv(cfg, getenv); err != nil {
		return nil, err
	}
	return cfg, nil
}

// diagError turns HCL diagnostics into one error naming file:line:column.
func diagError(diags hcl.Diagnostics) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		where := ""
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d,%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		msg := where + d.Summary
		if d.Detail != "" {
			msg += "; " + d.Detail
		}
		msgs = append(msgs, msg)
	}
	return fmt.Errorf("broker configuration: %s", strings.Join(msgs, "\n"))
}

func evalContext(dir string, getenv func(string) string) *hcl.EvalContext {
	return &hcl.EvalContext{Functions: map[string]function.Function{
		"jsonencode": stdlib.JSONEncodeFunc,
		"env": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "name", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.StringVal(getenv(args[0].AsString())), nil
			},
		}),
		"file": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "path", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				p := args[0].AsString()
				if !filepath.IsAbs(p) {
					p = filepath.Join(dir, p)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return cty.NilVal, err
				}
				return cty.StringVal(string(b)), nil
			},
		}),
	}}
}
