package scan

import (
	"slices"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// How the escalation graph uses the engine's rule table (iam.RiskRules): the actions come
// from the table; what an action does to whom is said here, per rule. A test checks that
// every privilege-escalation rule of the table is either modelled here or listed as not
// modelled, so that a new rule is never silently ignored.

// Step kinds: one step of an escalation path.
const (
	StepAssumeRole         = "assume_role"
	StepCreateAccessKey    = "create_access_key"
	StepCreateLoginProfile = "create_login_profile"
	StepUpdateLoginProfile = "update_login_profile"
	StepPassRole           = "pass_role"
	StepUpdateTrustPolicy  = "update_trust_policy"
	StepChangePolicies     = "change_policies"
	StepSetDefaultVersion  = "set_default_policy_version"
	StepRemoveBoundary     = "remove_boundary"
	StepAddToGroup         = "add_to_group"
)

// modelledRules says what each modelled escalation rule does in the graph.
var modelledRules = map[string]string{
	"iam-create-policy-version":       StepChangePolicies,
	"iam-set-default-policy-version":  StepSetDefaultVersion,
	"iam-attach-user-policy":          StepChangePolicies,
	"iam-attach-group-policy":         StepChangePolicies,
	"iam-attach-role-policy":          StepChangePolicies,
	"iam-put-user-policy":             StepChangePolicies,
	"iam-put-group-policy":            StepChangePolicies,
	"iam-put-role-policy":             StepChangePolicies,
	"iam-remove-permissions-boundary": StepRemoveBoundary,
	"iam-add-user-to-group":           StepAddToGroup,
	"iam-create-access-key":           StepCreateAccessKey,
	"iam-create-login-profile":        StepCreateLoginProfile,
	"iam-update-login-profile":        StepUpdateLoginProfile,
	"iam-update-assume-role-policy":   StepUpdateTrustPolicy,
	"passrole-ec2-run-instances":      StepPassRole,
	"passrole-autoscaling":            StepPassRole,
	"passrole-lambda":                 StepPassRole,
	"passrole-glue-dev-endpoint":      StepPassRole,
	"passrole-glue-job":               StepPassRole,
	"passrole-cloudformation":         StepPassRole,
	"passrole-datapipeline":           StepPassRole,
	"passrole-sagemaker-notebook":     StepPassRole,
	"passrole-sagemaker-jobs":         StepPassRole,
	"passrole-codebuild":              StepPassRole,
	"passrole-ecs":                    StepPassRole,
	"passrole-apprunner":              StepPassRole,
}

// passRoleServices is the service principal a role must trust, and iam:PassedToService
// names, for each pass-role rule.
var passRoleServices = map[string]string{
	"passrole-ec2-run-instances":  "ec2.amazonaws.com",
	"passrole-autoscaling":        "ec2.amazonaws.com",
	"passrole-lambda":             "lambda.amazonaws.com",
	"passrole-glue-dev-endpoint":  "glue.amazonaws.com",
	"passrole-glue-job":           "glue.amazonaws.com",
	"passrole-cloudformation":     "cloudformation.amazonaws.com",
	"passrole-datapipeline":       "datapipeline.amazonaws.com",
	"passrole-sagemaker-notebook": "sagemaker.amazonaws.com",
	"passrole-sagemaker-jobs":     "sagemaker.amazonaws.com",
	"passrole-codebuild":          "codebuild.amazonaws.com",
	"passrole-ecs":                "ecs-tasks.amazonaws.com",
	"passrole-apprunner":          "tasks.apprunner.amazonaws.com",
}

// needsInstanceProfile: EC2 takes a role only inside an instance profile.
var needsInstanceProfile = map[string]bool{"passrole-ec2-run-instances": true, "passrole-autoscaling": true}

// unmodelledRules are escalation rules whose target is compute that already exists
// (functions, instances, stacks): the account's IAM data does not say which roles that
// compute runs with, so they stay findings of the principal, without a graph edge.
var unmodelledRules = []string{
	"lambda-update-function-code", "lambda-update-function-configuration", "glue-update-dev-endpoint", "glue-update-job",
	"codebuild-start-build", "cloudformation-update-stack", "sagemaker-presigned-notebook-url", "ssm-send-command",
	"ssm-start-session", "ec2-instance-connect", "ec2-modify-user-data",
}

// graphRule is a modelled rule with its action groups resolved against the catalog.
type graphRule struct {
	iam.RiskRule
	kind    string
	service string               // pass-role rules: the service principal
	actions [][]catalog.ActionID // Requires, each group expanded, in catalog order
}

// graphRules returns the modelled rules in the table's order.
var graphRules = sync.OnceValue(func() []graphRule {
	var out []graphRule
	for _, r := range iam.RiskRules() {
		kind, ok := modelledRules[r.ID]
		if !ok {
			continue
		}
		gr := graphRule{RiskRule: r, kind: kind, service: passRoleServices[r.ID]}
		for _, group := range r.Requires {
			gr.actions = append(gr.actions, iam.ExpandActions(group...).IDs())
		}
		out = append(out, gr)
	}
	return out
})

// rulesOfKind returns the modelled rules of one kind, in table order.
func rulesOfKind(kind string) []graphRule {
	var out []graphRule
	for _, r := range graphRules() {
		if r.kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// isModelled reports whether the graph decides the rule (its Analyze finding is replaced
// by the graph's result).
func isModelled(ruleID string) bool {
	_, ok := modelledRules[ruleID]
	return ok
}

func isUnmodelled(ruleID string) bool { return slices.Contains(unmodelledRules, ruleID) }

// resourceTypeOf is the resource type an IAM action acts on ("user", "group", "role",
// "policy"), "" when it has none.
func resourceTypeOf(id catalog.ActionID) string {
	a := catalog.Default().Action(id)
	for _, r := range a.Resources {
		if r.Required {
			return r.Type.Name
		}
	}
	if len(a.Resources) > 0 {
		return a.Resources[0].Type.Name
	}
	return ""
}

// actionName is the catalog's name of an action id.
func actionName(id catalog.ActionID) string { return catalog.Default().Action(id).FullName() }

// resourcePatterns are the ARN patterns that stand for "some resource" of each resource
// type an action requires, in the account: the engine then answers whether the action is
// allowed on some resource of each. An action without resource types takes "*".
func resourcePatterns(id catalog.ActionID, partition, account string) []string {
	a := catalog.Default().Action(id)
	var out []string
	for _, r := range a.Resources {
		if r.Required {
			out = append(out, arnPattern(r.Type.ARN, partition, account))
		}
	}
	if len(out) == 0 {
		if len(a.Resources) > 0 {
			return []string{arnPattern(a.Resources[0].Type.ARN, partition, account)}
		}
		return []string{"*"}
	}
	return out
}

// arnPattern fills a catalog ARN template: partition and account as given, every other
// variable a wildcard.
func arnPattern(tmpl, partition, account string) string {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		switch tmpl[i+2 : i+j] {
		case "Partition":
			b.WriteString(partition)
		case "Account":
			b.WriteString(account)
		default:
			b.WriteString("*")
		}
		tmpl = tmpl[i+j+1:]
	}
}
