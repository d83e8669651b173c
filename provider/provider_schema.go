package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// providerModel is the provider block.
type providerModel struct {
	Region     types.String     `tfsdk:"region"`
	Profile    types.String     `tfsdk:"profile"`
	AccessKey  types.String     `tfsdk:"access_key"`
	SecretKey  types.String     `tfsdk:"secret_key"`
	Token      types.String     `tfsdk:"token"`
	AssumeRole *assumeRoleModel `tfsdk:"assume_role"`
	Endpoints  *endpointsModel  `tfsdk:"endpoints"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	IAM        types.String `tfsdk:"iam"`
	STS        types.String `tfsdk:"sts"`
	S3         types.String `tfsdk:"s3"`
	CloudTrail types.String `tfsdk:"cloudtrail"`
}

// hasUnknown reports whether any setting is not known yet.
func (m providerModel) hasUnknown() bool {
	vals := []types.String{m.Region, m.Profile, m.AccessKey, m.SecretKey, m.Token}
	if m.AssumeRole != nil {
		vals = append(vals, m.AssumeRole.RoleARN, m.AssumeRole.SessionName, m.AssumeRole.ExternalID, m.AssumeRole.Duration)
	}
	if m.Endpoints != nil {
		vals = append(vals, m.Endpoints.IAM, m.Endpoints.STS, m.Endpoints.S3, m.Endpoints.CloudTrail)
	}
	for _, v := range vals {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

func providerSchema() schema.Schema {
	endpoint := func(service, env string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Endpoint URL for " + service + " calls, e.g. a local AWS sandbox " +
				"(`http://127.0.0.1:4566`). Without it the SDK's own resolution applies, which honours `" +
				env + "` and `AWS_ENDPOINT_URL`.",
			Validators: []validator.String{urlValidator{}},
		}
	}
	return schema.Schema{
		MarkdownDescription: "The ciem provider manages least-privilege AWS entitlements as code: each principal's " +
			"standing permissions as a customer managed policy, checked at plan time by ciem's IAM policy engine.\n\n" +
			"Credentials come from the standard AWS chain (environment, shared config and credentials files, " +
			"`profile`, container and instance metadata), as the AWS CLI finds them, optionally followed by " +
			"`assume_role`.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "AWS region for regional calls (CloudTrail, S3, STS). Defaults to the SDK's " +
					"resolution (`AWS_REGION`, the profile), then `us-east-1`. IAM is global.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile of the shared config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"access_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Static access key ID, with `secret_key`. Prefer the environment or a profile; " +
					"this exists for sandboxes and tests.",
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("secret_key"))},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Static secret access key, with `access_key`.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("access_key"))},
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Session token for temporary static credentials, with `access_key` and `secret_key`.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("access_key"))},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume this role (with the credentials the chain found) for every call.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional:            true, // required when the block is present: checked in Configure
						MarkdownDescription: "ARN of the role to assume. Required in the block.",
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Role session name, as CloudTrail records it. Defaults to `ciem-terraform`.",
						Validators:          []validator.String{stringvalidator.LengthBetween(2, 64)},
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External ID the role's trust policy requires.",
						Validators:          []validator.String{stringvalidator.LengthBetween(2, 1224)},
					},
					"duration": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Session duration as a Go duration (`15m`, `1h`), from 15 minutes up to the " +
							"role's maximum. Defaults to 1 hour.",
						Validators: []validator.String{durationValidator{}},
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Endpoint overrides per service, e.g. to point the provider at `ciem sandbox`.",
				Attributes: map[string]schema.Attribute{
					"iam":        endpoint("IAM", "AWS_ENDPOINT_URL_IAM"),
					"sts":        endpoint("STS", "AWS_ENDPOINT_URL_STS"),
					"s3":         endpoint("S3", "AWS_ENDPOINT_URL_S3"),
					"cloudtrail": endpoint("CloudTrail", "AWS_ENDPOINT_URL_CLOUDTRAIL"),
				},
			},
		},
	}
}
