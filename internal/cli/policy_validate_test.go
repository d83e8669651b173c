package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validateFile writes content to a file named name in a temporary folder and returns its path.
func validateFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const validateTypoDoc = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket", "s3:GetObjet"],
      "Resource": "arn:aws:s3:::reports"
    }
  ]
}
`

func TestPolicyValidateText(t *testing.T) {
	typo := validateFile(t, "typo.json", validateTypoDoc)
	clean := validateFile(t, "clean.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`)
	warn := validateFile(t, "warn.json", `{"Statement":[
 {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
 {"Effect":"Allow","Action":["s3:GetObject","s3:*"],"Resource":"*"}]}`)
	trust := validateFile(t, "trust.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	broken := validateFile(t, "broken.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}")
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // stdout lines
	}{
		{"typo", []string{"policy", "validate", typo}, "", 1, []string{
			typo + `:6:35: ERROR UNKNOWN_ACTION $.Statement[0].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)`,
			typo + `: 1 error`,
		}},
		{"stdin", []string{"policy", "validate", "-"}, validateTypoDoc, 1, []string{
			`<stdin>:6:35: ERROR UNKNOWN_ACTION $.Statement[0].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)`,
			`<stdin>: 1 error`,
		}},
		{"no findings", []string{"policy", "validate", clean}, "", 0, []string{clean + ": no findings"}},
		{"warnings only exit 0", []string{"policy", "validate", warn}, "", 0, []string{
			warn + `:1:1: WARNING MISSING_VERSION $: the policy has no Version element: AWS then applies version 2008-10-17, in which policy variables such as ${aws:username} are not replaced; add "Version": "2012-10-17"`,
			warn + `:2:32: SECURITY_WARNING ALLOW_WITH_NOT_ACTION $.Statement[0].NotAction: Allow with NotAction allows every action not listed, including actions AWS adds later; list the allowed actions in Action instead`,
			warn + `:3:2: SUGGESTION REDUNDANT_STATEMENT $.Statement[1]: the statement is redundant: $.Statement[0] already allows everything it does`,
			warn + `:3:30: SUGGESTION REDUNDANT_ACTION $.Statement[1].Action[0]: "s3:GetObject" is redundant: "s3:*" at $.Statement[1].Action[1] already covers it`,
			warn + `: 1 security warning, 1 warning, 2 suggestions`,
		}},
		{"trust policy as managed", []string{"policy", "validate", trust}, "", 1, []string{
			trust + `:1:38: ERROR POLICY_STRUCTURE $.Statement[0]: a managed policy must not name a Principal or NotPrincipal (only resource-based and trust policies do)`,
			trust + `:1:38: ERROR POLICY_STRUCTURE $.Statement[0]: the statement has neither Resource nor NotResource`,
			trust + `: 2 errors`,
		}},
		{"trust policy as trust", []string{"policy", "validate", "--kind", "trust", trust}, "", 0, []string{trust + ": no findings"}},
		{"kind is case-insensitive", []string{"policy", "validate", "--kind", "TRUST", trust}, "", 0, []string{trust + ": no findings"}},
		{"syntax error position", []string{"policy", "validate", broken}, "", 1, []string{
			broken + `:4:1: ERROR JSON_SYNTAX $: invalid JSON at line 4, column 1: invalid character '}' looking for beginning of value`,
			broken + `: 1 error`,
		}},
		{"size limit by kind", []string{"policy", "validate", "--kind", "inline-user", "-"}, validateBig(2100), 1, []string{
			`<stdin>:1:1: ERROR POLICY_TOO_LARGE $: the policy is 2,100 characters (whitespace not counted), over the 2,048-character limit for inline user policies`,
			`<stdin>: 1 error`,
		}},
		{"size limit of managed", []string{"policy", "validate", "-"}, validateBig(2100), 0, []string{`<stdin>: no findings`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n"); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if stderr != "" {
				t.Errorf("stderr %q, want none", stderr)
			}
		})
	}
}

// validateBig is a valid policy of n characters.
func validateBig(n int) string {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:username":"PAD"}}}]}`
	return strings.Replace(doc, "PAD", strings.Repeat("x", n-len(doc)+3), 1)
}

func TestPolicyValidateJSON(t *testing.T) {
	typo := validateFile(t, "typo.json", validateTypoDoc)
	code, stdout, stderr := cliRun(t, "", "policy", "validate", "--format", "json", typo)
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and none", code, stderr)
	}
	want := `{
  "file": "` + typo + `",
  "findings": [
    {
      "Severity": "ERROR",
      "Code": "UNKNOWN_ACTION",
      "Path": "$.Statement[0].Action[1]",
      "Message": "unknown action \"s3:GetObjet\"",
      "Suggestions": [
        "s3:GetObject"
      ],
      "Line": 6,
      "Column": 35
    }
  ]
}
`
	if stdout != want {
		t.Errorf("got:\n%s\nwant:\n%s", stdout, want)
	}

	code, stdout, _ = cliRun(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, "policy", "validate", "--format", "json", "-")
	var out struct {
		File     string            `json:"file"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 || out.File != "<stdin>" || out.Findings == nil || len(out.Findings) != 0 {
		t.Errorf("no findings: exit %d, %q, err %v; want exit 0 and an empty findings list", code, stdout, err)
	}
}

func TestPolicyValidateUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"bad kind", []string{"policy", "validate", "--kind", "bucket", "x.json"}, `--kind "bucket": want one of managed, inline-user, inline-group, inline-role, scp, session, resource, trust, boundary`},
		{"bad format", []string{"policy", "validate", "--format", "yaml", "x.json"}, `--format "yaml": want text or json`},
		{"missing file", []string{"policy", "validate", filepath.Join(t.TempDir(), "nope.json")}, "nope.json: no such file or directory"},
		{"no file", []string{"policy", "validate"}, "accepts 1 arg(s), received 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, "", tc.args...)
			if code != 1 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, and %q", code, stdout, stderr, tc.want)
			}
		})
	}
}

// TestPolicyValidateExample checks what `make run` shows a new user.
func TestPolicyValidateExample(t *testing.T) {
	code, stdout, _ := cliRun(t, "", "policy", "validate", "../../examples/policies/typo.json")
	want := `../../examples/policies/typo.json:15:9: ERROR UNKNOWN_ACTION $.Statement[1].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)
../../examples/policies/typo.json: 1 error
`
	if code != 1 || stdout != want {
		t.Errorf("exit %d, stdout:\n%s\nwant 1 and:\n%s", code, stdout, want)
	}
	for _, tc := range []struct{ file, kind string }{
		{"s3-read-reports.json", "managed"},
		{"trust-github-actions.json", "trust"},
		{"scp-deny-outside-regions.json", "scp"},
	} {
		code, stdout, _ := cliRun(t, "", "policy", "validate", "--kind", tc.kind, "../../examples/policies/"+tc.file)
		if code != 0 || !strings.HasSuffix(stdout, ": no findings\n") {
			t.Errorf("%s: exit %d, %s; want a clean example", tc.file, code, stdout)
		}
	}
	code, stdout, _ = cliRun(t, "", "policy", "validate", "../../examples/policies/risky.json")
	if code != 0 || !strings.HasSuffix(stdout, ": 2 security warnings, 1 warning, 2 suggestions\n") {
		t.Errorf("risky.json: exit %d, %s", code, stdout)
	}
}
