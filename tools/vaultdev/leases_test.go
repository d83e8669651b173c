package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

// These tests drive the lease table with secrets made by the engine's own secret type, so that
// renewals and revocations run the engine's real Renew and Revoke code without AWS: an STS
// secret's revoke does nothing at AWS, an IAM user secret's renew only reads config/lease, and
// its revoke fails against an endpoint that refuses connections.

// engineSecret builds a response as the engine's credential paths do ("access_keys" secrets).
func engineSecret(t *testing.T, tv *testVault, internal map[string]any, ttl time.Duration, renewable bool) *logical.Response {
	t.Helper()
	fb, ok := tv.srv.eng.backend.(interface {
		Secret(string) *framework.Secret
	})
	if !ok {
		t.Fatal("the engine is not a framework backend")
	}
	resp := fb.Secret("access_keys").Response(map[string]any{"access_key": "AKIAEXAMPLE", "secret_key": "x"}, internal)
	resp.Secret.TTL = ttl
	resp.Secret.Renewable = renewable
	return resp
}

func issue(t *testing.T, tv *testVault, path string, resp *logical.Response) string {
	t.Helper()
	if err := tv.srv.leases.register(context.Background(), path, resp); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Secret.LeaseID, path+"/") || len(resp.Secret.LeaseID) != len(path)+1+leaseIDLength {
		t.Fatalf("lease id %q", resp.Secret.LeaseID)
	}
	return resp.Secret.LeaseID
}

