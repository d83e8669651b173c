package workflow

import (
	"context"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Cancel withdraws a pending request (its requester, or an administrator).
func (s *Service) Cancel(ctx context.Context, who domain.Identity, id string) (domain.Request, error) {
	now := s.now()
	var r domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, _, err = lockVisible(ctx, tx, who, id); err != nil {
			return err
		}
		if r, err = domain.Cancel(r, who, now); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		return s.record(ctx, tx, now, who.Subject, audit.ActionRequestCancelled, r.ID, nil)
	})
	return r, err
}
