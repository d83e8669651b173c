package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// What makes each kind of work due, written once for claiming it (ClaimDue,
// ClaimTeardowns, ClaimTeardown) and for asking whether any is due (Due, NextDeadline).
// Each ? is a time in Unix milliseconds: now, or for timeouts the pending cutoff.
const (
	activationDue = `state = 'approved' AND extends = ''`
	expiryDue     = `state = 'active' AND ends_at <= ?`
	timeoutDue    = `state = 'pending' AND created_at <= ?`
	teardownOpen  = `teardown IN ('pending', 'failed', 'irrevocable')`
	teardownDue   = teardownOpen + ` AND teardown_next_at <= ?`
)

// ClaimDue locks due requests for this transaction, skipping those other transactions
// hold, so that brokers sharing a PostgreSQL database each take different rows.
func (t *tx) ClaimDue(ctx context.Context, kind store.Due, now time.Time, limit int) ([]domain.Request, error) {
	var where string
	switch kind {
	case store.DueActivation:
		where = activationDue + ` ORDER BY updated_at`
	case store.DueExpiry:
		where = expiryDue + ` ORDER BY ends_at`
	case store.DueTimeout:
		where = timeoutDue + ` ORDER BY created_at`
	default:
		return nil, fmt.Errorf("claiming due requests: unknown kind %q", kind)
	}
	var args []any
	if kind != store.DueActivation {
		args = append(args, ms(now))
	}
	args = append(args, limit)
	return t.requests(ctx, `SELECT `+requestColumns+` FROM requests WHERE `+where+` LIMIT ?`+t.s.d.skipLocked, args...)
}

// ClaimTeardowns leases due teardowns to owner in a short transaction of its own: the
// issuer is then called outside any transaction, and the lease keeps other brokers off
// the grant meanwhile.
func (s *Store) ClaimTeardowns(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]domain.Request, error) {
	var out []domain.Request
	err := s.Update(ctx, func(st store.Tx) error {
		t := st.(*tx)
		query := `UPDATE requests SET teardown_owner = ?, teardown_lease_until = ?
			WHERE id IN (SELECT id FROM requests
				WHERE ` + teardownDue + ` AND (teardown_lease_until <= ? OR teardown_owner = ?)
				ORDER BY teardown_next_at LIMIT ?` + s.d.skipLocked + `)
			RETURNING ` + requestColumns
		var err error
		out, err = t.requests(ctx, query, owner, ms(now.Add(lease)), ms(now), ms(now), owner, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claiming teardowns: %w", err)
	}
	return out, nil
}

// ClaimTeardown leases one grant's teardown to owner.
func (s *Store) ClaimTeardown(ctx context.Context, id, owner string, now time.Time, lease time.Duration) (domain.Request, bool, error) {
	var out []domain.Request
	err := s.Update(ctx, func(st store.Tx) error {
		var err error
		out, err = st.(*tx).requests(ctx, `UPDATE requests SET teardown_owner = ?, teardown_lease_until = ?
			WHERE id = ? AND `+teardownOpen+` AND (teardown_lease_until <= ? OR teardown_owner = ?)
			RETURNING `+requestColumns, owner, ms(now.Add(lease)), id, ms(now), owner)
		return err
	})
	if err != nil {
		return domain.Request{}, false, fmt.Errorf("claiming the teardown of %s: %w", id, err)
	}
	if len(out) == 0 {
		return domain.Request{}, false, nil
	}
	return out[0], true, nil
}

// ReleaseTeardown ends owner's lease on a teardown.
func (t *tx) ReleaseTeardown(ctx context.Context, id, owner string) (bool, error) {
	res, err := t.exec(ctx, `UPDATE requests SET teardown_owner = '', teardown_lease_until = 0 WHERE id = ? AND teardown_owner = ?`, id, owner)
	if err != nil {
		return false, fmt.Errorf("releasing teardown of %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("releasing teardown of %s: %w", id, err)
	}
	return n == 1, nil
}

// Due reports which kinds of work are due.
func (s *Store) Due(ctx context.Context, now, pendingCutoff time.Time) (store.DueSet, error) {
	var d store.DueSet
	n := ms(now)
	query := `SELECT
		EXISTS (SELECT 1 FROM requests WHERE ` + activationDue + `),
		EXISTS (SELECT 1 FROM requests WHERE ` + expiryDue + `),
		EXISTS (SELECT 1 FROM requests WHERE ` + timeoutDue + `),
		EXISTS (SELECT 1 FROM requests WHERE ` + teardownDue + `),
		EXISTS (SELECT 1 FROM fences WHERE until <= ?)`
	err := s.db.QueryRowContext(ctx, s.q(query), n, ms(pendingCutoff), n, n).Scan(&d.Activation, &d.Expiry, &d.Timeout, &d.Teardown, &d.Fences)
	if err != nil {
		return d, fmt.Errorf("finding due work: %w", err)
	}
	return d, nil
}

// NextDeadline is the earliest time anything is due.
func (s *Store) NextDeadline(ctx context.Context, pendingTimeout time.Duration) (time.Time, bool, error) {
	query := `SELECT MIN(t) FROM (
		SELECT MIN(ends_at) AS t FROM requests WHERE state = 'active'
		UNION ALL SELECT MIN(updated_at) FROM requests WHERE ` + activationDue + `
		UNION ALL SELECT MIN(created_at) + ? FROM requests WHERE state = 'pending'
		UNION ALL SELECT MIN(CASE WHEN teardown_lease_until > teardown_next_at THEN teardown_lease_until ELSE teardown_next_at END)
			FROM requests WHERE ` + teardownOpen + `
		UNION ALL SELECT MIN(until) FROM fences
	) AS deadlines`
	var v *int64
	if err := s.db.QueryRowContext(ctx, s.q(query), pendingTimeout.Milliseconds()).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("finding the next deadline: %w", err)
	}
	if v == nil {
		return time.Time{}, false, nil
	}
	return fromMS(*v), true, nil
}

// Counts returns the number of requests in each state.
func (s *Store) Counts(ctx context.Context) (map[domain.State]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM requests GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("counting requests: %w", err)
	}
	defer rows.Close()
	out := map[domain.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("counting requests: %w", err)
		}
		out[domain.State(st)] = n
	}
	return out, rows.Err()
}
