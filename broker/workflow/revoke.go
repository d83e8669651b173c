package workflow

import (
	"context"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Revoke ends a grant early: the decision is recorded first (no credentials are issued
// from then on), then the teardown runs at once: leases revoked, and STS sessions that
// could still be valid fenced off at AWS. A teardown that fails is retried by the
// reconciler; the returned request says how far it got.
func (s *Service) Revoke(ctx context.Context, who domain.Identity, id, reason string) (domain.Request, error) {
	now := s.now()
	var r domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var (
			p   *domain.Profile
			err error
		)
		if r, p, err = lockVisible(ctx, tx, who, id); err != nil {
			return err
		}
		prof := domain.Profile{}
		if p != nil {
			prof = *p
		}
		if r, err = domain.Revoke(r, prof, who, reason, now); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		return s.record(ctx, tx, now, who.Subject, audit.ActionGrantRevoked, r.ID, map[string]any{
			"reason": r.RevokeReason, "ends_at": r.EndsAt,
		})
	})
	if err != nil {
		return r, err
	}
	reach(StepRevokeDecided)
	if done, err := s.TeardownOne(ctx, id); err != nil {
		s.log.Warn("teardown after revoke failed; the reconciler retries it", "grant", id, "err", err)
	} else if done != nil {
		r = *done
	}
	s.poke()
	return r, nil
}
