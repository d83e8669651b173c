// Package workflow is the broker's use cases, one file each, reading top to bottom:
// load and lock what the transition needs, apply the pure domain function, store the
// result and append its audit event, all in one transaction. Calls to issuers (AWS,
// Vault) happen outside transactions, with the intent recorded before and the outcome
// after, so a crash at any point leaves something the reconciler can finish.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/store"
)

// Config tunes a Service. Zero values take the defaults.
type Config struct {
	// PendingTimeout ends undecided requests (default 3h).
	PendingTimeout time.Duration
	// Retry governs failed teardowns.
	Retry RetryPolicy
	// TeardownLease is how long a broker owns a claimed teardown (default 60s); issuer
	// calls are given less than this.
	TeardownLease time.Duration
	// FenceMargin is added to a fence's end for clock skew between the broker and AWS
	// (default 5m).
	FenceMargin time.Duration
	// Owner names this broker instance in teardown claims (default: random). A name
	// that stays the same across restarts (host and port) lets a restarted broker take
	// its own unfinished teardowns back at once instead of waiting for their leases.
	Owner string
}

// Service runs the use cases.
type Service struct {
	store   store.Store
	clock   clock.Clock
	issuers map[string]issuer.Issuer
	fencer  issuer.Fencer
	log     *slog.Logger
	cfg     Config
	// Standing returns the requester's standing policies for previews (may be nil).
	Standing StandingAccess
	// Metrics observes teardowns (may be nil).
	Metrics Observer

	mu   sync.Mutex
	wake func() // tells the expiry reconciler that a deadline may have moved
	rnd  func() float64
}

// Observer is told about outcomes worth measuring.
type Observer interface {
	// TeardownDone reports how long after a grant's end its access was taken back.
	TeardownDone(lag time.Duration)
	TeardownFailed(irrevocable bool)
	Transition(action string)
}

// New returns a Service. issuers maps an issuer kind (domain.IssuerSTS, ...) to its
// issuer; fencer cuts off revoked STS sessions (nil: no fencing, revocation then only
// stops new credentials).
func New(s store.Store, clk clock.Clock, issuers map[string]issuer.Issuer, fencer issuer.Fencer, log *slog.Logger, cfg Config) *Service {
	if cfg.PendingTimeout <= 0 {
		cfg.PendingTimeout = 3 * time.Hour
	}
	if cfg.TeardownLease <= 0 {
		cfg.TeardownLease = time.Minute
	}
	if cfg.FenceMargin <= 0 {
		cfg.FenceMargin = 5 * time.Minute
	}
	if cfg.Owner == "" {
		cfg.Owner = fmt.Sprintf("broker-%016x", rand.Uint64())
	}
	cfg.Retry = cfg.Retry.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: s, clock: clk, issuers: issuers, fencer: fencer, log: log, cfg: cfg, rnd: rand.Float64}
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Store returns the service's store.
func (s *Service) Store() store.Store { return s.store }

// Clock returns the service's clock.
func (s *Service) Clock() clock.Clock { return s.clock }

// SetWake registers the function called when a deadline may have moved.
func (s *Service) SetWake(f func()) {
	s.mu.Lock()
	s.wake = f
	s.mu.Unlock()
}

// SetRandom replaces the jitter source (tests make it deterministic).
func (s *Service) SetRandom(f func() float64) { s.rnd = f }

func (s *Service) poke() {
	s.mu.Lock()
	f := s.wake
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

// now is the clock's time at the store's precision (milliseconds), so what is stored
// and what was decided compare equal.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// record appends one audit event in tx.
func (s *Service) record(ctx context.Context, tx store.Tx, at time.Time, actor, action, subject string, data any) error {
	e, err := audit.NewEvent(at, actor, action, subject, data)
	if err != nil {
		return err
	}
	if _, err := tx.Append(ctx, e); err != nil {
		return err
	}
	if s.Metrics != nil {
		s.Metrics.Transition(action)
	}
	return nil
}

// lockRequest reads and locks a request, turning "not found" into the typed error.
func lockRequest(ctx context.Context, tx store.Tx, id string) (domain.Request, error) {
	r, err := tx.Request(ctx, id)
	return r, notFoundIf(err, id)
}

// lockVisible is lockRequest for a request the caller must be able to see, with its
// profile (nil when deleted): to anyone else it does not exist. In a read-only
// transaction (Get) the store reads the request without locking it.
func lockVisible(ctx context.Context, tx store.Tx, who domain.Identity, id string) (domain.Request, *domain.Profile, error) {
	r, err := lockRequest(ctx, tx, id)
	if err != nil {
		return r, nil, err
	}
	p, err := profileOf(ctx, tx, r.Profile)
	if err != nil {
		return r, nil, err
	}
	if !domain.CanSee(r, p, who) {
		return r, nil, notFound(id) // someone else's request: say no more than that
	}
	return r, p, nil
}

func notFound(id string) error { return domain.Errorf(domain.ErrRequestNotFound, "no request %s", id) }

func notFoundIf(err error, id string) error {
	if isNotFound(err) {
		return notFound(id)
	}
	return err
}

func profileNotFound(name string) error {
	return domain.Errorf(domain.ErrProfileNotFound, "no profile %s", name)
}

// profileOf reads a request's profile; a deleted profile gives nil (the request keeps
// its own copy of the target and policy).
func profileOf(ctx context.Context, tx store.Tx, name string) (*domain.Profile, error) {
	p, err := tx.Profile(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// requireProfile reads a profile that must exist.
func requireProfile(ctx context.Context, tx store.Tx, name string) (domain.Profile, error) {
	p, err := tx.Profile(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return p, profileNotFound(name)
	}
	return p, err
}

// grantOf builds the issuer's view of a grant.
func grantOf(r domain.Request) issuer.Grant {
	return issuer.Grant{ID: r.ID, RoleARN: r.Target.RoleARN, SessionPolicy: r.SessionPolicy, EndsAt: r.EndsAt,
		VaultRole: r.Target.VaultRole, VaultMount: r.Target.VaultMount, CredentialType: r.Target.CredentialType}
}

func (s *Service) issuerFor(r domain.Request) (issuer.Issuer, error) {
	is, ok := s.issuers[r.Target.Issuer]
	if !ok || is == nil {
		return nil, domain.Unavailable("issuer_not_configured", issuer.ErrNotConfigured{Kind: r.Target.Issuer}, "grant %s", r.ID)
	}
	return is, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
