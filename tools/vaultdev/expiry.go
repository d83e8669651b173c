package main

import (
	"context"
	"time"
)

// Revocation retries at expiry, as Vault does: revokeAttempts tries with exponential backoff
// from revokeBackoff, then the lease is irrevocable and retried every irrevocableRetry. Vault
// adds ±50% jitter to spread a cluster's retries; one dev server has nothing to spread.
const (
	revokeAttempts   = 6
	revokeBackoff    = 10 * time.Second
	irrevocableRetry = 24 * time.Hour
	revokeTimeout    = time.Minute
)

// run revokes leases as they expire, until ctx ends. It sleeps on the table's clock until the
// next deadline, and wakes early when a lease is issued, renewed or marked for revocation.
func (t *leaseTable) run(ctx context.Context) {
	for {
		var timer <-chan time.Time
		if next, ok := t.nextDeadline(); ok {
			timer = t.clock.After(next.Sub(t.clock.Now()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		case <-timer:
			t.expireDue(ctx)
		}
	}
}

// deadline is when the loop must next look at a lease.
func (le *lease) deadline() time.Time {
	if le.failures > 0 {
		return le.nextAttempt
	}
	return le.expires
}

func (t *leaseTable) nextDeadline() (time.Time, bool) {
	var next time.Time
	found := false
	for _, le := range t.snapshot() {
		le.mu.Lock()
		d := le.deadline()
		le.mu.Unlock()
		if !found || d.Before(next) {
			next, found = d, true
		}
	}
	return next, found
}

func (t *leaseTable) snapshot() []*lease {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*lease, 0, len(t.leases))
	for _, le := range t.leases {
		out = append(out, le)
	}
	return out
}

// expireDue revokes every lease whose deadline has passed; a failure schedules a retry.
func (t *leaseTable) expireDue(ctx context.Context) {
	now := t.clock.Now()
	for _, le := range t.snapshot() {
		le.mu.Lock()
		due := !le.gone && !le.deadline().After(now)
		le.mu.Unlock()
		if !due {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, revokeTimeout)
		err := t.revokeLease(rctx, le)
		cancel()
		if err != nil {
			t.scheduleRetry(le, now, err)
		}
		if t.expired != nil {
			t.expired(le.id, err)
		}
	}
}

func (t *leaseTable) scheduleRetry(le *lease, now time.Time, err error) {
	le.mu.Lock()
	defer le.mu.Unlock()
	le.failures++
	if le.failures >= revokeAttempts {
		le.nextAttempt = now.Add(irrevocableRetry)
		t.log.Error("lease is irrevocable: revocation failed after retries; retrying daily", "lease_id", le.id, "attempts", le.failures, "err", err)
		return
	}
	wait := revokeBackoff << (le.failures - 1)
	le.nextAttempt = now.Add(wait)
	t.log.Warn("revocation at expiry failed; retrying", "lease_id", le.id, "attempt", le.failures, "retry_in", wait.String(), "err", err)
}

// runRollback asks the engine for its periodic work every interval, as Vault's rollback
// manager does for each mount (once a minute).
func runRollback(ctx context.Context, clock Clock, eng *engine, interval time.Duration, onErr func(error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-clock.After(interval):
			if err := eng.rollback(ctx); err != nil {
				onErr(err)
			}
		}
	}
}
