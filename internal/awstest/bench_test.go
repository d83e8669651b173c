package awstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Benchmarks of the sandbox's throughput for an authorised s3:GetObject and for
// iam:GetRole: "SDK" runs aws-sdk-go-v2 over loopback (client costs included);
// "Server" replays one signed request straight into ServeHTTP (signature check,
// authorisation, response, CloudTrail event). Run with -cpu 1 for one core; the
// req/s metric is what `make bench` reports.

// benchSetup makes a user allowed s3:GetObject and iam:GetRole, a 1 KiB object and
// a role.
func benchSetup(b *testing.B) (*Server, Credentials) {
	b.Helper()
	srv := StartWith(b, Options{MaxEvents: 10000})
	ctx := context.Background()
	a := newClients(srv.AdminConfig(ctx))
	steps := []func() error{
		func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")})
			return err
		},
		func() error {
			_, err := a.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("p"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:GetRole"],"Resource":["arn:aws:s3:::bench-bucket/*","arn:aws:iam::*:role/bench-*"]}]}`)})
			return err
		},
		func() error {
			_, err := a.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench-role"), AssumeRolePolicyDocument: aws.String(trustAccount(srv.Account()))})
			return err
		},
		func() error {
			_, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench-bucket")})
			return err
		},
		func() error {
			_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench-bucket"), Key: aws.String("object"), Body: strings.NewReader(strings.Repeat("x", 1024))})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	k, err := a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return srv, Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkSandboxSDKGetObject(b *testing.B) {
	srv, creds := benchSetup(b)
	c := s3.NewFromConfig(srv.ConfigFor(creds))
	ctx := context.Background()
	in := &s3.GetObjectInput{Bucket: aws.String("bench-bucket"), Key: aws.String("object")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := c.GetObject(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	reportRate(b)
}

func BenchmarkSandboxSDKGetRole(b *testing.B) {
	srv, creds := benchSetup(b)
	c := iam.NewFromConfig(srv.ConfigFor(creds))
	ctx := context.Background()
	in := &iam.GetRoleInput{RoleName: aws.String("bench-role")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetRole(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

// signedRequest builds one request signed the way the SDK signs it.
func signedRequest(b *testing.B, creds Credentials, method, url, service string, body []byte, header http.Header) *http.Request {
	b.Helper()
	r := httptest.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if service == serviceS3 {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		r, hash, service, "us-east-1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func benchServe(b *testing.B, srv *Server, r *http.Request, body []byte) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := r.Clone(context.Background())
		req.Body = io.NopCloser(bytes.NewReader(body))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	reportRate(b)
}

func BenchmarkSandboxServerGetObject(b *testing.B) {
	srv, creds := benchSetup(b)
	r := signedRequest(b, creds, http.MethodGet, "http://sandbox/bench-bucket/object", serviceS3, nil, nil)
	benchServe(b, srv, r, nil)
}

func BenchmarkSandboxServerGetRole(b *testing.B) {
	srv, creds := benchSetup(b)
	body := []byte("Action=GetRole&Version=2010-05-08&RoleName=bench-role")
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	r := signedRequest(b, creds, http.MethodPost, "http://sandbox/", serviceIAM, body, h)
	benchServe(b, srv, r, body)
}
