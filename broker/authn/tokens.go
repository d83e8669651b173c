package authn

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// TokenPrefix starts every API token: "ciem_<id>_<secret>". Only the sha256 of the
// secret is stored; the id finds the row without a scan.
const TokenPrefix = "ciem_"

var (
	b32          = base32.StdEncoding.WithPadding(base32.NoPadding)
	tokenNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	tokenShapeRE = regexp.MustCompile(`^ciem_([a-z2-7]{16})_([a-z2-7]{52})$`)
)

// Tokens creates and checks API tokens.
type Tokens struct {
	Store store.Store
	Clock clock.Clock
}

// NewToken describes a token to create.
type NewToken struct {
	Name    string // unique, for people: "ci", "terraform"
	Subject string // the identity the token acts as
	Groups  []string
	Admin   bool
	TTL     time.Duration // zero: no expiry
}

// Create stores a new token and returns it in clear text (shown once; never stored).
// The creation is audited.
func (t *Tokens) Create(ctx context.Context, by string, n NewToken) (string, store.Token, error) {
	if !tokenNameRE.MatchString(n.Name) {
		return "", store.Token{}, domain.Invalid("invalid_token_name", "token name %q: 1-64 letters, digits, '.', '_' or '-'", n.Name)
	}
	if strings.TrimSpace(n.Subject) == "" {
		return "", store.Token{}, domain.Invalid("invalid_subject", "token %s: a subject (the user it acts as) is required", n.Name)
	}
	if n.TTL < 0 {
		return "", store.Token{}, domain.Invalid("invalid_ttl", "token %s: negative ttl %s", n.Name, n.TTL)
	}
	id, secret := randomB32(10), randomB32(32)
	now := t.Clock.Now().UTC().Truncate(time.Millisecond)
	tk := store.Token{ID: id, Name: n.Name, Hash: hashSecret(secret), Subject: n.Subject, Groups: n.Groups, Admin: n.Admin,
		CreatedAt: now, CreatedBy: by}
	if n.TTL > 0 {
		tk.ExpiresAt = now.Add(n.TTL)
	}
	err := t.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertToken(ctx, tk); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return domain.Conflict("token_exists", "a token named %s exists", n.Name)
			}
			return err
		}
		e, err := audit.NewEvent(now, by, audit.ActionTokenCreated, n.Name, map[string]any{
			"id": id, "subject": n.Subject, "groups": n.Groups, "admin": n.Admin, "expires_at": tk.ExpiresAt,
		})
		if err != nil {
			return err
		}
		_, err = tx.Append(ctx, e)
		return err
	})
	if err != nil {
		return "", store.Token{}, err
	}
	return TokenPrefix + id + "_" + secret, tk, nil
}

// Revoke disables a token by name.
func (t *Tokens) Revoke(ctx context.Context, by, name string) error {
	now := t.Clock.Now().UTC().Truncate(time.Millisecond)
	return t.Store.Update(ctx, func(tx store.Tx) error {
		all, err := tx.Tokens(ctx)
		if err != nil {
			return err
		}
		for _, tk := range all {
			if tk.Name != name {
				continue
			}
			tk.RevokedAt = now
			if err := tx.UpdateToken(ctx, tk); err != nil {
				return err
			}
			e, err := audit.NewEvent(now, by, audit.ActionTokenRevoked, name, map[string]any{"id": tk.ID})
			if err != nil {
				return err
			}
			_, err = tx.Append(ctx, e)
			return err
		}
		return domain.NotFound("token_not_found", "no token named %s", name)
	})
}

// Authenticate checks a "ciem_" token.
func (t *Tokens) Authenticate(ctx context.Context, bearer string) (domain.Identity, error) {
	m := tokenShapeRE.FindStringSubmatch(bearer)
	if m == nil {
		return domain.Identity{}, unauthenticated("invalid_token", "malformed API token")
	}
	var tk store.Token
	err := t.Store.View(ctx, func(tx store.Tx) error {
		var err error
		tk, err = tx.Token(ctx, m[1])
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return domain.Identity{}, unauthenticated("invalid_token", "unknown API token")
	}
	if err != nil {
		return domain.Identity{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hashSecret(m[2])), []byte(tk.Hash)) != 1 {
		return domain.Identity{}, unauthenticated("invalid_token", "unknown API token")
	}
	now := t.Clock.Now()
	switch {
	case !tk.RevokedAt.IsZero():
		return domain.Identity{}, unauthenticated("token_revoked", "API token %s was revoked", tk.Name)
	case !tk.ExpiresAt.IsZero() && !now.Before(tk.ExpiresAt):
		return domain.Identity{}, unauthenticated("token_expired", "API token %s expired at %s", tk.Name, tk.ExpiresAt.Format(time.RFC3339))
	}
	return domain.Identity{Subject: tk.Subject, Groups: tk.Groups, Admin: tk.Admin, Via: "token:" + tk.Name}, nil
}

func randomB32(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (Go 1.24+)
	return strings.ToLower(b32.EncodeToString(b))
}

// hashSecret is the stored form of a token secret. The secret has 256 random bits of
// entropy, so a fast hash is enough: there is nothing to brute-force.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
