package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

var _ datasource.DataSource = &PolicyAnalysisDataSource{}

// PolicyAnalysisDataSource is ciem_policy_analysis: what ciem's engine says about any
// policy document. It calls no AWS API.
type PolicyAnalysisDataSource struct{}

// NewPolicyAnalysisDataSource returns the ciem_policy_analysis data source.
func NewPolicyAnalysisDataSource() datasource.DataSource { return &PolicyAnalysisDataSource{} }

type policyAnalysisModel struct {
	Policy       types.String `tfsdk:"policy"`
	Kind         types.String `tfsdk:"kind"`
	Canonical    types.String `tfsdk:"canonical"`
	Valid        types.Bool   `tfsdk:"valid"`
	Actions      types.Object `tfsdk:"actions"`
	ActionCount  types.Int64  `tfsdk:"action_count"`
	Size         types.Int64  `tfsdk:"size"`
	SizeLimit    types.Int64  `tfsdk:"size_limit"`
	SizeLimitMax types.Int64  `tfsdk:"size_limit_max"`
	WithinLimit  types.Bool   `tfsdk:"within_limit"`
	Findings     types.List   `tfsdk:"findings"`
}

// accessLevelAttrs names the actions object's attributes after AWS's access levels.
var accessLevelAttrs = []struct {
	name  string
	level catalog.AccessLevel
}{
	{"list", catalog.List},
	{"read", catalog.Read},
	{"write", catalog.Write},
	{"permissions_management", catalog.PermissionsManagement},
	{"tagging", catalog.Tagging},
}

func actionsAttrTypes() map[string]attr.Type {
	m := map[string]attr.Type{}
	for _, a := range accessLevelAttrs {
		m[a.name] = types.ListType{ElemType: types.StringType}
	}
	return m
}

func (d *PolicyAnalysisDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy_analysis"
}

func (d *PolicyAnalysisDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	kinds := make([]string, len(iam.Kinds))
	for i, k := range iam.Kinds {
		kinds[i] = string(k)
	}
	levels := map[string]schema.Attribute{}
	for _, a := range accessLevelAttrs {
		levels[a.name] = schema.ListAttribute{ElementType: types.StringType, Computed: true,
			MarkdownDescription: "Actions of access level " + a.level.String() + ", sorted."}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Analyses any policy document with ciem's IAM engine, offline: the actions its Allow " +
			"statements grant, expanded and grouped by access level; validation and risk findings; and its size against " +
			"IAM's limit for its kind. Use it in `check` blocks or preconditions to keep risky policies out of a plan.",
		Attributes: map[string]schema.Attribute{
			"policy": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The policy document as JSON.",
			},
			"kind": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the policy is used, which decides the allowed elements and the size limit: `" +
					strings.Join(kinds, "`, `") + "`. Defaults to `managed`.",
				Validators: []validator.String{stringvalidator.OneOf(kinds...)},
			},
			"canonical": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The canonical JSON of the policy (as `provider::ciem::canonical_policy` writes it); empty when it does not parse.",
			},
			"valid": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the policy has no ERROR finding (IAM would accept it).",
			},
			"actions": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The actions the policy's Allow statements grant, patterns expanded against the " +
					"embedded AWS catalog, by access level. An upper bound: resources, conditions and Deny statements are not applied.",
				Attributes: levels,
			},
			"action_count": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The number of actions in `actions`, all levels together.",
			},
			"size": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The document's size as IAM counts it for its limits: characters, whitespace outside strings not counted.",
			},
			"size_limit": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "IAM's default size limit for the kind (6,144 for managed policies); 0 when AWS sets none.",
			},
			"size_limit_max": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The limit after a quota increase (trust policies: 4,096); otherwise `size_limit`.",
			},
			"within_limit": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether `size` is within `size_limit` (always true when there is no limit).",
			},
			"findings": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: findingsDescription,
				NestedObject:        schema.NestedAttributeObject{Attributes: dataSourceFindingAttributes()},
			},
		},
	}
}

func (d *PolicyAnalysisDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m policyAnalysisModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	kind := iam.KindManaged
	if k := m.Kind.ValueString(); k != "" {
		kind = iam.Kind(k)
	}
	doc := []byte(m.Policy.ValueString())
	fs := policyFindings(doc, kind)
	valid := true
	for _, f := range fs {
		if f.Category == categoryValidation && f.Severity == string(iam.SeverityError) {
			valid = false
		}
	}
	m.Valid = types.BoolValue(valid)
	m.Canonical = types.StringValue("")
	allowed := catalog.NewActionSet(catalog.Default())
	if p, err := iam.Parse(doc, kind); err == nil {
		m.Canonical = types.StringValue(string(iam.Canonical(p)))
		allowed = p.AllowedActions()
	}
	cat := catalog.Default()
	levels := map[string]attr.Value{}
	for _, a := range accessLevelAttrs {
		names := cat.Names(allowed.Intersect(cat.ByAccessLevel(a.level)))
		lv, diags := types.ListValueFrom(ctx, types.StringType, nonNil(names))
		resp.Diagnostics.Append(diags...)
		levels[a.name] = lv
	}
	actions, diags := types.ObjectValue(actionsAttrTypes(), levels)
	resp.Diagnostics.Append(diags...)
	m.Actions = actions
	m.ActionCount = types.Int64Value(int64(allowed.Len()))
	size, limit := iam.PolicySize(doc), iam.SizeLimit(kind)
	m.Size = types.Int64Value(int64(size))
	m.SizeLimit = types.Int64Value(int64(limit))
	m.SizeLimitMax = types.Int64Value(int64(iam.SizeLimitMax(kind)))
	m.WithinLimit = types.BoolValue(limit == 0 || size <= limit)
	findings, diags := findingsValue(fs)
	resp.Diagnostics.Append(diags...)
	m.Findings = findings
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// dataSourceFindingAttributes is the findings object's schema for data sources.
func dataSourceFindingAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{}
	for name, desc := range findingAttrDescriptions {
		if name == "actions" {
			attrs[name] = schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
			continue
		}
		attrs[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return attrs
}
