package api

import (
	"encoding/json"
	"time"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/workflow"
)

// RequestView is a request (and grant) as the API shows it.
type RequestView struct {
	ID              string         `json:"id"`
	Profile         string         `json:"profile"`
	State           domain.State   `json:"state"`
	Requester       string         `json:"requester"`
	Duration        string         `json:"duration"`
	DurationSeconds int64          `json:"duration_seconds"`
	Reason          string         `json:"reason,omitempty"`
	Ticket          string         `json:"ticket,omitempty"`
	BreakGlass      bool           `json:"break_glass"`
	Extends         string         `json:"extends,omitempty"`
	Issuer          string         `json:"issuer"`
	RoleARN         string         `json:"role_arn,omitempty"`
	CreatedAt       time.Time      `json:"created_at"`
	DecidedBy       string         `json:"decided_by,omitempty"`
	DecidedAt       *time.Time     `json:"decided_at,omitempty"`
	DecideReason    string         `json:"decide_reason,omitempty"`
	StartsAt        *time.Time     `json:"starts_at,omitempty"`
	EndsAt          *time.Time     `json:"ends_at,omitempty"`
	RevokedBy       string         `json:"revoked_by,omitempty"`
	RevokedAt       *time.Time     `json:"revoked_at,omitempty"`
	RevokeReason    string         `json:"revoke_reason,omitempty"`
	ReviewRequired  bool           `json:"review_required"`
	Teardown        *TeardownView  `json:"teardown,omitempty"`
	Approvals       []ApprovalView `json:"approvals,omitempty"`
	Approvable      bool           `json:"approvable,omitempty"`
}

// TeardownView is the progress of taking a grant's access back.
type TeardownView struct {
	State    domain.Teardown `json:"state"`
	Attempts int             `json:"attempts"`
	NextAt   *time.Time      `json:"next_at,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// ApprovalView is one approval.
type ApprovalView struct {
	Approver string    `json:"approver"`
	Comment  string    `json:"comment,omitempty"`
	At       time.Time `json:"at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func requestView(r domain.Request) RequestView {
	v := RequestView{
		ID: r.ID, Profile: r.Profile, State: r.State, Requester: r.Requester,
		Duration: r.Duration.String(), DurationSeconds: int64(r.Duration / time.Second),
		Reason: r.Reason, Ticket: r.Ticket, BreakGlass: r.BreakGlass, Extends: r.Extends,
		Issuer: r.Target.Issuer, RoleARN: r.Target.RoleARN, CreatedAt: r.CreatedAt,
		DecidedBy: r.DecidedBy, DecidedAt: timePtr(r.DecidedAt), DecideReason: r.DecideReason,
		StartsAt: timePtr(r.StartsAt), EndsAt: timePtr(r.EndsAt),
		RevokedBy: r.RevokedBy, RevokedAt: timePtr(r.RevokedAt), RevokeReason: r.RevokeReason,
		ReviewRequired: r.ReviewRequired,
	}
	if r.Teardown != domain.TeardownNone {
		v.Teardown = &TeardownView{State: r.Teardown, Attempts: r.TeardownAttempts, NextAt: timePtr(r.TeardownNextAt), Error: r.TeardownError}
	}
	return v
}

func detailView(d workflow.Detail) RequestView {
	v := requestView(d.Request)
	for _, a := range d.Approvals {
		v.Approvals = append(v.Approvals, ApprovalView{Approver: a.Approver, Comment: a.Comment, At: a.At})
	}
	v.Approvable = d.Approvable
	return v
}

// ProfileView is a profile as the API reads and writes it. Durations are Go duration
// strings ("1h30m"); the session policy is a JSON object.
type ProfileView struct {
	Name            string            `json:"name"`
	Description     string            `json:"description,omitempty"`
	Issuer          string            `json:"issuer"`
	RoleARN         string            `json:"role_arn,omitempty"`
	VaultRole       string            `json:"vault_role,omitempty"`
	VaultMount      string            `json:"vault_mount,omitempty"`
	CredentialType  string            `json:"credential_type,omitempty"`
	SessionPolicy   json.RawMessage   `json:"session_policy,omitempty"`
	MaxDuration     string            `json:"max_duration"`
	DefaultDuration string            `json:"default_duration"`
	Requesters      domain.Principals `json:"requesters"`
	Approval        ApprovalRuleView  `json:"approval"`
	RequireReason   bool              `json:"require_reason"`
	RequireTicket   bool              `json:"require_ticket"`
	BreakGlass      BreakGlassView    `json:"break_glass"`
	UpdatedAt       *time.Time        `json:"updated_at,omitempty"`
	UpdatedBy       string            `json:"updated_by,omitempty"`
	// Eligible says whether the caller may request the profile (read-only).
	Eligible bool `json:"eligible"`
	// Approver says whether the caller approves its requests (read-only).
	Approver bool `json:"approver"`
}

