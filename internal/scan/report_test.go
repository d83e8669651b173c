package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/iam"
)

// TestSchemaDocumented: every field the JSON report writes, and every finding type and
// step kind, is described in docs/scan-report.md, so that the document cannot fall behind.
func TestSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scan-report.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	r := fullReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(any, string)
	walk = func(o any, parent string) {
		switch o := o.(type) {
		case map[string]any:
			for k, v := range o {
				if parent != "findings_by_type" {
					keys[k] = true
				}
				walk(v, k)
			}
		case []any:
			for _, v := range o {
				walk(v, parent)
			}
		}
	}
	walk(v, "")
	var missing []string
	for k := range keys {
		if !strings.Contains(text, "`"+k+"`") && !strings.Contains(text, "`"+k+",") && !strings.Contains(text, ", "+k+",") && !strings.Contains(text, ", "+k+"}") &&
			!strings.Contains(text, "{"+k+",") && !strings.Contains(text, ", `"+k+"`") {
			missing = append(missing, k)
		}
	}
	types := []string{iam.RiskPrivilegeEscalation, iam.RiskWildcardAdmin, iam.RiskUnrestrictedPassRole, iam.RiskDataExfiltration, iam.RiskResourceExposure,
		iam.RiskCredentialsExposure, iam.RiskInfrastructureModify, FindingCrossAccountTrust, FindingPublicTrust, FindingAccountWideTrust, FindingFederatedNoAudience,
		FindingUnusedCredentials, FindingKeyNotRotated, FindingConsoleWithoutMFA, FindingMultipleActiveKeys, FindingKeyAtSetup, FindingRootAccessKey,
		FindingRootWithoutMFA, FindingUserAttachedPolicies, FindingAdminPolicy, FindingNoSupportRole, FindingCloudShellFullAccess, FindingUnusedPermissions,
		FindingInactivePrincipal}
	for _, r := range iam.RiskRules() {
		types = append(types, r.Type)
	}
	for _, typ := range types {
		if !strings.Contains(text, "| `"+typ+"` |") {
			missing = append(missing, "finding type "+typ)
		}
	}
	for _, kind := range []string{StepAssumeRole, StepCreateAccessKey, StepCreateLoginProfile, StepUpdateLoginProfile, StepPassRole, StepUpdateTrustPolicy,
		StepChangePolicies, StepSetDefaultVersion, StepRemoveBoundary, StepAddToGroup} {
		if !strings.Contains(text, "| `"+kind+"` |") {
			missing = append(missing, "step kind "+kind)
		}
	}
	for _, c := range cisControls {
		if !strings.Contains(text, c.ID) {
			missing = append(missing, "CIS "+c.ID)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/scan-report.md does not describe: %s", strings.Join(missing, ", "))
	}
}

// fullReport is a report with every optional part: a credential report, a baseline, a
// path through a changed state, wildcard grants.
func fullReport(t *testing.T) *Report {
	t.Helper()
	boundaryARN := arnOf("policy", "/", "boundary")
	acct := tAccount{
		users: []tUser{
			{name: "u", inline: []string{allow("iam:DeleteUserPermissionsBoundary,iam:PutUserPolicy", arnOf("user", "/", "u"))}, boundary: boundaryARN},
			{name: "w", inline: []string{allow("s3:*", "*"), `{"Version":"2012-10-17","Statement":[{"Sid":"N","Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::x"}]}`}},
			{name: "boss", attach: []string{adminAccessARN}},
		},
		roles:    []tRole{{name: "x", trust: trustAWS("999988887777")}},
		policies: []tPolicy{{name: "boundary", versions: []string{allow("iam:DeleteUserPermissionsBoundary", "*")}}},
	}
	cr, err := ReadCredentialReport([]byte(credHeader+"\n"+credRow("u", "2024-01-01T00:00:00+00:00", "true", "N/A", "false", "true", "2024-01-01T00:00:00+00:00", "N/A", "false", "N/A", "N/A")+
		"\n"+credRow("<root_account>", "2024-01-01T00:00:00+00:00", "not_supported", "N/A", "false", "true", "2024-01-01T00:00:00+00:00", "N/A", "false", "N/A", "N/A")+"\n"), "cr.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := scanAccount(t, acct, Options{CredentialReport: cr, Now: mustTime("2025-01-01T00:00:00Z")})
	old := scanAccount(t, tAccount{users: []tUser{{name: "boss", attach: []string{adminAccessARN}}}}, Options{})
	CompareBaseline(r, old)
	return r
}

func TestTextReport(t *testing.T) {
	r := fullReport(t)
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Account 123456789012: 3 users, 1 role, 0 groups, 2 managed policies (1 customer managed)",
		"Paths to administrator",
		"  user/u: 2 steps",
		"1. user/u, remove_boundary: calls iam:DeleteUserPermissionsBoundary on itself",
		"2. user/u, change_policies: calls iam:PutUserPolicy on user/u",
		"=> user/u is then an administrator",
		"CRITICAL root_access_key",
		"1.10  FAIL (1)",
		"Since the baseline: 3 new principals, 0 removed",
		"New high or critical findings since the baseline.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report lacks %q:\n%s", want, out)
		}
	}
}

// TestSameInputSameBytes scans a generated account twice, with different numbers of
// workers.
func TestSameInputSameBytes(t *testing.T) {
	data := generated(t, 7, 60, 200, 500)
	var outs [][]byte
	for _, workers := range []int{1, 4} {
		a, err := ReadAuthDetails(data, "gen.json")
		if err != nil {
			t.Fatal(err)
		}
		r, err := Scan(context.Background(), a, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b.Bytes())
		if r.Summary.AdminReachable == 0 || r.Summary.EscalationEdges == 0 {
			t.Errorf("the generated account has no escalation paths: %+v", r.Summary)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatalf("1 and 4 workers give different reports:\n%s", firstDiff(string(outs[0]), string(outs[1])))
	}
}

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := NewProgressLine(&b)
	p.Read(ReadProgress{Pages: 2, Users: 3, Groups: 1, Roles: 4, Policies: 5})
	p.Scan(Progress{Stage: "graph", Done: 1, Total: 7})
	p.Scan(Progress{Stage: "graph", Done: 1, Total: 7}) // unchanged: not drawn again
	p.Done()
	p.Done() // nothing left to clear
	want := "\r\033[Kreading the account: page 2, 3 users, 1 groups, 4 roles, 5 policies\r\033[Kscanning: graph 1/7\r\033[K"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
