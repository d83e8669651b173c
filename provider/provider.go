// Package provider is the ciem Terraform provider, built on terraform-plugin-framework.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Address is the provider's source address as users write it in required_providers.
const Address = "registry.terraform.io/ciem/ciem"

var _ provider.ProviderWithFunctions = &CiemProvider{}

// CiemProvider is the ciem provider. Its resources, data sources and functions arrive with
// the provider issue; today it answers the plugin protocol with an empty schema.
type CiemProvider struct {
	version string
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &CiemProvider{version: version} }
}

func (p *CiemProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ciem"
	resp.Version = p.version
}

func (p *CiemProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Least-privilege AWS entitlements as code.",
	}
}

func (p *CiemProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *CiemProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *CiemProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p *CiemProvider) Functions(context.Context) []func() function.Function { return nil }
