package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/iam"
)

var (
	_ resource.ResourceWithConfigure      = &EntitlementResource{}
	_ resource.ResourceWithImportState    = &EntitlementResource{}
	_ resource.ResourceWithIdentity       = &EntitlementResource{}
	_ resource.ResourceWithModifyPlan     = &EntitlementResource{}
	_ resource.ResourceWithValidateConfig = &EntitlementResource{}
)

// EntitlementResource is ciem_entitlement: a principal's standing entitlement, kept as a
// customer managed policy attached to the principal.
type EntitlementResource struct {
	clients *Clients
}

// NewEntitlementResource returns the ciem_entitlement resource.
func NewEntitlementResource() resource.Resource { return &EntitlementResource{} }

// entitlementModel is ciem_entitlement's configuration, plan and state.
type entitlementModel struct {
	PrincipalARN types.String   `tfsdk:"principal_arn"`
	Name         types.String   `tfsdk:"name"`
	Path         types.String   `tfsdk:"path"`
	Description  types.String   `tfsdk:"description"`
	Policy       PolicyDocument `tfsdk:"policy"`
	Statement    types.List     `tfsdk:"statement"`
	DenyFindings types.Set      `tfsdk:"deny_findings"`
	PolicyARN    types.String   `tfsdk:"policy_arn"`
	VersionID    types.String   `tfsdk:"version_id"`
	Findings     types.List     `tfsdk:"findings"`
}

// The lengths are checked apart from the patterns: a counted repetition such as
// {1,510} compiles into hundreds of states, which every plugin launch paid for at start-up.
var (
	policyNameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)
	policyPathRE = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
)

// riskTypes are the finding types deny_findings accepts.
var riskTypes = []string{
	iam.RiskPrivilegeEscalation, iam.RiskDataExfiltration, iam.RiskResourceExposure,
	iam.RiskCredentialsExposure, iam.RiskInfrastructureModify, iam.RiskUnrestrictedPassRole,
	iam.RiskWildcardAdmin,
}

func (r *EntitlementResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_entitlement"
}

func (r *EntitlementResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	listOfStrings := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A principal's standing entitlement: a customer managed policy that ciem creates, keeps " +
			"attached to one IAM role, user or group, and checks with its IAM engine at plan time.\n\n" +
			"The policy is compared by meaning, not by text: key order, whitespace, the case of action names, a string " +
			"for a one-element list, statement order and duplicates never show as a change. A change made outside " +
			"Terraform (a new default version, a detachment, a deleted policy) shows in the next plan. An update makes a " +
			"new default version and deletes the oldest versions beyond IAM's limit of five.",
		Attributes: map[string]schema.Attribute{
			"principal_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM role, user or group that holds the entitlement " +
					"(`arn:aws:iam::111122223333:role/app`). Changing it moves the attachment.",
				Validators: []validator.String{principalARNValidator{}},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the managed policy. Changing it replaces the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.LengthAtMost(128), stringvalidator.RegexMatches(policyNameRE,
					"must be 1 to 128 letters, digits and +=,.@_-")},
			},
			"path": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("/"),
				MarkdownDescription: "Path of the managed policy, `/` or `/a/b/`. Defaults to `/`. Changing it replaces the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.LengthAtMost(512), stringvalidator.RegexMatches(policyPathRE,
					"must be / or begin and end with / (printable ASCII, up to 512 characters)")},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Description of the managed policy. IAM cannot change it later: changing it replaces the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtMost(1000)},
			},
			"policy": schema.StringAttribute{
				CustomType: PolicyDocumentType{},
				Optional:   true,
				Computed:   true,
				MarkdownDescription: "The policy document as JSON (`jsonencode({...})`, `file(...)`, or " +
					"`provider::ciem::canonical_policy(...)`). Exactly one of `policy` and `statement` is required; with " +
					"`statement` blocks this holds the document they make. Validated at plan time: errors fail the plan.",
			},
			"deny_findings": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Risk types that fail the plan when the policy grants them, instead of a warning: " +
					"any of `" + strings.Join(riskTypes, "`, `") + "`. Kept in configuration only: an import cannot read it.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(riskTypes...))},
			},
			"policy_arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the managed policy. The import ID.",
			},
			"version_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ID of the policy's default version (`v3`).",
			},
			"findings": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: findingsDescription,
				NestedObject:        schema.NestedAttributeObject{Attributes: resourceFindingAttributes()},
			},
		},
		Blocks: map[string]schema.Block{
			"statement": schema.ListNestedBlock{
				MarkdownDescription: "A statement of the policy, as an alternative to `policy`. Findings point at the " +
					"block and attribute they are about.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"sid": schema.StringAttribute{Optional: true, MarkdownDescription: "Statement ID."},
						"effect": schema.StringAttribute{
							Optional:            true,
							Computed:            true,
							Default:             stringdefault.StaticString("Allow"),
							MarkdownDescription: "`Allow` (the default) or `Deny`.",
							Validators:          []validator.String{stringvalidator.OneOf("Allow", "Deny")},
						},
						"actions":       listOfStrings("Actions or action patterns (`s3:GetObject`, `s3:Get*`)."),
						"not_actions":   listOfStrings("Actions the statement does not apply to (NotAction)."),
						"resources":     listOfStrings("Resource ARNs or patterns."),
						"not_resources": listOfStrings("Resources the statement does not apply to (NotResource)."),
					},
					Blocks: map[string]schema.Block{
						"condition": schema.ListNestedBlock{
							MarkdownDescription: "A condition: every block must hold (AND); the values of one block are ORed.",
							NestedObject: schema.NestedBlockObject{
								Attributes: map[string]schema.Attribute{
									"test": schema.StringAttribute{Required: true,
										MarkdownDescription: "Condition operator, e.g. `StringEquals`, `ArnLike`, `ForAnyValue:StringLike`."},
									"variable": schema.StringAttribute{Required: true,
										MarkdownDescription: "Condition key, e.g. `aws:PrincipalTag/team`."},
									"values": schema.ListAttribute{ElementType: types.StringType, Required: true,
										MarkdownDescription: "Values to compare with."},
								},
							},
						},
					},
				},
			},
		},
	}
}

