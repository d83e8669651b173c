package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

func TestParseFlags(t *testing.T) {
	t.Setenv("VAULT_DEV_ROOT_TOKEN_ID", "")
	tests := []struct {
		name      string
		args      []string
		env       string
		wantToken string
		err       string
	}{
		{name: "defaults", args: nil},
		{name: "root token", args: []string{"-root-token", "a"}, wantToken: "a"},
		{name: "vault's flag name", args: []string{"-dev-root-token-id", "b"}, wantToken: "b"},
		{name: "both agreeing", args: []string{"-root-token", "c", "-dev-root-token-id", "c"}, wantToken: "c"},
		{name: "env", env: "d", wantToken: "d"},
		{name: "flag beats env", args: []string{"-root-token", "e"}, env: "d", wantToken: "e"},
		{name: "both disagreeing", args: []string{"-root-token", "a", "-dev-root-token-id", "b"}, err: "disagree"},
		{name: "positional", args: []string{"serve"}, err: `unexpected arguments ["serve"]`},
		{name: "default over max", args: []string{"-default-lease-ttl", "2h", "-max-lease-ttl", "1h"}, err: "-default-lease-ttl 2h0m0s and -max-lease-ttl 1h0m0s"},
		{name: "zero max", args: []string{"-max-lease-ttl", "0s"}, err: "must be positive"},
		{name: "unknown flag", args: []string{"-dev"}, err: "flag provided but not defined: -dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VAULT_DEV_ROOT_TOKEN_ID", tc.env)
			o, err := parseFlags(tc.args, io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.rootToken != tc.wantToken {
				t.Errorf("token = %q, want %q", o.rootToken, tc.wantToken)
			}
		})
	}
}

// run listens, prints the exports a shell (or ciem dev) reads, serves the api client, and
// stops cleanly when its context ends.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-log-level", "warn"}, outW, &stderr)
		outW.Close()
	}()
	env := map[string]string{}
	sc := bufio.NewScanner(outR)
	for len(env) < 2 && sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			env[k] = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if !strings.HasPrefix(env["VAULT_ADDR"], "http://127.0.0.1:") || !strings.HasPrefix(env["VAULT_TOKEN"], "hvs.") {
		t.Fatalf("exports = %v (stderr %s)", env, stderr.String())
	}
	cfg := api.DefaultConfig()
	cfg.Address = env["VAULT_ADDR"]
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(env["VAULT_TOKEN"])
	if _, err := c.Auth().Token().LookupSelf(); err != nil {
		t.Fatalf("lookup-self with the printed token: %v", err)
	}
	c.SetToken("wrong")
	if _, err := c.Auth().Token().LookupSelf(); err == nil {
		t.Fatal("a wrong token was accepted")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRunRefusesABusyAddress(t *testing.T) {
	tv := startVault(t)
	addr := strings.TrimPrefix(tv.url, "http://")
	err := run(context.Background(), []string{"-addr", addr}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-addr "+addr) {
		t.Fatalf("err = %v, want one naming -addr %s", err, addr)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
