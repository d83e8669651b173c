package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ciem/ciem/internal/awsx"
)

// defaultRegion is used when neither the configuration nor the environment names one:
// IAM is global and signs in us-east-1.
const defaultRegion = "us-east-1"

// Clients is what the provider hands its resources and data sources: one AWS
// configuration (credentials resolved, role assumed, endpoint overrides among its
// ConfigSources) and the IAM client on it.
type Clients struct {
	AWS aws.Config
	IAM *awsx.IAM

	principals  sync.Map // principal ARN → awsx.Principal found by findPrincipal
	attachments sync.Map // attachmentsKey → *attachmentList
}

// attachmentList is one listing of a principal's attached managed policies, made once.
type attachmentList struct {
	once sync.Once
	arns map[string]bool
	err  error
}

// attachmentsKey names a principal for the attachment listings: its kind and name, as
// IAM does (names are unique within a kind, whatever their case or path).
func attachmentsKey(p awsx.Principal) string { return string(p.Kind) + "/" + strings.ToLower(p.Name) }

// isAttached reports whether the policy is attached to the principal, from one listing
// of the principal's attached policies per provider process: refreshing N entitlements
// held by P principals lists P times instead of N, and IAM's API is rate-limited per
// account. The provider's own attach and detach drop the listing they change; a change
// made outside Terraform during the command is not seen, as it would not be had it come
// just after the refresh. Failures are not kept.
func (c *Clients) isAttached(ctx context.Context, p awsx.Principal, policyARN string) (bool, error) {
	key := attachmentsKey(p)
	v, _ := c.attachments.LoadOrStore(key, &attachmentList{})
	l := v.(*attachmentList)
	l.once.Do(func() {
		attached, err := c.IAM.AttachedPolicies(ctx, p)
		if err != nil {
			l.err = err
			return
		}
		l.arns = make(map[string]bool, len(attached))
		for _, a := range attached {
			l.arns[a.ARN] = true
		}
	})
	if l.err != nil {
		c.attachments.CompareAndDelete(key, l)
		return false, l.err
	}
	return l.arns[policyARN], nil
}

// attach attaches the policy to the principal and forgets the principal's listing.
func (c *Clients) attach(ctx context.Context, p awsx.Principal, policyARN string) error {
	defer c.attachments.Delete(attachmentsKey(p))
	return c.IAM.Attach(ctx, p, policyARN)
}

// detach detaches the policy from the principal and forgets the principal's listing.
func (c *Clients) detach(ctx context.Context, p awsx.Principal, policyARN string) error {
	defer c.attachments.Delete(attachmentsKey(p))
	return c.IAM.Detach(ctx, p, policyARN)
}

// findPrincipal is IAM.FindPrincipal, remembered for the provider process's life (one
// Terraform command): entitlements share a few principals, and each Create looked its
// principal up again. A principal deleted meanwhile still fails the attach that follows,
// as it would had it gone between the look-up and the attach. Failures are not kept.
func (c *Clients) findPrincipal(ctx context.Context, arn string) (awsx.Principal, error) {
	if p, ok := c.principals.Load(arn); ok {
		return p.(awsx.Principal), nil
	}
	p, err := c.IAM.FindPrincipal(ctx, arn)
	if err != nil {
		return awsx.Principal{}, err
	}
	c.principals.Store(arn, p)
	return p, nil
}

// Endpoints are the provider's endpoint overrides; empty means the SDK's own resolution
// (which honours AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL).
type Endpoints struct {
	IAM, STS, S3, CloudTrail string
}

// GetServiceBaseEndpoint gives the SDK the provider's endpoint for a service, by the
// service's SDK ID, as the shared config's services section would.
func (e Endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	var v string
	switch sdkID {
	case "IAM":
		v = e.IAM
	case "STS":
		v = e.STS
	case "S3":
		v = e.S3
	case "CloudTrail":
		v = e.CloudTrail
	}
	return v, v != "", nil
}

