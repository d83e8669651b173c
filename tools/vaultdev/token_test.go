package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// tokenClient is an api client of tv that sends tok.
func (tv *testVault) tokenClient(t *testing.T, tok string) *api.Client {
	t.Helper()
	c, err := tv.client.Clone()
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(tok)
	return c
}

// createToken makes a token with the root token, through the api client.
func (tv *testVault) createToken(t *testing.T, req *api.TokenCreateRequest) *api.Secret {
	t.Helper()
	s, err := tv.client.Auth().Token().Create(req)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tokenTTL(t *testing.T, s *api.Secret) time.Duration {
	t.Helper()
	ttl, err := s.TokenTTL()
	if err != nil {
		t.Fatal(err)
	}
	return ttl
}

// TestTokenLifecycle: a renewable token lives for its TTL, renew-self restarts the TTL
// (within the max TTL), and an expired token is refused like an unknown one.
func TestTokenLifecycle(t *testing.T) {
	tv := startVault(t, func(c *Config) { c.DefaultLeaseTTL, c.MaxLeaseTTL = time.Hour, 3*time.Hour })
	renewable := true
	created := tv.createToken(t, &api.TokenCreateRequest{TTL: "1h", Renewable: &renewable, DisplayName: "broker"})
	if created.Auth == nil || created.Auth.ClientToken == "" || created.Auth.LeaseDuration != 3600 || !created.Auth.Renewable {
		t.Fatalf("created = %+v, want a renewable token of 3600 s", created.Auth)
	}
	c := tv.tokenClient(t, created.Auth.ClientToken)

	self, err := c.Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	if got := tokenTTL(t, self); got != time.Hour {
		t.Errorf("ttl = %s, want 1h", got)
	}
	if ok, _ := self.TokenIsRenewable(); !ok {
		t.Error("lookup-self: not renewable")
	}
	if _, ok := self.Data["last_renewal_time"]; ok {
		t.Error("lookup-self: last_renewal_time before any renewal")
	}

	// Forty minutes on, a renewal gives a full hour again, from now.
	tv.clock.Advance(40 * time.Minute)
	renewed, err := c.Auth().Token().RenewSelf(0)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Auth.LeaseDuration != 3600 {
		t.Errorf("renewed for %d s, want 3600", renewed.Auth.LeaseDuration)
	}
	self, err = c.Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := self.Data["last_renewal_time"]; !ok {
		t.Error("lookup-self: no last_renewal_time after a renewal")
	}
	// The engine works with the token (vaultdev has no ACLs).
	if _, err := c.Logical().List("aws/roles"); err != nil {
		t.Errorf("listing roles with the created token: %v", err)
	}

	// The system max TTL (3h from creation) caps renewals, with Vault's warning.
	tv.clock.Advance(50 * time.Minute) // 1h30m after creation
	if _, err := c.Auth().Token().RenewSelf(0); err != nil {
		t.Fatal(err)
	}
	tv.clock.Advance(50 * time.Minute) // 2h20m after creation
	capped, err := c.Auth().Token().RenewSelf(3600)
	if err != nil {
		t.Fatal(err)
	}
	if capped.Auth.LeaseDuration != 2400 || len(capped.Warnings) != 1 || !strings.Contains(capped.Warnings[0], "capped") {
		t.Errorf("capped renewal = %d s, warnings %q; want 2400 s and a warning", capped.Auth.LeaseDuration, capped.Warnings)
	}

	// Past its end the token is refused.
	tv.clock.Advance(41 * time.Minute)
	if _, err := c.Auth().Token().LookupSelf(); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("expired token: %v, want permission denied", err)
	}
}

// TestTokenKinds covers periodic and non-renewable tokens, who may create tokens, and the
// root token's answers.
func TestTokenKinds(t *testing.T) {
	tv := startVault(t, func(c *Config) { c.DefaultLeaseTTL, c.MaxLeaseTTL = time.Hour, time.Hour })

	// A periodic token outlives the system max TTL as long as it is renewed within its period.
	periodic := tv.createToken(t, &api.TokenCreateRequest{Period: "30m"})
	pc := tv.tokenClient(t, periodic.Auth.ClientToken)
	for range 4 { // two hours, well past the 1h max
		tv.clock.Advance(25 * time.Minute)
		s, err := pc.Auth().Token().RenewSelf(7200)
		if err != nil {
			t.Fatal(err)
		}
		if s.Auth.LeaseDuration != 1800 {
			t.Errorf("periodic renewal = %d s, want the period (1800)", s.Auth.LeaseDuration)
		}
	}

	// A token created not renewable cannot be renewed.
	no := false
	fixed := tv.createToken(t, &api.TokenCreateRequest{TTL: "10m", Renewable: &no})
	fc := tv.tokenClient(t, fixed.Auth.ClientToken)
	if _, err := fc.Auth().Token().RenewSelf(0); err == nil || !strings.Contains(err.Error(), "token is not renewable") {
		t.Errorf("renewing a non-renewable token: %v", err)
	}
	// Only the root token creates tokens.
	if _, err := fc.Auth().Token().Create(&api.TokenCreateRequest{TTL: "1m"}); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a created token creating one: %v, want permission denied", err)
	}
	// A TTL past the max is capped at creation.
	long := tv.createToken(t, &api.TokenCreateRequest{TTL: "5h"})
	if long.Auth.LeaseDuration != 3600 {
		t.Errorf("5h token created for %d s, want the 1h max", long.Auth.LeaseDuration)
	}

	// The root token never expires: ttl 0, and renewing it changes nothing.
	tv.clock.Advance(1000 * time.Hour)
	self, err := tv.client.Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	if ttl := tokenTTL(t, self); ttl != 0 {
		t.Errorf("root ttl = %s, want 0", ttl)
	}
	if _, err := tv.client.Auth().Token().RenewSelf(0); err != nil {
		t.Errorf("renewing the root token: %v", err)
	}
	if status, body := tv.raw(t, "POST", "/v1/auth/token/revoke-self", testToken, ""); status != 404 {
		t.Errorf("revoke-self = %d %s, want 404 (not supported)", status, body)
	}
}
