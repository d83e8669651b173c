package trailgen

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// readTree returns the decompressed files under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return err
			}
			r = zr
			rel = strings.TrimSuffix(rel, ".gz")
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The generator's output for a small seed, byte for byte (decompressed: the gzip encoding
// may change with the compression library, the records may not).
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	sum, err := Generate(context.Background(), Config{Seed: 7, Events: 200, PerFile: 50}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 4 || sum.Events != 200 {
		t.Fatalf("summary %+v", sum)
	}
	got := readTree(t, dir)
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for rel, b := range got {
			p := filepath.Join(golden, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := readTree(t, golden)
	if len(got) != len(want) {
		t.Fatalf("%d files, golden has %d (run go test ./internal/usage/trailgen -update to accept a deliberate change)", len(got), len(want))
	}
	for rel, w := range want {
		g, ok := got[rel]
		if !ok {
			t.Errorf("missing %s", rel)
			continue
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from the golden file (run with -update to accept a deliberate change)", rel)
		}
	}
}

// The output depends on the seed only: not on the number of workers, nor the run.
func TestDeterministic(t *testing.T) {
	gen := func(seed uint64, workers int) map[string][]byte {
		dir := t.TempDir()
		if _, err := Generate(context.Background(), Config{Seed: seed, Events: 3000, PerFile: 400, Workers: workers}, dir); err != nil {
			t.Fatal(err)
		}
		return readTree(t, dir)
	}
	a, b := gen(3, 1), gen(3, 4)
	if len(a) != len(b) {
		t.Fatalf("%d vs %d files", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s differs between 1 and 4 workers", k)
		}
	}
	c := gen(4, 2)
	same := 0
	for k := range c {
		if _, ok := a[k]; ok {
			same++
		}
	}
	if same == len(c) {
		t.Error("a different seed gave the same file names")
	}
}

// Records are in AWS's format: the fields, their order, and the layout of the files.
func TestRecordFormat(t *testing.T) {
	dir := t.TempDir()
	sum, err := Generate(context.Background(), Config{Seed: 11, Events: 6000, PerFile: 2000}, dir)
	if err != nil {
		t.Fatal(err)
	}
	files := readTree(t, dir)
	seen := map[string]bool{}
	var size int
	var n int
	for rel, b := range files {
		// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json
		parts := strings.Split(rel, "/")
		if len(parts) != 8 || parts[0] != "AWSLogs" || parts[1] != sum.Account || parts[2] != "CloudTrail" {
			t.Fatalf("path %s is not in the AWS layout", rel)
		}
		if !strings.HasPrefix(parts[7], sum.Account+"_CloudTrail_"+parts[3]+"_"+parts[4]+parts[5]+parts[6]+"T") {
			t.Errorf("file name %s does not match its folder", parts[7])
		}
		if !bytes.HasPrefix(b, []byte(`{"Records":[{"eventVersion":"1.0`)) {
			t.Errorf("%s starts %q", rel, b[:40])
		}
		var doc struct {
			Records []json.RawMessage
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		var prev time.Time
		for _, raw := range doc.Records {
			n++
			size += len(raw)
			var r map[string]any
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory"} {
				if _, ok := r[f]; !ok {
					t.Fatalf("record without %s: %s", f, raw)
				}
			}
			when, err := time.Parse(time.RFC3339, r["eventTime"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if when.Before(prev) {
				t.Errorf("%s: records out of time order", rel)
			}
			prev = when
			if r["awsRegion"] != parts[3] && r["eventSource"] != "signin.amazonaws.com" {
				t.Errorf("record of region %v in a %s file", r["awsRegion"], parts[3])
			}
			id := r["userIdentity"].(map[string]any)
			seen["identity:"+str(id["type"])] = true
			seen["type:"+str(r["eventType"])] = true
			seen["category:"+str(r["eventCategory"])] = true
			if code, ok := r["errorCode"]; ok {
				seen["error:"+str(code)] = true
			}
			if _, ok := r["tlsDetails"]; ok {
				seen["tlsDetails"] = true
			}
			if _, ok := r["resources"]; ok {
				seen["resources"] = true
			}
			// Field order as AWS writes it.
			assertOrder(t, raw, "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory")
		}
	}
	if n != 6000 {
		t.Errorf("%d records, want 6000", n)
	}
	for _, want := range []string{"identity:AssumedRole", "identity:IAMUser", "identity:FederatedUser", "identity:Root", "identity:AWSService",
		"type:AwsApiCall", "type:AwsConsoleSignIn", "type:AwsServiceEvent", "category:Data", "category:Management",
		"error:AccessDenied", "error:AccessDeniedException", "tlsDetails", "resources"} {
		if !seen[want] {
			t.Errorf("no %s among the records", want)
		}
	}
	if avg := size / n; avg < 1200 || avg > 1900 {
		t.Errorf("records average %d bytes, want about 1.5 KB", avg)
	}
	if slices.ContainsFunc(sum.Paths, func(p string) bool { return !strings.HasSuffix(p, ".json.gz") }) {
		t.Error("a file is not .json.gz")
	}
}

func str(v any) string { s, _ := v.(string); return s }

func assertOrder(t *testing.T, raw []byte, fields ...string) {
	t.Helper()
	last := -1
	for _, f := range fields {
		i := bytes.Index(raw, []byte(`"`+f+`":`))
		if i < last {
			t.Fatalf("field %s out of AWS's order in %s", f, raw)
		}
		last = i
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := Generate(context.Background(), Config{Seed: 1}, t.TempDir()); err == nil {
		t.Error("no error for zero events")
	}
}
