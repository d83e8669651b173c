// Package brokertest builds a complete broker for tests out of real parts: a store
// (SQLite or a throwaway PostgreSQL), the AWS sandbox seeded with a readable bucket and
// a role to grant, the direct STS issuer, and the workflow service, all on one fake
// clock. Identities alice (requester, group dev), bob and carol (approvers, group
// leads), dave (nobody) and root (administrator) come with it.
package brokertest

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/issuer/stsissuer"
	"github.com/ciem/ciem/broker/store/pgtest"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/broker/workflow"
	"github.com/ciem/ciem/internal/awstest"
)

// Identities.
var (
	Alice = domain.Identity{Subject: "alice", Groups: []string{"dev"}, Via: "test"}
	Bob   = domain.Identity{Subject: "bob", Groups: []string{"leads"}, Via: "test"}
	Carol = domain.Identity{Subject: "carol", Groups: []string{"leads", "dev"}, Via: "test"}
	Dave  = domain.Identity{Subject: "dave", Groups: []string{"sales"}, Via: "test"}
	Root  = domain.Identity{Subject: "root", Admin: true, Via: "test"}
)

// ReadPolicy reads bucket "data".
const ReadPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`

// RoleARN is the sandbox role profiles grant.
const RoleARN = "arn:aws:iam::" + awstest.DefaultAccount + ":role/Reader"

// Broker access key in the sandbox.
const (
	BrokerKeyID  = "AKIABROKER0000000001"
	BrokerSecret = "brokersecret"
)

// BrokerPolicy is what the broker's AWS identity needs.
const BrokerPolicy = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity","iam:GetRole"],"Resource":"*"},
	{"Effect":"Allow","Action":["iam:PutRolePolicy","iam:DeleteRolePolicy"],"Resource":"arn:aws:iam::` + awstest.DefaultAccount + `:role/*"}]}`

