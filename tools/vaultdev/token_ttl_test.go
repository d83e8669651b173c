package main

import (
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
)

// TestTokenTTLMaxes covers the max TTLs of tokens, at creation and on renewal: an explicit
// max TTL caps a token when it is stricter than the system's, and it alone caps a periodic
// token.
func TestTokenTTLMaxes(t *testing.T) {
	capped := func(to string) string {
		return `TTL of "1h" exceeded the effective max_ttl of "` + to + `"; TTL value is capped accordingly`
	}
	type step struct {
		advance   time.Duration
		increment int // seconds; a renewal
		wantTTL   time.Duration
		warning   string
		err       string
	}
	tests := []struct {
		name    string
		create  map[string]any
		wantTTL time.Duration
		renewal []step
	}{
		{name: "explicit max stricter than the system's", create: map[string]any{"ttl": "1h", "explicit_max_ttl": "90m"}, wantTTL: time.Hour,
			renewal: []step{
				{advance: 50 * time.Minute, wantTTL: 40 * time.Minute, warning: capped("40m")},
				// renewSelf's own answer past the max; the server refuses the expired token before.
				{advance: 40 * time.Minute, err: "past the max TTL, cannot renew"},
			}},
		{name: "explicit max caps the default TTL", create: map[string]any{"explicit_max_ttl": "20m"}, wantTTL: 20 * time.Minute},
		{name: "system max stricter than the explicit max", create: map[string]any{"ttl": "5h", "explicit_max_ttl": "4h"}, wantTTL: 3 * time.Hour},
		{name: "periodic within its explicit max", create: map[string]any{"period": "1h", "explicit_max_ttl": "5h"}, wantTTL: time.Hour,
			renewal: []step{
				{advance: 50 * time.Minute, increment: 60, wantTTL: time.Hour},
				{advance: 50 * time.Minute, wantTTL: time.Hour},
				{advance: 50 * time.Minute, wantTTL: time.Hour},
				{advance: 50 * time.Minute, wantTTL: time.Hour},
				{advance: 50 * time.Minute, wantTTL: 50 * time.Minute, warning: capped("50m")},
				{advance: 50 * time.Minute, err: "past the max TTL, cannot renew"},
			}},
		{name: "periodic without explicit max outlives the system max", create: map[string]any{"period": "1h"}, wantTTL: time.Hour,
			renewal: []step{
				{advance: 50 * time.Minute, wantTTL: time.Hour},
				{advance: 50 * time.Minute, wantTTL: time.Hour},
				{advance: 50 * time.Minute, wantTTL: time.Hour},
				{advance: 50 * time.Minute, increment: 7200, wantTTL: time.Hour},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			s := &tokenStore{clock: clk, maxTTL: 3 * time.Hour, defTTL: time.Hour, byID: map[string]*token{}}
			resp, err := s.create(&token{root: true}, &logical.Request{Operation: logical.UpdateOperation, Data: tc.create})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Auth.TTL != tc.wantTTL || len(resp.Warnings) != 0 {
				t.Fatalf("created with TTL %s, warnings %q; want %s and none", resp.Auth.TTL, resp.Warnings, tc.wantTTL)
			}
			tok := s.byID[resp.Auth.ClientToken]
			for i, st := range tc.renewal {
				clk.Advance(st.advance)
				resp, err := s.renewSelf(tok, &logical.Request{Operation: logical.UpdateOperation, Data: map[string]any{"increment": st.increment}})
				if st.err != "" {
					if err != logical.ErrInvalidRequest || resp.Error().Error() != st.err {
						t.Fatalf("renewal %d: %v, %v; want %q", i, resp.Error(), err, st.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("renewal %d: %v", i, err)
				}
				if resp.Auth.TTL != st.wantTTL {
					t.Errorf("renewal %d: TTL %s, want %s", i, resp.Auth.TTL, st.wantTTL)
				}
				var want []string
				if st.warning != "" {
					want = []string{st.warning}
				}
				if !slices.Equal(resp.Warnings, want) {
					t.Errorf("renewal %d: warnings %q, want %q", i, resp.Warnings, want)
				}
			}
		})
	}
}
