// Package devstack is the local stack `ciem dev` (and `make run`) starts: the AWS
// sandbox in-process, seeded with a bucket, the roles the broker grants and the broker's
// own IAM user; and the broker on SQLite with profiles for them, the direct-STS issuer
// and API tokens for an administrator, a requester (alice) and an approver (bob).
//
// State lives under one directory and is reused by the next start: the sandbox's IAM,
// S3 and sessions, the broker's database, and the tokens (so a sourced dev.env keeps
// working). Deleting the directory resets everything.
package devstack

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/server"
	"github.com/ciem/ciem/internal/awstest"
)

//go:embed seed.json
var seedJSON []byte

//go:embed profiles.hcl
var profilesHCL []byte

// Names the seed and the profiles share.
const (
	Bucket         = "ciem-dev-data"
	brokerKeyID    = "AKIACIEMDEVBROKER001"
	brokerSecret   = "ciem-dev-broker-secret-not-for-production"
	DefaultAddr    = "127.0.0.1:8080"
	DefaultData    = ".ciem"
	readyTimeout   = 30 * time.Second
	shutdownBudget = 10 * time.Second
)

// Options configure a stack. Zero values are the defaults.
type Options struct {
	Addr        string // the broker's listen address (port 0 picks one)
	SandboxAddr string // the sandbox's listen address
	DataDir     string
	Log         *slog.Logger
	Issuer      string // IssuerSTS (default) or IssuerVault
	Vaultdev    string // the vaultdev binary (IssuerVault); see FindVaultdev
	// Clock drives the broker and the sandbox; the wall clock when nil. Tests inject a
	// clock.Fake (which also turns off the sandbox's signature clock-skew check, since
	// the SDK signs with the wall clock).
	Clock clock.Clock
}

// Info is what a newcomer needs: where things are and the tokens.
type Info struct {
	BrokerURL  string
	SandboxURL string
	Region     string
	Admin      awstest.Credentials // the sandbox administrator's key
	Tokens     Tokens
	EnvFile    string
	DataDir    string
	Reused     bool   // state from an earlier start was found and kept
	Reset      string // why the state of an earlier start was removed, if it was
	Issuer     string // IssuerSTS or IssuerVault
	VaultURL   string // vaultdev's address with IssuerVault
}

// Stack is a started sandbox and an assembled broker, listening; Run serves them.
type Stack struct {
	Info    Info
	log     *slog.Logger
	sandbox *awstest.Server
	vault   *vaultdev // nil with the STS issuer
	broker  *server.Server
	unlock  func()
}

// Seed returns the sandbox's starting state.
func Seed() (*awstest.Seed, error) {
	var sd awstest.Seed
	if err := json.Unmarshal(seedJSON, &sd); err != nil {
		return nil, fmt.Errorf("devstack: embedded seed.json: %w", err)
	}
	return &sd, nil
}

