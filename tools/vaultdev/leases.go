package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
)

// leaseIDLength is the length of the random suffix of a lease ID (Vault's TokenLength).
const leaseIDLength = 24

// lease is one issued secret, kept so that it can be renewed and revoked through the engine.
type lease struct {
	mu sync.Mutex // serialises engine calls on this lease (expiry against an API revoke)

	id          string
	path        string // request path, e.g. "aws/creds/dev"
	data        map[string]any
	secret      *logical.Secret
	issued      time.Time
	expires     time.Time
	lastRenewal time.Time

	// Revocation at expiry is retried with backoff; after revokeAttempts failures the lease
	// is irrevocable and retried daily, as Vault does.
	failures    int
	nextAttempt time.Time
	gone        bool
}

// leaseTimes is what sys/leases/lookup shows of a lease.
type leaseTimes struct {
	issued, expires, lastRenewal time.Time
	renewable                    bool
}

// leaseTable is Vault's expiration manager for one mount, in memory: it registers the secrets
// the engine returns, renews and revokes them through the engine, and revokes them at expiry.
type leaseTable struct {
	clock Clock
	eng   *engine
	log   *slog.Logger

	mu     sync.Mutex
	leases map[string]*lease
	wake   chan struct{}

	// expired, when set, hears about every revocation attempted at expiry (tests wait on it).
	expired func(id string, err error)
}

func newLeaseTable(clock Clock, eng *engine, log *slog.Logger) *leaseTable {
	return &leaseTable{clock: clock, eng: eng, log: log, leases: map[string]*lease{}, wake: make(chan struct{}, 1)}
}

// register records the secret in resp as a lease on reqPath (the full path, "aws/creds/dev"),
// and sets its lease ID and TTL in resp, as Vault does for every response carrying a secret.
func (t *leaseTable) register(ctx context.Context, reqPath string, resp *logical.Response) error {
	now := t.clock.Now()
	sys := t.eng.sys
	ttl, warnings, err := leaseTTL(now, sys.DefaultLeaseTTL(), sys.MaxLeaseTTL(), 0, resp.Secret.TTL, resp.Secret.MaxTTL, time.Time{})
	if err == nil {
		err = resp.Secret.Validate()
	}
	var le *lease
	if err == nil {
		le, err = t.newLease(reqPath, resp, now, ttl)
	}
	if err != nil {
		// Nothing may outlive a failed registration: take the secret back at once.
		if rerr := t.revokeSecret(ctx, reqPath, resp.Secret, resp.Data, now); rerr != nil {
			err = errors.Join(err, fmt.Errorf("an additional error was encountered revoking the newly-generated secret: %w", rerr))
		}
		return fmt.Errorf("registering the lease: %w", err)
	}
	for _, w := range warnings {
		resp.AddWarning(w)
	}
	resp.Secret.TTL = ttl
	resp.Secret.LeaseID = le.id
	t.mu.Lock()
	t.leases[le.id] = le
	t.mu.Unlock()
	t.poke()
	t.log.Info("lease issued", "lease_id", le.id, "ttl", ttl.String())
	return nil
}

func (t *leaseTable) newLease(reqPath string, resp *logical.Response, now time.Time, ttl time.Duration) (*lease, error) {
	suffix, err := randomBase62(leaseIDLength)
	if err != nil {
		return nil, err
	}
	// Vault persists a lease as JSON and reads it back for renewals and revocations, so the
	// engine always sees its internal data after a JSON round trip; do the same.
	secret, data, err := roundTrip(resp.Secret, resp.Data)
	if err != nil {
		return nil, err
	}
	secret.TTL = ttl
	return &lease{
		id:      path.Join(reqPath, suffix),
		path:    reqPath,
		data:    data,
		secret:  secret,
		issued:  now,
		expires: now.Add(ttl),
	}, nil
}

