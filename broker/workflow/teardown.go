package workflow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// TeardownDue claims up to limit due teardowns (ended grants whose access has not yet
// been taken back, and failed attempts whose retry time has come) and runs them one at
// a time. It returns how many completed.
func (s *Service) TeardownDue(ctx context.Context, limit int) (int, error) {
	_, done, err := s.TeardownDueParallel(ctx, limit, 1)
	return done, err
}

// TeardownDueParallel is TeardownDue on up to workers goroutines (issuer calls are
// network calls); it also returns how many it claimed.
func (s *Service) TeardownDueParallel(ctx context.Context, limit, workers int) (claimed, done int, err error) {
	rs, err := s.store.ClaimTeardowns(ctx, s.cfg.Owner, s.now(), s.cfg.TeardownLease, limit)
	if err != nil {
		return 0, 0, err
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next = make(chan domain.Request)
	)
	for range max(1, min(workers, len(rs))) {
		wg.Go(func() {
			for r := range next {
				got, err := s.runTeardown(ctx, r)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if got != nil && got.Teardown == domain.TeardownDone {
					done++
				}
				mu.Unlock()
			}
		})
	}
	for _, r := range rs {
		next <- r
	}
	close(next)
	wg.Wait()
	return len(rs), done, errors.Join(errs...)
}

// TeardownOne runs one grant's teardown now, if it needs one and no other broker is
// running it. It returns the grant afterwards (nil when there was nothing to do).
func (s *Service) TeardownOne(ctx context.Context, id string) (*domain.Request, error) {
	r, ok, err := s.store.ClaimTeardown(ctx, id, s.cfg.Owner, s.now(), s.cfg.TeardownLease)
	if err != nil || !ok {
		return nil, err
	}
	return s.runTeardown(ctx, r)
}

