// Package provider is the ciem Terraform provider, built on terraform-plugin-framework.
package provider

import (
	"context"
	"os"
	"runtime/debug"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Address is the provider's source address as users write it in required_providers.
const Address = "registry.terraform.io/ciem/ciem"

var _ provider.ProviderWithFunctions = &CiemProvider{}

// CiemProvider is the ciem provider: AWS entitlements as code, checked by ciem's IAM engine.
type CiemProvider struct {
	version string
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	quietSDKLogs.Do(quietSDKLogging)
	gcTuning.Do(tuneGC)
	return func() provider.Provider { return &CiemProvider{version: version} }
}

var quietSDKLogs, gcTuning sync.Once

// tuneGC makes the collector run a quarter as often unless GOGC says otherwise. A plugin
// process lives for one Terraform command and its live heap is small (a few MB: the
// catalog, the schema): at the default GOGC the collector ran every few requests and
// took over a tenth of the provider's CPU time in bench/provider.sh.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// quietSDKLogging turns off the plugin SDKs' own logs unless logs were asked for. Without
// a level they log every RPC at TRACE as JSON, which Terraform and OpenTofu then drop when
// TF_LOG is unset; formatting them was a quarter of the provider's CPU time in `make bench`.
// The framework and protocol subsystems need their own variables: a subsystem without a
// level still builds every entry's fields before its parent drops it.
func quietSDKLogging() {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK",
		"TF_LOG_SDK_PROTO", "TF_ACC_LOG_PATH", "TF_LOG_PATH"} {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"} {
		_ = os.Setenv(v, "off")
	}
}

func (p *CiemProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ciem"
	resp.Version = p.version
}

func (p *CiemProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

// Configure builds the AWS clients once; resources and data sources receive them as
// *Clients. When part of the configuration is not known yet (it comes from another
// resource), the provider stays unconfigured for this plan: what needs AWS waits.
func (p *CiemProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.hasUnknown() {
		return
	}
	clients, diags := newClients(ctx, cfg, p.version)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = clients
	resp.DataSourceData = clients
}

func (p *CiemProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewEntitlementResource,
	}
}

func (p *CiemProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPolicyAnalysisDataSource,
		NewRightsizingDataSource,
		NewAccountFindingsDataSource,
	}
}

func (p *CiemProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		NewExpandActionsFunction,
		NewCanonicalPolicyFunction,
		NewPolicyDiffFunction,
	}
}
