package iam

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

// TestRiskRulesTable checks the table itself: ids unique, types and severities known, every
// action it names in the catalog (a renamed or misspelt action would silently never match).
func TestRiskRulesTable(t *testing.T) {
	types := []string{RiskPrivilegeEscalation, RiskDataExfiltration, RiskResourceExposure, RiskCredentialsExposure,
		RiskInfrastructureModify, RiskUnrestrictedPassRole, RiskWildcardAdmin}
	ids := map[string]bool{}
	cat := catalog.Default()
	for i, r := range riskRules {
		if ids[r.ID] {
			t.Errorf("rule %s: duplicate id", r.ID)
		}
		ids[r.ID] = true
		if !slices.Contains(types, r.Type) || !slices.Contains(RiskSeverities, r.Severity) || r.Title == "" || r.Detail == "" {
			t.Errorf("rule %s: bad type %q, severity %q, or empty title/detail", r.ID, r.Type, r.Severity)
		}
		if (r.Type == RiskPrivilegeEscalation) != (r.Target != "") {
			t.Errorf("rule %s: escalation paths, and only they, name a target", r.ID)
		}
		if len(r.Requires) == 0 {
			t.Errorf("rule %s: requires nothing", r.ID)
		}
		for g, group := range r.Requires {
			for _, a := range group {
				if strings.ContainsAny(a, "*?") {
					if cat.Match(a).IsEmpty() {
						t.Errorf("rule %s: pattern %s matches no action", r.ID, a)
					}
					continue
				}
				if _, ok := cat.LookupAction(a); !ok {
					t.Errorf("rule %s: unknown action %s (did you mean %v?)", r.ID, a, cat.Suggest(a, 2))
				} else if CanonicalAction(a) != a {
					t.Errorf("rule %s: write %s as %s", r.ID, a, CanonicalAction(a))
				}
			}
			if compiledRules()[i].groups[g].set.IsEmpty() {
				t.Errorf("rule %s: group %d is empty after the level filter", r.ID, g)
			}
		}
	}
}

// TestEscalationPathsCovered: each action of the published escalation paths is in some path.
func TestEscalationPathsCovered(t *testing.T) {
	published := []string{"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
		"iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:CreateAccessKey",
		"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy", "iam:PassRole",
		"ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission",
		"lambda:UpdateFunctionCode", "glue:CreateDevEndpoint", "glue:UpdateDevEndpoint", "cloudformation:CreateStack",
		"datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "sagemaker:CreateNotebookInstance",
		"codebuild:CreateProject", "codebuild:StartBuild", "ecs:RegisterTaskDefinition", "ecs:RunTask", "ssm:SendCommand",
		"ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey"}
	for _, a := range published {
		found := slices.ContainsFunc(RiskRules(), func(r RiskRule) bool {
			return r.Type == RiskPrivilegeEscalation && slices.ContainsFunc(r.Requires, func(g []string) bool { return slices.Contains(g, a) })
		})
		if !found {
			t.Errorf("%s is in no escalation path", a)
		}
	}
	for _, r := range RiskRules() {
		if r.Type == RiskPrivilegeEscalation && slices.ContainsFunc(r.Requires, func(g []string) bool { return slices.Contains(g, "iam:CreateServiceLinkedRole") }) {
			t.Errorf("%s: iam:CreateServiceLinkedRole is not an escalation", r.ID)
		}
	}
}

// sampleActions picks, for each group of a rule, one action that meets it.
func sampleActions(i int) []string {
	r := riskRules[i]
	var out []string
	for g, group := range compiledRules()[i].groups {
		if r.AllOf {
			out = append(out, r.Requires[g]...)
			continue
		}
		out = append(out, catalog.Default().Action(group.set.IDs()[0]).FullName())
	}
	return out
}

func findRule(fs []RiskFinding, id string) (RiskFinding, bool) {
	for _, f := range fs {
		if f.Rule == id {
			return f, true
		}
	}
	return RiskFinding{}, false
}

func named(t *testing.T, name, statements string) NamedPolicy {
	t.Helper()
	return NamedPolicy{Name: name, Policy: testPolicy(t, statements)}
}

func allowJSON(actions []string, resource, extra string) string {
	b, _ := json.Marshal(actions)
	return fmt.Sprintf(`{"Effect":"Allow","Action":%s,"Resource":%q%s}`, b, resource, extra)
}

