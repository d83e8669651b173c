package vaultissuer

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/issuer/stsissuer"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/broker/workflow"
	"github.com/ciem/ciem/internal/awstest"
)

// The broker with the Vault issuer, end to end on the sandbox: credentials through
// Vault work during the grant; an early revocation cuts an assumed_role session off at
// once (the fence) and deletes an iam_user (the lease); expiry takes leases back too.
func TestBrokerWithVault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	defer brokertest.VerifyAudit(t, st)
	sts := stsissuer.New(e.sandbox.ConfigFor(awstest.Credentials{AccessKeyID: brokertest.BrokerKeyID, SecretAccessKey: brokertest.BrokerSecret}), e.clk)
	svc := workflow.New(st, e.clk, map[string]issuer.Issuer{domain.IssuerSTS: sts, domain.IssuerVault: e.is}, sts, nil, workflow.Config{})
	for _, p := range []struct{ name, role, kind string }{
		{"vault-sts", "reader-sts", domain.CredentialAssumedRole},
		{"vault-user", "reader-user", domain.CredentialIAMUser},
	} {
		prof := brokertest.Profile(p.name)
		prof.Target = domain.Target{Issuer: domain.IssuerVault, RoleARN: brokertest.RoleARN, VaultRole: p.role, CredentialType: p.kind}
		if _, err := svc.PutProfile(ctx, brokertest.Root, prof); err != nil {
			t.Fatal(err)
		}
	}
	active := func(profile string, d time.Duration) domain.Request {
		r, err := svc.Create(ctx, brokertest.Alice, domain.CreateInput{Profile: profile, Duration: d})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = svc.Approve(ctx, brokertest.Bob, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		return r
	}
	s3 := func(c issuer.Credentials) string { return brokertest.S3Code(t, e.sandbox, c) }

	// assumed_role, revoked early: fenced at once.
	g := active("vault-sts", time.Hour)
	c, err := svc.Credentials(ctx, brokertest.Alice, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if code := s3(c); code != "" {
		t.Fatalf("vault sts credentials: %s", code)
	}
	r, err := svc.Revoke(ctx, brokertest.Bob, g.ID, "")
	if err != nil || r.Teardown != domain.TeardownDone {
		t.Fatalf("revoke: %v %+v", err, r)
	}
	if code := s3(c); code != "AccessDenied" {
		t.Fatalf("revoked vault sts session: %q", code)
	}
	if e.vaultRoleExists(RoleName(g.ID)) {
		t.Fatal("the revoked grant's vault role is still there")
	}

	// iam_user, revoked early: the user is deleted.
	g = active("vault-user", time.Hour)
	if c, err = svc.Credentials(ctx, brokertest.Alice, g.ID); err != nil {
		t.Fatal(err)
	}
	if code := s3(c); code != "" {
		t.Fatalf("vault iam_user credentials: %s", code)
	}
	if _, err := svc.Revoke(ctx, brokertest.Bob, g.ID, ""); err != nil {
		t.Fatal(err)
	}
	if code := s3(c); code != "InvalidAccessKeyId" {
		t.Fatalf("revoked iam_user's key: %q", code)
	}

	// iam_user, expired: the teardown revokes the lease.
	g = active("vault-user", 10*time.Minute)
	if c, err = svc.Credentials(ctx, brokertest.Alice, g.ID); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(10 * time.Minute)
	if _, err := svc.ExpireDue(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.TeardownDue(ctx, 10); err != nil || n != 1 {
		t.Fatalf("teardown: %d %v", n, err)
	}
	if code := s3(c); code != "InvalidAccessKeyId" {
		t.Fatalf("expired iam_user's key: %q", code)
	}
	var actions []string
	for ev, err := range st.AuditEvents(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Subject == g.ID {
			actions = append(actions, ev.Action)
		}
	}
	if !slices.Contains(actions, "grant.teardown_done") {
		t.Fatalf("events %v", actions)
	}
}
