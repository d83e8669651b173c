package authn

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
)

func TestOIDC(t *testing.T) {
	ctx := context.Background()
	is := brokertest.NewOIDCIssuer(t)
	k1, k2, stranger := brokertest.RSAKey(t, "k1"), brokertest.ECKey(t, "k2"), brokertest.RSAKey(t, "k1")
	is.Publish(k1)
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	o, err := NewOIDC(ctx, OIDCConfig{Issuer: is.URL, Audience: "ciem", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	claims := func(change func(map[string]any)) map[string]any {
		c := map[string]any{"iss": is.URL, "aud": "ciem", "sub": "u-123", "email": "alice@example.com",
			"groups": []string{"dev", "oncall"}, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if change != nil {
			change(c)
		}
		return c
	}
	id, err := o.Authenticate(ctx, brokertest.Sign(t, k1, claims(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "alice@example.com" || strings.Join(id.Groups, ",") != "dev,oncall" || id.Via != "oidc" || id.Admin {
		t.Fatalf("identity %+v", id)
	}
	tests := []struct {
		name string
		tok  string
		code string
	}{
		{"expired", brokertest.Sign(t, k1, claims(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), "token_expired"},
		{"no exp", brokertest.Sign(t, k1, claims(func(c map[string]any) { delete(c, "exp") })), "invalid_token"},
		{"not yet valid", brokertest.Sign(t, k1, claims(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() })), "invalid_token"},
		{"wrong audience", brokertest.Sign(t, k1, claims(func(c map[string]any) { c["aud"] = "other" })), "invalid_token"},
		{"wrong issuer", brokertest.Sign(t, k1, claims(func(c map[string]any) { c["iss"] = "https://evil" })), "invalid_token"},
		{"signed by another key with a known kid", brokertest.Sign(t, stranger, claims(nil)), "invalid_token"},
		{"unknown kid", brokertest.Sign(t, k2, claims(nil)), "invalid_token"},
		{"not a JWT", "abc.def", "invalid_token"},
		{"unsigned", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "invalid_token"},
	}
	for _, tc := range tests {
		if _, err := o.Authenticate(ctx, tc.tok); codeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// The provider rotates in k2: a token signed with it works once the key set is
	// refetched, which happens at most once a minute.
	is.Publish(k2)
	fetches := is.Fetches()
	tok2 := brokertest.Sign(t, k2, claims(func(c map[string]any) { delete(c, "email"); c["groups"] = "solo" }))
	if _, err := o.Authenticate(ctx, tok2); codeOf(err) != "invalid_token" || is.Fetches() != fetches {
		t.Fatalf("refetched keys within a minute of the last fetch: %v (fetches %d -> %d)", err, fetches, is.Fetches())
	}
	clk.Advance(RefreshEvery)
	now = clk.Now()
	id, err = o.Authenticate(ctx, tok2)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u-123" || len(id.Groups) != 1 || id.Groups[0] != "solo" {
		t.Fatalf("identity from sub with a string groups claim: %+v", id)
	}
}

func TestOIDCDiscoveryErrors(t *testing.T) {
	is := brokertest.NewOIDCIssuer(t)
	if _, err := NewOIDC(context.Background(), OIDCConfig{Issuer: is.URL + "/", Audience: "x"}); err == nil || !strings.Contains(err.Error(), "says its issuer is") {
		t.Errorf("issuer mismatch: %v", err)
	}
	if _, err := NewOIDC(context.Background(), OIDCConfig{Issuer: "http://127.0.0.1:1", Audience: "x"}); err == nil {
		t.Error("unreachable issuer: no error")
	}
	if _, err := NewOIDC(context.Background(), OIDCConfig{Issuer: is.URL}); err == nil {
		t.Error("no audience: no error")
	}
}

func TestChain(t *testing.T) {
	ctx := context.Background()
	tk, _ := newTokens(t)
	plain, _, err := tk.Create(ctx, "root", NewToken{Name: "ops", Subject: "ops-bot", Groups: []string{"platform"}})
	if err != nil {
		t.Fatal(err)
	}
	c := Chain{Tokens: tk, Admins: domain.Principals{Groups: []string{"platform"}}}
	id, err := c.Authenticate(ctx, plain)
	if err != nil || !id.Admin {
		t.Fatalf("admin by group: %+v %v", id, err)
	}
	if _, err := c.Authenticate(ctx, "eyJ.x.y"); codeOf(err) != "invalid_token" {
		t.Errorf("JWT without OIDC configured: %v", err)
	}
	for _, h := range []string{"", "Basic abc", "Bearer "} {
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if _, err := Bearer(r); domain.KindOf(err) != domain.KindUnauthenticated {
			t.Errorf("Authorization %q: %v", h, err)
		}
	}
}
