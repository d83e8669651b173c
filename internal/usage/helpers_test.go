package usage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

const acct = "123456789012"

// Identities as CloudTrail writes them.
const (
	idRole = `{"type":"AssumedRole","principalId":"AROAEXAMPLE:sess","arn":"arn:aws:sts::123456789012:assumed-role/app/sess","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/team/app","accountId":"123456789012","userName":"app"},"attributes":{"creationDate":"2026-06-01T00:00:00Z","mfaAuthenticated":"false"}}}`
	idUser = `{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE","userName":"alice"}`
	idSvc  = `{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`
	idXacc = `{"type":"AssumedRole","principalId":"AROAOTHER:x","arn":"arn:aws:sts::210987654321:assumed-role/Auditor/x","accountId":"210987654321","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::210987654321:role/Auditor","accountId":"210987654321"}}}`
)

// rec builds a record; extra is more fields, e.g. `"errorCode":"AccessDenied"`.
func rec(identity, source, name, when string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"eventVersion":"1.09","userIdentity":%s,"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"test"`,
		identity, when, source, name)
	for _, e := range extra {
		b.WriteString(",")
		b.WriteString(e)
	}
	b.WriteString(`,"requestID":"r","eventID":"e","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`)
	return b.String()
}

func trailJSON(records ...string) string {
	return `{"Records":[` + strings.Join(records, ",") + `]}`
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFiles writes files (relative path -> content) under a new directory.
func writeFiles(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func digestDir(t testing.TB, dir string, opts Options) *Digest {
	t.Helper()
	d, err := Collect(context.Background(), opts, LocalTrail{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func digestJSON(t testing.TB, d *Digest) string {
	t.Helper()
	var buf bytes.Buffer
	if err := d.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func mustAction(t testing.TB, d *Digest, principal, action string) *ActionUsage {
	t.Helper()
	p := d.Principal(principal)
	if p == nil {
		t.Fatalf("no principal %s in digest; have %v", principal, principalARNs(d))
	}
	id, ok := NewMapper(nil).Catalog().LookupAction(action)
	if !ok {
		t.Fatalf("bad test: %s not in catalog", action)
	}
	a := p.Action(id)
	if a == nil {
		var names []string
		for _, a := range p.Actions {
			names = append(names, a.Action)
		}
		t.Fatalf("principal %s has no %s; has %v", principal, action, names)
	}
	return a
}

func principalARNs(d *Digest) []string {
	var out []string
	for _, p := range d.Principals {
		out = append(out, p.ARN)
	}
	return out
}

// fakeClock advances only when slept on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func gzipReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

func copyAll(w io.Writer, r io.Reader) (int64, error) { return io.Copy(w, r) }
