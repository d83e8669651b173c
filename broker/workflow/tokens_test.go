package workflow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/store"
)

func TestTokenUseCases(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		check := &authn.Tokens{Store: h.st, Clock: h.clk}
		plain, tk, err := h.svc.CreateToken(h.ctx, root, maker(check, authn.NewToken{Name: "ci", Subject: "ci-bot", Groups: []string{"dev"}, TTL: time.Hour}))
		if err != nil {
			t.Fatal(err)
		}
		if tk.CreatedBy != "root" || !tk.ExpiresAt.Equal(h.clk.Now().Truncate(time.Millisecond).Add(time.Hour)) || strings.Contains(plain, tk.Hash) {
			t.Fatalf("created %+v", tk)
		}
		id, err := check.Authenticate(h.ctx, plain)
		if err != nil || id.Subject != "ci-bot" || id.Admin || id.Via != "token:ci" {
			t.Fatalf("authenticate: %+v %v", id, err)
		}

		for _, tc := range []struct {
			name string
			call func() error
			want string
		}{
			{"create as non-admin", func() error {
				_, _, err := h.svc.CreateToken(h.ctx, alice, maker(check, authn.NewToken{Name: "mine", Subject: "alice", Admin: true}))
				return err
			}, "not_admin"},
			{"list as non-admin", func() error { _, err := h.svc.Tokens(h.ctx, bob); return err }, "not_admin"},
			{"revoke as non-admin", func() error { _, err := h.svc.RevokeToken(h.ctx, alice, tk.ID); return err }, "not_admin"},
			{"duplicate", func() error {
				_, _, err := h.svc.CreateToken(h.ctx, root, maker(check, authn.NewToken{Name: "ci", Subject: "x"}))
				return err
			}, "token_exists"},
			{"unknown id", func() error { _, err := h.svc.RevokeToken(h.ctx, root, "nope"); return err }, "token_not_found"},
		} {
			if got := code(tc.call()); got != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
		}
		if _, err := check.Authenticate(h.ctx, plain); err != nil {
			t.Fatalf("a non-admin's revoke took effect: %v", err)
		}

		list, err := h.svc.Tokens(h.ctx, root)
		if err != nil || len(list) != 1 || list[0].ID != tk.ID {
			t.Fatalf("list: %+v %v", list, err)
		}
		h.clk.Advance(time.Second)
		revoked, err := h.svc.RevokeToken(h.ctx, root, tk.ID)
		if err != nil || !revoked.RevokedAt.Equal(h.clk.Now().Truncate(time.Millisecond)) {
			t.Fatalf("revoke: %+v %v", revoked, err)
		}
		if _, err := check.Authenticate(h.ctx, plain); code(err) != "token_revoked" {
			t.Fatalf("revoked token: %v", err)
		}
		if _, err := h.svc.RevokeToken(h.ctx, root, tk.ID); code(err) != "token_revoked" {
			t.Fatalf("second revoke: %v", err)
		}
		if got := strings.Join(h.actions("ci"), ","); got != audit.ActionTokenCreated+","+audit.ActionTokenRevoked {
			t.Fatalf("audit: %s", got)
		}
		if rep, err := audit.Verify(h.st.AuditEvents(h.ctx, 0)); err != nil || !rep.OK() {
			t.Fatalf("audit chain: %+v %v", rep, err)
		}
	})
}

// maker binds authn's token creation, as the API does.
func maker(tokens *authn.Tokens, n authn.NewToken) MakeToken {
	return func(ctx context.Context, by string) (string, store.Token, error) { return tokens.Create(ctx, by, n) }
}