// runTeardown takes a claimed grant's access back and records the outcome: done, or
// failed with the next retry time (irrevocable after the policy's attempts). A failed
// attempt is not an error of runTeardown; a failure to record the outcome is.
func (s *Service) runTeardown(ctx context.Context, r domain.Request) (*domain.Request, error) {
	// Leave time to record the outcome before the lease runs out.
	callCtx, cancel := context.WithTimeout(ctx, s.cfg.TeardownLease*3/4)
	defer cancel()
	var issues []store.Issue
	if err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		issues, err = tx.Issues(ctx, r.ID)
		return err
	}); err != nil {
		return nil, err
	}
	fence, takeErr := s.takeBack(callCtx, r, issues)
	reach(StepTeardownTaken)

	now := s.now()
	var out *domain.Request
	err := s.store.Update(ctx, func(tx store.Tx) error {
		cur, err := lockRequest(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		held, err := tx.ReleaseTeardown(ctx, r.ID, s.cfg.Owner)
		if err != nil || !held {
			return err // the lease ran out and another broker owns it now
		}
		if takeErr == nil {
			cur = domain.TeardownSucceeded(cur, now)
			for _, i := range issues {
				if i.State == store.IssueIssued || i.State == store.IssueStarted {
					i.State = store.IssueRevoked
					if err := tx.UpdateIssue(ctx, i); err != nil {
						return err
					}
				}
			}
			data := map[string]any{"state": cur.State, "lag_ms": lagAfterEnd(cur, now).Milliseconds(), "leases": len(leaseIDs(issues))}
			if fence != nil {
				data["fenced_until"] = fence.Until
			}
			if err := tx.UpdateRequest(ctx, cur); err != nil {
				return err
			}
			out = &cur
			return s.record(ctx, tx, now, domain.System.Subject, audit.ActionTeardownDone, cur.ID, data)
		}
		wasIrrevocable := cur.Teardown == domain.TeardownIrrevocable
		next := now.Add(s.cfg.Retry.Delay(cur.TeardownAttempts+1, s.rnd()))
		cur = domain.TeardownFailedAt(cur, takeErr.Error(), next, s.cfg.Retry.Attempts, now)
		if err := tx.UpdateRequest(ctx, cur); err != nil {
			return err
		}
		out = &cur
		action := audit.ActionTeardownFailed
		if cur.Teardown == domain.TeardownIrrevocable && !wasIrrevocable {
			action = audit.ActionIrrevocable
		}
		return s.record(ctx, tx, now, domain.System.Subject, action, cur.ID, map[string]any{
			"attempts": cur.TeardownAttempts, "error": cur.TeardownError, "next_at": cur.TeardownNextAt,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("recording the teardown of %s: %w", r.ID, err)
	}
	if out != nil && s.Metrics != nil {
		switch out.Teardown {
		case domain.TeardownDone:
			s.Metrics.TeardownDone(lagAfterEnd(*out, s.clock.Now())) // to the commit
		case domain.TeardownFailed, domain.TeardownIrrevocable:
			s.Metrics.TeardownFailed(out.Teardown == domain.TeardownIrrevocable)
		}
	}
	if out != nil && out.Teardown == domain.TeardownIrrevocable {
		s.log.Error("grant access could not be taken back; retrying daily", "grant", out.ID, "attempts", out.TeardownAttempts, "err", out.TeardownError)
	} else if takeErr != nil {
		s.log.Warn("teardown failed; will retry", "grant", r.ID, "err", takeErr)
	}
	return out, nil
}

// lagAfterEnd is how long after the grant's end (or its revocation) access was taken back.
func lagAfterEnd(r domain.Request, now time.Time) time.Duration {
	end := r.EndsAt
	if r.State == domain.StateRevoked {
		end = r.RevokedAt
	}
	if end.IsZero() || now.Before(end) {
		return 0
	}
	return now.Sub(end)
}

func leaseIDs(issues []store.Issue) []string {
	var out []string
	for _, i := range issues {
		if i.LeaseID != "" && i.State != store.IssueRevoked {
			out = append(out, i.LeaseID)
		}
	}
	return out
}

// takeBack revokes the grant's leases with its issuer and, for a grant revoked while
// role sessions of it may still be valid, fences those sessions off at AWS.
func (s *Service) takeBack(ctx context.Context, r domain.Request, issues []store.Issue) (*store.Fence, error) {
	is, err := s.issuerFor(r)
	if err != nil {
		return nil, err
	}
	if err := is.Revoke(ctx, grantOf(r), leaseIDs(issues)); err != nil {
		return nil, fmt.Errorf("revoking with the %s issuer: %w", r.Target.Issuer, err)
	}
	until, ok := s.fenceUntil(r, issues)
	if !ok {
		return nil, nil
	}
	f := store.Fence{RequestID: r.ID, RoleARN: r.Target.RoleARN, RevokedAt: r.RevokedAt, Until: until}
	if err := s.applyFence(ctx, f); err != nil {
		return nil, err
	}
	return &f, nil
}

// fenceUntil says whether a revoked grant has role sessions that may still work, and
// until when: the latest end of any of them (started issues included: their call may
// have reached AWS), plus a margin for clock skew.
func (s *Service) fenceUntil(r domain.Request, issues []store.Issue) (time.Time, bool) {
	if r.State != domain.StateRevoked || r.Target.RoleARN == "" {
		return time.Time{}, false
	}
	if r.Target.Issuer != domain.IssuerSTS && r.Target.CredentialType != domain.CredentialAssumedRole {
		return time.Time{}, false // IAM user keys are deleted with their lease
	}
	var until time.Time
	for _, i := range issues {
		if i.State == store.IssueFailed {
			continue
		}
		if i.ValidUntil.After(until) {
			until = i.ValidUntil
		}
	}
	until = until.Add(s.cfg.FenceMargin)
	if !until.After(s.now()) {
		return time.Time{}, false
	}
	return until, true
}