func roundTrip(secret *logical.Secret, data map[string]any) (*logical.Secret, map[string]any, error) {
	raw, err := json.Marshal(struct {
		Secret *logical.Secret `json:"secret"`
		Data   map[string]any  `json:"data"`
	}{secret, data})
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the lease: %w", err)
	}
	var back struct {
		Secret *logical.Secret `json:"secret"`
		Data   map[string]any  `json:"data"`
	}
	if err := json.Unmarshal(raw, &back); err != nil {
		return nil, nil, fmt.Errorf("decoding the lease: %w", err)
	}
	return back.Secret, back.Data, nil
}

func (t *leaseTable) get(id string) *lease {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.leases[id]
}

// lookup returns a lease's times, or false when there is no such lease.
func (t *leaseTable) lookup(id string) (leaseTimes, bool) {
	le := t.get(id)
	if le == nil {
		return leaseTimes{}, false
	}
	le.mu.Lock()
	defer le.mu.Unlock()
	if le.gone {
		return leaseTimes{}, false
	}
	return leaseTimes{
		issued:      le.issued,
		expires:     le.expires,
		lastRenewal: le.lastRenewal,
		renewable:   le.renewableErr(t.clock.Now()) == nil,
	}, true
}

// renewableErr says why a lease cannot be renewed, with Vault's messages.
func (le *lease) renewableErr(now time.Time) error {
	switch {
	case le.failures >= revokeAttempts:
		return errors.New("lease is expired and has failed previous revocation attempts")
	case le.expires.IsZero():
		return errors.New("lease is not renewable")
	case le.expires.Before(now):
		return errors.New("lease expired")
	case !le.secret.Renewable:
		return errors.New("lease is not renewable")
	}
	return nil
}

// renew asks the engine to renew the lease by increment (0: the engine's or mount's default),
// and moves its expiry. A nil response means the engine renewed nothing.
func (t *leaseTable) renew(ctx context.Context, id string, increment time.Duration) (*logical.Response, error) {
	le := t.get(id)
	if le == nil {
		return nil, errors.New("lease not found")
	}
	le.mu.Lock()
	defer le.mu.Unlock()
	now := t.clock.Now()
	if le.gone {
		return nil, errors.New("lease not found")
	}
	if err := le.renewableErr(now); err != nil {
		return nil, err
	}
	secret := *le.secret
	secret.IssueTime = le.issued
	secret.Increment = increment
	secret.LeaseID = ""
	req := logical.RenewRequest(relPath(le.path), &secret, le.data)
	resp, err := t.eng.handle(ctx, req)
	if err != nil || (resp != nil && resp.IsError()) {
		return nil, fmt.Errorf("failed to renew entry: resp: %#v err: %w", resp, err)
	}
	if resp == nil || resp.Secret == nil {
		return nil, nil
	}
	sys := t.eng.sys
	ttl, warnings, err := leaseTTL(now, sys.DefaultLeaseTTL(), sys.MaxLeaseTTL(), increment, resp.Secret.TTL, resp.Secret.MaxTTL, le.issued)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		resp.AddWarning(w)
	}
	resp.Secret.TTL = ttl
	stored, data, err := roundTrip(resp.Secret, resp.Data)
	if err != nil {
		return nil, err
	}
	resp.Secret.LeaseID = id
	le.secret, le.data = stored, data
	le.expires = now.Add(ttl)
	le.lastRenewal = now
	t.poke()
	t.log.Info("lease renewed", "lease_id", id, "ttl", ttl.String())
	return resp, nil
}

// revoke revokes a lease through the engine now and forgets it. An unknown lease is not an
// error (Vault answers 204 for it too).
func (t *leaseTable) revoke(ctx context.Context, id string) error {
	le := t.get(id)
	if le == nil {
		return nil
	}
	return t.revokeLease(ctx, le)
}