// TestAnalyzeEveryRule drives every rule of the table: met (its actions split across
// policies), not met with one required action missing, removed by a deny, lowered by a
// condition, and (for broad rules) not met on a named resource.
func TestAnalyzeEveryRule(t *testing.T) {
	const cond = `,"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`
	for i, r := range riskRules {
		t.Run(r.ID, func(t *testing.T) {
			acts := sampleActions(i)
			// One policy per required action: the rule must see them together.
			var pols []NamedPolicy
			for k, a := range acts {
				pols = append(pols, named(t, fmt.Sprintf("p%d", k), allowJSON([]string{a}, "*", "")))
			}
			f, ok := findRule(Analyze(pols), r.ID)
			if !ok {
				t.Fatalf("not found with %v on *", acts)
			}
			if f.Severity != r.Severity || f.Conditional {
				t.Errorf("severity %s (conditional %v), want %s", f.Severity, f.Conditional, r.Severity)
			}
			if len(f.Statements) != len(acts) {
				t.Errorf("statements %v, want one per policy (%d)", f.Statements, len(acts))
			}
			for _, a := range acts {
				if !r.AllOf && !slices.Contains(f.Actions, a) {
					t.Errorf("actions %v lack %s", f.Actions, a)
				}
			}

			// A missing required action (rules with several groups).
			if len(acts) > 1 {
				for k := range acts {
					rest := slices.Delete(slices.Clone(pols), k, k+1)
					if _, ok := findRule(Analyze(rest), r.ID); ok {
						t.Errorf("found without %s", acts[k])
					}
				}
			}

			// An unconditional deny of one required action, in another policy.
			deny := named(t, "deny", `{"Effect":"Deny","Action":"`+acts[0]+`","Resource":"*"}`)
			if _, ok := findRule(Analyze(append(slices.Clone(pols), deny)), r.ID); ok {
				t.Errorf("found despite a deny of %s", acts[0])
			}
			// A deny on something else leaves it.
			other := named(t, "deny", `{"Effect":"Deny","Action":"s3:CreateBucket","Resource":"*"}`)
			if _, ok := findRule(Analyze(append(slices.Clone(pols), other)), r.ID); !ok && !slices.Contains(acts, "s3:CreateBucket") && !r.AllOf {
				t.Errorf("lost by an unrelated deny")
			}

			// A condition on one required action's grant: conditional, one severity lower.
			condPols := slices.Clone(pols)
			condPols[0] = named(t, "p0", allowJSON([]string{acts[0]}, "*", cond))
			f, ok = findRule(Analyze(condPols), r.ID)
			if !ok || !f.Conditional || f.Severity != lowerSeverity(r.Severity) {
				t.Errorf("with a condition: found %v, conditional %v, severity %s; want conditional %s", ok, f.Conditional, f.Severity, lowerSeverity(r.Severity))
			}

			// On a named resource only.
			named0 := slices.Clone(pols)
			named0[0] = named(t, "p0", allowJSON([]string{acts[0]}, "arn:aws:iam::111122223333:role/app/one", ""))
			f, ok = findRule(Analyze(named0), r.ID)
			switch {
			case r.Broad && ok:
				t.Errorf("broad rule found on a named resource")
			case !r.Broad && (!ok || f.Severity != lowerSeverity(r.Severity)):
				t.Errorf("on a named resource: found %v, severity %s; want %s", ok, f.Severity, lowerSeverity(r.Severity))
			}
		})
	}
}

func TestAnalyzeEscalationPaths(t *testing.T) {
	tests := []struct {
		name     string
		policies []string // statements of each policy
		rule     string
		want     bool
		severity string
	}{
		{"PassRole and RunInstances in one statement", []string{`{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}`}, "passrole-ec2-run-instances", true, RiskHigh},
		{"RunInstances without PassRole", []string{`{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}`}, "passrole-ec2-run-instances", false, ""},
		{"PassRole without RunInstances", []string{`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`}, "passrole-ec2-run-instances", false, ""},
		{"PassRole from a wildcard", []string{`{"Effect":"Allow","Action":["iam:Pass*","ec2:Run*"],"Resource":"*"}`}, "passrole-ec2-run-instances", true, RiskHigh},
		{"PassRole through NotAction", []string{`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`}, "passrole-ec2-run-instances", true, RiskHigh},
		{"PassRole denied by NotAction deny", []string{`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Deny","NotAction":"ec2:*","Resource":"*"}`}, "passrole-ec2-run-instances", false, ""},
		{"PassRole on one role", []string{`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app"}`, `{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}`}, "passrole-ec2-run-instances", true, RiskMedium},
		{"PassRole restricted by condition", []string{`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}`, `{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}`}, "passrole-ec2-run-instances", true, RiskMedium},
		{"conditional deny makes it conditional", []string{`{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}`, `{"Effect":"Deny","Action":"iam:PassRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`}, "passrole-ec2-run-instances", true, RiskMedium},
		{"deny on part of the resources leaves it", []string{`{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}`, `{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/admin"}`}, "passrole-ec2-run-instances", true, RiskHigh},
		{"lambda: create and invoke", []string{`{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}`}, "passrole-lambda", true, RiskHigh},
		{"lambda: create and event source", []string{`{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:CreateEventSourceMapping"],"Resource":"*"}`}, "passrole-lambda", true, RiskHigh},
		{"lambda: create without a trigger", []string{`{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction"],"Resource":"*"}`}, "passrole-lambda", false, ""},
		{"update function code needs no PassRole", []string{`{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"*"}`}, "lambda-update-function-code", true, RiskHigh},
		{"UpdateAssumeRolePolicy without AssumeRole", []string{`{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"*"}`}, "iam-update-assume-role-policy", false, ""},
		{"UpdateAssumeRolePolicy and AssumeRole", []string{`{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"*"}`, `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`}, "iam-update-assume-role-policy", true, RiskHigh},
		{"own access key is not escalation", []string{`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}`}, "iam-create-access-key", false, ""},
		{"access keys of others", []string{`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/*"}`}, "iam-create-access-key", true, RiskHigh},
		{"CreateServiceLinkedRole is not an escalation", []string{`{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*"}`}, "", false, ""},
		{"policy version on its own policy", []string{`{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::111122223333:policy/mine"}`}, "iam-create-policy-version", true, RiskHigh},
		{"datapipeline needs both actions", []string{`{"Effect":"Allow","Action":["iam:PassRole","datapipeline:CreatePipeline"],"Resource":"*"}`}, "passrole-datapipeline", false, ""},
		{"codebuild create and start", []string{`{"Effect":"Allow","Action":["iam:PassRole","codebuild:CreateProject","codebuild:StartBuild"],"Resource":"*"}`}, "passrole-codebuild", true, RiskHigh},
		{"ecs register and run", []string{`{"Effect":"Allow","Action":["iam:PassRole","ecs:RegisterTaskDefinition","ecs:RunTask"],"Resource":"*"}`}, "passrole-ecs", true, RiskHigh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pols []NamedPolicy
			for i, s := range tc.policies {
				pols = append(pols, named(t, fmt.Sprintf("policy%d", i), s))
			}
			fs := Analyze(pols)
			if tc.rule == "" {
				for _, f := range fs {
					if f.Type == RiskPrivilegeEscalation {
						t.Fatalf("unexpected escalation finding %s", f.Rule)
					}
				}
				return
			}
			f, ok := findRule(fs, tc.rule)
			if ok != tc.want {
				t.Fatalf("found %s = %v, want %v (findings: %v)", tc.rule, ok, tc.want, ruleIDs(fs))
			}
			if ok && f.Severity != tc.severity {
				t.Fatalf("severity %s, want %s (%s)", f.Severity, tc.severity, f.Detail)
			}
		})
	}
}

