package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/scan/accountgen"
)

func generated(t *testing.T, seed uint64, users, roles, policies int) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := accountgen.Write(&b, accountgen.Options{Seed: seed, Users: users, Roles: roles, Policies: policies}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBaseline(t *testing.T) {
	base := tAccount{
		users: []tUser{{name: "dev", inline: []string{allow("s3:GetObject", "arn:aws:s3:::b/*")}}, {name: "ops", inline: []string{allow("sts:AssumeRole", arnOf("role", "/", "admin"))}}},
		roles: []tRole{{name: "admin", trust: trustAWS(acctID), attach: []string{adminAccessARN}}},
	}
	// A day later: dev can also pass roles to Lambda, a new user appears, ops is gone.
	next := base
	next.users = []tUser{{name: "dev", inline: []string{allow("s3:GetObject", "arn:aws:s3:::b/*"), allow("iam:PassRole,lambda:CreateFunction,lambda:InvokeFunction", "*")}},
		{name: "intern", inline: []string{allow("s3:GetObject", "arn:aws:s3:::b/*")}}}
	next.roles = append(next.roles, tRole{name: "fn", trust: trustService("lambda.amazonaws.com"), attach: []string{adminAccessARN}})

	dir := t.TempDir()
	writeReport := func(name string, r *Report) string {
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldPath := writeReport("old.json", scanAccount(t, base, Options{}))
	old, err := ReadBaseline(oldPath)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("no change", func(t *testing.T) {
		d := CompareBaseline(scanAccount(t, base, Options{}), old)
		if d.Gate || len(d.NewFindings)+len(d.ResolvedFindings)+len(d.NewPrincipals)+len(d.RemovedPrincipals)+len(d.NewAdminPaths) != 0 {
			t.Errorf("changes against itself: %+v", d)
		}
	})
	t.Run("new path", func(t *testing.T) {
		r := scanAccount(t, next, Options{})
		d := CompareBaseline(r, old)
		if !d.Gate {
			t.Error("a new path to administrator must gate")
		}
		if strings.Join(shortNames(d.NewPrincipals), ",") != "user/intern,role/fn" && strings.Join(shortNames(d.NewPrincipals), ",") != "role/fn,user/intern" {
			t.Errorf("new principals %v", d.NewPrincipals)
		}
		if strings.Join(shortNames(d.RemovedPrincipals), ",") != "user/ops" {
			t.Errorf("removed principals %v", d.RemovedPrincipals)
		}
		if len(d.NewAdminPaths) != 1 || displayName(d.NewAdminPaths[0].Principal) != "user/dev" || d.NewAdminPaths[0].BeforeSteps != nil {
			t.Errorf("new admin paths %+v", d.NewAdminPaths)
		}
		found := false
		for _, f := range d.NewFindings {
			if f.Rule == RuleAdminPath && displayName(f.Principal) == "user/dev" {
				found = true
			}
		}
		if !found {
			t.Errorf("no new admin-path finding for dev in %+v", d.NewFindings)
		}
		resolved := false
		for _, f := range d.ResolvedFindings {
			if f.Rule == RuleAdminPath && displayName(f.Principal) == "user/ops" {
				resolved = true
			}
		}
		if !resolved {
			t.Errorf("ops's path is not resolved: %+v", d.ResolvedFindings)
		}
	})
	t.Run("only low findings do not gate", func(t *testing.T) {
		low := base
		low.users = append(append([]tUser(nil), base.users...), tUser{name: "extra", inline: []string{allow("s3:GetObject", "arn:aws:s3:::b/*")}})
		d := CompareBaseline(scanAccount(t, low, Options{}), old)
		if d.Gate || len(d.NewFindings) != 1 || d.NewFindings[0].Type != FindingUserAttachedPolicies {
			t.Errorf("gate %v, new findings %+v", d.Gate, d.NewFindings)
		}
	})
}

func shortNames(arns []string) []string {
	var out []string
	for _, a := range arns {
		out = append(out, displayName(a))
	}
	return out
}

func TestReadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, data, want string }{
		{"not a report", `{"UserDetailList": []}`, "not a ciem scan report"},
		{"other schema", `{"schema": "ciem.scan/v9"}`, "schema ciem.scan/v9"},
		{"bad JSON", "{\n\"schema\": ", "old.json"},
	} {
		p := filepath.Join(dir, "old.json")
		if err := os.WriteFile(p, []byte(tt.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadBaseline(p); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
	if _, err := ReadBaseline(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
