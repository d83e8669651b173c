package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/scan"
)

var _ datasource.DataSourceWithConfigure = &AccountFindingsDataSource{}

// AccountFindingsDataSource is ciem_account_findings: the account scan of `ciem scan`
// (every principal's path to administrator, and the findings), so that a plan can fail on
// a new escalation path.
type AccountFindingsDataSource struct {
	clients *Clients
}

// NewAccountFindingsDataSource returns the ciem_account_findings data source.
func NewAccountFindingsDataSource() datasource.DataSource { return &AccountFindingsDataSource{} }

type accountFindingsModel struct {
	AuthDetailsFile     types.String `tfsdk:"auth_details_file"`
	MinSeverity         types.String `tfsdk:"min_severity"`
	Types               types.List   `tfsdk:"types"`
	Account             types.String `tfsdk:"account"`
	Principals          types.List   `tfsdk:"principals"`
	Findings            types.List   `tfsdk:"findings"`
	AdminReachableCount types.Int64  `tfsdk:"admin_reachable_count"`
	FindingCounts       types.Map    `tfsdk:"finding_counts"`
}

type accountPrincipalModel struct {
	ARN            string        `tfsdk:"arn"`
	Type           string        `tfsdk:"type"`
	IsAdmin        bool          `tfsdk:"is_admin"`
	AdminReachable bool          `tfsdk:"admin_reachable"`
	AdminPath      []string      `tfsdk:"admin_path"`
	UnusedRatio    types.Float64 `tfsdk:"unused_ratio"`
}

type accountFindingModel struct {
	PrincipalARN string   `tfsdk:"principal_arn"`
	Type         string   `tfsdk:"type"`
	Severity     string   `tfsdk:"severity"`
	Title        string   `tfsdk:"title"`
	Resource     string   `tfsdk:"resource"`
	Actions      []string `tfsdk:"actions"`
	Policies     []string `tfsdk:"policies"`
	Detail       string   `tfsdk:"detail"`
	Rule         string   `tfsdk:"rule"`
}

var accountPrincipalAttrTypes = map[string]attr.Type{
	"arn":             types.StringType,
	"type":            types.StringType,
	"is_admin":        types.BoolType,
	"admin_reachable": types.BoolType,
	"admin_path":      types.ListType{ElemType: types.StringType},
	"unused_ratio":    types.Float64Type,
}

var accountFindingAttrTypes = map[string]attr.Type{
	"principal_arn": types.StringType,
	"type":          types.StringType,
	"severity":      types.StringType,
	"title":         types.StringType,
	"resource":      types.StringType,
	"actions":       types.ListType{ElemType: types.StringType},
	"policies":      types.ListType{ElemType: types.StringType},
	"detail":        types.StringType,
	"rule":          types.StringType,
}

// accountFindingTypes are the finding types the scan reports (docs/scan-report.md): the
// engine's risk types and the scan's own.
var accountFindingTypes = append(slices.Clone(riskTypes),
	scan.FindingCrossAccountTrust, scan.FindingPublicTrust, scan.FindingAccountWideTrust, scan.FindingFederatedNoAudience,
	scan.FindingUnusedCredentials, scan.FindingKeyNotRotated, scan.FindingConsoleWithoutMFA, scan.FindingMultipleActiveKeys,
	scan.FindingKeyAtSetup, scan.FindingRootAccessKey, scan.FindingRootWithoutMFA, scan.FindingUserAttachedPolicies,
	scan.FindingAdminPolicy, scan.FindingNoSupportRole, scan.FindingCloudShellFullAccess, scan.FindingUnusedPermissions,
	scan.FindingInactivePrincipal,
)

const defaultMinSeverity = iam.RiskLow

func (d *AccountFindingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account_findings"
}

