package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/iam"
)

// ValidateConfig checks the policy with ciem's engine before anything is planned:
// validation errors fail the plan at the attribute they are about, security warnings
// and warnings are warnings. The risk analysis, costlier, runs once a plan in ModifyPlan.
func (r *EntitlementResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	cfg, diagsConfig := readEntitlement(ctx, req.Config.Raw)
	resp.Diagnostics.Append(diagsConfig...)
	if resp.Diagnostics.HasError() {
		return
	}
	hasPolicy := !cfg.Policy.IsNull()
	hasStatements := cfg.Statement.IsUnknown() || len(cfg.Statement.Elements()) > 0
	switch {
	case hasPolicy && hasStatements:
		resp.Diagnostics.AddAttributeError(path.Root("policy"), "Conflicting policy",
			"Set either policy or statement blocks, not both.")
		return
	case !hasPolicy && !hasStatements:
		resp.Diagnostics.AddAttributeError(path.Root("policy"), "Missing policy",
			"Set the policy document with policy = jsonencode({...}) or with statement blocks.")
		return
	}
	doc, where, known, diags := findingsSource(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if !known || resp.Diagnostics.HasError() {
		return
	}
	reportFindings(&resp.Diagnostics, validationFindings(doc, iam.KindManaged), nil, where)
}

// findingsSource is the configured document to point diagnostics into, and how: for
// policy, the attribute and the JSON path with its line and column; for statement
// blocks, the block attribute the JSON path stands for. known is false while the
// document is not known yet.
func findingsSource(ctx context.Context, cfg entitlementModel) ([]byte, func(finding) (path.Path, string), bool, diag.Diagnostics) {
	if !cfg.Policy.IsNull() {
		doc, where, known := policySource(cfg.Policy)
		return doc, where, known, nil
	}
	built, known, diags := buildStatementDocument(ctx, cfg.Statement)
	doc, where, known := statementSource(built, known && !diags.HasError())
	return doc, where, known, diags
}

// policySource is findingsSource for the policy attribute.
func policySource(p PolicyDocument) ([]byte, func(finding) (path.Path, string), bool) {
	if p.IsUnknown() {
		return nil, nil, false
	}
	doc := []byte(p.ValueString())
	locate := jsonLocator(doc)
	return doc, func(f finding) (path.Path, string) { return path.Root("policy"), locate(f.Path) }, true
}

// statementSource is findingsSource for the document statement blocks built; known is
// false when the build left it unknown or failed.
func statementSource(built statementDocument, known bool) ([]byte, func(finding) (path.Path, string), bool) {
	if !known {
		return nil, nil, false
	}
	return built.JSON, func(f finding) (path.Path, string) { return built.attrPath(f.Path), f.Path }, true
}

// reportFindings turns findings into diagnostics at the attribute where returns:
// validation errors are errors; security warnings and warnings are warnings; risks that
// deny names are errors, other critical and high risks warnings.
func reportFindings(diags *diag.Diagnostics, fs []finding, deny map[string]bool, where func(finding) (path.Path, string)) {
	for _, f := range fs {
		reported := f.Category == categoryValidation &&
			(f.Severity == string(iam.SeverityError) || f.Severity == string(iam.SeveritySecurityWarning) || f.Severity == string(iam.SeverityWarning)) ||
			f.Category != categoryValidation && (deny[f.Category] || f.Severity == iam.RiskCritical || f.Severity == iam.RiskHigh)
		if !reported {
			continue // suggestions and lesser risks are in the findings attribute only; locating them costs
		}
		at, loc := where(f)
		if loc != "" {
			loc = " at " + loc
		}
		switch {
		case f.Category == categoryValidation && f.Severity == string(iam.SeverityError):
			diags.AddAttributeError(at, "Invalid policy: "+f.Code, fmt.Sprintf("%s%s: %s", f.Severity, loc, f.Message))
		case f.Category == categoryValidation && (f.Severity == string(iam.SeveritySecurityWarning) || f.Severity == string(iam.SeverityWarning)):
			diags.AddAttributeWarning(at, "Policy "+f.Code, fmt.Sprintf("%s%s: %s", f.Severity, loc, f.Message))
		case f.Category == categoryValidation:
			// Suggestions are in the findings attribute only.
		case deny[f.Category]:
			diags.AddAttributeError(at, "Policy grants "+f.Category,
				fmt.Sprintf("%s (%s, rule %s)%s: %v. deny_findings forbids %s.", f.Message, f.Severity, f.Code, loc, f.Actions, f.Category))
		case f.Severity == iam.RiskCritical || f.Severity == iam.RiskHigh:
			diags.AddAttributeWarning(at, "Policy grants "+f.Category,
				fmt.Sprintf("%s (%s, rule %s)%s: %v. Add %q to deny_findings to fail plans on it.", f.Message, f.Severity, f.Code, loc, f.Actions, f.Category))
		}
	}
}

// riskFindings keeps the findings of the risk analysis.
func riskFindings(fs []finding) []finding {
	var out []finding
	for _, f := range fs {
		if f.Category != categoryValidation {
			out = append(out, f)
		}
	}
	return out
}

// jsonLocator returns a function that writes a JSON path with its line and column in doc.
// The position index is built on first use: most documents have nothing to report.
func jsonLocator(doc []byte) func(string) string {
	index := sync.OnceValues(func() (*iam.PositionIndex, error) { return iam.NewPositionIndex(doc) })
	return func(p string) string {
		if p == "" {
			return p
		}
		idx, err := index()
		if err != nil {
			return p
		}
		if pos, ok := idx.Lookup(p); ok {
			return fmt.Sprintf("%s (line %d, column %d)", p, pos.Line, pos.Column)
		}
		return p
	}
}

// denySet reads deny_findings; known is false while it is not known yet.
func denySet(ctx context.Context, s types.Set) (map[string]bool, bool) {
	if s.IsUnknown() {
		return nil, false
	}
	var vals []string
	if !s.IsNull() {
		if s.ElementsAs(ctx, &vals, false).HasError() {
			return nil, false
		}
	}
	out := map[string]bool{}
	for _, v := range vals {
		out[v] = true
	}
	return out, true
}

// ModifyPlan fills in what is known before apply: the document statement blocks make,
// the prior text when the planned policy means the same (so no diff shows), the findings,
// and the version and ARN that stay.
func (r *EntitlementResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	plan, diagsPlan := readEntitlement(ctx, req.Plan.Raw)
	resp.Diagnostics.Append(diagsPlan...)
	config, diagsConfig := readEntitlement(ctx, req.Config.Raw)
	resp.Diagnostics.Append(diagsConfig...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *entitlementModel
	if !req.State.Raw.IsNull() {
		prior, diagsState := readEntitlement(ctx, req.State.Raw)
		resp.Diagnostics.Append(diagsState...)
		state = &prior
		if resp.Diagnostics.HasError() {
			return
		}
	}
	// The statement blocks' document is built once, for both the planned policy and the
	// findings: the planned blocks are the configured ones but for effect's default, and
	// buildStatementDocument writes a null effect as that same "Allow".
	var built statementDocument
	builtKnown := false
	if config.Policy.IsNull() {
		plan.Policy = PolicyDocument{StringValue: types.StringUnknown()}
		b, known, diags := buildStatementDocument(ctx, plan.Statement)
		resp.Diagnostics.Append(diags...)
		built, builtKnown = b, known && !diags.HasError()
		if builtKnown && len(plan.Statement.Elements()) > 0 {
			plan.Policy = NewPolicyDocument(string(wireDocument(built.JSON)))
		}
	}
	// Terraform accepts the prior value in place of the configured one: this is what keeps
	// a policy that means the same out of the plan.
	if state != nil && semanticallyEqual(state.Policy, plan.Policy) {
		plan.Policy = state.Policy
	}
	// Risks: errors for the types deny_findings names, warnings for the worst others.
	if deny, known := denySet(ctx, config.DenyFindings); known {
		var doc []byte
		var where func(finding) (path.Path, string)
		if config.Policy.IsNull() {
			doc, where, known = statementSource(built, builtKnown)
		} else {
			doc, where, known = policySource(config.Policy)
		}
		if known {
			reportFindings(&resp.Diagnostics, riskFindings(policyFindings(doc, iam.KindManaged)), deny, where)
		}
	}
	if plan.Policy.IsUnknown() {
		plan.Findings = types.ListUnknown(findingObjectType)
	} else {
		fs, diags := findingsValue(policyFindings([]byte(plan.Policy.ValueString()), iam.KindManaged))
		resp.Diagnostics.Append(diags...)
		plan.Findings = fs
	}
	plan.PolicyARN = types.StringUnknown()
	plan.VersionID = types.StringUnknown()
	if state != nil {
		plan.PolicyARN = state.PolicyARN
		if plan.Policy.Equal(state.Policy) {
			plan.VersionID = state.VersionID
		}
	}
	resp.Diagnostics.Append(setEntitlement(ctx, &resp.Plan.Raw, plan)...)
}

// plannedDocument is the document to write: the planned policy, or (should the plan
// not have it) the one the statement blocks make.
func plannedDocument(ctx context.Context, plan entitlementModel) ([]byte, diag.Diagnostics) {
	if !plan.Policy.IsNull() && !plan.Policy.IsUnknown() {
		return []byte(plan.Policy.ValueString()), nil
	}
	built, known, diags := buildStatementDocument(ctx, plan.Statement)
	if !known && !diags.HasError() {
		diags.AddAttributeError(path.Root("statement"), "Policy not known",
			"The statement blocks still hold unknown values at apply. This is a bug in the ciem provider; please report it.")
	}
	return built.JSON, diags
}

// wireDocument is the form ciem writes to IAM: canonical and compact, which also keeps
// documents small against IAM's 6,144-character limit. A document that does not parse
// goes as it is, for IAM to reject with its own message.
func wireDocument(doc []byte) []byte {
	c, err := iam.CanonicalJSON(doc, iam.KindManaged)
	if err != nil {
		return doc
	}
	return c
}
