package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/issuer/stsissuer"
	"github.com/ciem/ciem/broker/store/pgtest"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/internal/awstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

var (
	alice = domain.Identity{Subject: "alice", Groups: []string{"dev"}, Via: "test"}
	bob   = domain.Identity{Subject: "bob", Groups: []string{"leads"}, Via: "test"}
	carol = domain.Identity{Subject: "carol", Groups: []string{"leads", "dev"}, Via: "test"}
	dave  = domain.Identity{Subject: "dave", Groups: []string{"sales"}, Via: "test"}
	root  = domain.Identity{Subject: "root", Admin: true, Via: "test"}
)

const readPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`

// brokerPolicy is what the broker's AWS identity needs; without the fence statement
// its revocations fail at AWS.
const brokerAssume = `{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity","iam:GetRole"],"Resource":"*"}`
const brokerFence = `{"Effect":"Allow","Action":["iam:PutRolePolicy","iam:DeleteRolePolicy"],"Resource":"arn:aws:iam::111122223333:role/*"}`

// harness is a broker service on a real store and the sandbox, on one fake clock.
type harness struct {
	t   *testing.T
	ctx context.Context
	clk *clock.Fake
	srv *awstest.Server
	st  *sqlstore.Store
	svc *Service
}

type harnessOpts struct {
	noFencePermission bool
}

// each runs f on SQLite and on PostgreSQL.
func each(t *testing.T, f func(t *testing.T, h *harness)) {
	eachWith(t, harnessOpts{}, f)
}

func eachWith(t *testing.T, o harnessOpts, f func(t *testing.T, h *harness)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { f(t, newHarness(t, backend, o)) })
	}
}

func newHarness(t *testing.T, backend string, o harnessOpts) *harness {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	brokerPolicy := `{"Version":"2012-10-17","Statement":[` + brokerAssume + `,` + brokerFence + `]}`
	if o.noFencePermission {
		brokerPolicy = `{"Version":"2012-10-17","Statement":[` + brokerAssume + `]}`
	}
	srv := awstest.StartWith(t, awstest.Options{Clock: clk, Seed: &awstest.Seed{
		Roles: []awstest.SeedRole{{Name: "Reader", Trust: json.RawMessage(trust), MaxSessionDuration: 43200,
			Policies: map[string]json.RawMessage{"read": json.RawMessage(readPolicy)}}},
		Users: []awstest.SeedUser{{Name: "broker", Policies: map[string]json.RawMessage{"broker": json.RawMessage(brokerPolicy)},
			AccessKeys: []awstest.SeedAccessKey{{ID: "AKIABROKER0000000001", Secret: "brokersecret"}}}},
		Buckets: []awstest.SeedBucket{{Name: "data", Objects: map[string]string{"k": "v"}}},
	}})
	var st *sqlstore.Store
	var err error
	if backend == "sqlite" {
		st, err = sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "broker.db"))
	} else {
		st, err = sqlstore.OpenPostgres(ctx, pgtest.DSN(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	sts := stsissuer.New(srv.ConfigFor(awstest.Credentials{AccessKeyID: "AKIABROKER0000000001", SecretAccessKey: "brokersecret"}), clk)
	svc := New(st, clk, map[string]issuer.Issuer{domain.IssuerSTS: sts}, sts, nil, Config{})
	svc.SetRandom(func() float64 { return 0.5 }) // no jitter: exact retry times
	h := &harness{t: t, ctx: ctx, clk: clk, srv: srv, st: st, svc: svc}
	t.Cleanup(func() {
		rep, err := audit.Verify(st.AuditEvents(ctx, 0))
		if err != nil || !rep.OK() {
			t.Errorf("audit chain after the test: %+v %v", rep, err)
		}
		st.Close()
	})
	h.putProfile(profile("readonly"))
	return h
}

// profile is a profile alice's group may request, approved by one lead.
func profile(name string) domain.Profile {
	return domain.Profile{
		Name: name, Description: "read the data bucket",
		Target:        domain.Target{Issuer: domain.IssuerSTS, RoleARN: "arn:aws:iam::111122223333:role/Reader"},
		SessionPolicy: readPolicy, MaxDuration: 4 * time.Hour, DefaultDuration: time.Hour,
		Requesters: domain.Principals{Groups: []string{"dev"}},
		Approval:   domain.ApprovalRule{Approvers: domain.Principals{Groups: []string{"leads"}}, Required: 1},
	}
}

func (h *harness) putProfile(p domain.Profile) {
	h.t.Helper()
	if _, err := h.svc.PutProfile(h.ctx, root, p); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) create(who domain.Identity, in domain.CreateInput) domain.Request {
	h.t.Helper()
	r, err := h.svc.Create(h.ctx, who, in)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// active returns an active grant of alice's on profile.
func (h *harness) active(profile string, d time.Duration) domain.Request {
	h.t.Helper()
	r := h.create(alice, domain.CreateInput{Profile: profile, Duration: d, Reason: "test"})
	r, err := h.svc.Approve(h.ctx, bob, r.ID, "ok")
	if err != nil {
		h.t.Fatal(err)
	}
	if r.State != domain.StateActive {
		h.t.Fatalf("after approval: %s", r.State)
	}
	return r
}

func (h *harness) get(id string) domain.Request {
	h.t.Helper()
	d, err := h.svc.Get(h.ctx, root, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d.Request
}

// actions lists the audit actions about subject, in order.
func (h *harness) actions(subject string) []string {
	h.t.Helper()
	var out []string
	for e, err := range h.st.AuditEvents(h.ctx, 0) {
		if err != nil {
			h.t.Fatal(err)
		}
		if e.Subject == subject {
			out = append(out, e.Action)
		}
	}
	return out
}

// s3Code reads data/k with creds: "" when allowed, else the AWS error code.
func (h *harness) s3Code(c issuer.Credentials) string {
	h.t.Helper()
	cfg := h.srv.ConfigFor(awstest.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken})
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := client.GetObject(h.ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	h.t.Fatalf("GetObject: %v", err)
	return ""
}

// code is the typed error code of err ("" for nil).
func code(err error) string {
	if err == nil {
		return ""
	}
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "untyped: " + err.Error()
}