func (d *AccountFindingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	strs := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The account scan of `ciem scan`: every user and role of the account (read with " +
			"`GetAccountAuthorizationDetails`, or from an export of it), whether it can reach full administrative " +
			"access and by which path (assuming roles, changing policies, creating credentials, passing roles to " +
			"compute), and the findings (privilege escalation, cross-account and public trust, wildcard " +
			"administrators, policies attached to users, ...) with the same types, severities and order as the scan's " +
			"JSON report (docs/scan-report.md). Use it in a `postcondition` or a `check` block so that a plan fails on a " +
			"new escalation path. The data source reads no usage or credential report: `unused_ratio` is null and " +
			"credential findings are not reported (run `ciem scan` for them).",
		Attributes: map[string]schema.Attribute{
			"auth_details_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Scan this saved output of `aws iam get-account-authorization-details` instead of " +
					"the account the provider reaches.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"min_severity": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only findings of this severity or higher: one of `" + strings.Join(iam.RiskSeverities, "`, `") +
					"`. Defaults to `" + defaultMinSeverity + "` (every finding).",
				Validators: []validator.String{stringvalidator.OneOf(iam.RiskSeverities...)},
			},
			"types": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Only findings of these types: any of `" + strings.Join(accountFindingTypes, "`, `") +
					"`. All types when not set.",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(accountFindingTypes...))},
			},
			"account": str("The 12-digit ID of the account scanned."),
			"principals": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every user and role, in the scan's order (users, then roles, each by ARN).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"arn":      str("ARN of the user or role."),
					"type":     str("`user` or `role`."),
					"is_admin": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it has full administrative access itself."},
					"admin_reachable": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether it has or can reach full administrative access."},
					"admin_path": strs("The shortest path to administrator, one step a string (`<acting principal ARN>, " +
						"<kind>: <what it does>`, kind one of `assume_role`, `change_policies`, `create_access_key`, " +
						"`pass_role`, `update_trust_policy`, ... as in the scan's JSON). Empty for administrators and for principals that cannot reach it."),
					"unused_ratio": schema.Float64Attribute{Computed: true,
						MarkdownDescription: "Share of its granted actions unused: null, as the data source reads no usage."},
				}},
			},
			"findings": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The findings at or above `min_severity` and of `types`: each principal's (in " +
					"`principals` order, most severe first), then the account's own (`principal_arn` empty).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"principal_arn": str("The user or role it is about; empty for findings about the account."),
					"type":          str("The finding type, such as `privilege_escalation` or `cross_account_trust`."),
					"severity":      str("`critical`, `high`, `medium` or `low`."),
					"title":         str("What was found, in a line."),
					"resource":      str("What else it is about (a policy, a role reached, a trusted principal); may be empty."),
					"actions":       strs("The granted actions that make the finding."),
					"policies":      strs("The policies whose statements allow them."),
					"detail":        str("The finding explained (for an escalation, the path)."),
					"rule":          str("The engine's risk rule or the scan's check that found it (`admin-path` for a path to administrator)."),
				}},
			},
			"admin_reachable_count": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "How many principals are not administrators but can become one."},
			"finding_counts": schema.MapAttribute{ElementType: types.Int64Type, Computed: true,
				MarkdownDescription: "Number of `findings` by severity; every severity is a key (0 when none)."},
		},
	}
}

func (d *AccountFindingsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, diags := clientsFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.clients = c
}

