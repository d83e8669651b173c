// Package store is the broker's persistence: the interface the workflow, expiry and
// API use, and the record types that are storage concerns rather than domain ones
// (issued credentials, fences, API tokens). Package sqlstore implements it on SQLite
// and PostgreSQL.
//
// Every state change happens inside Update, in one transaction that also appends its
// audit event (Tx.Append), so a transition is never recorded without its event or the
// other way round.
package store

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
)

// ErrNotFound is returned (wrapped) when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned (wrapped) when a record with the same key exists.
var ErrDuplicate = errors.New("already exists")

// Store is a broker database.
type Store interface {
	// Update runs fn in a read-write transaction and commits when fn returns nil. Rows
	// read with Tx.Request stay locked until the transaction ends.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error

	// ClaimTeardowns leases up to limit grants whose teardown is due at now to owner
	// until now+lease, skipping rows another broker has locked or leased, and returns
	// them. Leases owner already holds (a restarted broker with the same name) are
	// taken again at once. The owner finishes each with Tx.ReleaseTeardown.
	ClaimTeardowns(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]domain.Request, error)
	// ClaimTeardown leases one grant's teardown to owner if it is pending, failed or
	// irrevocable and not leased to another broker (its retry time does not matter).
	ClaimTeardown(ctx context.Context, id, owner string, now time.Time, lease time.Duration) (domain.Request, bool, error)
	// Due reports which kinds of work are due at now (pending requests created at or
	// before pendingCutoff time out), in one query, so an idle pass costs one round trip.
	Due(ctx context.Context, now, pendingCutoff time.Time) (DueSet, error)
	// NextDeadline is the earliest time something is due: a grant's end, a teardown
	// retry, a pending request's timeout (created + pendingTimeout) or a fence's end.
	NextDeadline(ctx context.Context, pendingTimeout time.Duration) (time.Time, bool, error)
	// LockRole serialises changes to one AWS role's fence policy across brokers until
	// unlock is called.
	LockRole(ctx context.Context, roleARN string) (unlock func(), err error)

	// ClaimCursor leases the named audit log position to owner until now+lease (ok=false
	// while another broker holds it) and returns it; AdvanceCursor moves it forward if
	// owner still holds the lease.
	ClaimCursor(ctx context.Context, name, owner string, now time.Time, lease time.Duration) (seq int64, ok bool, err error)
	AdvanceCursor(ctx context.Context, name, owner string, seq int64) (bool, error)

	// AuditEvents yields the audit log in sequence order from afterSeq+1.
	AuditEvents(ctx context.Context, afterSeq int64) iter.Seq2[audit.Event, error]
	// Counts returns the number of requests in each state (for metrics).
	Counts(ctx context.Context) (map[domain.State]int, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is one transaction.
type Tx interface {
	Profile(ctx context.Context, name string) (domain.Profile, error)
	Profiles(ctx context.Context) ([]domain.Profile, error)
	PutProfile(ctx context.Context, p domain.Profile) error
	DeleteProfile(ctx context.Context, name string) error

	// Request reads a request and locks it for the rest of the transaction.
	Request(ctx context.Context, id string) (domain.Request, error)
	InsertRequest(ctx context.Context, r domain.Request) error
	UpdateRequest(ctx context.Context, r domain.Request) error
	Requests(ctx context.Context, f Filter) ([]domain.Request, error)
	// ClaimDue locks and returns up to limit requests for which kind is due at now,
	// skipping rows other transactions hold (FOR UPDATE SKIP LOCKED on PostgreSQL).
	ClaimDue(ctx context.Context, kind Due, now time.Time, limit int) ([]domain.Request, error)
	// ReleaseTeardown ends owner's lease on a grant's teardown and reports whether
	// owner still held it (false: the lease ran out and another broker took it over).
	ReleaseTeardown(ctx context.Context, id, owner string) (bool, error)

	Approvals(ctx context.Context, requestID string) ([]domain.Approval, error)
	// InsertApproval fails with ErrDuplicate when the approver already approved.
	InsertApproval(ctx context.Context, a domain.Approval) error

	InsertIssue(ctx context.Context, i Issue) error
	UpdateIssue(ctx context.Context, i Issue) error
	Issues(ctx context.Context, requestID string) ([]Issue, error)

	PutFence(ctx context.Context, f Fence) error
	Fences(ctx context.Context, roleARN string) ([]Fence, error)
	// FenceRoles lists roles with a fence whose Until is before now (due to be lifted).
	FenceRolesDue(ctx context.Context, now time.Time) ([]string, error)
	DeleteFence(ctx context.Context, requestID string) error

	InsertToken(ctx context.Context, t Token) error
	Token(ctx context.Context, id string) (Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	UpdateToken(ctx context.Context, t Token) error

	// Cursor and SetCursor keep a named position in the audit log (webhook delivery).
	Cursor(ctx context.Context, name string) (int64, error)
	SetCursor(ctx context.Context, name string, seq int64) error

	// Append chains e to the log and stores it; it returns the event as stored.
	Append(ctx context.Context, e audit.Event) (audit.Event, error)
}

// Due names the kinds of work ClaimDue finds.
type Due string

// Kinds of due work.
const (
	DueActivation Due = "activation" // approved grants to start
	DueExpiry     Due = "expiry"     // active grants whose end has come (by now)
	DueTimeout    Due = "timeout"    // pending requests created at or before now (pass now - timeout)
)

// DueSet says which kinds of work are due.
type DueSet struct {
	Activation, Expiry, Timeout, Teardown, Fences bool
}

// Filter selects requests. Zero fields do not filter.
type Filter struct {
	Requester string
	Profile   string
	States    []domain.State
	// Viewer, when set, limits the result to requests the viewer may see: their own
	// and those for the profiles in ViewerProfiles (the ones they approve).
	Viewer         string
	ViewerProfiles []string
	// Before pages backwards by id (ids sort by creation time).
	Before string
	Limit  int
}

// Issue is one credential issued for a grant, recorded before the issuer is called so
// that whatever it hands out can always be found and revoked.
type Issue struct {
	ID        string
	RequestID string
	IssuedAt  time.Time
	// ValidUntil is the latest time the credential can work: the session's expiry or
	// the grant's end in its session policy, whichever is first.
	ValidUntil time.Time
	// Filled in once the issuer answers.
	Expires     time.Time
	AccessKeyID string
	LeaseID     string
	State       IssueState
	Error       string
}

// IssueState is the state of an Issue.
type IssueState string

// Issue states.
const (
	IssueStarted IssueState = "started" // recorded; the issuer has been (or is being) called
	IssueIssued  IssueState = "issued"
	IssueFailed  IssueState = "failed"
	IssueRevoked IssueState = "revoked"
)

// Fence is a deny on a role that cuts off a revoked grant's sessions before their own
// end (the grant's id is their source identity), kept until Until, when no session it
// covers can still be valid.
type Fence struct {
	RequestID string
	RoleARN   string
	RevokedAt time.Time
	Until     time.Time
	Applied   bool
}

// Token is a hashed API token.
type Token struct {
	ID        string
	Name      string
	Hash      string // hex sha256 of the secret part
	Subject   string
	Groups    []string
	Admin     bool
	CreatedAt time.Time
	CreatedBy string
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: not revoked
}