// Seed is the sandbox's starting state: role Reader (trusting the account, readable
// bucket "data"), user broker with BrokerPolicy and a fixed key.
func Seed() *awstest.Seed {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + awstest.DefaultAccount +
		`:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	return &awstest.Seed{
		Roles: []awstest.SeedRole{{Name: "Reader", Trust: json.RawMessage(trust), MaxSessionDuration: 43200,
			Policies: map[string]json.RawMessage{"read": json.RawMessage(ReadPolicy)}}},
		Users: []awstest.SeedUser{{Name: "broker", Policies: map[string]json.RawMessage{"broker": json.RawMessage(BrokerPolicy)},
			AccessKeys: []awstest.SeedAccessKey{{ID: BrokerKeyID, Secret: BrokerSecret}}}},
		Buckets: []awstest.SeedBucket{{Name: "data", Objects: map[string]string{"k": "v"}}},
	}
}

// Broker is a service on real parts.
type Broker struct {
	T     testing.TB
	Ctx   context.Context
	Clock *clock.Fake
	AWS   *awstest.Server
	Store *sqlstore.Store
	DSN   string
	STS   *stsissuer.Issuer
	Svc   *workflow.Service
}

// Backends are the stores every broker test runs on.
var Backends = []string{"sqlite", "postgres"}

// Each runs f with a new broker on each backend.
func Each(t *testing.T, f func(t *testing.T, b *Broker)) {
	for _, backend := range Backends {
		t.Run(backend, func(t *testing.T) { f(t, New(t, backend)) })
	}
}

// OpenStore opens a fresh store on backend and returns it with its DSN.
func OpenStore(t testing.TB, backend string) (*sqlstore.Store, string) {
	t.Helper()
	var dsn string
	if backend == "sqlite" {
		dsn = "sqlite:" + filepath.Join(t.TempDir(), "broker.db")
	} else {
		dsn = pgtest.DSN(t)
	}
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return st, dsn
}

// New builds a broker on backend ("sqlite" or "postgres") with profile "readonly"
// (requesters: group dev; one approval from group leads; max 4h, default 1h). The
// audit chain is verified when the test ends.
func New(t testing.TB, backend string) *Broker {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	srv := awstest.StartWith(t, awstest.Options{Clock: clk, Seed: Seed()})
	st, dsn := OpenStore(t, backend)
	b := &Broker{T: t, Ctx: ctx, Clock: clk, AWS: srv, Store: st, DSN: dsn}
	b.STS = stsissuer.New(b.BrokerAWSConfig(), clk)
	b.Svc = workflow.New(st, clk, map[string]issuer.Issuer{domain.IssuerSTS: b.STS}, b.STS, nil, workflow.Config{})
	t.Cleanup(func() {
		VerifyAudit(t, st)
		st.Close()
	})
	b.PutProfile(Profile("readonly"))
	return b
}

// BrokerAWSConfig is the AWS configuration of the broker's identity in the sandbox.
func (b *Broker) BrokerAWSConfig() aws.Config {
	return b.AWS.ConfigFor(awstest.Credentials{AccessKeyID: BrokerKeyID, SecretAccessKey: BrokerSecret})
}

// VerifyAudit fails the test unless the store's audit chain verifies.
func VerifyAudit(t testing.TB, st *sqlstore.Store) {
	t.Helper()
	rep, err := audit.Verify(st.AuditEvents(context.Background(), 0))
	if err != nil || !rep.OK() {
		t.Errorf("audit chain: %+v %v", rep, err)
	}
}

// Profile is a profile group dev may request, approved by one of group leads.
func Profile(name string) domain.Profile {
	return domain.Profile{
		Name: name, Description: "read the data bucket",
		Target:        domain.Target{Issuer: domain.IssuerSTS, RoleARN: RoleARN},
		SessionPolicy: ReadPolicy, MaxDuration: 4 * time.Hour, DefaultDuration: time.Hour,
		Requesters: domain.Principals{Groups: []string{"dev"}},
		Approval:   domain.ApprovalRule{Approvers: domain.Principals{Groups: []string{"leads"}}, Required: 1},
	}
}

// PutProfile stores p as root.
func (b *Broker) PutProfile(p domain.Profile) {
	b.T.Helper()
	if _, err := b.Svc.PutProfile(b.Ctx, Root, p); err != nil {
		b.T.Fatal(err)
	}
}

// Active returns a new active grant of alice's on profile for d.
func (b *Broker) Active(profile string, d time.Duration) domain.Request {
	b.T.Helper()
	r, err := b.Svc.Create(b.Ctx, Alice, domain.CreateInput{Profile: profile, Duration: d, Reason: "test"})
	if err != nil {
		b.T.Fatal(err)
	}
	if r, err = b.Svc.Approve(b.Ctx, Bob, r.ID, "ok"); err != nil {
		b.T.Fatal(err)
	}
	if r.State != domain.StateActive {
		b.T.Fatalf("after approval: %s", r.State)
	}
	return r
}

// Get reads a request as root.
func (b *Broker) Get(id string) domain.Request {
	b.T.Helper()
	d, err := b.Svc.Get(b.Ctx, Root, id)
	if err != nil {
		b.T.Fatal(err)
	}
	return d.Request
}

// S3Code reads data/k with creds: "" when allowed, else the AWS error code.
func (b *Broker) S3Code(c issuer.Credentials) string {
	b.T.Helper()
	return S3Code(b.T, b.AWS, c)
}

// S3Code reads data/k from srv with creds: "" when allowed, else the AWS error code.
func S3Code(t testing.TB, srv *awstest.Server, c issuer.Credentials) string {
	t.Helper()
	cfg := srv.ConfigFor(awstest.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken})
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	t.Fatalf("GetObject: %v", err)
	return ""
}

// Actions lists the audit actions about subject, in order.
func (b *Broker) Actions(subject string) []string {
	b.T.Helper()
	var out []string
	for e, err := range b.Store.AuditEvents(b.Ctx, 0) {
		if err != nil {
			b.T.Fatal(err)
		}
		if e.Subject == subject {
			out = append(out, e.Action)
		}
	}
	return out
}

// RoleInlinePolicy returns an inline policy of a sandbox role (URL-decoded), or ""
// when there is none.
func RoleInlinePolicy(t testing.TB, srv *awstest.Server, role, name string) string {
	t.Helper()
	out, err := awsiam.NewFromConfig(srv.AdminConfig(context.Background())).GetRolePolicy(context.Background(),
		&awsiam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil {
		var nse *iamtypes.NoSuchEntityException
		if errors.As(err, &nse) {
			return ""
		}
		t.Fatal(err)
	}
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
