package awstest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callEach makes one call per service and returns the errors, by service.
func callEach(ctx context.Context, c clients) map[string]error {
	_, iamErr := c.iam.ListUsers(ctx, &iam.ListUsersInput{})
	_, stsErr := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	_, s3Err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	_, ctErr := c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	return map[string]error{"iam": iamErr, "sts": stsErr, "s3": s3Err, "cloudtrail": ctErr}
}

type wantErr struct {
	code   string
	status int
	msg    string
}

func TestSignatureFailures(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	good := srv.AdminCredentials()
	tmp, err := admin(t, srv).sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	noErr(t, err)
	session := Credentials{AccessKeyID: *tmp.Credentials.AccessKeyId, SecretAccessKey: *tmp.Credentials.SecretAccessKey, SessionToken: *tmp.Credentials.SessionToken}

	tests := []struct {
		name  string
		creds Credentials
		want  map[string]wantErr
	}{
		{"unknown key", Credentials{AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", SecretAccessKey: "x"}, map[string]wantErr{
			"iam":        {"InvalidClientTokenId", 403, "The security token included in the request is invalid."},
			"sts":        {"InvalidClientTokenId", 403, "The security token included in the request is invalid."},
			"s3":         {"InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."},
			"cloudtrail": {"UnrecognizedClientException", 400, "The security token included in the request is invalid."},
		}},
		{"wrong secret", Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: good.SecretAccessKey + "x"}, map[string]wantErr{
			"iam":        {"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided."},
			"sts":        {"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided."},
			"s3":         {"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided."},
			"cloudtrail": {"InvalidSignatureException", 400, "The request signature we calculated does not match the signature you provided."},
		}},
		{"long-term key with a session token", Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: good.SecretAccessKey, SessionToken: "bogus"}, map[string]wantErr{
			"iam": {"InvalidClientTokenId", 403, ""},
			"s3":  {"InvalidToken", 400, "The provided token is malformed or otherwise invalid."},
		}},
		{"session key with a wrong token", Credentials{AccessKeyID: session.AccessKeyID, SecretAccessKey: session.SecretAccessKey, SessionToken: "bogus"}, map[string]wantErr{
			"sts":        {"InvalidClientTokenId", 403, ""},
			"cloudtrail": {"UnrecognizedClientException", 400, ""},
		}},
		{"session key without its token", Credentials{AccessKeyID: session.AccessKeyID, SecretAccessKey: session.SecretAccessKey}, map[string]wantErr{
			"s3": {"InvalidToken", 400, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := callEach(ctx, as(srv, tc.creds))
			for svc, w := range tc.want {
				wantAPIError(t, errs[svc], w.code, w.status, w.msg)
			}
		})
	}

	// The same session works until the clock passes its expiry, then ExpiredToken.
	if _, err := as(srv, session).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	srv.Advance(901 * time.Second)
	errs := callEach(ctx, as(srv, session))
	for svc, w := range map[string]wantErr{
		"iam":        {"ExpiredToken", 403, "The security token included in the request is expired"},
		"sts":        {"ExpiredToken", 403, "The security token included in the request is expired"},
		"s3":         {"ExpiredToken", 400, "The provided token has expired."},
		"cloudtrail": {"ExpiredTokenException", 400, "The security token included in the request is expired"},
	} {
		t.Run("expired "+svc, func(t *testing.T) { wantAPIError(t, errs[svc], w.code, w.status, w.msg) })
	}
}

func TestUnsignedAndMalformedRequests(t *testing.T) {
	srv := Start(t)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		body   string
	}{
		{"unsigned IAM", func() *http.Request {
			r, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 403, "<Code>MissingAuthenticationToken</Code>"},
		{"unsigned STS", func() *http.Request {
			r, _ := http.NewRequest("GET", srv.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
			return r
		}, 403, "https://sts.amazonaws.com/doc/2011-06-15/"},
		{"unsigned S3", func() *http.Request {
			r, _ := http.NewRequest("GET", srv.URL+"/bucket/key", nil)
			return r
		}, 403, "<Code>AccessDenied</Code>"},
		{"unsigned CloudTrail", func() *http.Request {
			r, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", cloudTrailTargetPrefix+"LookupEvents")
			return r
		}, 400, `"__type":"MissingAuthenticationTokenException"`},
		{"malformed Authorization", func() *http.Request {
			r, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1/iam/aws4_request")
			return r
		}, 400, "<Code>IncompleteSignature</Code>"},
		{"unsupported algorithm", func() *http.Request {
			r, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "AWS AKIA:abc")
			return r
		}, 400, "Unsupported AWS &#39;algorithm&#39;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.req())
			noErr(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.body) {
				t.Fatalf("got %d %s, want %d containing %q", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}

func TestClockSkew(t *testing.T) {
	clock := NewManualClock(time.Now())
	srv := StartWith(t, Options{Clock: clock, MaxSkew: 15 * time.Minute})
	ctx := context.Background()
	if _, err := admin(t, srv).iam.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("in time: %v", err)
	}
	clock.Advance(20 * time.Minute)
	_, err := admin(t, srv).iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, "Signature expired:")
	_, err = admin(t, srv).s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "RequestTimeTooSkewed", 403, "")
	clock.Advance(-40 * time.Minute)
	_, err = admin(t, srv).iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, "Signature not yet current:")
}

func TestInactiveKeyIsRejected(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	k := newUserWithKey(t, srv, "carol", allowAll)
	_, err := admin(t, srv).iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(k.AccessKeyID), Status: "Inactive"})
	noErr(t, err)
	_, err = as(srv, k).iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
}

func TestPresignedURL(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	_, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("presign")})
	noErr(t, err)
	_, err = a.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("dir/a file.txt"), Body: strings.NewReader("hi")})
	noErr(t, err)
	req, err := s3.NewPresignClient(a.s3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("dir/a file.txt")},
		s3.WithPresignExpires(5*time.Minute))
	noErr(t, err)
	get := func() (int, string) {
		resp, err := http.Get(req.URL)
		noErr(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || body != "hi" {
		t.Fatalf("presigned GET: %d %s", code, body)
	}
	srv.Advance(6 * time.Minute)
	if code, body := get(); code != 403 || !strings.Contains(body, "Request has expired") {
		t.Fatalf("expired presigned GET: %d %s", code, body)
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1", "a=1&a=2"},
		{"prefix=a%20b&list-type=2", "list-type=2&prefix=a%20b"},
		{"x=a+b", "x=a%2Bb"},
		{"location", "location="},
		{"k=%7E%2F", "k=~%2F"},
	}
	for _, tc := range tests {
		if got := canonicalQuery(tc.raw, false); got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}
