package domain

import (
	"slices"
	"strings"
	"time"
)

// CreateInput is what a requester asks for.
type CreateInput struct {
	Profile    string
	Duration   time.Duration // zero: the profile's default
	Reason     string
	Ticket     string
	BreakGlass bool
	// Extends names an active grant of the requester's to extend.
	Extends string
}

// NewRequest checks a request against its profile and returns it: pending, or already
// approved when the profile approves automatically or the requester breaks glass.
// extended is the grant named by in.Extends (nil otherwise).
func NewRequest(id string, in CreateInput, p Profile, who Identity, now time.Time, extended *Request) (Request, error) {
	if !p.Requesters.Includes(who) {
		return Request{}, Errorf(ErrNotEligible, "%s is not eligible for profile %s", who.Subject, p.Name)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	in.Ticket = strings.TrimSpace(in.Ticket)
	defaulted := in.Duration == 0
	if defaulted {
		in.Duration = p.DefaultDuration
	}
	limit, limitName := p.MaxDuration, "max_duration"
	if in.BreakGlass {
		if !p.BreakGlass.Enabled {
			return Request{}, Errorf(ErrBreakGlassDisabled, "profile %s does not allow break-glass access", p.Name)
		}
		limit, limitName = p.BreakGlass.MaxDuration, "break-glass max_duration"
		if defaulted && in.Duration > limit {
			in.Duration = limit // the default was asked for: break glass for as long as allowed
		}
	}
	switch {
	case in.Duration < MinDuration:
		return Request{}, Invalid("duration_too_short", "duration %s: must be at least %s", in.Duration, MinDuration)
	case in.Duration > limit:
		return Request{}, Errorf(ErrDurationTooLong, "duration %s is over profile %s's %s of %s", in.Duration, p.Name, limitName, limit)
	case in.Reason == "" && (p.RequireReason || in.BreakGlass):
		if in.BreakGlass {
			return Request{}, Errorf(ErrReasonRequired, "break-glass access requires a reason")
		}
		return Request{}, Errorf(ErrReasonRequired, "profile %s requires a reason", p.Name)
	case len(in.Reason) > MaxReasonLength:
		return Request{}, Invalid("reason_too_long", "reason: %d characters, at most %d", len(in.Reason), MaxReasonLength)
	case in.Ticket == "" && p.RequireTicket:
		return Request{}, Errorf(ErrTicketRequired, "profile %s requires a ticket reference", p.Name)
	case len(in.Ticket) > MaxTicketLength:
		return Request{}, Invalid("ticket_too_long", "ticket: %d characters, at most %d", len(in.Ticket), MaxTicketLength)
	}
	if in.Extends != "" {
		switch {
		case extended == nil || extended.ID != in.Extends:
			return Request{}, Errorf(ErrRequestNotFound, "no grant %s to extend", in.Extends)
		case extended.Requester != who.Subject:
			return Request{}, Errorf(ErrNotOwner, "grant %s belongs to %s; only its requester may extend it", extended.ID, extended.Requester)
		case extended.Profile != p.Name:
			return Request{}, Invalid("profile_mismatch", "grant %s is for profile %s, not %s", extended.ID, extended.Profile, p.Name)
		case extended.State != StateActive || !now.Before(extended.EndsAt):
			return Request{}, Errorf(ErrNotActive, "grant %s is %s; only an active grant can be extended", extended.ID, extended.State)
		}
	}
	r := Request{
		ID: id, Profile: p.Name, Target: p.Target, SessionPolicy: p.SessionPolicy,
		Requester: who.Subject, RequesterGroups: slices.Clone(who.Groups),
		Duration: in.Duration, Reason: in.Reason, Ticket: in.Ticket, BreakGlass: in.BreakGlass, Extends: in.Extends,
		State: StatePending, CreatedAt: now, UpdatedAt: now,
	}
	switch {
	case in.BreakGlass:
		r = decide(r, StateApproved, who.Subject, "break-glass: "+in.Reason, now)
		r.ReviewRequired = true
	case p.Approval.Auto:
		r = decide(r, StateApproved, System.Subject, "approved automatically by profile "+p.Name, now)
	}
	return r, nil
}

func decide(r Request, to State, by, reason string, now time.Time) Request {
	r.State, r.DecidedBy, r.DecidedAt, r.DecideReason, r.UpdatedAt = to, by, now, reason, now
	return r
}

func requireState(r Request, action string, states ...State) error {
	if slices.Contains(states, r.State) {
		return nil
	}
	return Errorf(ErrInvalidState, "cannot %s request %s: it is %s", action, r.ID, r.State)
}

// ApplyApproval records who's approval of a pending request. It returns the approval
// to store and the request, approved once it has the profile's required number of
// distinct approvals. The requester never approves their own request, and an approver
// counts once.
func ApplyApproval(r Request, p Profile, approvals []Approval, who Identity, comment string, now time.Time) (Request, Approval, error) {
	if err := requireState(r, "approve", StatePending); err != nil {
		return r, Approval{}, err
	}
	if who.Subject == r.Requester {
		return r, Approval{}, Errorf(ErrSelfApproval, "%s cannot approve their own request %s", who.Subject, r.ID)
	}
	if !p.CanApprove(who) {
		return r, Approval{}, Errorf(ErrNotApprover, "%s is not an approver for profile %s", who.Subject, p.Name)
	}
	if len(strings.TrimSpace(comment)) > MaxReasonLength {
		return r, Approval{}, Invalid("comment_too_long", "comment: %d characters, at most %d", len(comment), MaxReasonLength)
	}
	approvers := map[string]bool{}
	for _, a := range approvals {
		approvers[a.Approver] = true
	}
	if approvers[who.Subject] {
		return r, Approval{}, Errorf(ErrAlreadyApproved, "%s has already approved request %s", who.Subject, r.ID)
	}
	a := Approval{RequestID: r.ID, Approver: who.Subject, Comment: strings.TrimSpace(comment), At: now}
	r.UpdatedAt = now
	if len(approvers)+1 >= max(p.Approval.Required, 1) {
		r = decide(r, StateApproved, who.Subject, a.Comment, now)
	}
	return r, a, nil
}

// ApplyDenial denies a pending request. Any one approver may deny it.
func ApplyDenial(r Request, p Profile, who Identity, reason string, now time.Time) (Request, error) {
	if err := requireState(r, "deny", StatePending); err != nil {
		return r, err
	}
	if who.Subject == r.Requester {
		return r, Forbidden("self_denial", "%s cannot deny their own request %s; cancel it instead", who.Subject, r.ID)
	}
	if !p.CanApprove(who) {
		return r, Errorf(ErrNotApprover, "%s is not an approver for profile %s", who.Subject, p.Name)
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxReasonLength {
		return r, Invalid("reason_too_long", "reason: %d characters, at most %d", len(reason), MaxReasonLength)
	}
	return decide(r, StateDenied, who.Subject, reason, now), nil
}

// Cancel withdraws a pending request. Only its requester (or an administrator) may.
func Cancel(r Request, who Identity, now time.Time) (Request, error) {
	if who.Subject != r.Requester && !who.Admin {
		return r, Errorf(ErrNotOwner, "request %s belongs to %s; only its requester may cancel it", r.ID, r.Requester)
	}
	if err := requireState(r, "cancel", StatePending); err != nil {
		return r, err
	}
	return decide(r, StateCancelled, who.Subject, "", now), nil
}

// TimeOut ends a pending request nobody decided on within timeout.
func TimeOut(r Request, timeout time.Duration, now time.Time) (Request, error) {
	if err := requireState(r, "time out", StatePending); err != nil {
		return r, err
	}
	if now.Before(r.CreatedAt.Add(timeout)) {
		return r, Conflict("not_due", "request %s is pending until %s", r.ID, r.CreatedAt.Add(timeout).Format(time.RFC3339))
	}
	return decide(r, StateTimedOut, System.Subject, "no decision within "+timeout.String(), now), nil
}

// Activate starts an approved grant: it runs from now for the requested duration.
func Activate(r Request, now time.Time) (Request, error) {
	if err := requireState(r, "activate", StateApproved); err != nil {
		return r, err
	}
	if r.Extends != "" {
		return r, Conflict("is_extension", "request %s extends grant %s; it does not start a grant of its own", r.ID, r.Extends)
	}
	r.State, r.StartsAt, r.EndsAt, r.UpdatedAt = StateActive, now, now.Add(r.Duration), now
	return r, nil
}

// Extend moves an active grant's end by the approved extension's duration, never to
// more than the profile's maximum from now (the break-glass maximum for a break-glass
// extension).
func Extend(grant, ext Request, p Profile, now time.Time) (Request, error) {
	if ext.Extends != grant.ID || ext.State != StateApproved {
		return grant, Conflict("not_an_extension", "request %s is not an approved extension of grant %s", ext.ID, grant.ID)
	}
	if grant.State != StateActive || !now.Before(grant.EndsAt) {
		return grant, Errorf(ErrNotActive, "grant %s is %s; only an active grant can be extended", grant.ID, grant.State)
	}
	limit := p.MaxDuration
	if ext.BreakGlass {
		limit = p.BreakGlass.MaxDuration
		grant.ReviewRequired = true
	}
	grant.EndsAt = min64(grant.EndsAt.Add(ext.Duration), now.Add(limit))
	grant.UpdatedAt = now
	return grant, nil
}

func min64(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Expire ends an active grant whose time is up, and marks its access for teardown.
func Expire(r Request, now time.Time) (Request, error) {
	if err := requireState(r, "expire", StateActive); err != nil {
		return r, err
	}
	if now.Before(r.EndsAt) {
		return r, Conflict("not_due", "grant %s runs until %s", r.ID, r.EndsAt.Format(time.RFC3339))
	}
	r.State, r.UpdatedAt = StateExpired, now
	return scheduleTeardown(r, now), nil
}

// Revoke ends a grant early. The requester may give up their own grant; the profile's
// approvers and administrators may revoke anyone's.
func Revoke(r Request, p Profile, who Identity, reason string, now time.Time) (Request, error) {
	if who.Subject != r.Requester && !who.Admin && !p.CanApprove(who) {
		return r, Errorf(ErrNotOwner, "grant %s belongs to %s; only its requester, an approver of profile %s or an administrator may revoke it", r.ID, r.Requester, r.Profile)
	}
	if err := requireState(r, "revoke", StateActive, StateApproved); err != nil {
		return r, err
	}
	if r.Extends != "" {
		return r, Conflict("is_extension", "request %s extends grant %s; revoke the grant", r.ID, r.Extends)
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxReasonLength {
		return r, Invalid("reason_too_long", "reason: %d characters, at most %d", len(reason), MaxReasonLength)
	}
	r.State, r.RevokedBy, r.RevokedAt, r.RevokeReason, r.UpdatedAt = StateRevoked, who.Subject, now, reason, now
	return scheduleTeardown(r, now), nil
}

func scheduleTeardown(r Request, now time.Time) Request {
	r.Teardown, r.TeardownAttempts, r.TeardownNextAt, r.TeardownError = TeardownPending, 0, now, ""
	return r
}

// TeardownSucceeded records that the issuer took the grant's access back.
func TeardownSucceeded(r Request, now time.Time) Request {
	r.Teardown, r.TeardownNextAt, r.TeardownError, r.UpdatedAt = TeardownDone, time.Time{}, "", now
	r.TeardownAttempts++
	return r
}

// TeardownFailedAt records a failed attempt and when to try again; after maxAttempts
// the grant's teardown becomes irrevocable (still retried, at the later time given).
func TeardownFailedAt(r Request, cause string, next time.Time, maxAttempts int, now time.Time) Request {
	r.TeardownAttempts++
	r.TeardownError, r.TeardownNextAt, r.UpdatedAt = cause, next, now
	if r.TeardownAttempts >= maxAttempts {
		r.Teardown = TeardownIrrevocable
	} else {
		r.Teardown = TeardownFailed
	}
	return r
}

// CanSee reports whether who may read request r: its requester, the profile's
// approvers and administrators.
func CanSee(r Request, p *Profile, who Identity) bool {
	return who.Admin || r.Requester == who.Subject || (p != nil && p.CanApprove(who))
}
