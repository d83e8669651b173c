package sqlstore

import (
	"context"
	"fmt"
	"iter"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/store"
)

// Append chains e after the current head and stores it. The head row is locked until
// the transaction ends, so events chain in the order their transactions commit and
// sequence numbers have no gaps.
func (t *tx) Append(ctx context.Context, e audit.Event) (audit.Event, error) {
	var seq int64
	var hash string
	if err := t.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+t.s.d.forUpdate).Scan(&seq, &hash); err != nil {
		return e, fmt.Errorf("reading the audit head: %w", err)
	}
	e, err := audit.Chain(e, seq, hash)
	if err != nil {
		return e, err
	}
	data := string(e.Data)
	if data == "" {
		data = "null"
	}
	if _, err := t.exec(ctx, `INSERT INTO audit_events (seq, time_ms, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, ms(e.Time), e.Actor, e.Action, e.Subject, data, e.PrevHash, e.Hash); err != nil {
		return e, fmt.Errorf("appending audit event %s: %w", e.Action, err)
	}
	if _, err := t.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, e.Seq, e.Hash); err != nil {
		return e, fmt.Errorf("moving the audit head: %w", err)
	}
	return e, nil
}

// auditPage is how many events AuditEvents reads per query.
const auditPage = 1000

// AuditEvents yields events after afterSeq in order, a page per read transaction.
func (s *Store) AuditEvents(ctx context.Context, afterSeq int64) iter.Seq2[audit.Event, error] {
	return func(yield func(audit.Event, error) bool) {
		for {
			var page []audit.Event
			err := s.View(ctx, func(st store.Tx) error {
				t := st.(*tx)
				rows, err := t.query(ctx, `SELECT seq, time_ms, actor, action, subject, data, prev_hash, hash FROM audit_events
					WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, auditPage)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var e audit.Event
					var at int64
					var data string
					if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &data, &e.PrevHash, &e.Hash); err != nil {
						return err
					}
					e.Time = fromMS(at)
					if data != "null" {
						e.Data = []byte(data)
					}
					page = append(page, e)
				}
				return rows.Err()
			})
			if err != nil {
				yield(audit.Event{}, fmt.Errorf("reading audit events after %d: %w", afterSeq, err))
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
				afterSeq = e.Seq
			}
			if len(page) < auditPage {
				return
			}
		}
	}
}
