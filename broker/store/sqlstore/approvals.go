package sqlstore

import (
	"context"
	"fmt"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

func (t *tx) Approvals(ctx context.Context, requestID string) ([]domain.Approval, error) {
	rows, err := t.query(ctx, `SELECT request_id, approver, comment, at FROM approvals WHERE request_id = ? ORDER BY at, approver`, requestID)
	if err != nil {
		return nil, fmt.Errorf("reading approvals of %s: %w", requestID, err)
	}
	defer rows.Close()
	var out []domain.Approval
	for rows.Next() {
		var a domain.Approval
		var at int64
		if err := rows.Scan(&a.RequestID, &a.Approver, &a.Comment, &at); err != nil {
			return nil, fmt.Errorf("reading approvals of %s: %w", requestID, err)
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *tx) InsertApproval(ctx context.Context, a domain.Approval) error {
	_, err := t.exec(ctx, `INSERT INTO approvals (request_id, approver, comment, at) VALUES (?, ?, ?, ?)`,
		a.RequestID, a.Approver, a.Comment, ms(a.At))
	if err != nil {
		if t.s.isDuplicate(err) {
			return fmt.Errorf("approval of %s by %s: %w", a.RequestID, a.Approver, store.ErrDuplicate)
		}
		return fmt.Errorf("storing approval of %s by %s: %w", a.RequestID, a.Approver, err)
	}
	return nil
}
