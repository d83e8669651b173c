package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ciem/ciem/broker/store"
)

func (t *tx) Cursor(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := t.queryRow(ctx, `SELECT seq FROM cursors WHERE name = ?`, name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading cursor %s: %w", name, err)
	}
	return seq, nil
}

func (t *tx) SetCursor(ctx context.Context, name string, seq int64) error {
	_, err := t.exec(ctx, `INSERT INTO cursors (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, name, seq)
	if err != nil {
		return fmt.Errorf("storing cursor %s: %w", name, err)
	}
	return nil
}

// ClaimCursor leases a cursor to owner (creating it at 0).
func (s *Store) ClaimCursor(ctx context.Context, name, owner string, now time.Time, lease time.Duration) (int64, bool, error) {
	var seq int64
	ok := false
	err := s.Update(ctx, func(st store.Tx) error {
		t := st.(*tx)
		if _, err := t.exec(ctx, `INSERT INTO cursors (name, seq) VALUES (?, 0) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		err := t.queryRow(ctx, `UPDATE cursors SET owner = ?, lease_until = ? WHERE name = ? AND (lease_until <= ? OR owner = ?) RETURNING seq`,
			owner, ms(now.Add(lease)), name, ms(now), owner).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("claiming cursor %s: %w", name, err)
	}
	return seq, ok, nil
}

// AdvanceCursor moves owner's cursor to seq.
func (s *Store) AdvanceCursor(ctx context.Context, name, owner string, seq int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE cursors SET seq = ? WHERE name = ? AND owner = ? AND seq < ?`), seq, name, owner, seq)
	if err != nil {
		return false, fmt.Errorf("advancing cursor %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
