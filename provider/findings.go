package provider

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/iam"
)

// finding is one validation finding (iam.Validate) or risk finding (iam.Analyze) of a
// policy, in the shape the `findings` attributes expose.
type finding struct {
	Category string // "validation", or the risk type ("privilege_escalation", ...)
	Severity string // ERROR, SECURITY_WARNING, WARNING, SUGGESTION; or critical, high, medium, low
	Code     string // the validation code, or the risk rule's ID
	Path     string // JSON path in the document ("$.Statement[0].Action[1]")
	Message  string
	Actions  []string // risk findings: the granted actions that meet the rule
}

const categoryValidation = "validation"

// policyFindings validates doc as a kind of policy and, when it parses, looks for risky
// capabilities in it: validation findings first (in Validate's order), then risks (most
// severe first). Results are cached: Terraform asks about the same document several times
// in one command (validate, plan, read), and the analysis is the costly part of a plan.
// The returned slice is shared: do not modify it.
func policyFindings(doc []byte, kind iam.Kind) []finding {
	return findingsMemo.get(string(kind)+"\x00"+string(doc), func() []finding { return analysePolicy(doc, kind) })
}

// findingsMemo holds findings by kind and document for the provider process's life, up to
// a bound (then it starts over), so that a large configuration cannot grow it without end.
var findingsMemo = &memo{max: 4096}

type memo struct {
	mu  sync.Mutex
	max int
	m   map[string][]finding
}

func (c *memo) get(key string, compute func() []finding) []finding {
	c.mu.Lock()
	fs, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return fs
	}
	fs = compute()
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string][]finding)
	}
	c.m[key] = fs
	c.mu.Unlock()
	return fs
}

// analysePolicy is policyFindings without the cache.
func analysePolicy(doc []byte, kind iam.Kind) []finding {
	out := slices.Clone(validationFindings(doc, kind)) // shared: appended to below
	p, err := iam.Parse(doc, kind)
	if err != nil {
		return out
	}
	for _, r := range iam.Analyze([]iam.NamedPolicy{{Name: "policy", Policy: p}}) {
		path := ""
		if len(r.Statements) > 0 {
			path = r.Statements[0].Path
		}
		msg := r.Title
		if r.Conditional {
			msg += " (only under conditions)"
		}
		out = append(out, finding{Category: r.Type, Severity: r.Severity, Code: r.Rule, Path: path, Message: msg, Actions: r.Actions})
	}
	return out
}

// validationFindings is what iam.Validate finds: cheap, unlike the risk analysis, but
// asked for twice a plan (ValidateConfig, then ModifyPlan through policyFindings), so
// cached as policyFindings is. The returned slice is shared: do not modify it.
func validationFindings(doc []byte, kind iam.Kind) []finding {
	return validationMemo.get(string(kind)+"\x00"+string(doc), func() []finding { return validateDocument(doc, kind) })
}

var validationMemo = &memo{max: 4096}

// validateDocument is validationFindings without the cache.
func validateDocument(doc []byte, kind iam.Kind) []finding {
	var out []finding
	for _, f := range iam.Validate(doc, kind) {
		msg := f.Message
		if len(f.Suggestions) > 0 {
			msg += " (did you mean " + strings.Join(f.Suggestions, ", ") + "?)"
		}
		out = append(out, finding{Category: categoryValidation, Severity: string(f.Severity), Code: f.Code, Path: f.Path, Message: msg})
	}
	return out
}

var findingAttrTypes = map[string]attr.Type{
	"category": types.StringType,
	"severity": types.StringType,
	"code":     types.StringType,
	"path":     types.StringType,
	"message":  types.StringType,
	"actions":  types.ListType{ElemType: types.StringType},
}

var findingObjectType = types.ObjectType{AttrTypes: findingAttrTypes}

// findingsValue converts findings to the attribute value (an empty list, never null).
func findingsValue(fs []finding) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := make([]attr.Value, 0, len(fs))
	for _, f := range fs {
		actions, d := types.ListValueFrom(context.Background(), types.StringType, nonNil(f.Actions))
		diags.Append(d...)
		obj, d := types.ObjectValue(findingAttrTypes, map[string]attr.Value{
			"category": types.StringValue(f.Category),
			"severity": types.StringValue(f.Severity),
			"code":     types.StringValue(f.Code),
			"path":     types.StringValue(f.Path),
			"message":  types.StringValue(f.Message),
			"actions":  actions,
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	list, d := types.ListValue(findingObjectType, elems)
	diags.Append(d...)
	return list, diags
}

const findingsDescription = "What ciem's engine finds in the policy: validation findings like IAM Access Analyzer's " +
	"(`category` = `validation`, `severity` ERROR, SECURITY_WARNING, WARNING or SUGGESTION, `code` such as " +
	"`UNKNOWN_ACTION`), then risky capabilities (`category` = the risk type such as `privilege_escalation`, " +
	"`severity` critical, high, medium or low, `code` the rule's ID, `actions` the granted actions that meet it). " +
	"`path` is the JSON path of what the finding is about."

var findingAttrDescriptions = map[string]string{
	"category": "`validation`, or the risk type (`" + strings.Join(riskTypes, "`, `") + "`).",
	"severity": "ERROR, SECURITY_WARNING, WARNING or SUGGESTION for validation findings; critical, high, medium or low for risks.",
	"code":     "The validation code (e.g. `UNKNOWN_ACTION`) or the risk rule's ID (e.g. `iam-create-policy-version`).",
	"path":     "JSON path of the element the finding is about, e.g. `$.Statement[0].Action[1]`.",
	"message":  "What was found, with \"did you mean\" suggestions where there are some.",
	"actions":  "Risk findings: the granted actions that meet the rule. Empty for validation findings.",
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
