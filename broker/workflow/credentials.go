package workflow

import (
	"context"
	"strings"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/store"
)

// Credentials issues credentials for an active grant to its requester (and no one
// else, administrators included). The issue is recorded before the issuer is called,
// so a crash leaves a record the teardown will fence; if the grant ended while the
// issuer was answering, the new credentials are taken back at once.
func (s *Service) Credentials(ctx context.Context, who domain.Identity, id string) (issuer.Credentials, error) {
	now := s.now()
	var (
		r   domain.Request
		iss store.Issue
		is  issuer.Issuer
	)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = lockRequest(ctx, tx, id); err != nil {
			return err
		}
		if r.Requester != who.Subject {
			p, err := profileOf(ctx, tx, r.Profile)
			if err != nil {
				return err
			}
			if !domain.CanSee(r, p, who) {
				return notFound(id)
			}
			return domain.Errorf(domain.ErrNotOwner, "credentials of grant %s go to its requester %s only", id, r.Requester)
		}
		if r.State != domain.StateActive || !now.Before(r.EndsAt) {
			return domain.Errorf(domain.ErrNotActive, "grant %s is %s; credentials are issued only while it is active", id, r.State)
		}
		if is, err = s.issuerFor(r); err != nil {
			return err
		}
		iss = store.Issue{ID: "c-" + strings.TrimPrefix(domain.NewRequestID(now), "r-"), RequestID: r.ID, IssuedAt: now,
			ValidUntil: r.EndsAt, State: store.IssueStarted}
		return tx.InsertIssue(ctx, iss)
	})
	if err != nil {
		return issuer.Credentials{}, err
	}

	reach(StepCredentialsRecorded)
	issued, ierr := is.Issue(ctx, grantOf(r))
	reach(StepCredentialsIssued)

	stillActive := false
	err = s.store.Update(ctx, func(tx store.Tx) error {
		cur, err := lockRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if ierr != nil {
			iss.State, iss.Error = store.IssueFailed, ierr.Error()
			return tx.UpdateIssue(ctx, iss)
		}
		iss.State, iss.AccessKeyID, iss.LeaseID, iss.Expires = store.IssueIssued, issued.Credentials.AccessKeyID, issued.LeaseID, issued.Expires
		if err := tx.UpdateIssue(ctx, iss); err != nil {
			return err
		}
		stillActive = cur.State == domain.StateActive
		return s.record(ctx, tx, s.now(), who.Subject, audit.ActionCredentialsIssued, r.ID, map[string]any{
			"issue": iss.ID, "access_key_id": iss.AccessKeyID, "lease_id": iss.LeaseID, "expires": iss.Expires, "valid_until": iss.ValidUntil,
		})
	})
	if ierr != nil {
		return issuer.Credentials{}, domain.Unavailable("issue_failed", ierr, "issuing credentials for grant %s", id)
	}
	if err != nil {
		// The credentials exist but are not recorded as issued; the started record still
		// bounds them (ValidUntil) and a revocation fences them.
		return issuer.Credentials{}, err
	}
	if !stillActive {
		if iss.LeaseID != "" {
			if err := is.Revoke(ctx, grantOf(r), []string{iss.LeaseID}); err != nil {
				s.log.Warn("revoking credentials issued as the grant ended", "grant", id, "lease", iss.LeaseID, "err", err)
			}
		}
		if _, err := s.TeardownOne(ctx, id); err != nil {
			s.log.Warn("teardown after a late issue", "grant", id, "err", err)
		}
		return issuer.Credentials{}, domain.Errorf(domain.ErrNotActive, "grant %s ended while its credentials were being issued", id)
	}
	c := issued.Credentials
	if c.Expiration.IsZero() || c.Expiration.After(r.EndsAt) {
		c.Expiration = r.EndsAt // SDKs come back at the grant's end, not the session's
	}
	return c, nil
}
