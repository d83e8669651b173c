package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ciem/ciem/broker/store"
)

const tokenColumns = `id, name, hash, subject, member_of, admin, created_at, created_by, expires_at, revoked_at`

func (t *tx) InsertToken(ctx context.Context, tk store.Token) error {
	groups, err := json.Marshal(nonNil(tk.Groups))
	if err != nil {
		return fmt.Errorf("token %s: %w", tk.Name, err)
	}
	_, err = t.exec(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tk.ID, tk.Name, tk.Hash, tk.Subject, string(groups), tk.Admin, ms(tk.CreatedAt), tk.CreatedBy, ms(tk.ExpiresAt), ms(tk.RevokedAt))
	if err != nil {
		if t.s.isDuplicate(err) {
			return fmt.Errorf("token %s: %w", tk.Name, store.ErrDuplicate)
		}
		return fmt.Errorf("storing token %s: %w", tk.Name, err)
	}
	return nil
}

func (t *tx) UpdateToken(ctx context.Context, tk store.Token) error {
	res, err := t.exec(ctx, `UPDATE tokens SET expires_at = ?, revoked_at = ? WHERE id = ?`, ms(tk.ExpiresAt), ms(tk.RevokedAt), tk.ID)
	if err != nil {
		return fmt.Errorf("updating token %s: %w", tk.Name, err)
	}
	return mustAffect(res, "updating token "+tk.Name)
}

func (t *tx) Token(ctx context.Context, id string) (store.Token, error) {
	tk, err := scanToken(t.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return tk, fmt.Errorf("token %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return tk, fmt.Errorf("reading token %s: %w", id, err)
	}
	return tk, nil
}

func (t *tx) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := t.query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		tk, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("listing tokens: %w", err)
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}

func scanToken(sc scanner) (store.Token, error) {
	var (
		tk                        store.Token
		groups                    string
		created, expires, revoked int64
	)
	if err := sc.Scan(&tk.ID, &tk.Name, &tk.Hash, &tk.Subject, &groups, &tk.Admin, &created, &tk.CreatedBy, &expires, &revoked); err != nil {
		return tk, err
	}
	if err := json.Unmarshal([]byte(groups), &tk.Groups); err != nil {
		return tk, fmt.Errorf("token %s: groups: %w", tk.Name, err)
	}
	tk.CreatedAt, tk.ExpiresAt, tk.RevokedAt = fromMS(created), fromMS(expires), fromMS(revoked)
	return tk, nil
}
