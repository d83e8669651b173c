package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPolicyAnalyzeCommand(t *testing.T) {
	f := diffWriteFiles(t, map[string]string{
		"pass.json":     `{"Version":"2012-10-17","Statement":[{"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-*"}]}`,
		"run.json":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:RunInstances","ec2:DescribeInstances"],"Resource":"*"}]}`,
		"denyrun.json":  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}`,
		"admin.json":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"readonly.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:List*","ec2:Describe*"],"Resource":"*"}]}`,
		"bad.json":      `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`,
	})
	tests := []cliCase{
		{"path across two policies", "", []string{"policy", "analyze", f["pass.json"], f["run.json"]}, 0, []string{
			"MEDIUM   privilege_escalation passrole-ec2-run-instances: Launch EC2 instances with a passed role",
			"actions: ec2:RunInstances, iam:PassRole",
			"granted by: " + f["run.json"] + " $.Statement[0]",
			"granted by: " + f["pass.json"] + " $.Statement[0] (Pass)",
			"granted only on named resources (arn:aws:iam::111122223333:role/app-*)",
		}, []string{"unrestricted-passrole"}},
		{"one policy alone has no path", "", []string{"policy", "analyze", f["pass.json"]}, 0, []string{"no risk findings"}, nil},
		{"a deny in a third policy removes it", "", []string{"policy", "analyze", f["pass.json"], f["run.json"], f["denyrun.json"]}, 0, nil, []string{"passrole-ec2-run-instances"}},
		{"administrator", "", []string{"policy", "analyze", f["admin.json"]}, 0, []string{
			"CRITICAL wildcard_admin wildcard-admin: Full administrator access (* on *)", "actions: *\n",
			"HIGH     unrestricted_passrole unrestricted-passrole", " more\n", "findings: ", " critical, ",
		}, nil},
		{"read only", "", []string{"policy", "analyze", f["readonly.json"]}, 0, []string{"no risk findings"}, nil},
		{"from stdin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PutUserPolicy","Resource":"*"}]}`,
			[]string{"policy", "analyze", "-"}, 0, []string{"CRITICAL privilege_escalation iam-put-user-policy", "granted by: <stdin> $.Statement[0]", "1 finding: 1 critical"}, nil},
		{"invalid policy", "", []string{"policy", "analyze", f["run.json"], f["bad.json"]}, 1, []string{f["bad.json"], "$.Statement[0].Effect"}, nil},
		{"no files", "", []string{"policy", "analyze"}, 1, []string{"requires at least 1 arg"}, nil},
		{"bad format", "", []string{"policy", "analyze", "--format", "xml", f["run.json"]}, 1, []string{`--format "xml"`}, nil},
	}
	runCLICases(t, tests)
}

func TestPolicyAnalyzeCommandJSON(t *testing.T) {
	f := diffWriteFiles(t, map[string]string{
		"a.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction"],"Resource":"*"}]}`,
		"b.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
	})
	code, stdout, stderr := cliRun(t, "", "policy", "analyze", "--format", "json", f["a.json"], f["b.json"])
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Policies []string `json:"policies"`
		Findings []struct {
			Rule        string   `json:"rule"`
			Type        string   `json:"type"`
			Severity    string   `json:"severity"`
			Actions     []string `json:"actions"`
			Conditional bool     `json:"conditional"`
			Target      string   `json:"target"`
			Statements  []struct {
				Policy string `json:"policy"`
				Path   string `json:"path"`
			} `json:"statements"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if len(got.Policies) != 2 || got.Policies[1] != f["b.json"] {
		t.Fatalf("policies %v", got.Policies)
	}
	found := false
	for _, fd := range got.Findings {
		if fd.Rule != "passrole-lambda" {
			continue
		}
		found = true
		if fd.Type != "privilege_escalation" || fd.Severity != "medium" || !fd.Conditional || fd.Target != "role" || len(fd.Statements) != 2 ||
			strings.Join(fd.Actions, ",") != "iam:PassRole,lambda:CreateFunction,lambda:InvokeFunction" {
			t.Fatalf("passrole-lambda finding %+v", fd)
		}
	}
	if !found {
		t.Fatalf("no passrole-lambda finding:\n%s", stdout)
	}
	// No findings is an empty list, not null.
	f2 := diffWriteFiles(t, map[string]string{"ro.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`})
	if _, stdout, _ := cliRun(t, "", "policy", "analyze", "--format", "json", f2["ro.json"]); !strings.Contains(stdout, `"findings": []`) {
		t.Fatalf("empty findings: %s", stdout)
	}
}
