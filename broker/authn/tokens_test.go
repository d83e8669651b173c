package authn

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store/sqlstore"
)

func newTokens(t *testing.T) (*Tokens, *clock.Fake) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	return &Tokens{Store: st, Clock: clk}, clk
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	tk, clk := newTokens(t)
	plain, rec, err := tk.Create(ctx, "root", NewToken{Name: "ci", Subject: "ci-bot", Groups: []string{"automation"}, Admin: true, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain, "ciem_") || strings.Contains(rec.Hash, plain[len(plain)-52:]) {
		t.Fatalf("token %q stored as %+v", plain, rec)
	}
	id, err := tk.Authenticate(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Identity{Subject: "ci-bot", Groups: []string{"automation"}, Admin: true, Via: "token:ci"}
	if id.Subject != want.Subject || !id.Admin || id.Via != want.Via || len(id.Groups) != 1 {
		t.Fatalf("identity %+v", id)
	}
	forged := plain[:len(plain)-1] + map[bool]string{true: "a", false: "b"}[plain[len(plain)-1] != 'a']
	for _, tc := range []struct {
		name, bearer, code string
	}{
		{"wrong secret", forged, "invalid_token"},
		{"malformed", "ciem_x", "invalid_token"},
		{"unknown id", "ciem_aaaaaaaaaaaaaaaa_" + strings.Repeat("a", 52), "invalid_token"},
	} {
		if _, err := tk.Authenticate(ctx, tc.bearer); codeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, _, err := tk.Create(ctx, "root", NewToken{Name: "ci", Subject: "x"}); codeOf(err) != "token_exists" {
		t.Errorf("duplicate name: %v", err)
	}
	for _, bad := range []NewToken{{Name: "has space", Subject: "x"}, {Name: "ok"}, {Name: "ok", Subject: "x", TTL: -time.Second}} {
		if _, _, err := tk.Create(ctx, "root", bad); domain.KindOf(err) != domain.KindInvalid {
			t.Errorf("Create(%+v): %v", bad, err)
		}
	}
	clk.Advance(time.Hour)
	if _, err := tk.Authenticate(ctx, plain); codeOf(err) != "token_expired" {
		t.Errorf("expired: %v", err)
	}
	forever, _, err := tk.Create(ctx, "root", NewToken{Name: "forever", Subject: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.Revoke(ctx, "root", "forever"); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Authenticate(ctx, forever); codeOf(err) != "token_revoked" {
		t.Errorf("revoked: %v", err)
	}
	if err := tk.Revoke(ctx, "root", "nope"); codeOf(err) != "token_not_found" {
		t.Errorf("revoking a missing token: %v", err)
	}
}

func codeOf(err error) string {
	if e, ok := err.(*domain.Error); ok {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "untyped: " + err.Error()
}
