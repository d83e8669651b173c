package workflow

import (
	"time"

	"context"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Activate starts an approved grant: from now on credentials can be issued for it,
// until its end. The reconciler activates grants a crash left approved. Activating a
// grant that is no longer approved changes nothing and returns it as it is.
func (s *Service) Activate(ctx context.Context, id string) (domain.Request, error) {
	now := s.now()
	var r domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = lockRequest(ctx, tx, id); err != nil {
			return err
		}
		if r.State != domain.StateApproved {
			return nil // the reconciler activated it first (or it was revoked since): nothing to do
		}
		return s.activate(ctx, tx, &r, now)
	})
	if err != nil {
		return r, err
	}
	s.poke() // a new grant end
	return r, nil
}

func (s *Service) activate(ctx context.Context, tx store.Tx, r *domain.Request, now time.Time) error {
	a, err := domain.Activate(*r, now)
	if err != nil {
		return err
	}
	if err := tx.UpdateRequest(ctx, a); err != nil {
		return err
	}
	*r = a
	return s.record(ctx, tx, now, domain.System.Subject, audit.ActionGrantActivated, a.ID, map[string]any{
		"starts_at": a.StartsAt, "ends_at": a.EndsAt, "role_arn": a.Target.RoleARN,
	})
}

// ActivateDue activates approved grants left behind (by a crash between approval and
// activation); it returns how many it started.
func (s *Service) ActivateDue(ctx context.Context, limit int) (int, error) {
	now := s.now()
	n := 0
	err := s.store.Update(ctx, func(tx store.Tx) error {
		due, err := tx.ClaimDue(ctx, store.DueActivation, now, limit)
		if err != nil {
			return err
		}
		for i := range due {
			if err := s.activate(ctx, tx, &due[i], now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