// ApprovalRuleView is a profile's approval rule.
type ApprovalRuleView struct {
	Approvers domain.Principals `json:"approvers"`
	Required  int               `json:"required"`
	Auto      bool              `json:"auto"`
}

// BreakGlassView is a profile's break-glass setting.
type BreakGlassView struct {
	Enabled     bool   `json:"enabled"`
	MaxDuration string `json:"max_duration,omitempty"`
}

func profileView(p domain.Profile, who domain.Identity) ProfileView {
	v := ProfileView{
		Name: p.Name, Description: p.Description, Issuer: p.Target.Issuer, RoleARN: p.Target.RoleARN,
		VaultRole: p.Target.VaultRole, VaultMount: p.Target.VaultMount, CredentialType: p.Target.CredentialType,
		MaxDuration: p.MaxDuration.String(), DefaultDuration: p.DefaultDuration.String(),
		Requesters: p.Requesters, Approval: ApprovalRuleView{p.Approval.Approvers, p.Approval.Required, p.Approval.Auto},
		RequireReason: p.RequireReason, RequireTicket: p.RequireTicket,
		BreakGlass: BreakGlassView{Enabled: p.BreakGlass.Enabled},
		UpdatedAt:  timePtr(p.UpdatedAt), UpdatedBy: p.UpdatedBy,
		Eligible: p.Requesters.Includes(who), Approver: p.CanApprove(who),
	}
	if p.SessionPolicy != "" {
		v.SessionPolicy = json.RawMessage(p.SessionPolicy)
	}
	if p.BreakGlass.Enabled {
		v.BreakGlass.MaxDuration = p.BreakGlass.MaxDuration.String()
	}
	return v
}

// profileFrom reads a profile written by a client.
func profileFrom(name string, v ProfileView) (domain.Profile, error) {
	p := domain.Profile{
		Name: name, Description: v.Description,
		Target:     domain.Target{Issuer: v.Issuer, RoleARN: v.RoleARN, VaultRole: v.VaultRole, VaultMount: v.VaultMount, CredentialType: v.CredentialType},
		Requesters: v.Requesters, Approval: domain.ApprovalRule{Approvers: v.Approval.Approvers, Required: v.Approval.Required, Auto: v.Approval.Auto},
		RequireReason: v.RequireReason, RequireTicket: v.RequireTicket,
		BreakGlass: domain.BreakGlass{Enabled: v.BreakGlass.Enabled},
	}
	if v.Name != "" && v.Name != name {
		return p, domain.Invalid("name_mismatch", "the body names profile %q but the path %q", v.Name, name)
	}
	var err error
	if p.MaxDuration, err = parseDuration("max_duration", v.MaxDuration, true); err != nil {
		return p, err
	}
	if p.DefaultDuration, err = parseDuration("default_duration", v.DefaultDuration, false); err != nil {
		return p, err
	}
	if p.DefaultDuration == 0 {
		p.DefaultDuration = min(time.Hour, p.MaxDuration)
	}
	if p.BreakGlass.Enabled {
		if p.BreakGlass.MaxDuration, err = parseDuration("break_glass.max_duration", v.BreakGlass.MaxDuration, false); err != nil {
			return p, err
		}
		if p.BreakGlass.MaxDuration == 0 {
			p.BreakGlass.MaxDuration = min(domain.DefaultBreakGlassMax, p.MaxDuration)
		}
	}
	if len(v.SessionPolicy) > 0 && string(v.SessionPolicy) != "null" {
		// A JSON string holding the document is accepted too.
		var s string
		if json.Unmarshal(v.SessionPolicy, &s) == nil {
			p.SessionPolicy = s
		} else {
			p.SessionPolicy = string(v.SessionPolicy)
		}
	}
	return p, nil
}

func parseDuration(field, s string, required bool) (time.Duration, error) {
	if s == "" {
		if required {
			return 0, domain.Invalid("invalid_duration", "%s is required (e.g. \"4h\")", field)
		}
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, domain.Invalid("invalid_duration", "%s %q: use a duration such as \"90m\" or \"4h\"", field, s)
	}
	return d, nil
}

// CredentialProcess is the AWS CLI/SDK credential_process output.
type CredentialProcess struct {
	Version         int       `json:"Version"`
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken,omitempty"`
	Expiration      time.Time `json:"Expiration"`
}

// Me is the caller as the broker sees them.
type Me struct {
	Subject string   `json:"subject"`
	Groups  []string `json:"groups"`
	Admin   bool     `json:"admin"`
	Via     string   `json:"via"`
}
