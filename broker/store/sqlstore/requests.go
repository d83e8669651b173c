package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

const requestColumns = `id, profile, target, session_policy, requester, requester_groups, duration_ms, reason, ticket,
	break_glass, extends, state, created_at, updated_at, decided_by, decided_at, decide_reason, starts_at, ends_at,
	revoked_by, revoked_at, revoke_reason, review_required, teardown, teardown_attempts, teardown_next_at, teardown_error`

// targetRecord is a Target as stored (JSON in the target column).
type targetRecord struct {
	Issuer         string `json:"issuer"`
	RoleARN        string `json:"role_arn,omitempty"`
	VaultRole      string `json:"vault_role,omitempty"`
	VaultMount     string `json:"vault_mount,omitempty"`
	CredentialType string `json:"credential_type,omitempty"`
}

func requestArgs(r domain.Request) ([]any, error) {
	target, err := json.Marshal(targetRecord(r.Target))
	if err != nil {
		return nil, err
	}
	groups, err := json.Marshal(nonNil(r.RequesterGroups))
	if err != nil {
		return nil, err
	}
	return []any{r.ID, r.Profile, string(target), r.SessionPolicy, r.Requester, string(groups), r.Duration.Milliseconds(),
		r.Reason, r.Ticket, r.BreakGlass, r.Extends, string(r.State), ms(r.CreatedAt), ms(r.UpdatedAt), r.DecidedBy,
		ms(r.DecidedAt), r.DecideReason, ms(r.StartsAt), ms(r.EndsAt), r.RevokedBy, ms(r.RevokedAt), r.RevokeReason,
		r.ReviewRequired, string(r.Teardown), r.TeardownAttempts, ms(r.TeardownNextAt), r.TeardownError}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type scanner interface{ Scan(dest ...any) error }

func scanRequest(sc scanner) (domain.Request, error) {
	var (
		r                                                                  domain.Request
		target, groups, state, teardown                                    string
		durationMS, created, updated, decided, starts, ends, revoked, next int64
	)
	err := sc.Scan(&r.ID, &r.Profile, &target, &r.SessionPolicy, &r.Requester, &groups, &durationMS, &r.Reason, &r.Ticket,
		&r.BreakGlass, &r.Extends, &state, &created, &updated, &r.DecidedBy, &decided, &r.DecideReason, &starts, &ends,
		&r.RevokedBy, &revoked, &r.RevokeReason, &r.ReviewRequired, &teardown, &r.TeardownAttempts, &next, &r.TeardownError)
	if err != nil {
		return r, err
	}
	var tr targetRecord
	if err := json.Unmarshal([]byte(target), &tr); err != nil {
		return r, fmt.Errorf("request %s: target: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(groups), &r.RequesterGroups); err != nil {
		return r, fmt.Errorf("request %s: requester groups: %w", r.ID, err)
	}
	r.Target = domain.Target(tr)
	r.Duration = time.Duration(durationMS) * time.Millisecond
	r.State, r.Teardown = domain.State(state), domain.Teardown(teardown)
	r.CreatedAt, r.UpdatedAt, r.DecidedAt = fromMS(created), fromMS(updated), fromMS(decided)
	r.StartsAt, r.EndsAt, r.RevokedAt, r.TeardownNextAt = fromMS(starts), fromMS(ends), fromMS(revoked), fromMS(next)
	return r, nil
}

func (t *tx) Request(ctx context.Context, id string) (domain.Request, error) {
	r, err := scanRequest(t.queryRow(ctx, `SELECT `+requestColumns+` FROM requests WHERE id = ?`+t.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("request %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("reading request %s: %w", id, err)
	}
	return r, nil
}

func (t *tx) InsertRequest(ctx context.Context, r domain.Request) error {
	args, err := requestArgs(r)
	if err != nil {
		return fmt.Errorf("request %s: %w", r.ID, err)
	}
	_, err = t.exec(ctx, `INSERT INTO requests (`+requestColumns+`) VALUES (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		if t.s.isDuplicate(err) {
			return fmt.Errorf("request %s: %w", r.ID, store.ErrDuplicate)
		}
		return fmt.Errorf("inserting request %s: %w", r.ID, err)
	}
	return nil
}

func (t *tx) UpdateRequest(ctx context.Context, r domain.Request) error {
	args, err := requestArgs(r)
	if err != nil {
		return fmt.Errorf("request %s: %w", r.ID, err)
	}
	cols := strings.Split(requestColumns, ",")
	sets := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := t.exec(ctx, `UPDATE requests SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args[1:], r.ID)...)
	if err != nil {
		return fmt.Errorf("updating request %s: %w", r.ID, err)
	}
	return mustAffect(res, "updating request "+r.ID)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (t *tx) Requests(ctx context.Context, f store.Filter) ([]domain.Request, error) {
	var (
		where []string
		args  []any
	)
	if f.Requester != "" {
		where, args = append(where, "requester = ?"), append(args, f.Requester)
	}
	if f.Profile != "" {
		where, args = append(where, "profile = ?"), append(args, f.Profile)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN ("+placeholders(len(f.States))+")")
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.Viewer != "" {
		cond := "requester = ?"
		args = append(args, f.Viewer)
		if len(f.ViewerProfiles) > 0 {
			cond += " OR profile IN (" + placeholders(len(f.ViewerProfiles)) + ")"
			for _, p := range f.ViewerProfiles {
				args = append(args, p)
			}
		}
		where = append(where, "("+cond+")")
	}
	if f.Before != "" {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	query := `SELECT ` + requestColumns + ` FROM requests`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	return t.requests(ctx, query, args...)
}

func (t *tx) requests(ctx context.Context, query string, args ...any) ([]domain.Request, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing requests: %w", err)
	}
	defer rows.Close()
	var out []domain.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("listing requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing requests: %w", err)
	}
	return out, nil
}

func (s *Store) isDuplicate(err error) bool {
	if s.d.name == "postgres" {
		return isPostgresDuplicate(err)
	}
	return isSQLiteDuplicate(err)
}
