package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// diffWriteFiles writes name -> content into a temporary directory and returns the paths by name.
func diffWriteFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

const (
	diffOld = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`
	diffNew = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
		{"Effect":"Allow","Action":["s3:PutObject","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
)

func TestPolicyDiffCommand(t *testing.T) {
	f := diffWriteFiles(t, map[string]string{
		"old.json": diffOld, "new.json": diffNew, "bad.json": `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`,
		"broken.json": `{"Statement":`,
	})
	tests := []cliCase{
		{"text", "", []string{"policy", "diff", f["old.json"], f["new.json"]}, 0, []string{
			"--- " + f["old.json"], "+++ " + f["new.json"],
			"+ s3:PutObject on arn:aws:s3:::b/*\n",
			"+ s3:PutBucketPolicy on arn:aws:s3:::b/*\n",
			"+ s3:DeleteObject on arn:aws:s3:::b/* (conditional)\n",
			"- s3:ListBucket on arn:aws:s3:::b\n",
			"- s3:ListBucket on arn:aws:s3:::b/*\n",
			"By access level:", "Permissions management   +1 -0", "Write                    +2 -0", "List                     +0 -1",
		}, []string{"s3:GetObject"}},
		{"same policy", "", []string{"policy", "diff", f["old.json"], f["old.json"]}, 0, []string{"no difference"}, []string{"+ s3", "- s3"}},
		{"new from stdin", diffNew, []string{"policy", "diff", f["old.json"], "-"}, 0, []string{"+++ <stdin>", "+ s3:PutObject on arn:aws:s3:::b/*"}, nil},
		{"stdin twice", diffNew, []string{"policy", "diff", "-", "-"}, 1, []string{"standard input (-) can be given only once"}, nil},
		{"one argument", "", []string{"policy", "diff", f["old.json"]}, 1, []string{"accepts 2 arg(s)"}, nil},
		{"missing file", "", []string{"policy", "diff", f["old.json"], filepath.Join(t.TempDir(), "nope.json")}, 1, []string{"nope.json", "no such file"}, nil},
		{"invalid policy", "", []string{"policy", "diff", f["old.json"], f["bad.json"]}, 1, []string{f["bad.json"], "not a valid managed policy", "$.Statement[0]"}, nil},
		{"broken JSON", "", []string{"policy", "diff", f["broken.json"], f["old.json"]}, 1, []string{f["broken.json"]}, nil},
		{"bad format", "", []string{"policy", "diff", "--format", "yaml", f["old.json"], f["new.json"]}, 1, []string{`--format "yaml"`}, nil},
		{"bad kind", "", []string{"policy", "diff", "--kind", "nope", f["old.json"], f["new.json"]}, 1, []string{`--kind "nope"`}, nil},
	}
	runCLICases(t, tests)
}

func TestPolicyDiffCommandJSON(t *testing.T) {
	f := diffWriteFiles(t, map[string]string{"old.json": diffOld, "new.json": diffNew})
	code, stdout, stderr := cliRun(t, "", "policy", "diff", "--format", "json", f["old.json"], f["new.json"])
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Old, New string
		Added    []struct {
			Resource    string   `json:"resource"`
			Actions     []string `json:"actions"`
			Conditional bool     `json:"conditional"`
		} `json:"added"`
		Removed       []json.RawMessage `json:"removed"`
		ByAccessLevel []struct {
			Level string   `json:"level"`
			Added []string `json:"added"`
		} `json:"by_access_level"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if got.Old != f["old.json"] || got.New != f["new.json"] || len(got.Added) != 2 || len(got.Removed) != 2 {
		t.Fatalf("unexpected diff:\n%s", stdout)
	}
	if a := got.Added[0]; a.Resource != "arn:aws:s3:::b/*" || a.Conditional || strings.Join(a.Actions, ",") != "s3:PutBucketPolicy,s3:PutObject" {
		t.Fatalf("first added entry %+v", a)
	}
	if a := got.Added[1]; !a.Conditional || strings.Join(a.Actions, ",") != "s3:DeleteObject" {
		t.Fatalf("second added entry %+v", a)
	}
	if l := got.ByAccessLevel[0]; l.Level != "Permissions management" || strings.Join(l.Added, ",") != "s3:PutBucketPolicy" {
		t.Fatalf("first access level %+v", l)
	}
}

// cliCase is one command line run through run(): its exit code, and text its output must
// contain and must not (stdout when the code is 0, else stderr).
type cliCase struct {
	name     string
	stdin    string
	args     []string
	code     int
	contains []string
	lacks    []string
}

func runCLICases(t *testing.T, tests []cliCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			where := stdout
			if code != 0 {
				where = stderr
			}
			for _, s := range tc.contains {
				if !strings.Contains(where, s) {
					t.Errorf("output lacks %q:\n%s", s, where)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(where, s) {
					t.Errorf("output has %q:\n%s", s, where)
				}
			}
		})
	}
}
