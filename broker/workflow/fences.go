package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/store"
)

// applyFence records f and rewrites its role's fence policy from every fence of the
// role still in force. The role lock keeps brokers from overwriting each other's
// policy with a stale set.
func (s *Service) applyFence(ctx context.Context, f store.Fence) error {
	if s.fencer == nil {
		return errors.New("no fencer is configured: sessions of a revoked grant cannot be cut off before their end")
	}
	unlock, err := s.store.LockRole(ctx, f.RoleARN)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.store.Update(ctx, func(tx store.Tx) error { return tx.PutFence(ctx, f) }); err != nil {
		return err
	}
	reach(StepFenceStored)
	_, err = s.syncFences(ctx, f.RoleARN, f.RequestID)
	return err
}

// syncFences writes the role's fence policy from the stored fences still in force and
// records which were applied or lifted. Call it holding the role lock.
func (s *Service) syncFences(ctx context.Context, roleARN, applying string) (lifted int, err error) {
	now := s.now()
	var fences []store.Fence
	if err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		fences, err = tx.Fences(ctx, roleARN)
		return err
	}); err != nil {
		return 0, err
	}
	var keep []issuer.Fence
	for _, f := range fences {
		if f.Until.After(now) {
			keep = append(keep, issuer.Fence{GrantID: f.RequestID, IssuedBefore: f.Until})
		}
	}
	if err := s.fencer.SetFences(ctx, roleARN, keep); err != nil {
		return 0, fmt.Errorf("writing the fence policy of %s: %w", roleARN, err)
	}
	reach(StepFenceWritten)
	err = s.store.Update(ctx, func(tx store.Tx) error {
		for _, f := range fences {
			switch {
			case !f.Until.After(now):
				if err := tx.DeleteFence(ctx, f.RequestID); err != nil {
					return err
				}
				lifted++
				if err := s.record(ctx, tx, now, domain.System.Subject, audit.ActionFenceRemoved, f.RequestID, map[string]any{
					"role_arn": roleARN, "until": f.Until,
				}); err != nil {
					return err
				}
			case !f.Applied:
				f.Applied = true
				if err := tx.PutFence(ctx, f); err != nil {
					return err
				}
				if f.RequestID == applying {
					if err := s.record(ctx, tx, now, domain.System.Subject, audit.ActionFenceApplied, f.RequestID, map[string]any{
						"role_arn": roleARN, "until": f.Until,
					}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return lifted, err
}

// LiftFences removes fences whose sessions can no longer be valid, rewriting each
// affected role's policy (deleting it when no fence remains). It returns how many
// fences it lifted.
func (s *Service) LiftFences(ctx context.Context) (int, error) {
	if s.fencer == nil {
		return 0, nil
	}
	var roles []string
	if err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		roles, err = tx.FenceRolesDue(ctx, s.now())
		return err
	}); err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, role := range roles {
		n, err := func() (int, error) {
			unlock, err := s.store.LockRole(ctx, role)
			if err != nil {
				return 0, err
			}
			defer unlock()
			return s.syncFences(ctx, role, "")
		}()
		total += n
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}
