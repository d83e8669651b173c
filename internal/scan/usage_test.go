package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciem/ciem/internal/usage"
)

// TestUsage digests a small CloudTrail file with the usage package and scans with it: the
// unused share of granted actions, the used count per service, and inactive principals.
func TestUsage(t *testing.T) {
	dir := t.TempDir()
	trail := `{"Records": [
  {"eventVersion": "1.08", "eventTime": "2025-05-20T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
   "eventType": "AwsApiCall", "recipientAccountId": "123456789012", "managementEvent": false,
   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/reader", "accountId": "123456789012", "userName": "reader"},
   "resources": [{"ARN": "arn:aws:s3:::b/k", "type": "AWS::S3::Object"}]},
  {"eventVersion": "1.08", "eventTime": "2025-05-21T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "awsRegion": "us-east-1",
   "eventType": "AwsApiCall", "recipientAccountId": "123456789012", "managementEvent": true,
   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/reader", "accountId": "123456789012", "userName": "reader"}}
]}`
	if err := os.WriteFile(filepath.Join(dir, "trail.json"), []byte(trail), 0o644); err != nil {
		t.Fatal(err)
	}
	now := mustTime("2025-06-01T00:00:00Z")
	d, err := usage.Collect(context.Background(), usage.Options{Window: usage.Window{Since: mustTime("2025-03-01T00:00:00Z"), Until: now}, Account: acctID},
		usage.LocalTrail{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	acct := tAccount{users: []tUser{
		{name: "reader", inline: []string{allow("s3:GetObject,s3:ListAllMyBuckets,s3:PutObject,sqs:SendMessage", "*")}},
		{name: "idle", inline: []string{allow("s3:GetObject", "*")}},
		// The same policy as reader's: the two share one permissions summary, not its usage.
		{name: "twin", inline: []string{allow("s3:GetObject,s3:ListAllMyBuckets,s3:PutObject,sqs:SendMessage", "*")}},
	}}
	r := scanAccount(t, acct, Options{Usage: d, Now: now})
	if r.Inputs.Usage == nil || r.Inputs.Usage.Events != 2 || r.AsOf != "2025-06-01T00:00:00Z" {
		t.Fatalf("inputs %+v, as_of %q", r.Inputs.Usage, r.AsOf)
	}
	reader, idle := r.Principals[1], r.Principals[0]
	if reader.Name != "reader" || idle.Name != "idle" {
		t.Fatalf("principals %s, %s", reader.Name, idle.Name)
	}
	// reader is granted 4 actions and used 2: half unused.
	if reader.UnusedRatio == nil || *reader.UnusedRatio != 0.5 || reader.LastActivity != "2025-05-21T10:00:00Z" {
		t.Errorf("reader: unused %v, last activity %q", reader.UnusedRatio, reader.LastActivity)
	}
	for _, s := range reader.Permissions.ByService {
		want := map[string]int{"s3": 2, "sqs": 0}[s.Service]
		if got := usedOf(s); got != want {
			t.Errorf("reader %s: used %d, want %d", s.Service, got, want)
		}
	}
	for _, s := range r.Principals[2].Permissions.ByService {
		if got := usedOf(s); got != 0 {
			t.Errorf("twin %s: used %d, want 0", s.Service, got)
		}
	}
	if idle.UnusedRatio == nil || *idle.UnusedRatio != 1 || !hasFinding(idle, FindingInactivePrincipal, "inactive-principal", "low") {
		t.Errorf("idle: unused %v, findings %+v", idle.UnusedRatio, idle.Findings)
	}
	if r.Summary.UnusedRatio == nil || *r.Summary.UnusedRatio != 0.7778 {
		t.Errorf("summary unused ratio %v, want 0.7778 (7 of 9)", r.Summary.UnusedRatio)
	}
	if _, err := Scan(context.Background(), &Account{}, Options{Usage: d}); err == nil {
		t.Error("usage without Now: want an error")
	}
}

func usedOf(s ServicePermissions) int {
	if s.Used == nil {
		return -1
	}
	return *s.Used
}