func (d *AccountFindingsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m accountFindingsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := accountFindingsFilter{minSeverity: defaultMinSeverity}
	if s := m.MinSeverity.ValueString(); s != "" {
		filter.minSeverity = s
	}
	if !m.Types.IsNull() {
		resp.Diagnostics.Append(m.Types.ElementsAs(ctx, &filter.types, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	acct, source, ok := d.readAccount(ctx, m.AuthDetailsFile.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	for _, p := range acct.Problems {
		resp.Diagnostics.AddWarning("Part of the account could not be scanned", p.Where+": "+p.Message)
	}
	r, err := scan.Scan(ctx, acct, scan.Options{Source: source})
	if err != nil {
		resp.Diagnostics.AddError("Cannot scan the account", err.Error())
		return
	}
	principals, findings, counts := accountFindingsOf(r, filter)
	m.Account = types.StringValue(r.Account)
	m.AdminReachableCount = types.Int64Value(int64(r.Summary.AdminReachable))
	var diags diag.Diagnostics
	m.Principals, diags = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: accountPrincipalAttrTypes}, principals)
	resp.Diagnostics.Append(diags...)
	m.Findings, diags = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: accountFindingAttrTypes}, findings)
	resp.Diagnostics.Append(diags...)
	m.FindingCounts, diags = types.MapValueFrom(ctx, types.Int64Type, counts)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readAccount reads the authorization details from the file when one is given, else from
// the account the provider reaches; source is the scan's Options.Source.
func (d *AccountFindingsDataSource) readAccount(ctx context.Context, file string, diags *diag.Diagnostics) (acct *scan.Account, source string, ok bool) {
	if file != "" {
		a, err := scan.ReadAuthDetailsFile(file)
		if err != nil {
			diags.AddAttributeError(path.Root("auth_details_file"), "Cannot read the authorization details", err.Error())
			return nil, "", false
		}
		return a, "file", true
	}
	if d.clients == nil {
		notConfigured(diags)
		return nil, "", false
	}
	a, err := scan.ReadAWS(ctx, d.clients.IAM.Client, nil)
	if err != nil {
		diags.AddError("Cannot read the account's IAM configuration",
			fmt.Sprintf("Reading the account for ciem_account_findings: %v", err))
		return nil, "", false
	}
	return a, "aws", true
}

// accountFindingsFilter selects the findings the data source returns.
type accountFindingsFilter struct {
	minSeverity string
	types       []string // all when empty
}

func (f accountFindingsFilter) keep(fd scan.Finding) bool {
	rank := slices.Index(iam.RiskSeverities, fd.Severity)
	if rank < 0 || rank > slices.Index(iam.RiskSeverities, f.minSeverity) {
		return false
	}
	return len(f.types) == 0 || slices.Contains(f.types, fd.Type)
}

// accountFindingsOf turns a scan report into the data source's values, in the report's
// order: principals by ARN, each one's findings most severe first, then the account's.
func accountFindingsOf(r *scan.Report, f accountFindingsFilter) ([]accountPrincipalModel, []accountFindingModel, map[string]int64) {
	principals := make([]accountPrincipalModel, 0, len(r.Principals))
	findings := []accountFindingModel{}
	counts := map[string]int64{}
	for _, sev := range iam.RiskSeverities {
		counts[sev] = 0
	}
	add := func(fs []scan.Finding) {
		for _, fd := range fs {
			if !f.keep(fd) {
				continue
			}
			counts[fd.Severity]++
			findings = append(findings, accountFindingModel{PrincipalARN: fd.Principal, Type: fd.Type, Severity: fd.Severity,
				Title: fd.Title, Resource: fd.Resource, Actions: nonNil(fd.Actions), Policies: nonNil(fd.Policies),
				Detail: fd.Detail, Rule: fd.Rule})
		}
	}
	for _, p := range r.Principals {
		steps := make([]string, 0, len(p.AdminPath))
		for _, st := range p.AdminPath {
			steps = append(steps, st.From+", "+st.Kind+": "+st.Detail)
		}
		ratio := types.Float64Null()
		if p.UnusedRatio != nil {
			ratio = types.Float64Value(*p.UnusedRatio)
		}
		principals = append(principals, accountPrincipalModel{ARN: p.ARN, Type: p.Type, IsAdmin: p.IsAdmin,
			AdminReachable: p.AdminReachable, AdminPath: steps, UnusedRatio: ratio})
		add(p.Findings)
	}
	add(r.AccountFindings)
	return principals, findings, counts
}
