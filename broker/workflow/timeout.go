package workflow

import (
	"context"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// TimeOutDue ends pending requests nobody decided on within the pending timeout (up to
// limit) and returns how many.
func (s *Service) TimeOutDue(ctx context.Context, limit int) (int, error) {
	now := s.now()
	n := 0
	err := s.store.Update(ctx, func(tx store.Tx) error {
		n = 0
		due, err := tx.ClaimDue(ctx, store.DueTimeout, now.Add(-s.cfg.PendingTimeout), limit)
		if err != nil {
			return err
		}
		for _, r := range due {
			r, err := domain.TimeOut(r, s.cfg.PendingTimeout, now)
			if err != nil {
				return err
			}
			if err := tx.UpdateRequest(ctx, r); err != nil {
				return err
			}
			if err := s.record(ctx, tx, now, domain.System.Subject, audit.ActionRequestTimedOut, r.ID, map[string]any{
				"timeout": s.cfg.PendingTimeout.String(),
			}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