// closedEndpoint is an http URL nobody listens on.
func closedEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func configureUnreachable(t *testing.T, tv *testVault) {
	t.Helper()
	ep := closedEndpoint(t)
	if _, err := tv.client.Logical().Write("aws/config/root", map[string]any{
		"access_key": "AKIAEXAMPLE", "secret_key": "secret", "region": "us-east-1",
		"iam_endpoint": ep, "sts_endpoint": ep, "max_retries": 0,
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSTSLeaseExpiresAndIsNotRenewable(t *testing.T) {
	tv := startVault(t)
	id := issue(t, tv, "aws/sts/dev", engineSecret(t, tv, map[string]any{"is_sts": true}, 15*time.Minute, false))

	lookup, err := tv.client.Sys().Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	if lookup.Data["renewable"] != false || fmt.Sprint(lookup.Data["ttl"]) != "900" || lookup.Data["id"] != id {
		t.Errorf("lookup = %v", lookup.Data)
	}
	if _, err := tv.client.Sys().Renew(id, 60); err == nil || !strings.Contains(err.Error(), "lease is not renewable") {
		t.Errorf("renew of an STS lease: %v", err)
	}

	tv.clock.Advance(15*time.Minute - time.Second)
	if _, err := tv.client.Sys().Lookup(id); err != nil {
		t.Fatalf("lease gone before its end: %v", err)
	}
	tv.clock.Advance(time.Second)
	if err := tv.waitExpiry(t, id); err != nil {
		t.Fatalf("revocation at expiry: %v", err)
	}
	if _, err := tv.client.Sys().Lookup(id); err == nil || !strings.Contains(err.Error(), "invalid lease") {
		t.Errorf("lookup after expiry: %v", err)
	}
}

func TestRenewal(t *testing.T) {
	tv := startVault(t, func(c *Config) { c.DefaultLeaseTTL, c.MaxLeaseTTL = time.Hour, 3*time.Hour })
	configureUnreachable(t, tv) // revocation at expiry fails fast, so the lease stays to be looked at
	iamUser := map[string]any{"is_sts": false, "username": "vault-root-dev-1"}
	id := issue(t, tv, "aws/creds/dev", engineSecret(t, tv, iamUser, 0, true))

	tests := []struct {
		name      string
		advance   time.Duration
		increment int
		wantTTL   int
		warn      bool
		err       string
	}{
		{name: "increment", advance: 10 * time.Minute, increment: 7200, wantTTL: 7200},
		{name: "no increment takes the mount default", advance: 10 * time.Minute, wantTTL: 3600},
		{name: "capped by the max TTL since issue", advance: 50 * time.Minute, increment: 7200, wantTTL: 6600, warn: true},
		{name: "after expiry", advance: 111 * time.Minute, increment: 60, err: "lease expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tv.clock.Advance(tc.advance)
			s, err := tv.client.Sys().Renew(id, tc.increment)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("renew: %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.LeaseID != id || !s.Renewable || s.LeaseDuration != tc.wantTTL || (len(s.Warnings) > 0) != tc.warn {
				t.Errorf("renew = lease %q renewable %v duration %d warnings %q", s.LeaseID, s.Renewable, s.LeaseDuration, s.Warnings)
			}
			l, err := tv.client.Sys().Lookup(id)
			if err != nil {
				t.Fatal(err)
			}
			if l.Data["last_renewal"] == nil || fmt.Sprint(l.Data["ttl"]) != strconv.Itoa(tc.wantTTL) {
				t.Errorf("lookup after renew = %v", l.Data)
			}
		})
	}
}

// Revocation at expiry that keeps failing is retried with backoff (10s, 20s, 40s, 80s, 160s),
// then the lease is irrevocable and retried daily; an API revoke still reports the failure.
func TestFailedRevocationIsRetried(t *testing.T) {
	tv := startVault(t)
	configureUnreachable(t, tv)
	id := issue(t, tv, "aws/creds/dev", engineSecret(t, tv, map[string]any{"is_sts": false, "username": "vault-root-dev-1"}, time.Hour, true))

	tv.clock.Advance(time.Hour)
	if err := tv.waitExpiry(t, id); err == nil {
		t.Fatal("revocation against a closed endpoint succeeded")
	}
	for i, wait := range []time.Duration{10, 20, 40, 80, 160} {
		tv.clock.Advance(wait*time.Second - time.Millisecond)
		select {
		case e := <-tv.expired:
			t.Fatalf("retry %d came early: %v", i+1, e)
		default:
		}
		tv.clock.Advance(time.Millisecond)
		if err := tv.waitExpiry(t, id); err == nil {
			t.Fatalf("retry %d succeeded", i+1)
		}
	}
	l, err := tv.client.Sys().Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	if l.Data["renewable"] != false {
		t.Errorf("irrevocable lease lookup = %v", l.Data)
	}
	if _, err := tv.client.Sys().Renew(id, 60); err == nil || !strings.Contains(err.Error(), "failed previous revocation attempts") {
		t.Errorf("renew of an irrevocable lease: %v", err)
	}
	if err := tv.client.Sys().Revoke(id); err == nil || !strings.Contains(err.Error(), "failed to revoke entry") {
		t.Errorf("revoke through the API: %v", err)
	}
	tv.clock.Advance(irrevocableRetry - time.Second)
	select {
	case e := <-tv.expired:
		t.Fatalf("daily retry came early: %v", e)
	default:
	}
	tv.clock.Advance(time.Second)
	if err := tv.waitExpiry(t, id); err == nil {
		t.Fatal("daily retry succeeded")
	}
	// revoke-force forgets it anyway, as Vault's does.
	if err := tv.client.Sys().RevokeForce("aws/creds/dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := tv.client.Sys().Lookup(id); err == nil {
		t.Error("lease still there after revoke-force")
	}
}

func TestLazyRevokeAndPrefix(t *testing.T) {
	tv := startVault(t)
	sts := map[string]any{"is_sts": true}
	a := issue(t, tv, "aws/sts/a", engineSecret(t, tv, sts, time.Hour, false))
	b1 := issue(t, tv, "aws/sts/b", engineSecret(t, tv, sts, time.Hour, false))
	b2 := issue(t, tv, "aws/sts/b", engineSecret(t, tv, sts, time.Hour, false))
	c := issue(t, tv, "aws/sts/bc", engineSecret(t, tv, sts, time.Hour, false))

	list, err := tv.client.Logical().List("sys/leases/lookup/aws/sts/")
	if err != nil {
		t.Fatal(err)
	}
	if got := list.Data["keys"]; len(got.([]any)) != 3 {
		t.Errorf("leases under aws/sts/ = %v, want a/, b/, bc/", got)
	}

	// sync=false answers 202 and the expiry loop revokes at once (no clock movement).
	status, _ := tv.raw(t, "PUT", "/v1/sys/leases/revoke", testToken, `{"lease_id":"`+a+`","sync":false}`)
	if status != 202 {
		t.Fatalf("lazy revoke status %d", status)
	}
	if err := tv.waitExpiry(t, a); err != nil {
		t.Fatal(err)
	}

	// "aws/sts/b" is a prefix of aws/sts/b/... but not of aws/sts/bc/...
	if err := tv.client.Sys().RevokePrefix("aws/sts/b"); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{a: false, b1: false, b2: false, c: true} {
		if _, ok := tv.srv.leases.lookup(id); ok != want {
			t.Errorf("lease %s present = %v, want %v", id, ok, want)
		}
	}
	// A whole lease ID works as a prefix too.
	if err := tv.client.Sys().RevokePrefix(c); err != nil {
		t.Fatal(err)
	}
	if _, ok := tv.srv.leases.lookup(c); ok {
		t.Error("revoke-prefix with a lease ID left it")
	}
}

// revoke-force forgets leases whose revocation fails, by prefix or by exact lease ID; a plain
// revoke-prefix reports the failure and keeps them.
func TestRevokeForce(t *testing.T) {
	for _, byID := range []bool{false, true} {
		t.Run(fmt.Sprintf("by lease id %v", byID), func(t *testing.T) {
			tv := startVault(t)
			configureUnreachable(t, tv)
			id := issue(t, tv, "aws/creds/dev", engineSecret(t, tv, map[string]any{"is_sts": false, "username": "u"}, time.Hour, true))
			target := "aws/creds/dev"
			if byID {
				target = id
			}
			if err := tv.client.Sys().RevokePrefix(target); err == nil || !strings.Contains(err.Error(), "failed to revoke") {
				t.Fatalf("revoke-prefix against a closed endpoint: %v", err)
			}
			if _, ok := tv.srv.leases.lookup(id); !ok {
				t.Fatal("a failed revoke-prefix dropped the lease")
			}
			if err := tv.client.Sys().RevokeForce(target); err != nil {
				t.Fatal(err)
			}
			if _, ok := tv.srv.leases.lookup(id); ok {
				t.Error("revoke-force left the lease")
			}
		})
	}
}