// newClients resolves the AWS configuration as the provider block says.
func newClients(ctx context.Context, m providerModel, version string) (*Clients, diag.Diagnostics) {
	var diags diag.Diagnostics
	var eps Endpoints
	if m.Endpoints != nil {
		eps = Endpoints{
			IAM:        m.Endpoints.IAM.ValueString(),
			STS:        m.Endpoints.STS.ValueString(),
			S3:         m.Endpoints.S3.ValueString(),
			CloudTrail: m.Endpoints.CloudTrail.ValueString(),
		}
	}
	opts := []func(*config.LoadOptions) error{
		config.WithAppID("ciem-terraform/" + version),
	}
	if r := m.Region.ValueString(); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	if p := m.Profile.ValueString(); p != "" {
		opts = append(opts, config.WithSharedConfigProfile(p))
	}
	if k := m.AccessKey.ValueString(); k != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(k, m.SecretKey.ValueString(), m.Token.ValueString())))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		diags.AddError("Cannot load the AWS configuration",
			fmt.Sprintf("Reading the AWS shared config, credentials and environment failed: %v", err))
		return nil, diags
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	// The IAM client below and assumeRole's STS client set the provider's endpoints
	// outright. Other clients built from cfg (the S3, CloudTrail and IAM clients
	// internal/usage builds for right-sizing) find them among ConfigSources, ahead of
	// AWS_ENDPOINT_URL_<SERVICE> and the shared config's, except when AWS_ENDPOINT_URL is
	// set and the service's own variable is not: the SDK then reads no ConfigSources and
	// such a client goes to cfg.BaseEndpoint, AWS_ENDPOINT_URL's value.
	cfg.ConfigSources = append([]any{eps}, cfg.ConfigSources...)
	if m.AssumeRole != nil {
		creds, d := assumeRole(ctx, cfg, eps.STS, m.AssumeRole)
		diags.Append(d...)
		if diags.HasError() {
			return nil, diags
		}
		cfg.Credentials = creds
	}
	c := &Clients{AWS: cfg}
	c.IAM = awsx.NewIAM(cfg, func(o *iam.Options) {
		if eps.IAM != "" {
			o.BaseEndpoint = aws.String(eps.IAM)
		}
	})
	return c, diags
}

// assumeRole wraps the found credentials in an AssumeRole provider and fetches the
// first session now, so that a role that cannot be assumed fails here, at the block,
// rather than at the first resource.
func assumeRole(ctx context.Context, cfg aws.Config, stsEndpoint string, ar *assumeRoleModel) (aws.CredentialsProvider, diag.Diagnostics) {
	var diags diag.Diagnostics
	roleARN := ar.RoleARN.ValueString()
	if roleARN == "" {
		diags.AddAttributeError(path.Root("assume_role").AtName("role_arn"), "Missing role_arn",
			"The assume_role block needs role_arn: the ARN of the role to assume.")
		return nil, diags
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		if stsEndpoint != "" {
			o.BaseEndpoint = aws.String(stsEndpoint)
		}
	})
	provider := stscreds.NewAssumeRoleProvider(client, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "ciem-terraform"
		if s := ar.SessionName.ValueString(); s != "" {
			o.RoleSessionName = s
		}
		if s := ar.ExternalID.ValueString(); s != "" {
			o.ExternalID = aws.String(s)
		}
		if s := ar.Duration.ValueString(); s != "" {
			if d, err := time.ParseDuration(s); err == nil { // the validator reported a bad one
				o.Duration = d
			}
		}
	})
	cache := aws.NewCredentialsCache(provider)
	if _, err := cache.Retrieve(ctx); err != nil {
		diags.AddAttributeError(path.Root("assume_role").AtName("role_arn"), "Cannot assume role",
			fmt.Sprintf("Assuming %s failed: %v", roleARN, err))
		return nil, diags
	}
	return cache, diags
}

// clientsFrom reads the provider data handed to a resource or data source. nil data
// (the provider is not configured yet during validation) is not an error.
func clientsFrom(data any) (*Clients, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	c, ok := data.(*Clients)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *provider.Clients, got %T. This is a bug in the ciem provider; please report it.", data))
	}
	return c, diags
}

// notConfigured is the error for an operation that needs AWS before the provider has
// its configuration.
func notConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider not configured",
		"The ciem provider has no AWS configuration yet (part of the provider block is unknown until apply). "+
			"This is a bug in the ciem provider if it happens during apply; please report it.")
}
