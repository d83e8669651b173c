package workflow

import (
	"context"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Create files a request for a profile. A profile that approves automatically, or a
// break-glass request, is approved in the same transaction and then activated.
func (s *Service) Create(ctx context.Context, who domain.Identity, in domain.CreateInput) (domain.Request, error) {
	now := s.now()
	var r domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := requireProfile(ctx, tx, in.Profile)
		if err != nil {
			return err
		}
		var extended *domain.Request
		if in.Extends != "" {
			g, err := lockRequest(ctx, tx, in.Extends)
			if err != nil {
				return err
			}
			extended = &g
		}
		r, err = domain.NewRequest(domain.NewRequestID(now), in, p, who, now, extended)
		if err != nil {
			return err
		}
		if err := tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		if err := s.record(ctx, tx, now, who.Subject, audit.ActionRequestCreated, r.ID, createdData(r, who)); err != nil {
			return err
		}
		if r.State != domain.StateApproved {
			return nil
		}
		if err := s.record(ctx, tx, now, r.DecidedBy, audit.ActionRequestApproved, r.ID, approvedData(r, nil)); err != nil {
			return err
		}
		if extended != nil {
			return s.applyExtension(ctx, tx, *extended, r, p, now)
		}
		return nil
	})
	if err != nil {
		return domain.Request{}, err
	}
	if r.State == domain.StateApproved && r.Extends == "" {
		return s.Activate(ctx, r.ID)
	}
	s.poke() // a new pending request has a timeout
	return r, nil
}

func createdData(r domain.Request, who domain.Identity) map[string]any {
	return map[string]any{
		"profile": r.Profile, "requester": r.Requester, "groups": r.RequesterGroups, "via": who.Via,
		"duration": r.Duration.String(), "reason": r.Reason, "ticket": r.Ticket, "break_glass": r.BreakGlass,
		"extends": r.Extends, "role_arn": r.Target.RoleARN, "issuer": r.Target.Issuer,
	}
}

func approvedData(r domain.Request, approvals []domain.Approval) map[string]any {
	var by []string
	for _, a := range approvals {
		by = append(by, a.Approver)
	}
	d := map[string]any{"profile": r.Profile, "requester": r.Requester, "decided_by": r.DecidedBy, "reason": r.DecideReason, "break_glass": r.BreakGlass,
		"review_required": r.ReviewRequired, "duration": r.Duration.String()}
	if len(by) > 0 {
		d["approvers"] = by
	}
	if r.Extends != "" {
		d["extends"] = r.Extends
	}
	return d
}

// applyExtension moves the extended grant's end in tx, with its event.
func (s *Service) applyExtension(ctx context.Context, tx store.Tx, grant, ext domain.Request, p domain.Profile, now time.Time) error {
	before := grant.EndsAt
	grant, err := domain.Extend(grant, ext, p, now)
	if err != nil {
		return err
	}
	if err := tx.UpdateRequest(ctx, grant); err != nil {
		return err
	}
	return s.record(ctx, tx, now, ext.DecidedBy, audit.ActionGrantExtended, grant.ID, map[string]any{
		"extension": ext.ID, "ends_before": before, "ends_at": grant.EndsAt, "review_required": grant.ReviewRequired,
	})
}
