package domain

import (
	"slices"
	"time"
)

// State is where a request is in its life.
type State string

// States.
const (
	StatePending   State = "pending"
	StateApproved  State = "approved"
	StateActive    State = "active"
	StateExpired   State = "expired"
	StateRevoked   State = "revoked"
	StateDenied    State = "denied"
	StateCancelled State = "cancelled"
	StateTimedOut  State = "timed_out"
)

// States lists every state, in lifecycle order.
var States = []State{StatePending, StateApproved, StateActive, StateExpired, StateRevoked, StateDenied, StateCancelled, StateTimedOut}

// Final reports whether no transition leaves s.
func (s State) Final() bool {
	switch s {
	case StateExpired, StateRevoked, StateDenied, StateCancelled, StateTimedOut:
		return true
	}
	return false
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Teardown is the progress of taking issued access back at AWS (or Vault) once a grant
// has ended. The grant's state says what was decided; Teardown says whether the
// issuer has carried it out.
type Teardown string

// Teardown states.
const (
	TeardownNone        Teardown = ""            // nothing to take back (yet)
	TeardownPending     Teardown = "pending"     // to do
	TeardownFailed      Teardown = "failed"      // tried, failed, retried with backoff
	TeardownIrrevocable Teardown = "irrevocable" // gave up retrying often; retried daily, alerted
	TeardownDone        Teardown = "done"
)

// Request is a request for a profile and, once approved, the grant it becomes.
type Request struct {
	ID      string
	Profile string
	// Target and SessionPolicy are copied from the profile when the request is made, so
	// the grant keeps what was asked for and approved even if the profile changes.
	Target        Target
	SessionPolicy string

	Requester       string
	RequesterGroups []string
	Duration        time.Duration
	Reason          string
	Ticket          string
	BreakGlass      bool
	// Extends is the grant this request extends; approving it moves that grant's end.
	Extends string

	State     State
	CreatedAt time.Time
	UpdatedAt time.Time

	// Set by the transition that ends the pending phase.
	DecidedBy    string
	DecidedAt    time.Time
	DecideReason string

	// Set while a grant: when access starts and ends.
	StartsAt time.Time
	EndsAt   time.Time

	// Set when an active grant ends early.
	RevokedBy    string
	RevokedAt    time.Time
	RevokeReason string

	// ReviewRequired flags break-glass grants for an after-the-fact review.
	ReviewRequired bool

	Teardown         Teardown
	TeardownAttempts int
	TeardownNextAt   time.Time
	TeardownError    string
}

// Approval is one approver's approval of a request.
type Approval struct {
	RequestID string
	Approver  string
	Comment   string
	At        time.Time
}

// Remaining is how long the grant still runs at now (zero when it has ended).
func (r Request) Remaining(now time.Time) time.Duration {
	if r.State != StateActive || !now.Before(r.EndsAt) {
		return 0
	}
	return r.EndsAt.Sub(now)
}
