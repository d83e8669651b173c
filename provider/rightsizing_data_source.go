package provider

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/rightsize"
)

var _ datasource.DataSourceWithConfigure = &RightsizingDataSource{}

// RightsizingDataSource is ciem_rightsizing: the least-privilege policy for a principal
// from its granted policies and its observed usage, as `ciem rightsize` makes it.
type RightsizingDataSource struct {
	clients *Clients
}

// NewRightsizingDataSource returns the ciem_rightsizing data source.
func NewRightsizingDataSource() datasource.DataSource { return &RightsizingDataSource{} }

type rightsizingModel struct {
	PrincipalARN        types.String  `tfsdk:"principal_arn"`
	Sources             types.List    `tfsdk:"sources"`
	Since               types.String  `tfsdk:"since"`
	Until               types.String  `tfsdk:"until"`
	Keep                types.List    `tfsdk:"keep"`
	ResourceScoping     types.Bool    `tfsdk:"resource_scoping"`
	Name                types.String  `tfsdk:"name"`
	Policy              types.String  `tfsdk:"policy"`
	Policies            types.List    `tfsdk:"policies"`
	UsedActions         types.List    `tfsdk:"used_actions"`
	UnusedActions       types.List    `tfsdk:"unused_actions"`
	UnobservableActions types.List    `tfsdk:"unobservable_actions"`
	DeniedActions       types.List    `tfsdk:"denied_actions"`
	UnusedRatio         types.Float64 `tfsdk:"unused_ratio"`
	Findings            types.List    `tfsdk:"findings"`
}

type suggestedPolicyModel struct {
	Name   string `tfsdk:"name"`
	Policy string `tfsdk:"policy"`
	Size   int64  `tfsdk:"size"`
}

func (d *RightsizingDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rightsizing"
}

func (d *RightsizingDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	strings := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The least-privilege policy for a role or user, from what its policies grant (read from IAM: " +
			"attached, inline, through its groups, within its permissions boundary) and what it was seen using, as " +
			"`ciem rightsize` makes it. Every granted action is used (kept, with its resources scoped to those it was " +
			"used on where the evidence allows), kept without evidence because no log can show it (`iam:PassRole`; data " +
			"events the sources do not hold; `keep` patterns), or unused (removed). Denied requests are listed and never " +
			"added, and the policy never grants more than today. The same usage gives the same policy, byte for byte, so " +
			"plans stay stable.",
		Attributes: map[string]schema.Attribute{
			"principal_arn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "ARN of the role or user to right-size.",
				Validators:          []validator.String{principalARNValidator{}},
			},
			"sources": schema.ListAttribute{
				ElementType: types.StringType,
				Required:    true,
				MarkdownDescription: "Usage sources, as `ciem rightsize --source` takes them: `cloudtrail-dir=PATH`, " +
					"`cloudtrail-s3=s3://BUCKET/PREFIX`, `lookup-events[=REGION,...]` (management events only), " +
					"`access-advisor[=ARN,...]`.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"since": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Start of the usage window: a duration back from now (`90d`, `2w`), a date, an " +
					"RFC 3339 time, or `all`. Defaults to `" + rightsize.DefaultSince + "`.",
			},
			"until": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "End of the usage window, in the forms of `since`. Defaults to now.",
			},
			"keep": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Action patterns to keep when granted, used or not (`ec2:Describe*`).",
			},
			"resource_scoping": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Scope used actions to the resources they were used on where every use named one. " +
					"Defaults to `true`; `false` keeps the granted resources.",
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name of the suggested policy (and of its parts when split). Defaults to `<principal name>-rightsized`.",
			},
			"policy": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The right-sized policy, canonical JSON: use it as a `ciem_entitlement`'s `policy`.",
			},
			"policies": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "`policy` as it is to be created: one policy when it fits IAM's 6,144 characters, " +
					"else several.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":   schema.StringAttribute{Computed: true, MarkdownDescription: "Policy name."},
					"policy": schema.StringAttribute{Computed: true, MarkdownDescription: "Policy document, canonical JSON."},
					"size":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Size as IAM counts it."},
				}},
			},
			"used_actions":         strings("Granted actions seen used in the window, kept."),
			"unused_actions":       strings("Granted actions not used in the window, removed."),
			"unobservable_actions": strings("Granted actions kept although unused, because no source can show their use."),
			"denied_actions":       strings("Actions asked for and denied in the window: never added."),
			"unused_ratio": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Share of granted actions unused in the window (unobservable ones included), 0 to 1.",
			},
			"findings": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Risk findings of the right-sized policy (`category` the risk type; see " +
					"`ciem_policy_analysis` for the fields).",
				NestedObject: schema.NestedAttributeObject{Attributes: dataSourceFindingAttributes()},
			},
		},
	}
}

func (d *RightsizingDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, diags := clientsFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.clients = c
}

func (d *RightsizingDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.clients == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	var m rightsizingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := rightsize.Config{
		Principal: m.PrincipalARN.ValueString(),
		Since:     m.Since.ValueString(),
		Until:     m.Until.ValueString(),
		AWSConfig: func(context.Context) (aws.Config, error) { return d.clients.AWS, nil },
		Options:   rightsize.DefaultOptions(),
	}
	resp.Diagnostics.Append(m.Sources.ElementsAs(ctx, &cfg.Sources, false)...)
	if !m.Keep.IsNull() {
		resp.Diagnostics.Append(m.Keep.ElementsAs(ctx, &cfg.Options.Keep, false)...)
	}
	if !m.ResourceScoping.IsNull() {
		cfg.Options.ResourceScoping = m.ResourceScoping.ValueBool()
	}
	cfg.Options.Name = m.Name.ValueString()
	if resp.Diagnostics.HasError() {
		return
	}
	res, err := rightsize.Run(ctx, cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("principal_arn"), "Cannot right-size "+cfg.Principal, err.Error())
		return
	}
	s := res.Suggestion
	m.Policy = types.StringValue(string(s.Policy))
	pols := []suggestedPolicyModel{}
	for _, p := range s.Policies {
		pols = append(pols, suggestedPolicyModel{Name: p.Name, Policy: string(p.Policy), Size: int64(p.Size)})
	}
	var used, unused, unobservable, denied []string
	for _, k := range s.Kept {
		used = append(used, k.Action)
	}
	for _, g := range s.Removed {
		unused = append(unused, g.Actions...)
	}
	for _, u := range s.KeptUnobserved {
		unobservable = append(unobservable, u.Action)
	}
	for _, dn := range s.Denied {
		denied = append(denied, dn.Action)
	}
	for _, set := range []struct {
		dst  *types.List
		vals []string
	}{{&m.UsedActions, used}, {&m.UnusedActions, unused}, {&m.UnobservableActions, unobservable}, {&m.DeniedActions, denied}} {
		v, diags := types.ListValueFrom(ctx, types.StringType, sortedUnique(set.vals))
		resp.Diagnostics.Append(diags...)
		*set.dst = v
	}
	pv, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: map[string]attr.Type{
		"name": types.StringType, "policy": types.StringType, "size": types.Int64Type,
	}}, pols)
	resp.Diagnostics.Append(diags...)
	m.Policies = pv
	m.UnusedRatio = types.Float64Value(s.Summary.UnusedShare)
	fs, diags := findingsValue(riskFindings(policyFindings(s.Policy, iam.KindManaged)))
	resp.Diagnostics.Append(diags...)
	m.Findings = fs
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sortedUnique sorts and deduplicates, and never returns nil (an empty list, not null).
func sortedUnique(ss []string) []string {
	out := append([]string{}, ss...)
	slices.Sort(out)
	return slices.Compact(out)
}
