package vaultissuer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ciem/ciem/broker/clock"
)

// Renewal timing: renew at two thirds of the TTL, as Vault's own agent does; after a
// failed renewal, try again after a third of the time left, but not sooner than
// minRetry nor later than maxRetry.
const (
	minRetry = 5 * time.Second
	maxRetry = 5 * time.Minute
)

// TokenKeeper keeps the issuer's own Vault token alive: every Vault token but a root
// token expires, and a broker that stops being able to call Vault can neither issue nor
// revoke through it. It renews the token (auth/token/renew-self) at two thirds of its TTL
// until stopped, on the broker's clock.
type TokenKeeper struct {
	issuer *Issuer
	log    *slog.Logger

	mu      sync.Mutex
	timer   clock.Timer
	stopped bool
	expires time.Time // zero: the token does not expire
}

// KeepTokenAlive looks the token up and, when it expires and can be renewed, schedules
// its renewals. A token that never expires needs nothing; one that expires and cannot be
// renewed is logged as a warning with its expiry. When the lookup fails (Vault
// unreachable, or a wrong or expired token) it is logged as an error and tried again
// every minute: the broker still serves what does not need Vault.
func (i *Issuer) KeepTokenAlive(log *slog.Logger) *TokenKeeper {
	k := &TokenKeeper{issuer: i, log: log}
	k.start()
	return k
}

// lookupRetry is how often a failed first lookup of the token is tried again.
const lookupRetry = time.Minute

func (k *TokenKeeper) start() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ttl, renewable, err := k.lookup(ctx)
	if err != nil {
		k.log.Error("looking up the broker's Vault token failed; trying again", "err", err, "retry_in", lookupRetry.String())
		k.schedule(lookupRetry, k.start)
		return
	}
	now := k.issuer.clock.Now()
	switch {
	case ttl <= 0:
		k.log.Info("the broker's Vault token does not expire")
	case !renewable:
		k.setExpires(now.Add(ttl))
		k.log.Warn("the broker's Vault token expires and cannot be renewed: after that the broker cannot issue or revoke through Vault",
			"expires", now.Add(ttl).Format(time.RFC3339))
	default:
		k.setExpires(now.Add(ttl))
		k.log.Info("renewing the broker's Vault token at two thirds of its TTL", "ttl", ttl.String())
		k.schedule(ttl*2/3, k.renew)
	}
}

func (k *TokenKeeper) lookup(ctx context.Context) (ttl time.Duration, renewable bool, err error) {
	self, err := k.issuer.client.Auth().Token().LookupSelfWithContext(ctx)
	if err != nil {
		return 0, false, err
	}
	if ttl, err = self.TokenTTL(); err != nil {
		return 0, false, fmt.Errorf("reading its TTL: %w", err)
	}
	if renewable, err = self.TokenIsRenewable(); err != nil {
		return 0, false, fmt.Errorf("reading whether it is renewable: %w", err)
	}
	return ttl, renewable, nil
}

func (k *TokenKeeper) setExpires(t time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.expires = t
}

// Expires is when the token expires unless renewed; zero when it never does.
func (k *TokenKeeper) Expires() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.expires
}

// Stop ends the renewals.
func (k *TokenKeeper) Stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stopped = true
	if k.timer != nil {
		k.timer.Stop()
	}
}

func (k *TokenKeeper) schedule(d time.Duration, f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.stopped {
		k.timer = k.issuer.clock.AfterFunc(d, f)
	}
}

// renew renews the token once and schedules the next renewal, or a retry.
func (k *TokenKeeper) renew() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := k.issuer.clock.Now()
	s, err := k.issuer.client.Auth().Token().RenewSelfWithContext(ctx, 0)
	if err == nil && (s == nil || s.Auth == nil) {
		err = fmt.Errorf("the renewal's answer holds no token")
	}
	if err != nil {
		left := k.Expires().Sub(now)
		if left <= 0 {
			k.log.Error("the broker's Vault token has expired: the broker cannot issue or revoke through Vault until it is given a new one", "err", err)
			return
		}
		retry := min(max(left/3, minRetry), maxRetry)
		k.log.Error("renewing the broker's Vault token failed; trying again", "err", err, "expires", k.Expires().Format(time.RFC3339), "retry_in", retry.String())
		k.schedule(retry, k.renew)
		return
	}
	ttl := time.Duration(s.Auth.LeaseDuration) * time.Second
	k.setExpires(now.Add(ttl))
	for _, w := range s.Warnings {
		k.log.Warn("renewing the broker's Vault token", "vault_warning", w)
	}
	if ttl < 3*time.Second {
		// Its max TTL is reached: renewals cannot extend it any further.
		k.log.Error("the broker's Vault token reached its max TTL and expires now: give the broker a new one",
			"expires", now.Add(ttl).Format(time.RFC3339))
		return
	}
	k.log.Debug("renewed the broker's Vault token", "ttl", ttl.String())
	k.schedule(ttl*2/3, k.renew)
}
