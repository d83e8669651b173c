package awstest

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// clients are real aws-sdk-go-v2 clients pointed at a sandbox.
type clients struct {
	iam *iam.Client
	sts *sts.Client
	s3  *s3.Client
	ct  *cloudtrail.Client
}

func newClients(cfg aws.Config) clients {
	// No retries: a test must see the first answer.
	cfg.RetryMaxAttempts = 1
	return clients{iam.NewFromConfig(cfg), sts.NewFromConfig(cfg), s3.NewFromConfig(cfg), cloudtrail.NewFromConfig(cfg)}
}

func admin(t *testing.T, srv *Server) clients {
	t.Helper()
	return newClients(srv.AdminConfig(context.Background()))
}

// wantAPIError checks that err is the AWS error code with the HTTP status, and that
// the message contains msg (when msg is not empty).
func wantAPIError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s (%d), got success", code, status)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && status != 0 && re.HTTPStatusCode() != status {
		t.Fatalf("%s: want HTTP %d, got %d", code, status, re.HTTPStatusCode())
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s: message %q does not contain %q", code, ae.ErrorMessage(), msg)
	}
}

// noErr fails the test on an error.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newUserWithKey creates a user with an inline policy (when doc is not empty) and an
// access key, and returns the key.
func newUserWithKey(t *testing.T, srv *Server, name, doc string) Credentials {
	t.Helper()
	ctx := context.Background()
	a := admin(t, srv)
	_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	noErr(t, err)
	if doc != "" {
		_, err = a.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)})
		noErr(t, err)
	}
	k, err := a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	noErr(t, err)
	return Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

func as(srv *Server, c Credentials) clients { return newClients(srv.ConfigFor(c)) }

// decodeDoc URL-decodes a policy document as IAM returns it.
func decodeDoc(t *testing.T, s *string) string {
	t.Helper()
	if s == nil {
		t.Fatal("no document")
	}
	d, err := url.QueryUnescape(*s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func trustAccount(acct string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`
}
