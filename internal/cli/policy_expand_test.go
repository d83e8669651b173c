package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestPolicyExpand(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		want       []string // exact stdout lines, when set
		contains   []string // stdout lines that must be present
		stderr     string   // exact stderr
		minLines   int
		notContain []string
	}{
		{name: "one action, any case", args: []string{"s3:getobject"}, want: []string{"s3:GetObject"}},
		{name: "question mark", args: []string{"s3:?etObject"}, want: []string{"s3:GetObject"}},
		{name: "sorted, deduplicated", args: []string{"sqs:SendMessage", "sqs:Send*", "s3:PutObject", "S3:GetObject"},
			want: []string{"s3:GetObject", "s3:PutObject", "sqs:SendMessage"}},
		{name: "prefix pattern with level", args: []string{"--access-level", "read", "s3:GetObjectV*"},
			want: []string{"s3:GetObjectVersion", "s3:GetObjectVersionAcl", "s3:GetObjectVersionAnnotation", "s3:GetObjectVersionAnnotationForReplication", "s3:GetObjectVersionAttributes", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging", "s3:GetObjectVersionTorrent"}},
		{name: "hyphenated level, several", args: []string{"--access-level", "permissions-management,TAGGING", "iam:*Role*"},
			contains: []string{"iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole"}, notContain: []string{"iam:GetRole", "iam:ListRoles", "iam:CreateRole", "iam:PassRole"}},
		{name: "level with a space", args: []string{"--access-level", "Permissions management", "s3:PutBucketPolicy", "s3:GetObject"}, want: []string{"s3:PutBucketPolicy"}},
		{name: "star is every action", args: []string{"*"}, minLines: 20000, contains: []string{"s3:GetObject", "ec2:RunInstances"}},
		{name: "typo", args: []string{"s3:GetObject", "s3:GetObjet"}, code: 1, want: []string{""},
			stderr: "ciem: pattern \"s3:GetObjet\" matches no action (did you mean s3:GetObject?)\n"},
		{name: "unknown service pattern", args: []string{"s4:Get*", "zz:*"}, code: 1, want: []string{""},
			stderr: "ciem: pattern \"s4:Get*\" matches no action (did you mean s3?)\nciem: pattern \"zz:*\" matches no action\n"},
		{name: "pattern matching nothing", args: []string{"s3:Zzz*"}, code: 1, want: []string{""}, stderr: "ciem: pattern \"s3:Zzz*\" matches no action\n"},
		{name: "bad level", args: []string{"--access-level", "admin", "s3:*"}, code: 1, want: []string{""},
			stderr: "ciem: --access-level: unknown access level \"admin\" (want List, Read, Write, Permissions management or Tagging)\n"},
		{name: "no pattern", args: nil, code: 1, want: []string{""}, stderr: "ciem: requires at least 1 arg(s), only received 0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, "", append([]string{"policy", "expand"}, tc.args...)...)
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", stderr, tc.stderr)
			}
			if tc.want != nil && !slices.Equal(lines, tc.want) {
				t.Errorf("stdout %q, want %q", lines, tc.want)
			}
			for _, c := range tc.contains {
				if !slices.Contains(lines, c) {
					t.Errorf("stdout lacks %s", c)
				}
			}
			for _, c := range tc.notContain {
				if slices.Contains(lines, c) {
					t.Errorf("stdout has %s", c)
				}
			}
			if len(lines) < tc.minLines {
				t.Errorf("%d lines, want at least %d", len(lines), tc.minLines)
			}
			if !slices.IsSortedFunc(lines, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
				t.Error("not sorted")
			}
		})
	}
}

func TestPolicyExpandJSON(t *testing.T) {
	code, stdout, stderr := cliRun(t, "", "policy", "expand", "--format", "json", "s3:GetObject", "s3:PutBucketTagging")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"action": "s3:GetObject", "accessLevel": "Read"}, {"action": "s3:PutBucketTagging", "accessLevel": "Tagging"}}
	if !slices.EqualFunc(got, want, func(a, b map[string]string) bool {
		return a["action"] == b["action"] && a["accessLevel"] == b["accessLevel"] && len(a) == 2
	}) {
		t.Errorf("got %v, want %v", got, want)
	}
}