func resourceFindingAttributes() map[string]schema.Attribute {
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

func (r *EntitlementResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := clientsFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.clients = c
}

// load reads the plan or state value Create, Read, Update and Delete work from; false
// when the provider is not configured or some value could not be read (diags say which).
func (r *EntitlementResource) load(ctx context.Context, raw tftypes.Value, diags *diag.Diagnostics) (entitlementModel, bool) {
	if r.clients == nil {
		notConfigured(diags)
		return entitlementModel{}, false
	}
	m, d := readEntitlement(ctx, raw)
	diags.Append(d...)
	return m, !diags.HasError()
}

func (r *EntitlementResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := r.load(ctx, req.Plan.Raw, &resp.Diagnostics)
	if !ok {
		return
	}
	principal, err := r.clients.findPrincipal(ctx, plan.PrincipalARN.ValueString())
	if err != nil {
		principalError(&resp.Diagnostics, err)
		return
	}
	doc, diags := plannedDocument(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := r.clients.IAM.CreatePolicy(ctx, awsx.NewPolicy{
		Name:        plan.Name.ValueString(),
		Path:        plan.Path.ValueString(),
		Description: plan.Description.ValueString(),
		Document:    wireDocument(doc),
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the managed policy", err.Error())
		return
	}
	plan.PolicyARN = types.StringValue(created.ARN)
	plan.VersionID = types.StringValue(created.DefaultVersionID)
	resp.Diagnostics.Append(setPolicyID(ctx, resp.Private, created.ID)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, created.ARN)...)
	if err := r.clients.attach(ctx, principal, created.ARN); err != nil {
		// Keep what was made in state: Terraform taints it, and the next apply replaces it.
		resp.Diagnostics.Append(setEntitlement(ctx, &resp.State.Raw, plan)...)
		resp.Diagnostics.AddAttributeError(path.Root("principal_arn"), "Cannot attach the policy", err.Error())
		return
	}
	resp.Diagnostics.Append(setEntitlement(ctx, &resp.State.Raw, plan)...)
}

func (r *EntitlementResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := r.load(ctx, req.State.Raw, &resp.Diagnostics)
	if !ok {
		return
	}
	policyARN := state.PolicyARN.ValueString()
	remote, err := r.clients.IAM.GetPolicyMetadata(ctx, policyARN)
	if awsx.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: the plan re-creates it
		// The framework wants an identity even for a removed resource; a CLI without
		// identity support (Terraform before 1.12) sent none to carry over.
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, policyARN)...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the managed policy", err.Error())
		return
	}
	knownID, diags := policyID(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	state.Name = types.StringValue(remote.Name)
	state.Path = types.StringValue(remote.Path)
	if remote.Description != "" || !state.Description.IsNull() {
		state.Description = types.StringValue(remote.Description)
	}
	// Policy versions never change once made: while the default version and the policy's
	// unique ID are the ones state knows, so is the document. Otherwise read it: a default
	// version that means what state holds keeps state's text; anything else (a version
	// made outside Terraform) shows as a change to policy in the next plan.
	if remote.DefaultVersionID != state.VersionID.ValueString() || remote.ID != knownID || state.Policy.IsNull() {
		doc, err := r.clients.IAM.PolicyVersionDocument(ctx, policyARN, remote.DefaultVersionID)
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the managed policy", err.Error())
			return
		}
		// State keeps the document in canonical form, so that an imported policy equals
		// provider::ciem::canonical_policy of the same document.
		if read := NewPolicyDocument(string(wireDocument(doc))); !semanticallyEqual(state.Policy, read) {
			state.Policy = read
			state.Findings = types.ListNull(findingObjectType)
		}
		state.VersionID = types.StringValue(remote.DefaultVersionID)
		resp.Diagnostics.Append(setPolicyID(ctx, resp.Private, remote.ID)...)
	}
	principal, diags := r.attachedPrincipal(ctx, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.PrincipalARN = principal
	if state.Findings.IsNull() {
		fs, diags := findingsValue(policyFindings([]byte(state.Policy.ValueString()), iam.KindManaged))
		resp.Diagnostics.Append(diags...)
		state.Findings = fs
	}
	resp.Diagnostics.Append(setEntitlement(ctx, &resp.State.Raw, state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, policyARN)...)
}

// attachedPrincipal is the principal_arn to keep in state: the state's principal while
// the policy is still attached to it, null when it is not (the plan then re-attaches),
// and after an import the one principal the policy is attached to.
func (r *EntitlementResource) attachedPrincipal(ctx context.Context, state entitlementModel) (types.String, diag.Diagnostics) {
	var diags diag.Diagnostics
	policyARN := state.PolicyARN.ValueString()
	if arn := state.PrincipalARN.ValueString(); arn != "" {
		p, err := awsx.ParsePrincipalARN(arn)
		if err != nil {
			diags.AddAttributeError(path.Root("principal_arn"), "Invalid principal ARN", err.Error())
			return state.PrincipalARN, diags
		}
		ok, err := r.clients.isAttached(ctx, p, policyARN)
		if awsx.IsNotFound(err) {
			return types.StringNull(), diags // the principal is gone
		}
		if err != nil {
			diags.AddError("Cannot read the policy's attachment", err.Error())
			return state.PrincipalARN, diags
		}
		if !ok {
			return types.StringNull(), diags
		}
		return state.PrincipalARN, diags
	}
	entities, err := r.clients.IAM.PolicyEntities(ctx, policyARN)
	if err != nil {
		diags.AddError("Cannot read where the policy is attached", err.Error())
		return types.StringNull(), diags
	}
	switch len(entities) {
	case 0:
		return types.StringNull(), diags
	case 1:
		return types.StringValue(entities[0].ARN), diags
	default:
		diags.AddError("Policy attached to several principals",
			fmt.Sprintf("%s is attached to %s. A ciem_entitlement holds one attachment: import it as "+
				"\"%s,<principal ARN>\" to say which.", policyARN, joinARNs(entities), policyARN))
		return types.StringNull(), diags
	}
}

func (r *EntitlementResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := r.load(ctx, req.Plan.Raw, &resp.Diagnostics)
	if r.clients == nil {
		return // reported once, by load
	}
	// The state is read even when the plan could not be, so that both errors are reported.
	state, stateOK := r.load(ctx, req.State.Raw, &resp.Diagnostics)
	if !ok || !stateOK {
		return
	}
	policyARN := state.PolicyARN.ValueString()
	plan.PolicyARN = state.PolicyARN
	doc, diags := plannedDocument(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.VersionID = state.VersionID
	if !semanticallyEqual(state.Policy, NewPolicyDocument(string(doc))) {
		id, err := r.clients.IAM.SetDocument(ctx, policyARN, wireDocument(doc))
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("policy"), "Cannot update the managed policy", err.Error())
			return
		}
		plan.VersionID = types.StringValue(id)
	}
	if plan.PrincipalARN.ValueString() != state.PrincipalARN.ValueString() {
		next, err := r.clients.findPrincipal(ctx, plan.PrincipalARN.ValueString())
		if err != nil {
			principalError(&resp.Diagnostics, err)
			return
		}
		// Attach to the new principal before detaching from the old one, so that the
		// entitlement is never held by nobody in between.
		if err := r.clients.attach(ctx, next, policyARN); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("principal_arn"), "Cannot attach the policy", err.Error())
			return
		}
		if err := r.detachFrom(ctx, state.PrincipalARN.ValueString(), policyARN); err != nil {
			resp.Diagnostics.AddError("Cannot detach the policy from the previous principal", err.Error())
			return
		}
	}
	resp.Diagnostics.Append(setEntitlement(ctx, &resp.State.Raw, plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, policyARN)...)
}

