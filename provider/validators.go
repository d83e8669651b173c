package provider

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/ciem/ciem/internal/awsx"
)

// urlValidator checks an endpoint URL: absolute, http or https, with a host.
type urlValidator struct{}

func (urlValidator) Description(context.Context) string {
	return "must be an absolute http or https URL"
}

func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint URL",
			fmt.Sprintf("%q is not an absolute http or https URL such as http://127.0.0.1:4566.", s))
	}
}

// durationValidator checks an STS session duration: a Go duration of at least 15
// minutes and at most 12 hours (the longest a role allows).
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a duration such as 15m or 1h, from 15 minutes to 12 hours"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a duration such as 15m or 1h: %v.", s, err))
		return
	}
	if d < 15*time.Minute || d > 12*time.Hour {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s is outside what STS allows for a role session: 15m to 12h.", d))
	}
}

// principalARNValidator checks the form of a role, user or group ARN.
type principalARNValidator struct{}

func (principalARNValidator) Description(context.Context) string {
	return "must be the ARN of an IAM role, user or group"
}

func (v principalARNValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (principalARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := awsx.ParsePrincipalARN(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid principal ARN", err.Error())
	}
}