func (t *leaseTable) revokeLease(ctx context.Context, le *lease) error {
	le.mu.Lock()
	defer le.mu.Unlock()
	if le.gone {
		return nil
	}
	if err := t.revokeSecret(ctx, le.path, le.secret, le.data, le.issued); err != nil {
		return err
	}
	le.gone = true
	t.mu.Lock()
	delete(t.leases, le.id)
	t.mu.Unlock()
	t.log.Info("lease revoked", "lease_id", le.id)
	return nil
}

func (t *leaseTable) revokeSecret(ctx context.Context, reqPath string, s *logical.Secret, data map[string]any, issued time.Time) error {
	secret := *s
	secret.IssueTime = issued
	resp, err := t.eng.handle(ctx, logical.RevokeRequest(relPath(reqPath), &secret, data))
	if err != nil || (resp != nil && resp.IsError()) {
		return fmt.Errorf("failed to revoke entry: resp: %#v err: %w", resp, err)
	}
	return nil
}

// revokeLazy marks a lease as expiring now; the expiry loop revokes it. It reports whether
// the lease exists.
func (t *leaseTable) revokeLazy(id string) bool {
	le := t.get(id)
	if le == nil {
		return false
	}
	le.mu.Lock()
	now := t.clock.Now()
	le.expires = now
	if le.failures > 0 {
		le.nextAttempt = now
	}
	le.mu.Unlock()
	t.poke()
	return true
}

// revokePrefix revokes every lease under prefix (now when sync, else at the expiry loop's next
// turn). A prefix without a trailing slash that names a lease revokes just that lease.
func (t *leaseTable) revokePrefix(ctx context.Context, prefix string, sync, force bool) error {
	if !strings.HasSuffix(prefix, "/") {
		if le := t.get(prefix); le != nil {
			if !sync {
				t.revokeLazy(prefix)
				return nil
			}
			if err := t.revokeLease(ctx, le); err != nil {
				if !force {
					return fmt.Errorf("failed to revoke %q: %w", prefix, err)
				}
				t.forgetForced(prefix, err)
			}
			return nil
		}
		prefix += "/"
	}
	var ids []string
	t.mu.Lock()
	for id := range t.leases {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	t.mu.Unlock()
	sort.Strings(ids)
	for i, id := range ids {
		if !sync {
			t.revokeLazy(id)
			continue
		}
		if err := t.revoke(ctx, id); err != nil {
			if force {
				t.forgetForced(id, err)
				continue
			}
			return fmt.Errorf("failed to revoke %q (%d / %d): %w", id, i+1, len(ids), err)
		}
	}
	return nil
}

// forgetForced drops a lease whose revocation failed, as revoke-force does in Vault.
func (t *leaseTable) forgetForced(id string, err error) {
	t.log.Warn("revocation failed; lease forgotten anyway (revoke-force): AWS resources may be orphaned", "lease_id", id, "err", err)
	t.forget(id)
}

func (t *leaseTable) forget(id string) {
	t.mu.Lock()
	le := t.leases[id]
	delete(t.leases, id)
	t.mu.Unlock()
	if le != nil {
		le.mu.Lock()
		le.gone = true
		le.mu.Unlock()
	}
}

// list returns the keys one level under prefix, as a storage listing of the lease IDs would
// ("dev/" under "aws/creds/", the random suffixes under "aws/creds/dev/").
func (t *leaseTable) list(prefix string) []string {
	seen := map[string]bool{}
	t.mu.Lock()
	for id := range t.leases {
		rest, ok := strings.CutPrefix(id, prefix)
		if !ok || rest == "" {
			continue
		}
		if i := strings.Index(rest, "/"); i >= 0 {
			rest = rest[:i+1]
		}
		seen[rest] = true
	}
	t.mu.Unlock()
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// poke wakes the expiry loop to look at the deadlines again.
func (t *leaseTable) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// relPath is a request path relative to the mount, as the engine sees it.
func relPath(reqPath string) string {
	return strings.TrimPrefix(reqPath, mountPath)
}
