package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// profileRecord is a Profile as stored (JSON in the body column), durations in
// milliseconds.
type profileRecord struct {
	Description       string            `json:"description,omitempty"`
	Target            targetRecord      `json:"target"`
	SessionPolicy     string            `json:"session_policy,omitempty"`
	MaxDurationMS     int64             `json:"max_duration_ms"`
	DefaultDurationMS int64             `json:"default_duration_ms"`
	Requesters        domain.Principals `json:"requesters"`
	Approvers         domain.Principals `json:"approvers"`
	Required          int               `json:"required"`
	Auto              bool              `json:"auto,omitempty"`
	RequireReason     bool              `json:"require_reason,omitempty"`
	RequireTicket     bool              `json:"require_ticket,omitempty"`
	BreakGlass        bool              `json:"break_glass,omitempty"`
	BreakGlassMaxMS   int64             `json:"break_glass_max_ms,omitempty"`
}

func (t *tx) Profile(ctx context.Context, name string) (domain.Profile, error) {
	p, err := scanProfile(t.queryRow(ctx, `SELECT name, body, updated_at, updated_by FROM profiles WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("profile %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("reading profile %s: %w", name, err)
	}
	return p, nil
}

func (t *tx) Profiles(ctx context.Context) ([]domain.Profile, error) {
	rows, err := t.query(ctx, `SELECT name, body, updated_at, updated_by FROM profiles ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	defer rows.Close()
	var out []domain.Profile
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, fmt.Errorf("listing profiles: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanProfile(sc scanner) (domain.Profile, error) {
	var (
		p       domain.Profile
		body    string
		updated int64
	)
	if err := sc.Scan(&p.Name, &body, &updated, &p.UpdatedBy); err != nil {
		return p, err
	}
	var rec profileRecord
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		return p, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	p.Description, p.Target, p.SessionPolicy = rec.Description, domain.Target(rec.Target), rec.SessionPolicy
	p.MaxDuration = time.Duration(rec.MaxDurationMS) * time.Millisecond
	p.DefaultDuration = time.Duration(rec.DefaultDurationMS) * time.Millisecond
	p.Requesters = rec.Requesters
	p.Approval = domain.ApprovalRule{Approvers: rec.Approvers, Required: rec.Required, Auto: rec.Auto}
	p.RequireReason, p.RequireTicket = rec.RequireReason, rec.RequireTicket
	p.BreakGlass = domain.BreakGlass{Enabled: rec.BreakGlass, MaxDuration: time.Duration(rec.BreakGlassMaxMS) * time.Millisecond}
	p.UpdatedAt = fromMS(updated)
	return p, nil
}

func (t *tx) PutProfile(ctx context.Context, p domain.Profile) error {
	body, err := json.Marshal(profileRecord{
		Description: p.Description, Target: targetRecord(p.Target), SessionPolicy: p.SessionPolicy,
		MaxDurationMS: p.MaxDuration.Milliseconds(), DefaultDurationMS: p.DefaultDuration.Milliseconds(),
		Requesters: p.Requesters, Approvers: p.Approval.Approvers, Required: p.Approval.Required, Auto: p.Approval.Auto,
		RequireReason: p.RequireReason, RequireTicket: p.RequireTicket,
		BreakGlass: p.BreakGlass.Enabled, BreakGlassMaxMS: p.BreakGlass.MaxDuration.Milliseconds(),
	})
	if err != nil {
		return fmt.Errorf("profile %s: %w", p.Name, err)
	}
	_, err = t.exec(ctx, `INSERT INTO profiles (name, body, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.Name, string(body), ms(p.UpdatedAt), p.UpdatedBy)
	if err != nil {
		return fmt.Errorf("storing profile %s: %w", p.Name, err)
	}
	return nil
}

func (t *tx) DeleteProfile(ctx context.Context, name string) error {
	res, err := t.exec(ctx, `DELETE FROM profiles WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("deleting profile %s: %w", name, err)
	}
	return mustAffect(res, "deleting profile "+name)
}
