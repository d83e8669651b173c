package main

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

// token is one of vaultdev's tokens: the root token, which never expires, or a service
// token the root token created (auth/token/create), with Vault's TTL rules: a TTL that
// renew-self extends up to the token's max TTL, or a period that each renewal restarts.
type token struct {
	id, accessor, displayName string
	root                      bool
	created                   time.Time
	creationTTL               time.Duration // the TTL it was created with
	explicitMax               time.Duration // 0: the system max TTL bounds it
	period                    time.Duration // 0: not periodic
	renewable                 bool
	expires                   time.Time // zero for the root token
	lastRenewal               time.Time // zero until renewed
}

func (t *token) expired(now time.Time) bool { return !t.root && !now.Before(t.expires) }

// tokenStore holds the tokens, on the server's clock.
type tokenStore struct {
	clock  Clock
	maxTTL time.Duration // the system max TTL
	defTTL time.Duration // the system default TTL
	root   *token
	mu     sync.Mutex
	byID   map[string]*token
}

// tokenFrom reads the client token as Vault does: X-Vault-Token, else an Authorization bearer.
func tokenFrom(r *http.Request) string {
	if t := r.Header.Get("X-Vault-Token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// lookup returns the live token with this id, or nil: unknown and expired tokens are
// refused alike (Vault revokes a token when it expires). Expired tokens are forgotten.
func (s *tokenStore) lookup(id string) *token {
	if id == "" {
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.root.id)) == 1 {
		return s.root
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.byID[id]
	if t == nil {
		return nil
	}
	if t.expired(s.clock.Now()) {
		delete(s.byID, id)
		return nil
	}
	return t
}

// tokenFields are the parameters of auth/token/create that vaultdev honours.
var tokenFields = map[string]*framework.FieldSchema{
	"ttl":              {Type: framework.TypeDurationSecond},
	"explicit_max_ttl": {Type: framework.TypeDurationSecond},
	"period":           {Type: framework.TypeDurationSecond},
	"renewable":        {Type: framework.TypeBool, Default: true},
	"display_name":     {Type: framework.TypeString},
	"policies":         {Type: framework.TypeCommaStringSlice},
	"no_parent":        {Type: framework.TypeBool},
}

// create answers auth/token/create: the root token makes an orphan service token. Policies
// are accepted and ignored (vaultdev has no ACLs: every token may do everything).
func (s *tokenStore) create(caller *token, req *logical.Request) (*logical.Response, error) {
	if req.Operation != logical.UpdateOperation {
		return nil, errUnsupportedOperation
	}
	if !caller.root {
		return nil, logical.ErrPermissionDenied
	}
	d := &framework.FieldData{Raw: req.Data, Schema: tokenFields}
	if err := d.Validate(); err != nil {
		return logical.ErrorResponse(err.Error()), logical.ErrInvalidRequest
	}
	now := s.clock.Now().Truncate(time.Second)
	t := &token{
		created:     now,
		explicitMax: time.Duration(d.Get("explicit_max_ttl").(int)) * time.Second,
		period:      time.Duration(d.Get("period").(int)) * time.Second,
		renewable:   d.Get("renewable").(bool),
		displayName: "token",
	}
	if n := d.Get("display_name").(string); n != "" {
		t.displayName = "token-" + n
	}
	ttl, _, err := s.ttl(t, now, time.Duration(d.Get("ttl").(int))*time.Second, s.defTTL)
	if err != nil {
		return nil, fmt.Errorf("token TTL: %w", err) // cannot happen: a new token is within its max TTL
	}
	if t.id, err = randomBase62(24); err != nil {
		return nil, fmt.Errorf("token id: %w", err)
	}
	if t.accessor, err = randomBase62(24); err != nil {
		return nil, fmt.Errorf("token accessor: %w", err)
	}
	t.id = "hvs." + t.id
	t.creationTTL, t.expires = ttl, now.Add(ttl)
	s.mu.Lock()
	s.byID[t.id] = t
	s.mu.Unlock()
	return &logical.Response{Auth: t.auth(ttl)}, nil
}

// ttl is the TTL a creation or renewal of t gives at now, with leaseTTL's rules: a periodic
// token asks for its period, which only its explicit max TTL caps (no max TTL at all
// without one: it lives as long as it is renewed); any other token asks for the TTL asked
// for, else the fallback, capped by the earlier of its explicit max TTL and the system max
// TTL. Max TTLs count from the token's creation.
func (s *tokenStore) ttl(t *token, now time.Time, asked, fallback time.Duration) (time.Duration, []string, error) {
	systemMax := s.maxTTL
	if t.period > 0 {
		if t.explicitMax <= 0 {
			return t.period, nil, nil
		}
		asked, systemMax = t.period, 0
	}
	return leaseTTL(now, fallback, systemMax, asked, 0, t.explicitMax, t.created)
}

// renewSelf answers auth/token/renew-self: a renewable token's TTL starts again from now,
// at the increment asked for (else the TTL it was created with, or its period), within
// its max TTL.
func (s *tokenStore) renewSelf(t *token, req *logical.Request) (*logical.Response, error) {
	if req.Operation != logical.UpdateOperation {
		return nil, errUnsupportedOperation
	}
	if t.root {
		// The root token has no TTL: Vault answers a renewal of it with its lookup.
		return &logical.Response{Auth: t.auth(0)}, nil
	}
	d := &framework.FieldData{Raw: req.Data, Schema: map[string]*framework.FieldSchema{"increment": {Type: framework.TypeDurationSecond}}}
	if err := d.Validate(); err != nil {
		return logical.ErrorResponse(err.Error()), logical.ErrInvalidRequest
	}
	if !t.renewable {
		return logical.ErrorResponse("token is not renewable"), logical.ErrInvalidRequest
	}
	now := s.clock.Now().Truncate(time.Second)
	ttl, warnings, err := s.ttl(t, now, time.Duration(d.Get("increment").(int))*time.Second, t.creationTTL)
	if err != nil {
		return logical.ErrorResponse(err.Error()), logical.ErrInvalidRequest
	}
	resp := &logical.Response{Warnings: warnings}
	s.mu.Lock()
	t.expires, t.lastRenewal = now.Add(ttl), now
	s.mu.Unlock()
	resp.Auth = t.auth(ttl)
	return resp, nil
}

// auth is the token as the "auth" part of a response.
func (t *token) auth(ttl time.Duration) *logical.Auth {
	a := &logical.Auth{
		ClientToken:   t.id,
		Accessor:      t.accessor,
		DisplayName:   t.displayName,
		Policies:      []string{"root"},
		TokenPolicies: []string{"root"},
		Orphan:        true,
		TokenType:     logical.TokenTypeService,
		Period:        t.period,
	}
	if !t.root {
		a.Policies, a.TokenPolicies = []string{"default"}, []string{"default"}
		a.TTL, a.Renewable, a.ExplicitMaxTTL = ttl, t.renewable, t.explicitMax
	}
	return a
}

// lookupSelf answers auth/token/lookup-self (GET or POST) in Vault's shape.
func (s *tokenStore) lookupSelf(t *token, req *logical.Request) (*logical.Response, error) {
	if req.Operation != logical.ReadOperation && req.Operation != logical.UpdateOperation {
		return nil, errUnsupportedOperation
	}
	data := map[string]any{
		"accessor":         t.accessor,
		"creation_time":    t.created.Unix(),
		"creation_ttl":     int64(t.creationTTL / time.Second),
		"display_name":     t.displayName,
		"entity_id":        "",
		"expire_time":      nil,
		"explicit_max_ttl": int64(t.explicitMax / time.Second),
		"id":               t.id,
		"meta":             nil,
		"num_uses":         0,
		"orphan":           true,
		"path":             "auth/token/create",
		"policies":         []string{"default"},
		"renewable":        t.renewable,
		"ttl":              0,
		"type":             "service",
	}
	if t.root {
		data["path"], data["policies"] = "auth/token/root", []string{"root"}
		return &logical.Response{Data: data}, nil
	}
	s.mu.Lock()
	expires, last := t.expires, t.lastRenewal
	s.mu.Unlock()
	data["expire_time"] = expires.UTC().Format(time.RFC3339Nano)
	data["issue_time"] = t.created.UTC().Format(time.RFC3339Nano)
	data["ttl"] = int64(max(expires.Sub(s.clock.Now()), 0) / time.Second)
	if t.period > 0 {
		data["period"] = int64(t.period / time.Second)
	}
	if !last.IsZero() {
		data["last_renewal_time"] = last.Unix()
		data["last_renewal"] = last.UTC().Format(time.RFC3339Nano)
	}
	return &logical.Response{Data: data}, nil
}

// tokenRequest routes auth/token/ paths.
func (s *tokenStore) tokenRequest(caller *token, req *logical.Request) (*logical.Response, error) {
	switch req.Path {
	case "auth/token/lookup-self":
		return s.lookupSelf(caller, req)
	case "auth/token/renew-self":
		return s.renewSelf(caller, req)
	case "auth/token/create", "auth/token/create-orphan":
		return s.create(caller, req)
	}
	return nil, errUnsupportedPath
}