func (r *EntitlementResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := r.load(ctx, req.State.Raw, &resp.Diagnostics)
	if !ok {
		return
	}
	policyARN := state.PolicyARN.ValueString()
	if err := r.detachFrom(ctx, state.PrincipalARN.ValueString(), policyARN); err != nil {
		resp.Diagnostics.AddError("Cannot detach the policy", err.Error())
		return
	}
	if err := r.clients.IAM.DeletePolicy(ctx, policyARN); err != nil {
		detail := err.Error()
		if entities, lerr := r.clients.IAM.PolicyEntities(ctx, policyARN); lerr == nil && len(entities) > 0 {
			detail += "\n\nThe policy is still attached outside this resource, to: " + joinARNs(entities)
		}
		resp.Diagnostics.AddError("Cannot delete the managed policy", detail)
	}
}

// detachFrom detaches the policy from the principal a state's principal_arn names. One
// that is empty or does not parse was never attached through: there is nothing to detach.
func (r *EntitlementResource) detachFrom(ctx context.Context, principalARN, policyARN string) error {
	if p, err := awsx.ParsePrincipalARN(principalARN); err == nil { // "" does not parse
		return r.clients.detach(ctx, p, policyARN)
	}
	return nil
}

// joinARNs lists the principals' ARNs for a message.
func joinARNs(ps []awsx.Principal) string {
	arns := make([]string, 0, len(ps))
	for _, p := range ps {
		arns = append(arns, p.ARN)
	}
	return strings.Join(arns, ", ")
}

