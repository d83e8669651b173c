package rightsize

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/usage"
)

const (
	testAccount = "123456789012"
	testRole    = "arn:aws:iam::123456789012:role/app"
)

// call is one CloudTrail record of the test role's assumed-role session.
type call struct {
	source, name string
	at           string            // RFC 3339; default 2026-06-10T12:00:00Z
	params       map[string]string // requestParameters
	resources    []string          // resources[].ARN
	data         bool              // a data event
	denied       bool              // errorCode AccessDenied
}

func (c call) record() map[string]any {
	at := c.at
	if at == "" {
		at = "2026-06-10T12:00:00Z"
	}
	r := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "AssumedRole", "principalId": "AROAEXAMPLE:worker", "arn": "arn:aws:sts::123456789012:assumed-role/app/worker",
			"accountId": testAccount, "accessKeyId": "ASIAEXAMPLE",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAEXAMPLE", "arn": testRole, "accountId": testAccount, "userName": "app"}},
		},
		"eventTime": at, "eventSource": c.source, "eventName": c.name, "awsRegion": "us-east-1",
		"sourceIPAddress": "10.0.0.1", "userAgent": "test", "requestID": "r", "eventID": "e",
		"eventType": "AwsApiCall", "managementEvent": !c.data, "recipientAccountId": testAccount,
		"eventCategory": "Management", "readOnly": true,
	}
	if c.data {
		r["eventCategory"] = "Data"
	}
	if c.params != nil {
		r["requestParameters"] = c.params
	}
	if len(c.resources) > 0 {
		var rs []map[string]string
		for _, a := range c.resources {
			rs = append(rs, map[string]string{"ARN": a, "accountId": testAccount})
		}
		r["resources"] = rs
	}
	if c.denied {
		r["errorCode"] = "AccessDenied"
		r["errorMessage"] = "not authorized"
	}
	return r
}

// s3Call is an S3 data event on an object (key set) or a bucket.
func s3Call(name, bucket, key string) call {
	p := map[string]string{"bucketName": bucket}
	if key != "" {
		p["key"] = key
	}
	return call{source: "s3.amazonaws.com", name: name, params: p, data: true}
}

func iamCall(name string, params map[string]string) call {
	return call{source: "iam.amazonaws.com", name: name, params: params}
}

// writeTrail writes the calls as one trail file in a new directory.
func writeTrail(t testing.TB, calls ...call) string {
	t.Helper()
	var recs []map[string]any
	for _, c := range calls {
		recs = append(recs, c.record())
	}
	data, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "trail.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var testWindow = usage.Window{Since: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}

// digestOf digests the calls through a real trail file.
func digestOf(t testing.TB, calls ...call) *usage.Digest {
	t.Helper()
	return digestWith(t, 0, calls...)
}

// digestWith is digestOf keeping up to maxResources resources per action.
func digestWith(t testing.TB, maxResources int, calls ...call) *usage.Digest {
	t.Helper()
	d, err := usage.Collect(context.Background(), usage.Options{Window: testWindow, Account: testAccount, Workers: 1, MaxResources: maxResources},
		usage.LocalTrail{Path: writeTrail(t, calls...)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Problems.Total() != 0 {
		t.Fatalf("digest problems: %+v", d.Problems)
	}
	return d
}

// grantedOf makes granted policies from documents: managed policies named p1, p2, ...;
// a document prefixed "boundary:" is the permissions boundary.
func grantedOf(t testing.TB, docs ...string) *Granted {
	t.Helper()
	gr := &Granted{Principal: testRole}
	for i, d := range docs {
		if b, ok := strings.CutPrefix(d, "boundary:"); ok {
			gr.Boundary = &GrantedPolicy{Name: "boundary", Source: SourceBoundary, ARN: "arn:aws:iam::123456789012:policy/boundary", Document: json.RawMessage(b)}
			continue
		}
		gr.Policies = append(gr.Policies, GrantedPolicy{Name: fmt.Sprintf("p%d", i+1), Source: SourceManaged,
			ARN: fmt.Sprintf("arn:aws:iam::123456789012:policy/p%d", i+1), Document: json.RawMessage(d)})
	}
	if err := gr.Parse(); err != nil {
		t.Fatal(err)
	}
	return gr
}

func suggest(t testing.TB, gr *Granted, d *usage.Digest, opts Options) *Suggestion {
	t.Helper()
	s, err := Suggest(Input{Principal: testRole, Granted: gr, Digest: d}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// allow is a policy document of one Allow statement.
func allow(actions, resources string, extra ...string) string {
	st := fmt.Sprintf(`{"Effect":"Allow","Action":%s,"Resource":%s%s}`, quoteList(actions), quoteList(resources), strings.Join(extra, ""))
	return `{"Version":"2012-10-17","Statement":[` + st + `]}`
}

func quoteList(csv string) string {
	b, _ := json.Marshal(strings.Split(csv, ","))
	return string(b)
}

// policyOf parses the suggestion's policy.
func policyOf(t testing.TB, s *Suggestion) *iam.Policy {
	t.Helper()
	p, err := iam.Parse(s.Policy, iam.KindManaged)
	if err != nil {
		t.Fatalf("suggested policy %s: %v", s.Policy, err)
	}
	return p
}

// allowed evaluates a request against the suggestion alone.
func allowed(t testing.TB, s *Suggestion, action, resource string) bool {
	t.Helper()
	res := iam.Evaluate(&iam.Request{Principal: testRole, Action: action, Resource: resource, Context: iam.NewContext()},
		&iam.PolicySet{Identity: []iam.NamedPolicy{{Name: "suggested", Policy: policyOf(t, s)}}})
	return res.Decision == iam.Allowed
}

func keptNames(s *Suggestion) string {
	var out []string
	for _, k := range s.Kept {
		out = append(out, k.Action)
	}
	return strings.Join(out, " ")
}

func unobservedOf(s *Suggestion) map[string]UnobservedReason {
	out := map[string]UnobservedReason{}
	for _, u := range s.KeptUnobserved {
		out[u.Action] = u.Reason
	}
	return out
}

func removedNames(s *Suggestion) string {
	var out []string
	for _, g := range s.Removed {
		out = append(out, g.Actions...)
	}
	return strings.Join(out, " ")
}

func jsonOf(t testing.TB, s *Suggestion) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
