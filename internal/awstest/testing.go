package awstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Start runs a sandbox for a test on a random loopback port, on a ManualClock set to
// the current time (whole seconds), and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options; a nil Clock becomes a ManualClock at the current
// time.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = NewManualClock(time.Now().UTC().Truncate(time.Second))
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatalf("awstest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("awstest: closing the sandbox: %v", err)
		}
	})
	return s
}

// AdminConfig returns an aws-sdk-go-v2 configuration that calls the sandbox with the
// admin user's key.
func (s *Server) AdminConfig(ctx context.Context) aws.Config {
	_ = ctx // kept for symmetry with config.LoadDefaultConfig
	return s.ConfigFor(s.AdminCredentials())
}

// ConfigFor returns an aws-sdk-go-v2 configuration that calls the sandbox with the
// given credentials.
func (s *Server) ConfigFor(c Credentials) aws.Config {
	return aws.Config{
		Region:       s.opts.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   HTTPClient(),
	}
}

// HTTPClient returns the HTTP client to give aws-sdk-go-v2 when it talks to a
// sandbox (ConfigFor sets it).
//
// Why: smithy-go closes a request body as soon as the response headers arrive, and
// Go's transport may still be probing that body for extra bytes; the probe then fails
// with EOF and the transport closes the connection while the response body is being
// read ("use of closed network connection"). Against AWS the network hides the race;
// against a server on loopback it shows up in a few percent of large responses.
// Buffering request bodies in memory before the transport sees them avoids it.
func HTTPClient() *http.Client {
	return &http.Client{Transport: bufferedBodies{http.DefaultTransport.(*http.Transport).Clone()}}
}

type bufferedBodies struct{ next http.RoundTripper }

func (b bufferedBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		data, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("buffering request body: %w", err)
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		r.ContentLength = int64(len(data))
	}
	return b.next.RoundTrip(r)
}
