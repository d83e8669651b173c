package workflow

import (
	"context"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// Detail is a request with its approvals.
type Detail struct {
	Request   domain.Request
	Approvals []domain.Approval
	// Approvable says whether the caller may approve or deny it now.
	Approvable bool
}

// Get returns a request the caller may see (its requester, the profile's approvers,
// administrators); to anyone else it does not exist.
func (s *Service) Get(ctx context.Context, who domain.Identity, id string) (Detail, error) {
	var d Detail
	err := s.store.View(ctx, func(tx store.Tx) error {
		r, p, err := lockVisible(ctx, tx, who, id)
		if err != nil {
			return err
		}
		approvals, err := tx.Approvals(ctx, id)
		if err != nil {
			return err
		}
		d = Detail{Request: r, Approvals: approvals,
			Approvable: r.State == domain.StatePending && p != nil && p.CanApprove(who) && r.Requester != who.Subject}
		for _, a := range approvals {
			if a.Approver == who.Subject {
				d.Approvable = false
			}
		}
		return nil
	})
	return d, err
}

// List returns requests the caller may see, newest first, narrowed by f (whose Viewer
// fields are set here).
func (s *Service) List(ctx context.Context, who domain.Identity, f store.Filter) ([]domain.Request, error) {
	var out []domain.Request
	err := s.store.View(ctx, func(tx store.Tx) error {
		if !who.Admin {
			ps, err := tx.Profiles(ctx)
			if err != nil {
				return err
			}
			f.Viewer, f.ViewerProfiles = who.Subject, nil
			for _, p := range ps {
				if p.CanApprove(who) {
					f.ViewerProfiles = append(f.ViewerProfiles, p.Name)
				}
			}
		}
		var err error
		out, err = tx.Requests(ctx, f)
		return err
	})
	return out, err
}
