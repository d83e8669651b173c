package vaultissuer

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/ciem/ciem/broker/domain"
)

// logBuffer collects a logger's text output for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// childToken makes a token with the root token.
func (e *env) childToken(req *vault.TokenCreateRequest) string {
	e.t.Helper()
	s, err := vaultClient(e.t, e.addr, e.token).Auth().Token().Create(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return s.Auth.ClientToken
}

// waitFor waits for a renewal that runs in the fake clock's timer goroutine; the deadline
// is only a safety net.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTokenKeeperRenews: with a renewable token of one hour, the keeper renews it at two
// thirds of its TTL on the broker's clock, again and again (Vault records the renewals),
// and the issuer keeps working with the token.
func TestTokenKeeperRenews(t *testing.T) {
	e := newEnv(t)
	renewable := true
	tok := e.childToken(&vault.TokenCreateRequest{TTL: "1h", Renewable: &renewable})
	is, err := New(e.addr, tok, e.clk)
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	k := is.KeepTokenAlive(logs.logger())
	defer k.Stop()
	// Vault answers in whole seconds left, on its own clock: allow for a second or two.
	if got, want := k.Expires(), e.clk.Now().Add(time.Hour); got.Sub(want).Abs() > 2*time.Second {
		t.Fatalf("expires %s, want about %s (an hour on)", got, want)
	}
	for i := range 3 {
		before := k.Expires()
		e.clk.Advance(41 * time.Minute) // past two thirds of the hour
		waitFor(t, "a renewal", func() bool { return k.Expires().After(before) })
		if got, want := k.Expires(), e.clk.Now().Add(time.Hour); got.Sub(want).Abs() > 2*time.Second {
			t.Errorf("renewal %d: expires %s, want about %s", i+1, got, want)
		}
	}
	self, err := vaultClient(t, e.addr, tok).Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := self.Data["last_renewal_time"]; !ok {
		t.Errorf("Vault has no renewal of the token: %v", self.Data)
	}
	// The issuer still issues with the renewed token.
	g := e.grant("r-vaulttok0000000000000000", domain.CredentialAssumedRole, "reader-sts", 20*time.Minute)
	if _, err := is.Issue(context.Background(), g); err != nil {
		t.Errorf("issuing with the renewed token: %v", err)
	}
	if !strings.Contains(logs.String(), "renewing the broker's Vault token at two thirds of its TTL") {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestTokenKeeperKinds: a token that never expires needs no renewal, one that cannot be
// renewed is a warning, and a token Vault refuses is an error tried again every minute.
func TestTokenKeeperKinds(t *testing.T) {
	e := newEnv(t)

	var rootLogs logBuffer
	root := e.is.KeepTokenAlive(rootLogs.logger())
	defer root.Stop()
	if !root.Expires().IsZero() || !strings.Contains(rootLogs.String(), "does not expire") {
		t.Errorf("root token: expires %s, log:\n%s", root.Expires(), rootLogs.String())
	}

	no := false
	fixed, err := New(e.addr, e.childToken(&vault.TokenCreateRequest{TTL: "2h", Renewable: &no}), e.clk)
	if err != nil {
		t.Fatal(err)
	}
	var fixedLogs logBuffer
	fk := fixed.KeepTokenAlive(fixedLogs.logger())
	defer fk.Stop()
	if want := e.clk.Now().Add(2 * time.Hour); fk.Expires().Sub(want).Abs() > 2*time.Second || !strings.Contains(fixedLogs.String(), "level=WARN") ||
		!strings.Contains(fixedLogs.String(), "cannot be renewed") {
		t.Errorf("non-renewable token: expires %s (want %s), log:\n%s", fk.Expires(), want, fixedLogs.String())
	}

	wrong, err := New(e.addr, "hvs.not-a-token", e.clk)
	if err != nil {
		t.Fatal(err)
	}
	var wrongLogs logBuffer
	wk := wrong.KeepTokenAlive(wrongLogs.logger())
	defer wk.Stop()
	failures := func() int { return strings.Count(wrongLogs.String(), "looking up the broker's Vault token failed") }
	if failures() != 1 || !strings.Contains(wrongLogs.String(), "permission denied") {
		t.Fatalf("wrong token: log:\n%s", wrongLogs.String())
	}
	e.clk.Advance(time.Minute)
	waitFor(t, "a second lookup", func() bool { return failures() == 2 })
}
