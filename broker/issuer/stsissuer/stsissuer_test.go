package stsissuer

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/internal/awstest"
)

const readPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`

// sandbox starts the sandbox on clk with a role the admin may assume (and set a source
// identity on) that can read bucket "data".
func sandbox(t *testing.T, clk *clock.Fake) *awstest.Server {
	t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + awstest.DefaultAccount + `:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	return awstest.StartWith(t, awstest.Options{Clock: clk, Seed: &awstest.Seed{
		Roles: []awstest.SeedRole{{Name: "Reader", Trust: json.RawMessage(trust), MaxSessionDuration: 7200,
			Policies: map[string]json.RawMessage{"read": json.RawMessage(readPolicy)}}},
		Buckets: []awstest.SeedBucket{{Name: "data", Objects: map[string]string{"k": "v"}}},
	}})
}

func roleARN() string { return "arn:aws:iam::" + awstest.DefaultAccount + ":role/Reader" }

// getObject reads data/k with creds and returns the AWS error code ("" when allowed).
func getObject(t *testing.T, srv *awstest.Server, c issuer.Credentials) string {
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

func TestIssueEndsAtTheGrantsEnd(t *testing.T) {
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	srv := sandbox(t, clk)
	is := New(srv.AdminConfig(context.Background()), clk)
	end := clk.Now().Add(5 * time.Minute)
	got, err := is.Issue(context.Background(), issuer.Grant{ID: "r-grant1", RoleARN: roleARN(), SessionPolicy: readPolicy, EndsAt: end})
	if err != nil {
		t.Fatal(err)
	}
	// A 5-minute grant still gets AWS's minimum 15-minute session...
	if want := clk.Now().Add(minSession); !got.Expires.Equal(want) {
		t.Errorf("session expires %s, want %s", got.Expires, want)
	}
	// ...but the SDK is told to come back at the grant's end.
	if !got.Credentials.Expiration.Equal(end) {
		t.Errorf("credential expiration %s, want the grant's end %s", got.Credentials.Expiration, end)
	}
	if code := getObject(t, srv, got.Credentials); code != "" {
		t.Fatalf("during the grant: %s, want allowed", code)
	}
	clk.Advance(5*time.Minute - time.Second)
	if code := getObject(t, srv, got.Credentials); code != "" {
		t.Fatalf("a second before the end: %s, want allowed", code)
	}
	clk.Advance(time.Second)
	if code := getObject(t, srv, got.Credentials); code != "AccessDenied" {
		t.Fatalf("at the grant's end, with the session still valid: %q, want AccessDenied", code)
	}
	if _, err := is.Issue(context.Background(), issuer.Grant{ID: "r-grant1", RoleARN: roleARN(), EndsAt: end}); err == nil {
		t.Fatal("issued after the end")
	}
}

func TestDurationClampedToRoleMax(t *testing.T) {
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	srv := sandbox(t, clk)
	is := New(srv.AdminConfig(context.Background()), clk)
	got, err := is.Issue(context.Background(), issuer.Grant{ID: "r-long", RoleARN: roleARN(), EndsAt: clk.Now().Add(10 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.Now().Add(2 * time.Hour); !got.Expires.Equal(want) || !got.Credentials.Expiration.Equal(want) {
		t.Errorf("expires %s / %s, want the role's 2h max %s", got.Expires, got.Credentials.Expiration, want)
	}
}

func TestFenceCutsOffOnlyTheRevokedGrant(t *testing.T) {
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	srv := sandbox(t, clk)
	ctx := context.Background()
	is := New(srv.AdminConfig(ctx), clk)
	end := clk.Now().Add(time.Hour)
	revoked, err := is.Issue(ctx, issuer.Grant{ID: "r-revoked", RoleARN: roleARN(), SessionPolicy: readPolicy, EndsAt: end})
	if err != nil {
		t.Fatal(err)
	}
	other, err := is.Issue(ctx, issuer.Grant{ID: "r-other", RoleARN: roleARN(), SessionPolicy: readPolicy, EndsAt: end})
	if err != nil {
		t.Fatal(err)
	}
	if err := is.SetFences(ctx, roleARN(), []issuer.Fence{{GrantID: "r-revoked", IssuedBefore: end}}); err != nil {
		t.Fatal(err)
	}
	if code := getObject(t, srv, revoked.Credentials); code != "AccessDenied" {
		t.Errorf("fenced grant: %q, want AccessDenied", code)
	}
	if code := getObject(t, srv, other.Credentials); code != "" {
		t.Errorf("other grant on the same role: %q, want allowed", code)
	}
	// Lifting the fence (empty set) deletes the policy; deleting again is fine.
	for range 2 {
		if err := is.SetFences(ctx, roleARN(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if code := getObject(t, srv, revoked.Credentials); code != "" {
		t.Errorf("after lifting the fence: %q, want allowed", code)
	}
}

func TestFencePolicy(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 500e6, time.UTC)
	doc, err := FencePolicy([]issuer.Fence{{GrantID: "r-b", IssuedBefore: at}, {GrantID: "r-a", IssuedBefore: at.Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Statement":[{"Action":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2030-01-01T00:00:01Z"},"StringLike":{"aws:userid":["*:r-a","*:r-b"]}},"Effect":"Deny","Resource":"*","Sid":"CiemRevokedGrants"}],"Version":"2012-10-17"}`
	if doc != want {
		t.Errorf("got  %s\nwant %s", doc, want)
	}
	var many []issuer.Fence
	for i := range 400 {
		many = append(many, issuer.Fence{GrantID: "r-" + strings.Repeat("x", 24) + string(rune('a'+i%26)), IssuedBefore: at})
	}
	if _, err := FencePolicy(many); err == nil || !strings.Contains(err.Error(), "too many revoked grants") {
		t.Errorf("400 fences: %v", err)
	}
}
