package workflow

import (
	"context"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// ExpireDue ends active grants whose time is up (up to limit) and schedules their
// teardown. Rows are claimed with SKIP LOCKED, so brokers sharing PostgreSQL expire
// each grant once. It returns the expired grants.
func (s *Service) ExpireDue(ctx context.Context, limit int) ([]domain.Request, error) {
	now := s.now()
	var expired []domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		expired = expired[:0]
		due, err := tx.ClaimDue(ctx, store.DueExpiry, now, limit)
		if err != nil {
			return err
		}
		for _, r := range due {
			r, err := domain.Expire(r, now)
			if err != nil {
				return err
			}
			if err := tx.UpdateRequest(ctx, r); err != nil {
				return err
			}
			if err := s.record(ctx, tx, now, domain.System.Subject, audit.ActionGrantExpired, r.ID, map[string]any{
				"ends_at": r.EndsAt, "lag_ms": now.Sub(r.EndsAt).Milliseconds(),
			}); err != nil {
				return err
			}
			if r.Target.Issuer == domain.IssuerSTS {
				// Nothing to take back: the session policy of every STS session of the grant
				// ends it at the grant's end (an extension's older sessions, earlier), and an
				// expired grant needs no fence. Done in the same transaction.
				r = domain.TeardownSucceeded(r, now)
				if err := tx.UpdateRequest(ctx, r); err != nil {
					return err
				}
				if err := s.record(ctx, tx, now, domain.System.Subject, audit.ActionTeardownDone, r.ID, map[string]any{
					"state": r.State, "lag_ms": now.Sub(r.EndsAt).Milliseconds(), "leases": 0, "note": "STS sessions end at the grant's end by their session policy",
				}); err != nil {
					return err
				}
			}
			expired = append(expired, r)
		}
		return nil
	})
	if err == nil && s.Metrics != nil {
		committed := s.clock.Now() // the lag runs to the commit, not to the decision
		for _, r := range expired {
			if r.Teardown == domain.TeardownDone {
				s.Metrics.TeardownDone(lagAfterEnd(r, committed))
			}
		}
	}
	return expired, err
}
