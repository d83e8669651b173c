// Command noopprovider is a yardstick for bench/provider.sh: a terraform-plugin-framework
// provider that serves ciem's provider schema and ciem_entitlement's schema (the same
// attributes, blocks, validators, plan modifiers and defaults, taken from package
// provider) but does no work of its own: no AWS call, no policy engine. Its create writes
// the plan into state with fixed computed values; read, update and delete change nothing.
//
// Run beside ciem and terraform_data, it splits the gap between them into what Terraform or
// OpenTofu and the framework cost for a plugin resource of this shape, and what ciem adds.
// It is never installed or shipped.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/provider"
)

func main() {
	// provider.New sets up the provider process as ciem does (quiet SDK logs, GC tuning).
	ciem := provider.New("noop")
	err := providerserver.Serve(context.Background(), func() fwprovider.Provider {
		return noopProvider{ciem: ciem()}
	}, providerserver.ServeOpts{Address: provider.Address})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// noopProvider has ciem's name and provider schema, and one resource.
type noopProvider struct{ ciem fwprovider.Provider }

func (p noopProvider) Metadata(ctx context.Context, req fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	p.ciem.Metadata(ctx, req, resp)
}

func (p noopProvider) Schema(ctx context.Context, req fwprovider.SchemaRequest, resp *fwprovider.SchemaResponse) {
	p.ciem.Schema(ctx, req, resp)
}

// Configure reads nothing: the yardstick needs no AWS configuration.
func (noopProvider) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}

func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return noopEntitlement{} }}
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// noopEntitlement is ciem_entitlement's schema and identity schema without
// ciem_entitlement's behaviour.
type noopEntitlement struct{}

var _ resource.ResourceWithIdentity = noopEntitlement{}

func (noopEntitlement) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	(&provider.EntitlementResource{}).IdentitySchema(ctx, req, resp)
}

func (noopEntitlement) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	(&provider.EntitlementResource{}).Metadata(ctx, req, resp)
}

func (noopEntitlement) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	(&provider.EntitlementResource{}).Schema(ctx, req, resp)
}

// Create stores the plan, with the computed attributes set as ciem would set them for a
// policy without findings.
func (noopEntitlement) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	findingsType, diags := req.Plan.Schema.TypeAtPath(ctx, path.Root("findings"))
	resp.Diagnostics.Append(diags...)
	list, ok := findingsType.(types.ListType)
	if !ok {
		resp.Diagnostics.AddError("Unexpected schema", fmt.Sprintf("findings is a %T, not a list", findingsType))
		return
	}
	arn := "arn:aws:iam::111122223333:policy/" + name.ValueString()
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("policy_arn"), arn)...)
	resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root("policy_arn"), arn)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("version_id"), "v1")...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("findings"), types.ListValueMust(list.ElemType, nil))...)
}

// Read keeps state; the identity is set again for CLIs that do not store it (Terraform
// before 1.12), as ciem_entitlement does.
func (noopEntitlement) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var arn types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("policy_arn"), &arn)...)
	resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root("policy_arn"), arn)...)
}

func (noopEntitlement) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
	var arn types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("policy_arn"), &arn)...)
	resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root("policy_arn"), arn)...)
}

func (noopEntitlement) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
