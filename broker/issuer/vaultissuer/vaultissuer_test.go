package vaultissuer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/internal/awstest"
)

type env struct {
	t       *testing.T
	clk     *clock.Fake
	sandbox *awstest.Server
	is      *Issuer
	addr    string
	token   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	// Vault's engine signs AWS calls with the wall clock: the sandbox starts there and
	// checks no skew, so the test can move it on.
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	sb := awstest.StartWith(t, awstest.Options{Clock: clk, Seed: seed()})
	addr, token := startVault(t, sb)
	is, err := New(addr, token, clk)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, clk: clk, sandbox: sb, is: is, addr: addr, token: token}
}

func (e *env) grant(id, credType, template string, d time.Duration) issuer.Grant {
	return issuer.Grant{ID: id, RoleARN: brokertest.RoleARN, SessionPolicy: brokertest.ReadPolicy, EndsAt: e.clk.Now().Add(d),
		VaultRole: template, VaultMount: "aws", CredentialType: credType}
}

func (e *env) vaultRoleExists(name string) bool {
	s, err := vaultClient(e.t, e.addr, e.token).Logical().Read("aws/roles/" + name)
	if err != nil {
		e.t.Fatal(err)
	}
	return s != nil
}

func TestAssumedRoleThroughVault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.grant("r-vaultsts00000000000000000", domain.CredentialAssumedRole, "reader-sts", 5*time.Minute)
	got, err := e.is.Issue(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if got.LeaseID == "" || !strings.HasPrefix(got.LeaseID, "aws/sts/"+RoleName(g.ID)+"/") {
		t.Fatalf("lease %q", got.LeaseID)
	}
	if !got.Credentials.Expiration.Equal(g.EndsAt) || got.Expires.Sub(e.clk.Now()) < 14*time.Minute {
		t.Fatalf("expiration %s (grant end %s), session until %s", got.Credentials.Expiration, g.EndsAt, got.Expires)
	}
	if code := brokertest.S3Code(t, e.sandbox, got.Credentials); code != "" {
		t.Fatalf("during the grant: %s", code)
	}
	// The session is named after the grant, so the broker's fence can find it.
	if arn := callerARN(t, e, got.Credentials); !strings.HasSuffix(arn, "/"+g.ID) {
		t.Fatalf("caller %s", arn)
	}
	e.clk.Advance(5 * time.Minute)
	if code := brokertest.S3Code(t, e.sandbox, got.Credentials); code != "AccessDenied" {
		t.Fatalf("after the grant's end (session still valid): %q", code)
	}
	if err := e.is.Revoke(ctx, g, []string{got.LeaseID}); err != nil {
		t.Fatal(err)
	}
	if e.vaultRoleExists(RoleName(g.ID)) {
		t.Fatal("the grant's vault role is still there")
	}
	// Revoking again (a retried teardown) is fine.
	if err := e.is.Revoke(ctx, g, []string{got.LeaseID}); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestIAMUserThroughVault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.grant("r-vaultuser0000000000000000", domain.CredentialIAMUser, "reader-user", time.Hour)
	got, err := e.is.Issue(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	if got.Credentials.SessionToken != "" || !strings.HasPrefix(got.LeaseID, "aws/creds/") {
		t.Fatalf("iam_user credentials %+v", got)
	}
	if code := brokertest.S3Code(t, e.sandbox, got.Credentials); code != "" {
		t.Fatalf("during the grant: %s", code)
	}
	users := func() []string {
		out, err := awsiam.NewFromConfig(e.sandbox.AdminConfig(ctx)).ListUsers(ctx, &awsiam.ListUsersInput{PathPrefix: aws.String("/ciem/")})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range out.Users {
			names = append(names, *u.UserName)
		}
		return names
	}
	if len(users()) != 1 {
		t.Fatalf("users %v", users())
	}
	// Even if the broker never revoked it, the user's policy ends at the grant's end.
	e.clk.Advance(time.Hour)
	if code := brokertest.S3Code(t, e.sandbox, got.Credentials); code != "AccessDenied" {
		t.Fatalf("after the grant's end: %q", code)
	}
	if err := e.is.Revoke(ctx, g, []string{got.LeaseID}); err != nil {
		t.Fatal(err)
	}
	if u := users(); len(u) != 0 {
		t.Fatalf("users left after revoking the lease: %v", u)
	}
	if code := brokertest.S3Code(t, e.sandbox, got.Credentials); code != "InvalidAccessKeyId" && code != "InvalidClientTokenId" {
		t.Fatalf("keys of the deleted user: %q", code)
	}
}

func TestVaultRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		g    issuer.Grant
		want string
	}{
		{"missing template", e.grant("r-x1", domain.CredentialAssumedRole, "nope", time.Hour), "does not exist"},
		{"role outside the template's role_arns", func() issuer.Grant {
			g := e.grant("r-x2", domain.CredentialAssumedRole, "reader-sts", time.Hour)
			g.RoleARN = "arn:aws:iam::111122223333:role/Other"
			return g
		}(), "may not assume"},
		{"ended", e.grant("r-x3", domain.CredentialAssumedRole, "reader-sts", -time.Second), "ended at"},
	} {
		if _, err := e.is.Issue(ctx, tc.g); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if err := e.is.Revoke(ctx, e.grant("r-x4", domain.CredentialIAMUser, "reader-user", time.Hour), []string{"aws/creds/nope/abc"}); err != nil {
		t.Errorf("revoking an unknown lease: %v", err)
	}
}
