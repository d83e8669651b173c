package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// MakeToken creates one API token as actor by: it stores the token, hashed, with its
// audit event in one transaction and returns it in clear text. authn.Tokens.Create is
// the one implementation (the API binds it); it is passed in because workflow cannot
// import authn, whose tests build a whole broker.
type MakeToken func(ctx context.Context, by string) (plain string, tk store.Token, err error)

// CreateToken issues an API token (administrators only) and returns it in clear text
// with its stored record. The secret is shown this once; only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, who domain.Identity, mint MakeToken) (string, store.Token, error) {
	if !who.Admin {
		return "", store.Token{}, domain.ErrNotAdmin
	}
	plain, tk, err := mint(ctx, who.Subject)
	if err != nil {
		return "", store.Token{}, err
	}
	if s.Metrics != nil {
		s.Metrics.Transition(audit.ActionTokenCreated)
	}
	return plain, tk, nil
}

// Tokens lists every API token, revoked and expired ones included (administrators
// only). Records hold only hashes, never secrets.
func (s *Service) Tokens(ctx context.Context, who domain.Identity) ([]store.Token, error) {
	if !who.Admin {
		return nil, domain.ErrNotAdmin
	}
	var out []store.Token
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.Tokens(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	return out, nil
}

// RevokeToken disables a token by id (administrators only); the next request that
// carries it is refused. Revoking a revoked token is a conflict, so a second revoke
// does not add a misleading audit event.
func (s *Service) RevokeToken(ctx context.Context, who domain.Identity, id string) (store.Token, error) {
	if !who.Admin {
		return store.Token{}, domain.ErrNotAdmin
	}
	now := s.now()
	var tk store.Token
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		tk, err = tx.Token(ctx, id)
		if isNotFound(err) {
			return domain.NotFound("token_not_found", "no token with id %s", id)
		}
		if err != nil {
			return err
		}
		if !tk.RevokedAt.IsZero() {
			return domain.Conflict("token_revoked", "token %s (%s) was already revoked at %s", tk.Name, id, tk.RevokedAt.Format(time.RFC3339))
		}
		tk.RevokedAt = now
		if err := tx.UpdateToken(ctx, tk); err != nil {
			return err
		}
		return s.record(ctx, tx, now, who.Subject, audit.ActionTokenRevoked, tk.Name, map[string]any{"id": tk.ID})
	})
	if err != nil {
		return store.Token{}, err
	}
	return tk, nil
}
