package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const rightsizeRole = "arn:aws:iam::123456789012:role/app"

// rightsizeRecord is a CloudTrail record of the app role's session.
func rightsizeRecord(source, name, params string, data bool) string {
	category, mgmt := "Management", "true"
	if data {
		category, mgmt = "Data", "false"
	}
	return `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:w","arn":"arn:aws:sts::123456789012:assumed-role/app/w","accountId":"123456789012",` +
		`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"` + rightsizeRole + `","accountId":"123456789012","userName":"app"}}},` +
		`"eventTime":"2026-06-10T12:00:00Z","eventSource":"` + source + `","eventName":"` + name + `","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1",` +
		`"userAgent":"test","requestParameters":` + params + `,"requestID":"r","eventID":"e","eventType":"AwsApiCall","managementEvent":` + mgmt +
		`,"recipientAccountId":"123456789012","eventCategory":"` + category + `"}`
}

// rightsizeOffline writes a trail archive (AWS layout) and the role's granted policies.
func rightsizeOffline(t *testing.T) (trail, policy, boundary string) {
	t.Helper()
	dir := t.TempDir()
	trail = filepath.Join(dir, "trail")
	day := filepath.Join(trail, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2026", "06", "10")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	records := []string{
		rightsizeRecord("s3.amazonaws.com", "GetObject", `{"bucketName":"data","key":"in/a.json"}`, true),
		rightsizeRecord("s3.amazonaws.com", "PutObject", `{"bucketName":"data","key":"out/b.json"}`, true),
		rightsizeRecord("iam.amazonaws.com", "GetRole", `{"roleName":"app"}`, false),
	}
	if err := os.WriteFile(filepath.Join(day, "123456789012_CloudTrail_us-east-1_20260610T1200Z_x.json"), []byte(`{"Records":[`+strings.Join(records, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	policy = filepath.Join(dir, "broad.json")
	if err := os.WriteFile(policy, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	boundary = filepath.Join(dir, "boundary.json")
	if err := os.WriteFile(boundary, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:Get*","iam:List*"],"Resource":"*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return trail, policy, boundary
}

// Offline: a trail archive on disk and granted policies from files, no AWS access at all
// (the endpoint points nowhere and there are no credentials).
func TestRightsizeOffline(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	trail, policy, boundary := rightsizeOffline(t)
	saved := filepath.Join(t.TempDir(), "granted.json")
	args := []string{"rightsize", "--principal", rightsizeRole, "--source", "cloudtrail-dir=" + trail,
		"--granted", policy, "--granted", "boundary=" + boundary, "--since", "2026-06-01", "--until", "2026-07-01", "--keep", "iam:List*"}
	code, stdout, stderr := cliRun(t, "", append(args, "--format", "json", "--save-granted", saved)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s struct {
		Principal string
		Summary   struct {
			Used       int `json:"used_actions"`
			Unobserved int `json:"kept_unobserved_actions"`
		}
		Policy json.RawMessage
		Kept   []struct {
			Action    string
			Resources []string
			Scoped    bool
		}
		KeptUnobserved []struct{ Action, Reason string } `json:"kept_unobserved"`
	}
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var kept []string
	for _, k := range s.Kept {
		kept = append(kept, k.Action+" "+strings.Join(k.Resources, ","))
	}
	if got := strings.Join(kept, "; "); got != "iam:GetRole arn:aws:iam::123456789012:role/*/app,arn:aws:iam::123456789012:role/app; s3:GetObject arn:aws:s3:::data/*; s3:PutObject arn:aws:s3:::data/*" {
		t.Errorf("kept %s", got)
	}
	if s.Summary.Used != 3 || s.Summary.Unobserved == 0 || s.KeptUnobserved[0].Reason != "keep-pattern" {
		t.Errorf("summary %+v, unobserved %+v", s.Summary, s.KeptUnobserved)
	}
	// Same input, same bytes.
	_, again, _ := cliRun(t, "", append(args, "--format", "json")...)
	if again != stdout {
		t.Error("a second run gives other bytes")
	}
	// The saved bundle stands in for the two files.
	_, fromBundle, stderr := cliRun(t, "", "rightsize", "--principal", rightsizeRole, "--source", "cloudtrail-dir="+trail,
		"--granted", saved, "--since", "2026-06-01", "--until", "2026-07-01", "--keep", "iam:List*", "--format", "json")
	var b struct{ Policy json.RawMessage }
	if err := json.Unmarshal([]byte(fromBundle), &b); err != nil || string(b.Policy) != string(s.Policy) {
		t.Errorf("from the saved bundle: %v %s\n%s", err, b.Policy, stderr)
	}

	code, text, stderr := cliRun(t, "", append(args, "--format", "text")...)
	for _, want := range []string{"Right-sizing " + rightsizeRole, "Granted against used, by service and access level", "s3:PutObject", "keep-pattern", "Permissions boundary: " + boundary} {
		if code != 0 || !strings.Contains(text, want) {
			t.Errorf("text lacks %q (exit %d, %s):\n%s", want, code, stderr, text)
		}
	}
	code, hcl, stderr := cliRun(t, "", append(args, "--format", "hcl", "--name", "app-least")...)
	for _, want := range []string{`resource "ciem_entitlement" "app-least"`, `principal_arn = "` + rightsizeRole + `"`, "policy = jsonencode({"} {
		if code != 0 || !strings.Contains(hcl, want) {
			t.Errorf("hcl lacks %q (exit %d, %s):\n%s", want, code, stderr, hcl)
		}
	}
	// Scoping off: the granted resource.
	_, noScope, _ := cliRun(t, "", append(args, "--format", "json", "--no-resource-scoping")...)
	if !strings.Contains(noScope, `"Action": [`) || strings.Contains(noScope, `"arn:aws:s3:::data/*"`) {
		t.Errorf("--no-resource-scoping:\n%.1500s", noScope)
	}
}

// A generated archive of many principals: the rightsizer reads it like any other.
func TestRightsizeGeneratedTrail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trail")
	if code, _, stderr := cliRun(t, "", "usage", "generate", "--seed", "7", "--events", "3000", "--per-file", "1000", "--out", dir); code != 0 {
		t.Fatal(stderr)
	}
	code, digest, stderr := cliRun(t, "", "usage", "digest", "--source", "cloudtrail-dir="+dir, "--since", "all", "--format", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var d struct {
		Principals []struct {
			ARN   string
			Count int
		}
	}
	if err := json.Unmarshal([]byte(digest), &d); err != nil {
		t.Fatal(err)
	}
	role, best := "", 0
	for _, p := range d.Principals {
		if strings.Contains(p.ARN, ":role/") && strings.HasPrefix(p.ARN, "arn:aws:iam::123456789012:") && p.Count > best {
			role, best = p.ARN, p.Count
		}
	}
	if role == "" {
		t.Fatal("no role in the generated trail")
	}
	admin := filepath.Join(t.TempDir(), "admin.json")
	if err := os.WriteFile(admin, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"rightsize", "--principal", role, "--source", "cloudtrail-dir=" + dir, "--granted", admin, "--since", "all", "--format", "json"}
	code, out, stderr := cliRun(t, "", args...)
	if code != 0 {
		t.Fatal(stderr)
	}
	var s struct {
		Summary struct {
			Granted int     `json:"granted_actions"`
			Used    int     `json:"used_actions"`
			Unused  float64 `json:"unused_share"`
		}
		Kept []struct{ Action string }
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Summary.Granted < 20000 || s.Summary.Used == 0 || s.Summary.Used != len(s.Kept) || s.Summary.Unused < 0.99 {
		t.Errorf("%s: summary %+v", role, s.Summary)
	}
	if _, again, _ := cliRun(t, "", append(args, "--workers", "1")...); again != out {
		t.Error("a second run with one worker gives other bytes")
	}
}

func TestRightsizeCommandErrors(t *testing.T) {
	trail, policy, _ := rightsizeOffline(t)
	base := []string{"rightsize", "--principal", rightsizeRole, "--source", "cloudtrail-dir=" + trail, "--granted", policy}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no principal", []string{"rightsize", "--source", "cloudtrail-dir=" + trail}, "--principal: the ARN of the role or user"},
		{"bad principal", []string{"rightsize", "--principal", "app", "--source", "cloudtrail-dir=" + trail}, `--principal: principal ARN "app"`},
		{"no source", []string{"rightsize", "--principal", rightsizeRole, "--granted", policy}, "no --source given"},
		{"bad source", []string{"rightsize", "--principal", rightsizeRole, "--source", "splunk=x", "--granted", policy}, "unknown source"},
		{"bad format", append(base, "--format", "yaml"), `--format "yaml"`},
		{"bad since", append(base, "--since", "last week"), "--since"},
		{"since after until", append(base, "--since", "2026-07-01", "--until", "2026-06-01"), "is not before --until"},
		{"bad keep", append(base, "--keep", "s3:Frobnicate*"), `--keep "s3:Frobnicate*": matches no action`},
		{"bad kind", append(base, "--kind", "inline-user"), "--kind inline-user: the principal is a role"},
		{"missing granted file", []string{"rightsize", "--principal", rightsizeRole, "--source", "cloudtrail-dir=" + trail, "--granted", "/no/such/file.json"}, "/no/such/file.json"},
		{"missing trail", []string{"rightsize", "--principal", rightsizeRole, "--source", "cloudtrail-dir=/no/such/dir", "--granted", policy}, "/no/such/dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cliRun(t, "", tc.args...)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, stderr, tc.want)
			}
		})
	}
}
