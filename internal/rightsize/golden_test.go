package rightsize

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciem/ciem/internal/usage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCalls is a small workload: S3 reads and writes on one bucket (data events logged),
// IAM reads, an STS call, a denied request, and one call outside the window.
func goldenCalls() []call {
	denied := iamCall("CreateUser", map[string]string{"userName": "intruder"})
	denied.denied = true
	old := iamCall("DeleteRole", map[string]string{"roleName": "legacy"})
	old.at = "2026-05-01T00:00:00Z"
	return []call{
		s3Call("GetObject", "data", "reports/a.json"),
		withTime(s3Call("GetObject", "data", "reports/b.json"), "2026-06-20T08:30:00Z"),
		s3Call("PutObject", "data", "out/c.json"),
		s3Call("ListObjects", "data", ""),
		iamCall("GetRole", map[string]string{"roleName": "app"}),
		withTime(iamCall("ListRoles", nil), "2026-06-02T00:00:00Z"),
		{source: "sts.amazonaws.com", name: "GetCallerIdentity"},
		denied,
		old,
	}
}

func withTime(c call, at string) call { c.at = at; return c }

const goldenPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Broad","Effect":"Allow","Action":["s3:*","iam:*","sts:GetCallerIdentity","cloudtrail:LookupEvents"],"Resource":"*"},
 {"Sid":"NoSecrets","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/secret/*"}]}`

const goldenBoundary = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:Get*","iam:List*","iam:PassRole","sts:*","cloudtrail:*"],"Resource":"*"}]}`

func goldenSuggestion(t *testing.T, workers int) *Suggestion {
	t.Helper()
	d, err := usage.Collect(context.Background(), usage.Options{Window: testWindow, Account: testAccount, Workers: workers},
		usage.LocalTrail{Path: writeTrail(t, goldenCalls()...)})
	if err != nil {
		t.Fatal(err)
	}
	gr := grantedOf(t, goldenPolicy, "boundary:"+goldenBoundary)
	opts := DefaultOptions()
	opts.Keep = []string{"cloudtrail:LookupEvents"}
	s := suggest(t, gr, d, opts)
	// The trail's location is a temporary directory: name it as the golden files do.
	for i := range s.Sources {
		s.Sources[i].Location = "testdata/trail"
	}
	return s
}

// The same input gives the same bytes, in every format; the golden files show them.
func TestGolden(t *testing.T) {
	s := goldenSuggestion(t, 1)
	outputs := map[string]func(*bytes.Buffer) error{
		"golden.json": func(b *bytes.Buffer) error { return s.WriteJSON(b) },
		"golden.txt":  func(b *bytes.Buffer) error { return s.WriteText(b) },
		"golden.tf":   func(b *bytes.Buffer) error { return s.WriteHCL(b) },
	}
	again := goldenSuggestion(t, 4)
	for name, write := range outputs {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, b.String())
		}
	}
	if !bytes.Equal(jsonOf(t, s), jsonOf(t, again)) {
		t.Error("a second run with other workers gives other bytes")
	}
}
