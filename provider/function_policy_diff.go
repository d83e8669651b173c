package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/iam"
)

var _ function.Function = &PolicyDiffFunction{}

// PolicyDiffFunction is provider::ciem::policy_diff.
type PolicyDiffFunction struct{}

// NewPolicyDiffFunction returns the policy_diff function.
func NewPolicyDiffFunction() function.Function { return &PolicyDiffFunction{} }

var resourceActionsAttrTypes = map[string]attr.Type{
	"resource":    types.StringType,
	"except":      types.ListType{ElemType: types.StringType},
	"actions":     types.ListType{ElemType: types.StringType},
	"conditional": types.BoolType,
}

var levelChangeAttrTypes = map[string]attr.Type{
	"level":   types.StringType,
	"added":   types.ListType{ElemType: types.StringType},
	"removed": types.ListType{ElemType: types.StringType},
}

var policyDiffAttrTypes = map[string]attr.Type{
	"equal":           types.BoolType,
	"added":           types.ListType{ElemType: types.ObjectType{AttrTypes: resourceActionsAttrTypes}},
	"removed":         types.ListType{ElemType: types.ObjectType{AttrTypes: resourceActionsAttrTypes}},
	"by_access_level": types.ListType{ElemType: types.ObjectType{AttrTypes: levelChangeAttrTypes}},
}

func (f *PolicyDiffFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "policy_diff"
}

func (f *PolicyDiffFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Compares what two identity policies grant",
		MarkdownDescription: "Compares what two identity policies grant, as actions per resource: `added` is what `b` " +
			"grants and `a` does not, `removed` the reverse (each entry has `resource`, `except` for NotResource grants, " +
			"`actions` and `conditional`), `by_access_level` lists the added and removed actions by access level (the " +
			"levels that matter most first), and `equal` is true when both grant the same. Text and order do not matter, " +
			"only what is granted.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "a", MarkdownDescription: "The old policy document as JSON."},
			function.StringParameter{Name: "b", MarkdownDescription: "The new policy document as JSON."},
		},
		Return: function.ObjectReturn{AttributeTypes: policyDiffAttrTypes},
	}
}

func (f *PolicyDiffFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var a, b string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &a, &b))
	if resp.Error != nil {
		return
	}
	pa, err := iam.Parse([]byte(a), iam.KindManaged)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("not an identity policy: %v", err))
		return
	}
	pb, err := iam.Parse([]byte(b), iam.KindManaged)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("not an identity policy: %v", err))
		return
	}
	d := iam.Diff(pa, pb)
	obj, diags := policyDiffValue(ctx, d)
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, obj))
}

// resourceActionsModel and levelChangeModel mirror iam's diff types for conversion.
type resourceActionsModel struct {
	Resource    string   `tfsdk:"resource"`
	Except      []string `tfsdk:"except"`
	Actions     []string `tfsdk:"actions"`
	Conditional bool     `tfsdk:"conditional"`
}

type levelChangeModel struct {
	Level   string   `tfsdk:"level"`
	Added   []string `tfsdk:"added"`
	Removed []string `tfsdk:"removed"`
}

type policyDiffModel struct {
	Equal         bool                   `tfsdk:"equal"`
	Added         []resourceActionsModel `tfsdk:"added"`
	Removed       []resourceActionsModel `tfsdk:"removed"`
	ByAccessLevel []levelChangeModel     `tfsdk:"by_access_level"`
}

func policyDiffValue(ctx context.Context, d iam.PolicyDiff) (types.Object, diag.Diagnostics) {
	conv := func(in []iam.ResourceActions) []resourceActionsModel {
		out := make([]resourceActionsModel, 0, len(in))
		for _, r := range in {
			out = append(out, resourceActionsModel{Resource: r.Resource, Except: nonNil(r.Except), Actions: nonNil(r.Actions), Conditional: r.Conditional})
		}
		return out
	}
	m := policyDiffModel{Equal: d.IsEmpty(), Added: conv(d.Added), Removed: conv(d.Removed), ByAccessLevel: []levelChangeModel{}}
	for _, l := range d.ByAccessLevel {
		m.ByAccessLevel = append(m.ByAccessLevel, levelChangeModel{Level: l.Level, Added: nonNil(l.Added), Removed: nonNil(l.Removed)})
	}
	return types.ObjectValueFrom(ctx, policyDiffAttrTypes, m)
}
