package workflow

import (
	"context"
	"errors"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Approve adds who's approval to a pending request. With the profile's required number
// of distinct approvals the request is approved: a grant is then activated, an
// extension moves its grant's end.
func (s *Service) Approve(ctx context.Context, who domain.Identity, id, comment string) (domain.Request, error) {
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
		approvals, err := tx.Approvals(ctx, id)
		if err != nil {
			return err
		}
		var grant domain.Request
		if r.Extends != "" && r.State == domain.StatePending {
			// Lock the grant before any event is appended (events lock the log's head).
			if grant, err = lockRequest(ctx, tx, r.Extends); err != nil {
				return err
			}
		}
		var a domain.Approval
		if r, a, err = domain.ApplyApproval(r, p, approvals, who, comment, now); err != nil {
			return err
		}
		if err := tx.InsertApproval(ctx, a); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return domain.ErrAlreadyApproved
			}
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := s.record(ctx, tx, now, who.Subject, audit.ActionRequestApproval, r.ID, map[string]any{
			"approver": who.Subject, "comment": a.Comment, "approvals": len(approvals) + 1, "required": p.Approval.Required,
		}); err != nil {
			return err
		}
		if r.State != domain.StateApproved {
			return nil
		}
		if err := s.record(ctx, tx, now, who.Subject, audit.ActionRequestApproved, r.ID, approvedData(r, append(approvals, a))); err != nil {
			return err
		}
		if r.Extends != "" {
			return s.applyExtension(ctx, tx, grant, r, p, now)
		}
		return nil
	})
	if err != nil {
		return domain.Request{}, err
	}
	if r.State == domain.StateApproved && r.Extends == "" {
		reach(StepApproveCommitted)
		return s.Activate(ctx, r.ID)
	}
	if r.Extends != "" {
		s.poke() // the grant's end moved
	}
	return r, nil
}