// Start builds both halves, opens their listeners and makes the tokens. Nothing is
// served until Run.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.SandboxAddr == "" {
		o.SandboxAddr = awstest.DefaultAddr
	}
	if o.DataDir == "" {
		o.DataDir = DefaultData
	}
	switch o.Issuer {
	case "":
		o.Issuer = IssuerSTS
	case IssuerSTS, IssuerVault:
	default:
		return nil, fmt.Errorf("--issuer %q: use %q (direct STS) or %q (Vault's AWS secrets engine, tools/vaultdev)", o.Issuer, IssuerSTS, IssuerVault)
	}
	if o.Issuer == IssuerVault {
		var err error
		if o.Vaultdev, err = FindVaultdev(o.Vaultdev); err != nil {
			return nil, err
		}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	skew := time.Duration(0)
	if o.Clock == nil {
		o.Clock, skew = clock.Real{}, 15*time.Minute
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", o.DataDir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("--data %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	st, err := start(ctx, o, dir, skew)
	if err != nil {
		unlock()
		return nil, err
	}
	st.unlock = unlock
	return st, nil
}

// start builds the stack in dir, whose lock the caller holds.
func start(ctx context.Context, o Options, dir string, skew time.Duration) (*Stack, error) {
	sandboxDir, dbPath := filepath.Join(dir, sandboxName), filepath.Join(dir, dbName)
	reused, reset, err := prepareState(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(sandboxDir, 0o700); err != nil {
		return nil, fmt.Errorf("--data %s: %w", dir, err)
	}
	sd, err := Seed()
	if err != nil {
		return nil, err
	}
	sb, err := awstest.New(awstest.Options{DataDir: sandboxDir, Seed: sd, Clock: o.Clock, MaxSkew: skew,
		Logger: o.Log.With("component", "sandbox")})
	if err != nil {
		return nil, fmt.Errorf("starting the sandbox in %s: %w", sandboxDir, err)
	}
	if err := sb.Listen(o.SandboxAddr); err != nil {
		_ = sb.Close()
		return nil, fmt.Errorf("the sandbox (--sandbox-addr): %w", err)
	}
	s := &Stack{log: o.Log, sandbox: sb}
	if err := s.startBroker(ctx, o, dbPath, sd); err != nil {
		s.stopBackends()
		return nil, err
	}
	tokens, err := ensureTokens(ctx, s.broker.Tokens, filepath.Join(dir, tokensFile))
	if err != nil {
		_ = s.broker.Store.Close()
		s.stopBackends()
		return nil, err
	}
	addr, _ := s.broker.Listen() // already open
	s.Info = Info{BrokerURL: "http://" + addr, SandboxURL: sb.URL, Region: sb.Region(), Admin: sb.AdminCredentials(),
		Tokens: tokens, EnvFile: filepath.Join(dir, "dev.env"), DataDir: dir, Reused: reused, Reset: reset, Issuer: o.Issuer}
	if s.vault != nil {
		s.Info.VaultURL = s.vault.addr
	}
	return s, nil
}

// parseProfiles reads the embedded profiles (no environment overrides: the stack sets
// the rest of the configuration itself).
func parseProfiles() (*config.Config, error) {
	return config.Parse(profilesHCL, "devstack/profiles.hcl", func(string) string { return "" })
}

// startBroker starts the broker, and vaultdev first with the Vault issuer (its template
// roles are those of sd, the seed the sandbox started from).
func (s *Stack) startBroker(ctx context.Context, o Options, dbPath string, sd *awstest.Seed) error {
	cfg, err := parseProfiles()
	if err != nil {
		return err
	}
	cfg.Listen, cfg.Store = o.Addr, "sqlite:"+dbPath
	cfg.AWS = config.AWS{Region: s.sandbox.Region(), Endpoint: s.sandbox.URL}
	if o.Issuer == IssuerVault {
		if s.vault, err = startVaultdev(ctx, o.Vaultdev, s.sandbox.URL, s.sandbox.Region(), sd); err != nil {
			return err
		}
		useVault(cfg, s.vault)
	}
	awsCfg := s.sandbox.ConfigFor(awstest.Credentials{AccessKeyID: brokerKeyID, SecretAccessKey: brokerSecret})
	b, err := server.New(ctx, cfg, server.Options{Log: o.Log.With("component", "broker"), Clock: o.Clock, AWS: &awsCfg})
	if err != nil {
		return fmt.Errorf("starting the broker on %s: %w", dbPath, err)
	}
	if _, err := b.Listen(); err != nil {
		_ = b.Store.Close()
		return fmt.Errorf("the broker (--addr): %w", err)
	}
	s.broker = b
	return nil
}

// Run serves until ctx ends, calling ready (if not nil) once the broker reports ready,
// then stops the broker, vaultdev and the sandbox.
func (s *Stack) Run(ctx context.Context, ready func(Info) error) error {
	defer s.unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.broker.Run(ctx) }()
	err := s.waitReady(ctx, done)
	if errors.Is(err, errBrokerStopped) {
		return errors.Join(err, s.stopBackends())
	}
	if err == nil && ready != nil {
		err = ready(s.Info)
	}
	if err != nil {
		cancel()
	}
	return errors.Join(err, <-done, s.stopBackends())
}

var errBrokerStopped = errors.New("the broker stopped while starting")

// stopBackends stops vaultdev (if any) and the sandbox, which saves its state.
func (s *Stack) stopBackends() error {
	if s.vault != nil {
		s.vault.stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
	defer cancel()
	if err := s.sandbox.Shutdown(ctx); err != nil {
		return fmt.Errorf("stopping the sandbox: %w", err)
	}
	return nil
}

// waitReady polls the broker's /readyz (it catches up on expiries first).
func (s *Stack) waitReady(ctx context.Context, done <-chan error) error {
	deadline := time.Now().Add(readyTimeout)
	url := s.Info.BrokerURL + "/readyz"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the broker at %s was not ready within %s", s.Info.BrokerURL, readyTimeout)
		}
		select {
		case err := <-done:
			return fmt.Errorf("%w: %w", errBrokerStopped, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