func TestAnalyzeNamesStatements(t *testing.T) {
	pols := []NamedPolicy{
		named(t, "compute", `{"Sid":"Run","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}`),
		named(t, "pass", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`),
	}
	f, ok := findRule(Analyze(pols), "passrole-ec2-run-instances")
	if !ok {
		t.Fatal("not found")
	}
	want := []StatementRef{
		{Policy: "compute", Sid: "Run", Path: "$.Statement[0]"},
		{Policy: "pass", Sid: "Pass", Path: "$.Statement[1]"},
	}
	if !slices.Equal(f.Statements, want) {
		t.Fatalf("statements %+v, want %+v", f.Statements, want)
	}
	if !slices.Equal(f.Actions, []string{"ec2:RunInstances", "iam:PassRole"}) {
		t.Fatalf("actions %v", f.Actions)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"statements":[{"policy":"compute","path":"$.Statement[0]","sid":"Run"},{"policy":"pass","path":"$.Statement[1]","sid":"Pass"}]`) {
		t.Fatalf("json: %s", b)
	}
}

func TestAnalyzeAdministratorAccess(t *testing.T) {
	fs := Analyze([]NamedPolicy{named(t, "AdministratorAccess", `{"Effect":"Allow","Action":"*","Resource":"*"}`)})
	if len(fs) == 0 || fs[0].Rule != "wildcard-admin" || fs[0].Severity != RiskCritical || !slices.Equal(fs[0].Actions, []string{"*"}) {
		t.Fatalf("first finding %+v, want wildcard-admin", fs[0])
	}
	for i := 1; i < len(fs); i++ {
		if slices.Index(RiskSeverities, fs[i-1].Severity) > slices.Index(RiskSeverities, fs[i].Severity) {
			t.Fatalf("findings not ordered by severity: %s before %s", fs[i-1].Rule, fs[i].Rule)
		}
	}
	// Every rule applies to an administrator.
	if len(fs) != len(riskRules) {
		t.Fatalf("%d findings for AdministratorAccess, want one per rule (%d); missing: %v", len(fs), len(riskRules), missingRules(fs))
	}
	// The same input gives the same output.
	again := Analyze([]NamedPolicy{named(t, "AdministratorAccess", `{"Effect":"Allow","Action":"*","Resource":"*"}`)})
	if mustJSON(fs) != mustJSON(again) {
		t.Fatal("findings differ between runs")
	}
	// Read-only access has no escalation path.
	for _, f := range Analyze([]NamedPolicy{named(t, "ro", `{"Effect":"Allow","Action":["s3:Get*","s3:List*","ec2:Describe*"],"Resource":"*"}`)}) {
		if f.Type == RiskPrivilegeEscalation {
			t.Fatalf("read-only access: escalation %s", f.Rule)
		}
	}
}

func TestAnalyzeEmpty(t *testing.T) {
	if fs := Analyze(nil); len(fs) != 0 {
		t.Fatalf("findings for no policy: %v", fs)
	}
}

func ruleIDs(fs []RiskFinding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func missingRules(fs []RiskFinding) []string {
	var out []string
	for _, r := range riskRules {
		if _, ok := findRule(fs, r.ID); !ok {
			out = append(out, r.ID)
		}
	}
	return out
}
