package usage

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 30, 0, 0, time.UTC)
	tests := []struct {
		in, want string // want RFC 3339, "zero" for no bound, "" for an error
	}{
		{"90d", "2026-08-31T12:30:00Z"},
		{"2w", "2026-11-15T12:30:00Z"},
		{"12h", "2026-11-29T00:30:00Z"},
		{"all", "zero"},
		{"", "zero"},
		{"2026-06-01", "2026-06-01T00:00:00Z"},
		{"2026-06-01T10:00:00+02:00", "2026-06-01T08:00:00Z"},
		{"-3d", ""},
		{"soon", ""},
		{"90x", ""},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in, now)
		switch {
		case tt.want == "":
			if err == nil {
				t.Errorf("ParseSince(%q) accepted: %v", tt.in, got)
			}
		case tt.want == "zero":
			if err != nil || !got.IsZero() {
				t.Errorf("ParseSince(%q) = %v, %v; want no bound", tt.in, got, err)
			}
		default:
			if err != nil || got.Format(time.RFC3339) != tt.want {
				t.Errorf("ParseSince(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		}
	}
}

func TestDateFolderPruning(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	w := Window{Since: day("2026-06-10").Add(6 * time.Hour), Until: day("2026-06-20").Add(3 * time.Hour)}
	tests := []struct {
		path string
		keep bool
	}{
		{"AWSLogs/1/CloudTrail/us-east-1", true},
		{"AWSLogs/1/CloudTrail/us-east-1/2025", false},
		{"AWSLogs/1/CloudTrail/us-east-1/2026", true},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/05", false},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/06", true},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/07", false},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/06/08", false},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/06/09", true}, // a day's margin before
		{"AWSLogs/1/CloudTrail/us-east-1/2026/06/10", true},
		{"AWSLogs/1/CloudTrail/us-east-1/2026/06/21", true}, // a day's margin after
		{"AWSLogs/1/CloudTrail/us-east-1/2026/06/22", false},
		{"AWSLogs/o-abc/1/CloudTrail/eu-west-1/2026/06/22", false},
		{"some/other/2026/06/22", true}, // not the AWS layout: read, filtered by eventTime
		{"AWSLogs/1/CloudTrail/us-east-1/notayear", true},
	}
	for _, tt := range tests {
		if got := dateFolderInWindow(tt.path, w); got != tt.keep {
			t.Errorf("%s: keep %v, want %v", tt.path, got, tt.keep)
		}
	}
	if !dateFolderInWindow("AWSLogs/1/CloudTrail/us-east-1/1999/01/01", Window{}) {
		t.Error("an open window pruned a folder")
	}
}

func TestLocalTrailLayout(t *testing.T) {
	in := rec(idRole, "s3.amazonaws.com", "GetObject", "2026-06-15T10:00:00Z")
	early := rec(idRole, "s3.amazonaws.com", "PutObject", "2026-06-01T10:00:00Z")
	dir := writeFiles(t, map[string][]byte{
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/15/a.json.gz": gz(t, trailJSON(in)),
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/16/b.json":    []byte(trailJSON(in)),
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/01/old.json":  []byte(trailJSON(early)),
		// Delivered into the window's folders but outside it by time: filtered by eventTime.
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/10/c.json":                []byte(trailJSON(early)),
		"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/06/15/digest.json.gz": gz(t, `{"awsAccountId":"123456789012"}`),
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/15/readme.txt":            []byte("not a trail"),
	})
	w := Window{Since: time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC)}
	d := digestDir(t, dir, Options{Account: acct, Window: w})
	if d.Totals.Counted != 2 || d.Totals.OutsideWindow != 1 || d.Problems.Total() != 0 {
		t.Errorf("totals %+v, problems %+v", d.Totals, d.Problems)
	}
	src := d.Sources[0]
	if src.Stats.Files != 3 || src.Stats.FilesPruned != 1 {
		t.Errorf("files read %d, pruned %d; want 3, 1", src.Stats.Files, src.Stats.FilesPruned)
	}
	if len(src.Notes) != 1 || !strings.Contains(src.Notes[0], "1 files that are not") {
		t.Errorf("notes %q", src.Notes)
	}
	// A single file works too.
	d = digestDir(t, dir+"/AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/15/a.json.gz", Options{Account: acct})
	if d.Totals.Counted != 1 {
		t.Errorf("single file: %+v", d.Totals)
	}
}

func TestInferAccount(t *testing.T) {
	one := writeFiles(t, map[string][]byte{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/15/a.json": nil})
	org := writeFiles(t, map[string][]byte{"AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/06/15/a.json": nil})
	two := writeFiles(t, map[string][]byte{
		"AWSLogs/123456789012/CloudTrail/us-east-1/a.json": nil,
		"AWSLogs/111122223333/CloudTrail/us-east-1/a.json": nil,
	})
	flat := writeFiles(t, map[string][]byte{"a.json": nil})
	tests := []struct {
		path, want, err string
	}{
		{one, "123456789012", ""},
		{one + "/AWSLogs/123456789012/CloudTrail", "123456789012", ""},
		{org, "111122223333", ""},
		{two, "", "several accounts (111122223333, 123456789012)"},
		{flat, "", ""},
	}
	for _, tt := range tests {
		got, err := InferAccount(tt.path)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("InferAccount(%s) = %q, %v; want %q, %q", tt.path, got, err, tt.want, tt.err)
		}
	}
}

func TestSourceSpecs(t *testing.T) {
	good := []string{"cloudtrail-dir=./x", "cloudtrail-s3=s3://bucket", "cloudtrail-s3=s3://bucket/AWSLogs/", "lookup-events", "lookup-events=us-east-1,eu-west-1", "access-advisor=arn:aws:iam::1:role/r"}
	for _, s := range good {
		spec, err := ParseSourceSpec(s)
		if err != nil || spec.String() != s {
			t.Errorf("ParseSourceSpec(%q) = %v, %v", s, spec, err)
		}
	}
	for _, s := range []string{"cloudtrail-dir", "cloudtrail-dir=", "cloudtrail-s3=bucket/x", "cloudtrail-s3=s3://", "splunk=x"} {
		if _, err := ParseSourceSpec(s); err == nil {
			t.Errorf("ParseSourceSpec(%q) accepted", s)
		}
	}
	bucket, prefix, err := ParseS3URL("s3://trail-bucket/org/AWSLogs/")
	if err != nil || bucket != "trail-bucket" || prefix != "org/AWSLogs/" {
		t.Errorf("ParseS3URL = %q %q %v", bucket, prefix, err)
	}
	// Local sources need no AWS configuration; AWS ones say when there is none.
	specs := []SourceSpec{{Kind: SourceCloudTrailDir, Value: "x"}}
	srcs, err := BuildSources(t.Context(), specs, SourceEnv{})
	if err != nil || len(srcs) != 1 || srcs[0].Kind() != SourceCloudTrailDir {
		t.Errorf("BuildSources = %v, %v", srcs, err)
	}
	for _, k := range []SourceKind{SourceCloudTrailS3, SourceLookupEvents, SourceAccessAdvisor} {
		_, err := BuildSources(t.Context(), []SourceSpec{{Kind: k, Value: "s3://b"}}, SourceEnv{})
		if err == nil || !strings.Contains(err.Error(), "no AWS configuration") {
			t.Errorf("%s without AWS: %v", k, err)
		}
	}
	if got := splitList(" a, ,b "); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("splitList = %q", got)
	}
}
