package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsageGenerateAndDigest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trail")
	code, stdout, stderr := cliRun(t, "", "usage", "generate", "--seed", "3", "--events", "2500", "--per-file", "500", "--out", dir)
	if code != 0 || !strings.Contains(stdout, "wrote 2500 events in 5 files") {
		t.Fatalf("generate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = cliRun(t, "", "usage", "digest", "--source", "cloudtrail-dir="+dir, "--since", "all", "--format", "json")
	if code != 0 {
		t.Fatalf("digest: exit %d\n%s", code, stderr)
	}
	var d struct {
		Account    string
		Totals     struct{ Records, Counted int }
		Principals []struct {
			ARN     string
			Actions []struct {
				Action string
				Count  int
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Account != "123456789012" || d.Totals.Records != 2500 || d.Totals.Counted == 0 || len(d.Principals) < 10 {
		t.Errorf("digest: account %q, totals %+v, %d principals", d.Account, d.Totals, len(d.Principals))
	}
	// Same input, same bytes.
	_, again, _ := cliRun(t, "", "usage", "digest", "--source", "cloudtrail-dir="+dir, "--since", "all", "--format", "json", "--workers", "1")
	if again != stdout {
		t.Error("a second digest differs")
	}
	code, text, _ := cliRun(t, "", "usage", "digest", "--source", "cloudtrail-dir="+dir, "--since", "2026-06-10", "--until", "2026-06-20")
	for _, want := range []string{"Usage digest for account 123456789012, window 2026-06-10T00:00:00Z to 2026-06-20T00:00:00Z", "cloudtrail-dir " + dir, "ACTION", "COUNT", "arn:aws:iam::123456789012:role/"} {
		if code != 0 || !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%.2000s", want, text)
		}
	}
	// The default window (90 days back from now) holds none of these events: their date
	// folders are not even read.
	_, def, _ := cliRun(t, "", "usage", "digest", "--source", "cloudtrail-dir="+dir, "--format", "json")
	if !strings.Contains(def, `"files_pruned_by_date": 5`) || !strings.Contains(def, `"records": 0`) {
		t.Errorf("default window: %.500s", def)
	}
}

func TestUsageDigestProblemsReported(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"Records":[{"eventTime":"2026-06-02T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":x}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cliRun(t, "", "usage", "digest", "--source", "cloudtrail-dir="+dir, "--since", "all")
	if code != 0 || !strings.Contains(stdout, "Problems in the input: 1 (malformed-record 1)") || !strings.Contains(stdout, "malformed-record at bad.json record 0 (byte 12)") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestUsageCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"usage", "digest"}, "no --source"},
		{"bad source", []string{"usage", "digest", "--source", "splunk=x"}, "unknown source"},
		{"bad format", []string{"usage", "digest", "--source", "cloudtrail-dir=.", "--format", "xml"}, `--format "xml"`},
		{"bad since", []string{"usage", "digest", "--source", "cloudtrail-dir=.", "--since", "last week"}, "--since"},
		{"missing dir", []string{"usage", "digest", "--source", "cloudtrail-dir=/no/such/dir", "--account", "1"}, "/no/such/dir"},
		{"generate without out", []string{"usage", "generate"}, "no --out"},
		{"generate bad start", []string{"usage", "generate", "--out", "x", "--start", "June"}, "--start"},
		{"map unknown", []string{"usage", "map", "nosuch.amazonaws.com", "Frob"}, "unknown-event-source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cliRun(t, "", tc.args...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, stderr, tc.want)
			}
		})
	}
}

func TestUsageMap(t *testing.T) {
	for args, want := range map[string]string{
		"s3.amazonaws.com ListObjectsV2":                    "s3:ListBucket\n",
		"s3.amazonaws.com CopyObject":                       "s3:PutObject\ns3:GetObject (on the copy source) (s3:GetObjectVersion when the request names a version)\n",
		"lambda.amazonaws.com UpdateFunctionCode20150331v2": "lambda:UpdateFunctionCode\n",
		"monitoring.amazonaws.com PutMetricData":            "cloudwatch:PutMetricData\n",
	} {
		code, stdout, stderr := cliRun(t, "", append([]string{"usage", "map"}, strings.Fields(args)...)...)
		if code != 0 || stdout != want {
			t.Errorf("usage map %s: exit %d, %q%s; want %q", args, code, stdout, stderr, want)
		}
	}
}
