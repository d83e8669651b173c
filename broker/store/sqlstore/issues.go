package sqlstore

import (
	"context"
	"fmt"

	"github.com/ciem/ciem/broker/store"
)

const issueColumns = `id, request_id, issued_at, valid_until, expires, access_key_id, lease_id, state, error`

func (t *tx) InsertIssue(ctx context.Context, i store.Issue) error {
	_, err := t.exec(ctx, `INSERT INTO issues (`+issueColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.RequestID, ms(i.IssuedAt), ms(i.ValidUntil), ms(i.Expires), i.AccessKeyID, i.LeaseID, string(i.State), i.Error)
	if err != nil {
		return fmt.Errorf("recording credentials %s of %s: %w", i.ID, i.RequestID, err)
	}
	return nil
}

func (t *tx) UpdateIssue(ctx context.Context, i store.Issue) error {
	res, err := t.exec(ctx, `UPDATE issues SET valid_until = ?, expires = ?, access_key_id = ?, lease_id = ?, state = ?, error = ? WHERE id = ?`,
		ms(i.ValidUntil), ms(i.Expires), i.AccessKeyID, i.LeaseID, string(i.State), i.Error, i.ID)
	if err != nil {
		return fmt.Errorf("updating credentials %s of %s: %w", i.ID, i.RequestID, err)
	}
	return mustAffect(res, "updating credentials "+i.ID)
}

func (t *tx) Issues(ctx context.Context, requestID string) ([]store.Issue, error) {
	rows, err := t.query(ctx, `SELECT `+issueColumns+` FROM issues WHERE request_id = ? ORDER BY issued_at, id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("reading credentials of %s: %w", requestID, err)
	}
	defer rows.Close()
	var out []store.Issue
	for rows.Next() {
		var i store.Issue
		var issued, valid, expires int64
		var state string
		if err := rows.Scan(&i.ID, &i.RequestID, &issued, &valid, &expires, &i.AccessKeyID, &i.LeaseID, &state, &i.Error); err != nil {
			return nil, fmt.Errorf("reading credentials of %s: %w", requestID, err)
		}
		i.IssuedAt, i.ValidUntil, i.Expires, i.State = fromMS(issued), fromMS(valid), fromMS(expires), store.IssueState(state)
		out = append(out, i)
	}
	return out, rows.Err()
}
