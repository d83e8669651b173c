package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

func TestCatalogCommand(t *testing.T) {
	c := catalog.Default()
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains []string // in stdout when code is 0, else in stderr
	}{
		{"summary", []string{"catalog"}, 0, []string{c.Source(), "services", "actions", "resource types", "Permissions management", "Tagging"}},
		{"action", []string{"catalog", "action", "s3:getobject"}, 0, []string{"s3:GetObject (Amazon S3)", "Access level: Read", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", "s3:ExistingObjectTag/<key>"}},
		{"action required resource", []string{"catalog", "action", "iam:PassRole"}, 0, []string{"Access level: Write", "role", "required", "iam:PassedToService"}},
		{"action typo", []string{"catalog", "action", "s3:GetObjet"}, 1, []string{`unknown action "s3:GetObjet"`, "did you mean s3:GetObject"}},
		{"actions of a service", []string{"catalog", "actions", "S3"}, 0, []string{"s3:GetObject", "s3:ListBucket"}},
		{"actions by pattern and level", []string{"catalog", "actions", "iam:*", "--access", "permissions-management"}, 0, []string{"iam:CreatePolicyVersion", "Permissions management"}},
		{"actions unknown service", []string{"catalog", "actions", "s4"}, 1, []string{`unknown service "s4"`, "s3"}},
		{"actions bad level", []string{"catalog", "actions", "s3", "--access", "admin"}, 1, []string{"--access", "admin"}},
		{"actions no match", []string{"catalog", "actions", "s3:Zzz*"}, 1, []string{"no action matches"}},
		{"services", []string{"catalog", "services"}, 0, []string{"s3", "Amazon S3", "iam"}},
		{"bad format", []string{"catalog", "--format", "yaml"}, 1, []string{`--format "yaml"`}},
		{"extra argument", []string{"catalog", "extra"}, 1, []string{"extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, "", tc.args...)
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
		})
	}
}

func TestCatalogCommandJSON(t *testing.T) {
	c := catalog.Default()
	_, stdout, stderr := cliRun(t, "", "catalog", "--format", "json")
	var sum struct {
		Source        string         `json:"source"`
		Services      int            `json:"services"`
		Actions       int            `json:"actions"`
		ResourceTypes int            `json:"resource_types"`
		ConditionKeys int            `json:"condition_keys"`
		ByLevel       map[string]int `json:"actions_by_access_level"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary JSON: %v\n%s%s", err, stdout, stderr)
	}
	total := 0
	for _, n := range sum.ByLevel {
		total += n
	}
	if sum.Source != c.Source() || sum.Services != len(c.Services()) || sum.Actions != c.NumActions() ||
		sum.ResourceTypes != c.NumResourceTypes() || sum.ConditionKeys != c.NumConditionKeys() || total != c.NumActions() || len(sum.ByLevel) != 5 {
		t.Errorf("summary JSON %+v does not match the catalog", sum)
	}

	_, stdout, _ = cliRun(t, "", "catalog", "action", "ec2:CreateTags", "--format", "json")
	var act struct {
		Action    string `json:"action"`
		Access    string `json:"access_level"`
		Resources []struct {
			Type string `json:"type"`
			ARN  string `json:"arn"`
		} `json:"resource_types"`
	}
	if err := json.Unmarshal([]byte(stdout), &act); err != nil {
		t.Fatalf("action JSON: %v\n%s", err, stdout)
	}
	if act.Action != "ec2:CreateTags" || act.Access != "Tagging" || len(act.Resources) < 10 || act.Resources[0].ARN == "" {
		t.Errorf("action JSON: %+v", act)
	}

	_, stdout, _ = cliRun(t, "", "catalog", "actions", "s3:Get*", "--format", "json")
	var acts []struct{ Action, AccessLevel string }
	if err := json.Unmarshal([]byte(stdout), &acts); err != nil {
		t.Fatalf("actions JSON: %v\n%s", err, stdout)
	}
	if len(acts) != c.Match("s3:Get*").Len() {
		t.Errorf("actions JSON has %d entries, want %d", len(acts), c.Match("s3:Get*").Len())
	}
}
