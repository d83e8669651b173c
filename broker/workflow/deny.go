package workflow

import (
	"context"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Deny refuses a pending request. One approver's denial is enough.
func (s *Service) Deny(ctx context.Context, who domain.Identity, id, reason string) (domain.Request, error) {
	now := s.now()
	var r domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = lockRequest(ctx, tx, id); err != nil {
			return err
		}
		p, err := requireProfile(ctx, tx, r.Profile)
		if err != nil {
			return err
		}
		if !domain.CanSee(r, &p, who) {
			return notFound(id) // someone else's request: say no more than that
		}
		if r, err = domain.ApplyDenial(r, p, who, reason, now); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		return s.record(ctx, tx, now, who.Subject, audit.ActionRequestDenied, r.ID, map[string]any{"reason": r.DecideReason})
	})
	return r, err
}
