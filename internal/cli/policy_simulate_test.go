package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	simAllowGet  = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	simDenyAll   = `{"Version":"2012-10-17","Statement":[{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	simAllowAll  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	simFromNet   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	simAnyTagKey = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}]}`
)

func TestPolicySimulateBatch(t *testing.T) {
	line := func(policy, action, resource string) string {
		return `{"identityPolicies":[{"name":"p","policy":` + policy + `}],"serviceControlPolicies":[],"resourceControlPolicies":[],` +
			`"request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"` + action + `","resource":{"resource":"` + resource + `","accountId":"111122223333"},"contextVariables":{}}}`
	}
	quoted, _ := json.Marshal(simAllowGet)
	in := strings.Join([]string{
		line(simAllowGet, "s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
		"",
		line(simAllowGet, "s3:PutObject", "arn:aws:s3:::reports/q1.csv"),
		line(simDenyAll, "s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
		line(string(quoted), "s3:GetObject", "arn:aws:s3:::reports/q1.csv"), // policy as a JSON string
		line(`{"Statement":[{"Effect":"Allow"}]}`, "s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
		line(simAllowGet, "s3GetObject", "arn:aws:s3:::reports/q1.csv"),
		line(simAllowGet, "s3:GetObject", "arn:aws:s3:::reports"),
		`not json`,
		line(simAllowGet, "s3:GetObject", "arn:aws:s3:::reports/q2.csv"),
	}, "\n")
	want := []string{
		`{"result":"Allowed"}`,
		`{"result":"ImplicitlyDenied"}`,
		`{"result":"ExplicitlyDenied"}`,
		`{"result":"Allowed"}`,
		`error:identityPolicies[0] (p)`,
		`error:request.action`,
		`error:request.resource.resource`,
		`error:decoding case`,
		`{"result":"Allowed"}`,
	}
	dir := t.TempDir()
	file := writeFile(t, dir, "cases.jsonl", in)
	for _, args := range [][]string{{"--batch"}, {"--batch", "--input", file}} {
		stdin := in
		if len(args) > 1 {
			stdin = ""
		}
		code, out, errOut := cliRun(t, stdin, append([]string{"policy", "simulate"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", args, code, errOut)
		}
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(got) != len(want) {
			t.Fatalf("%v: %d answers, want %d:\n%s", args, len(got), len(want), out)
		}
		for i, w := range want {
			if msg, ok := strings.CutPrefix(w, "error:"); ok {
				var a struct{ Error string }
				if err := json.Unmarshal([]byte(got[i]), &a); err != nil || !strings.Contains(a.Error, msg) {
					t.Errorf("%v: answer %d = %s, want an error mentioning %q", args, i, got[i], msg)
				}
				continue
			}
			if got[i] != w {
				t.Errorf("%v: answer %d = %s, want %s", args, i, got[i], w)
			}
		}
	}
}

func TestPolicySimulateOne(t *testing.T) {
	dir := t.TempDir()
	allowGet := writeFile(t, dir, "allow-get.json", simAllowGet)
	denyAll := writeFile(t, dir, "deny.json", simDenyAll)
	allowAll := writeFile(t, dir, "all.json", simAllowAll)
	fromNet := writeFile(t, dir, "net.json", simFromNet)
	tagKeys := writeFile(t, dir, "tags.json", simAnyTagKey)
	caseFile := writeFile(t, dir, "case.json", `{
  "identityPolicies": [{"name": "reader", "policy": `+simAllowGet+`}],
  "serviceControlPolicies": [], "resourceControlPolicies": [],
  "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
    "resource": {"resource": "arn:aws:s3:::reports/q1.csv", "accountId": "111122223333"}, "contextVariables": {}}
}`)
	obj := "arn:aws:s3:::reports/q1.csv"
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string // in stdout when code is 0, else in stderr
	}{
		{"allowed, text", []string{"--policy", allowGet, "--action", "s3:GetObject", "--resource", obj}, 0,
			[]string{"Allowed", `allowed by identity policy "allow-get.json" $.Statement[0] (Sid "Read")`}},
		{"implicit deny names the layer", []string{"--policy", allowGet, "--action", "s3:PutObject", "--resource", obj}, 0,
			[]string{"ImplicitlyDenied", "no allow in identity policies"}},
		{"explicit deny", []string{"--policy", allowGet, "--policy", denyAll, "--action", "s3:GetObject", "--resource", obj}, 0,
			[]string{"ExplicitlyDenied", `denied by identity policy "deny.json" $.Statement[0] (Sid "NoS3")`}},
		{"boundary", []string{"--policy", allowAll, "--boundary", allowGet, "--action", "s3:PutObject", "--resource", obj}, 0,
			[]string{"ImplicitlyDenied", "boundary"}},
		{"scp levels", []string{"--policy", allowAll, "--scp", allowAll, "--scp", denyAll, "--action", "s3:GetObject", "--resource", obj}, 0,
			[]string{"ExplicitlyDenied", "scp level 2"}},
		{"context value", []string{"--policy", fromNet, "--action", "s3:GetObject", "--resource", obj, "--context", "aws:SourceIp=10.1.2.3"}, 0,
			[]string{"Allowed"}},
		{"context value outside", []string{"--policy", fromNet, "--action", "s3:GetObject", "--resource", obj, "--context", "aws:SourceIp=192.0.2.1"}, 0,
			[]string{"ImplicitlyDenied"}},
		{"repeated context key is multi-valued", []string{"--policy", tagKeys, "--action", "ec2:CreateTags", "--resource", "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
			"--context", "aws:TagKeys=env", "--context", "aws:TagKeys=team"}, 0, []string{"Allowed"}},
		{"multi-valued key with a value outside", []string{"--policy", tagKeys, "--action", "ec2:CreateTags", "--resource", "arn:aws:ec2:us-east-1:111111111111:instance/i-1",
			"--context", "aws:TagKeys=env", "--context", "aws:TagKeys=owner"}, 0, []string{"ImplicitlyDenied"}},
		{"json", []string{"--policy", allowGet, "--action", "s3:GetObject", "--resource", obj, "--format", "json"}, 0,
			[]string{`"result": "Allowed"`, `"layer": "identity"`, `"policy": "allow-get.json"`, `"path": "$.Statement[0]"`}},
		{"case file", []string{caseFile}, 0, []string{"Allowed", `"reader"`}},
		{"case file and flags", []string{caseFile, "--action", "s3:GetObject"}, 1, []string{"not both"}},
		{"no action", []string{"--policy", allowGet}, 1, []string{"--action is required"}},
		{"unknown action", []string{"--policy", allowGet, "--action", "s3:GetObjet", "--resource", obj}, 1, []string{`unknown action "s3:GetObjet"`}},
		{"resource of another type", []string{"--policy", allowGet, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports"}, 1,
			[]string{"none of the resource types of s3:GetObject"}},
		{"bad context flag", []string{"--policy", allowGet, "--action", "s3:GetObject", "--resource", obj, "--context", "novalue"}, 1, []string{`--context "novalue"`}},
		{"missing policy file", []string{"--policy", filepath.Join(dir, "nope.json"), "--action", "s3:GetObject", "--resource", obj}, 1, []string{"nope.json"}},
		{"bad policy", []string{"--policy", writeFile(t, dir, "bad.json", `{"Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`), "--action", "s3:GetObject", "--resource", obj}, 1,
			[]string{"identityPolicies[0] (bad.json)", "Effect"}},
		{"batch with flags", []string{"--batch", "--action", "s3:GetObject"}, 1, []string{"--batch"}},
		{"bad format", []string{"--policy", allowGet, "--action", "s3:GetObject", "--resource", obj, "--format", "yaml"}, 1, []string{`--format "yaml"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cliRun(t, "", append([]string{"policy", "simulate"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			text := out
			if code != 0 {
				text = errOut
			}
			for _, c := range tt.contains {
				if !strings.Contains(text, c) {
					t.Errorf("output lacks %q:\n%s", c, text)
				}
			}
		})
	}
}
