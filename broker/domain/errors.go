package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers that must react to it (the HTTP layer maps each
// kind to one status code, in one place).
type Kind string

// Error kinds.
const (
	KindInvalid         Kind = "invalid"         // the input is wrong
	KindNotFound        Kind = "not_found"       // no such thing, or not visible to the caller
	KindForbidden       Kind = "forbidden"       // the caller may not do this
	KindConflict        Kind = "conflict"        // the thing is not in a state that allows this
	KindUnauthenticated Kind = "unauthenticated" // no valid identity
	KindRateLimited     Kind = "rate_limited"    // too many requests
	KindUnavailable     Kind = "unavailable"     // a dependency failed; try again
)

// Error is a typed broker error: a kind, a stable code for programs, and a message for
// people. Codes are snake_case and never change once published.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Err     error // the cause, when there is one
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error with the same code, so errors.Is(err, ErrSelfApproval) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func newErr(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid, NotFound, Forbidden, Conflict and Unavailable build typed errors.
func Invalid(code, format string, args ...any) *Error {
	return newErr(KindInvalid, code, format, args...)
}

// NotFound builds a not_found error.
func NotFound(code, format string, args ...any) *Error {
	return newErr(KindNotFound, code, format, args...)
}

// Forbidden builds a forbidden error.
func Forbidden(code, format string, args ...any) *Error {
	return newErr(KindForbidden, code, format, args...)
}

// Conflict builds a conflict error.
func Conflict(code, format string, args ...any) *Error {
	return newErr(KindConflict, code, format, args...)
}

// Unavailable wraps a failure of a dependency (database, AWS, Vault).
func Unavailable(code string, err error, format string, args ...any) *Error {
	e := newErr(KindUnavailable, code, format, args...)
	e.Err = err
	return e
}

// Sentinels for the refusals callers and tests check with errors.Is. Use the
// constructors above for messages that carry details; these match by code.
var (
	ErrSelfApproval       = &Error{Kind: KindForbidden, Code: "self_approval", Message: "requesters cannot approve their own requests"}
	ErrNotEligible        = &Error{Kind: KindForbidden, Code: "not_eligible", Message: "the requester is not eligible for this profile"}
	ErrNotApprover        = &Error{Kind: KindForbidden, Code: "not_approver", Message: "the caller is not an approver for this profile"}
	ErrNotOwner           = &Error{Kind: KindForbidden, Code: "not_owner", Message: "only the requester may do this"}
	ErrNotAdmin           = &Error{Kind: KindForbidden, Code: "not_admin", Message: "only administrators may do this"}
	ErrDurationTooLong    = &Error{Kind: KindInvalid, Code: "duration_too_long", Message: "the duration is over the profile's maximum"}
	ErrAlreadyApproved    = &Error{Kind: KindConflict, Code: "already_approved", Message: "this approver has already approved the request"}
	ErrInvalidState       = &Error{Kind: KindConflict, Code: "invalid_state", Message: "the request is not in a state that allows this"}
	ErrReasonRequired     = &Error{Kind: KindInvalid, Code: "reason_required", Message: "the profile requires a reason"}
	ErrTicketRequired     = &Error{Kind: KindInvalid, Code: "ticket_required", Message: "the profile requires a ticket reference"}
	ErrBreakGlassDisabled = &Error{Kind: KindForbidden, Code: "break_glass_disabled", Message: "the profile does not allow break-glass access"}
	ErrRequestNotFound    = &Error{Kind: KindNotFound, Code: "request_not_found", Message: "no such request"}
	ErrProfileNotFound    = &Error{Kind: KindNotFound, Code: "profile_not_found", Message: "no such profile"}
	ErrNotActive          = &Error{Kind: KindConflict, Code: "not_active", Message: "the grant is not active"}
)

// KindOf returns the kind of a typed error anywhere in err's chain, and
// KindUnavailable for any other error (an unexpected failure is the server's, not the
// caller's).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUnavailable
}

// Errorf returns a copy of a sentinel with a more specific message; it still matches
// the sentinel with errors.Is, and keeps its kind and code.
func Errorf(sentinel *Error, format string, args ...any) *Error {
	e := *sentinel
	e.Message = fmt.Sprintf(format, args...)
	return &e
}
