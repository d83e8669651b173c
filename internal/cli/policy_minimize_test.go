package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

func TestPolicyMinimizeCommand(t *testing.T) {
	const policy = `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},
		{"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"},
		{"Sid":"C","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::c/*"},
		{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	const minimized = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::c/*"
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": "arn:aws:s3:::b/*"
    },
    {
      "Sid": "NoDelete",
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "Resource": "*"
    }
  ]
}
`
	var getAll []string
	for _, a := range catalog.Default().Names(iam.ExpandActions("s3:Get*")) {
		getAll = append(getAll, `{"action":"`+a+`","resource":"arn:aws:s3:::b/*"}`)
	}
	f := diffWriteFiles(t, map[string]string{
		"policy.json":   policy,
		"grants.jsonl":  `{"action":"s3:GetObject","resource":"arn:aws:s3:::b/*"}` + "\n\n" + `{"action":"s3:PutObject","resource":"arn:aws:s3:::b/*"}` + "\n",
		"grants.json":   `[{"action":"s3:GetObject","resource":"arn:aws:s3:::b/*"},{"action":"s3:GetObject","resource":"arn:aws:s3:::c/*"}]`,
		"allget.jsonl":  strings.Join(getAll, "\n"),
		"badline.jsonl": `{"action":"s3:GetObject","resource":"*"}` + "\n" + `{"action":"s3:GetObject"}` + "\n",
		"unknown.jsonl": `{"action":"s3:GetObject","resource":"*","effect":"Allow"}`,
		"badelem.json":  `[{"action":"s3:GetObject","resource":"*"},{"action":"GetObject","resource":"*"}]`,
		"empty.jsonl":   "\n",
		"bad.json":      `{"Statement":{"Effect":"Allow"}}`,
	})
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		want     string   // whole stdout, when set
		contains []string // in stdout when code is 0, else in stderr
	}{
		{"policy file", "", []string{"policy", "minimize", f["policy.json"]}, 0, minimized, nil},
		{"policy from stdin", policy, []string{"policy", "minimize", "-"}, 0, minimized, nil},
		{"grants as JSON lines", "", []string{"policy", "minimize", "--grants", f["grants.jsonl"]}, 0, "",
			[]string{`"Action": [`, `"s3:GetObject",`, `"s3:PutObject"`, `"Resource": "arn:aws:s3:::b/*"`}},
		{"grants as an array", "", []string{"policy", "minimize", "--grants", f["grants.json"], "--sid-prefix", "Read"}, 0, "",
			[]string{`"Sid": "Read1"`, `"arn:aws:s3:::b/*",`, `"arn:aws:s3:::c/*"`}},
		{"wildcards", "", []string{"policy", "minimize", "--grants", f["allget.jsonl"]}, 0, "", []string{`"Action": "s3:Get*"`}},
		{"no wildcards", "", []string{"policy", "minimize", "--no-wildcards", "--grants", f["allget.jsonl"]}, 0, "", []string{`"s3:GetObject",`, `"s3:GetBucketPolicy",`}},
		{"grants from stdin", `{"action":"sqs:SendMessage","resource":"*"}`, []string{"policy", "minimize", "--grants", "-"}, 0, "", []string{`"Action": "sqs:SendMessage"`}},
		{"bad grant line", "", []string{"policy", "minimize", "--grants", f["badline.jsonl"]}, 1, "", []string{f["badline.jsonl"] + ":2: resource is empty (action s3:GetObject)"}},
		{"unknown field", "", []string{"policy", "minimize", "--grants", f["unknown.jsonl"]}, 1, "", []string{f["unknown.jsonl"] + ":1:", `unknown field "effect"`}},
		{"bad array element", "", []string{"policy", "minimize", "--grants", f["badelem.json"]}, 1, "", []string{"element 1", `action "GetObject" is not of the form service:action`}},
		{"no grants", "", []string{"policy", "minimize", "--grants", f["empty.jsonl"]}, 1, "", []string{"no grants"}},
		{"both inputs", "", []string{"policy", "minimize", "--grants", f["grants.json"], f["policy.json"]}, 1, "", []string{"not both"}},
		{"no input", "", []string{"policy", "minimize"}, 1, "", []string{"give one policy FILE, or --grants FILE"}},
		{"invalid policy", "", []string{"policy", "minimize", f["bad.json"]}, 1, "", []string{f["bad.json"], "not a valid managed policy"}},
		{"bad format", "", []string{"policy", "minimize", "--format", "text", f["policy.json"]}, 1, "", []string{`--format "text": want json`}},
		{"missing file", "", []string{"policy", "minimize", filepath.Join(t.TempDir(), "nope.json")}, 1, "", []string{"nope.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if tc.want != "" && stdout != tc.want {
				t.Fatalf("stdout:\n%s\nwant:\n%s", stdout, tc.want)
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
		})
	}
}

// TestPolicyMinimizeCommandExact: the minimised policy grants what the input grants.
func TestPolicyMinimizeCommandExact(t *testing.T) {
	const policy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ec2:Describe*","s3:Get*","s3:List*"],"Resource":"*"},
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]}]}`
	f := diffWriteFiles(t, map[string]string{"policy.json": policy})
	for _, flags := range [][]string{nil, {"--no-wildcards"}} {
		code, stdout, stderr := cliRun(t, "", append(append([]string{"policy", "minimize"}, flags...), f["policy.json"])...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		before := iam.MustParse(policy, iam.KindManaged)
		after, err := iam.Parse([]byte(stdout), iam.KindManaged)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, stdout)
		}
		if d := iam.Diff(before, after); !d.IsEmpty() {
			t.Fatalf("%v: output grants differently: %+v", flags, d)
		}
	}
}
