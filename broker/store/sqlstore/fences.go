package sqlstore

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"github.com/ciem/ciem/broker/store"
)

func (t *tx) PutFence(ctx context.Context, f store.Fence) error {
	_, err := t.exec(ctx, `INSERT INTO fences (request_id, role_arn, revoked_at, until, applied) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (request_id) DO UPDATE SET role_arn = excluded.role_arn, revoked_at = excluded.revoked_at,
			until = excluded.until, applied = excluded.applied`,
		f.RequestID, f.RoleARN, ms(f.RevokedAt), ms(f.Until), f.Applied)
	if err != nil {
		return fmt.Errorf("storing fence of %s: %w", f.RequestID, err)
	}
	return nil
}

func (t *tx) Fences(ctx context.Context, roleARN string) ([]store.Fence, error) {
	rows, err := t.query(ctx, `SELECT request_id, role_arn, revoked_at, until, applied FROM fences WHERE role_arn = ? ORDER BY request_id`, roleARN)
	if err != nil {
		return nil, fmt.Errorf("reading fences of %s: %w", roleARN, err)
	}
	defer rows.Close()
	var out []store.Fence
	for rows.Next() {
		var f store.Fence
		var revoked, until int64
		if err := rows.Scan(&f.RequestID, &f.RoleARN, &revoked, &until, &f.Applied); err != nil {
			return nil, fmt.Errorf("reading fences of %s: %w", roleARN, err)
		}
		f.RevokedAt, f.Until = fromMS(revoked), fromMS(until)
		out = append(out, f)
	}
	return out, rows.Err()
}

func (t *tx) FenceRolesDue(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := t.query(ctx, `SELECT DISTINCT role_arn FROM fences WHERE until <= ? ORDER BY role_arn`, ms(now))
	if err != nil {
		return nil, fmt.Errorf("finding fences to lift: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("finding fences to lift: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) DeleteFence(ctx context.Context, requestID string) error {
	if _, err := t.exec(ctx, `DELETE FROM fences WHERE request_id = ?`, requestID); err != nil {
		return fmt.Errorf("deleting fence of %s: %w", requestID, err)
	}
	return nil
}

// LockRole serialises fence changes on one role. PostgreSQL: a session advisory lock on
// a connection held until unlock, so brokers on other hosts wait too. SQLite: one
// broker process per database, so a mutex is enough.
func (s *Store) LockRole(ctx context.Context, roleARN string) (func(), error) {
	if s.d.name != "postgres" {
		s.roleMu.Lock()
		if s.roles == nil {
			s.roles = map[string]*sync.Mutex{}
		}
		m := s.roles[roleARN]
		if m == nil {
			m = &sync.Mutex{}
			s.roles[roleARN] = m
		}
		s.roleMu.Unlock()
		m.Lock()
		return m.Unlock, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("locking role %s: %w", roleARN, err)
	}
	key := advisoryKey("role:" + roleARN)
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Close()
		return nil, fmt.Errorf("locking role %s: %w", roleARN, err)
	}
	return func() {
		// A fresh context: the unlock must happen even when the caller's was cancelled.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			// Discarding the connection ends its session, which releases the lock anyway.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}