// IdentitySchema makes the managed policy's ARN the entitlement's identity, so that an
// import block can name it with `identity = { policy_arn = ... }` (Terraform 1.12 and
// OpenTofu 1.12 and later). The ARN never changes while the resource lives: a new name or
// path replaces the policy. The principal is not part of it: the attachment can move.
func (r *EntitlementResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"policy_arn": identityschema.StringAttribute{
				RequiredForImport: true,
				Description: "ARN of the customer managed policy (arn:aws:iam::111122223333:policy/NAME). " +
					"The policy must be attached to exactly one principal, which becomes principal_arn.",
			},
		},
	}
}

// setIdentity records the entitlement's identity, its managed policy's ARN. id is nil
// only when the framework serves a resource without identity support, never here.
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, policyARN string) diag.Diagnostics {
	if id == nil {
		return nil
	}
	return id.SetAttribute(ctx, path.Root("policy_arn"), policyARN)
}

// ImportState takes a policy ARN, or "POLICY_ARN,PRINCIPAL_ARN" for a policy attached
// to several principals; or, from an import block's identity, the policy ARN alone.
func (r *EntitlementResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		var policyARN types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root("policy_arn"), &policyARN)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if err := checkPolicyARN(policyARN.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("policy_arn"), "Invalid import identity",
				fmt.Sprintf("Want policy_arn to be a managed policy ARN (arn:aws:iam::111122223333:policy/NAME): %v", err))
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("policy_arn"), policyARN)...)
		return
	}
	policyARN, principalARN, _ := strings.Cut(req.ID, ",")
	if err := checkPolicyARN(policyARN); err != nil {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Want a managed policy ARN (arn:aws:iam::111122223333:policy/NAME), optionally followed by "+
				",PRINCIPAL_ARN: %v", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("policy_arn"), policyARN)...)
	if principalARN != "" {
		if _, err := awsx.ParsePrincipalARN(principalARN); err != nil {
			resp.Diagnostics.AddError("Invalid import ID", err.Error())
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("principal_arn"), principalARN)...)
	}
}

// privatePolicyID is the private state key holding the policy's unique ID.
const privatePolicyID = "policy_id"

// privateState is the part of the framework's private state the resource uses.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateStateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// policyID reads the policy's unique ID from private state ("" when unknown, as after an
// import).
func policyID(ctx context.Context, p privateState) (string, diag.Diagnostics) {
	b, diags := p.GetKey(ctx, privatePolicyID)
	if len(b) == 0 || diags.HasError() {
		return "", diags
	}
	var id string
	if err := json.Unmarshal(b, &id); err != nil {
		return "", diags // an unreadable value only costs a read of the document
	}
	return id, diags
}

func setPolicyID(ctx context.Context, p privateStateSetter, id string) diag.Diagnostics {
	b, err := json.Marshal(id)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the policy ID", err.Error())
		return diags
	}
	return p.SetKey(ctx, privatePolicyID, b)
}

// principalError reports a failure to find principal_arn.
func principalError(diags *diag.Diagnostics, err error) {
	title := "Cannot read the principal"
	if awsx.IsNotFound(err) {
		title = "Principal not found"
	}
	diags.AddAttributeError(path.Root("principal_arn"), title, err.Error())
}

// checkPolicyARN checks the form of a customer managed policy ARN.
func checkPolicyARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "policy/") {
		return fmt.Errorf("%q is not an IAM policy ARN", arn)
	}
	if parts[4] == "aws" {
		return fmt.Errorf("%q is an AWS managed policy: only customer managed policies can be managed", arn)
	}
	return nil
}
