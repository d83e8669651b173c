package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/awstest"
)

// scanAuthFile writes a small account in the AWS CLI's form.
func scanAuthFile(t *testing.T, dir, name string, users ...string) string {
	t.Helper()
	var list []map[string]any
	for _, u := range users {
		user, doc, _ := strings.Cut(u, "=")
		list = append(list, map[string]any{"UserName": user, "Arn": "arn:aws:iam::123456789012:user/" + user, "Path": "/",
			"UserPolicyList": []any{map[string]any{"PolicyName": "p", "PolicyDocument": json.RawMessage(doc)}}})
	}
	data, err := json.Marshal(map[string]any{"UserDetailList": list, "GroupDetailList": []any{}, "Policies": []any{},
		"RoleDetailList": []any{map[string]any{"RoleName": "admin", "Arn": "arn:aws:iam::123456789012:role/admin", "Path": "/",
			"AssumeRolePolicyDocument": json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`),
			"RolePolicyList":           []any{map[string]any{"PolicyName": "all", "PolicyDocument": json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	scanReadOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	scanAssumer  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/admin"}]}`
)

func TestScanCommand(t *testing.T) {
	dir := t.TempDir()
	before := scanAuthFile(t, dir, "before.json", "dev="+scanReadOnly)
	after := scanAuthFile(t, dir, "after.json", "dev="+scanAssumer)
	code, baseJSON, stderr := cliRun(t, "", "scan", "--auth-details", before, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	basePath := filepath.Join(dir, "base.json")
	if err := os.WriteFile(basePath, []byte(baseJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	credCSV := filepath.Join(dir, "cred.csv")
	if err := os.WriteFile(credCSV, []byte("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,"+
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"+
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,"+
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"+
		"dev,arn:aws:iam::123456789012:user/dev,2024-01-01T00:00:00+00:00,true,2024-01-02T00:00:00+00:00,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string // in stdout when code is 0 or 2, else in stderr
	}{
		{"text", []string{"--auth-details", after}, 0, []string{"Account 123456789012: 1 user, 1 role", "user/dev: 1 step", "assume_role"}},
		{"json", []string{"--auth-details", after, "--format", "json"}, 0, []string{`"schema": "ciem.scan/v1"`, `"admin_reachable": true`, `"kind": "assume_role"`}},
		{"html", []string{"--auth-details", after, "--format", "html"}, 0, []string{"<!DOCTYPE html>", "Escalation paths"}},
		{"baseline without change", []string{"--auth-details", before, "--baseline", basePath}, 0, []string{"Since the baseline: 0 new principals"}},
		{"baseline with a new path exits 2", []string{"--auth-details", after, "--baseline", basePath, "--format", "json"}, 2,
			[]string{`"gate": true`, `"new_admin_paths": [`}},
		{"credential report", []string{"--auth-details", after, "--credential-report", credCSV, "--as-of", "2025-01-01T00:00:00Z", "--format", "json"}, 0,
			[]string{`"as_of": "2025-01-01T00:00:00Z"`, `"type": "console_without_mfa"`, `"type": "unused_credentials"`}},
		{"bad format", []string{"--auth-details", after, "--format", "xml"}, 1, []string{`--format "xml"`}},
		{"missing file", []string{"--auth-details", filepath.Join(dir, "nope.json")}, 1, []string{"nope.json"}},
		{"not auth details", []string{"--auth-details", credCSV}, 1, []string{"cred.csv:1:1: invalid JSON"}},
		{"bad baseline", []string{"--auth-details", after, "--baseline", after}, 1, []string{"not a ciem scan report"}},
		{"bad credential report", []string{"--auth-details", after, "--credential-report", after}, 1, []string{"not an IAM credential report"}},
		{"bad as-of", []string{"--auth-details", after, "--as-of", "yesterday"}, 1, []string{`--as-of "yesterday"`}},
		{"bad usage source", []string{"--auth-details", after, "--usage", "carrier-pigeon"}, 1, []string{"--usage"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, "", append([]string{"scan"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			where := stdout
			if code == 1 {
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

// TestScanGenerateAndOut: a generated account scanned to a file twice gives the same
// bytes.
func TestScanGenerateAndOut(t *testing.T) {
	dir := t.TempDir()
	acct := filepath.Join(dir, "acct.json")
	code, _, stderr := cliRun(t, "", "scan", "generate", "--seed", "3", "--users", "30", "--roles", "90", "--policies", "200", "--out", acct)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "30 users") {
		t.Errorf("generate said %q", stderr)
	}
	var outs []string
	for _, name := range []string{"a.json", "b.json"} {
		out := filepath.Join(dir, name)
		if code, stdout, stderr := cliRun(t, "", "scan", "--auth-details", acct, "--format", "json", "--out", out); code != 0 || stdout != "" {
			t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(data))
	}
	if outs[0] != outs[1] || !strings.Contains(outs[0], `"users": 30`) {
		t.Error("two scans of the same file differ, or the account is not the generated one")
	}
}

// TestScanLive reads the account from a sandbox with the environment's credentials.
func TestScanLive(t *testing.T) {
	sd, err := awstest.LoadSeed("../awstest/testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := awstest.StartWith(t, awstest.Options{Seed: sd})
	creds := srv.AdminCredentials()
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	code, stdout, stderr := cliRun(t, "", "scan", "--endpoint-url", srv.URL, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`"auth_details": "aws"`, `"arn": "arn:aws:iam::111122223333:user/dana"`, `"arn": "arn:aws:iam::111122223333:role/ops/deploy"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report lacks %s", want)
		}
	}
}
