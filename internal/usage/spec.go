package usage

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// SourceSpec is a usage source as the command line names it:
//
//	cloudtrail-dir=PATH
//	cloudtrail-s3=s3://BUCKET[/PREFIX]
//	lookup-events[=REGION[,REGION...]]
//	access-advisor[=ARN[,ARN...]]
type SourceSpec struct {
	Kind  SourceKind
	Value string
}

func (s SourceSpec) String() string {
	if s.Value == "" {
		return string(s.Kind)
	}
	return string(s.Kind) + "=" + s.Value
}

// ParseSourceSpec parses one --source value.
func ParseSourceSpec(v string) (SourceSpec, error) {
	kind, value, _ := strings.Cut(v, "=")
	spec := SourceSpec{Kind: SourceKind(kind), Value: value}
	switch spec.Kind {
	case SourceCloudTrailDir:
		if value == "" {
			return spec, fmt.Errorf("--source %q: want cloudtrail-dir=PATH", v)
		}
	case SourceCloudTrailS3:
		if _, _, err := ParseS3URL(value); err != nil {
			return spec, fmt.Errorf("--source %q: %w", v, err)
		}
	case SourceLookupEvents, SourceAccessAdvisor:
	default:
		return spec, fmt.Errorf("--source %q: unknown source; want cloudtrail-dir=PATH, cloudtrail-s3=s3://BUCKET/PREFIX, lookup-events[=REGION,...] or access-advisor[=ARN,...]", v)
	}
	return spec, nil
}

// SourceEnv is what building sources needs beyond their specs.
type SourceEnv struct {
	// AWSConfig loads the AWS configuration, called only if a source needs AWS.
	AWSConfig func(ctx context.Context) (aws.Config, error)
	// Principals are the ARNs access-advisor reports on when its spec names none.
	Principals []string
	// Progress receives LookupEvents' progress line (nil: none).
	Progress io.Writer
}

// BuildSources turns specs into sources.
func BuildSources(ctx context.Context, specs []SourceSpec, env SourceEnv) ([]Source, error) {
	var (
		cfg    aws.Config
		loaded bool
	)
	awsConfig := func() (aws.Config, error) {
		if loaded {
			return cfg, nil
		}
		if env.AWSConfig == nil {
			return cfg, fmt.Errorf("no AWS configuration available")
		}
		c, err := env.AWSConfig(ctx)
		if err != nil {
			return cfg, fmt.Errorf("loading the AWS configuration: %w", err)
		}
		cfg, loaded = c, true
		return cfg, nil
	}
	var out []Source
	for _, spec := range specs {
		switch spec.Kind {
		case SourceCloudTrailDir:
			out = append(out, LocalTrail{Path: spec.Value})
		case SourceCloudTrailS3:
			bucket, prefix, err := ParseS3URL(spec.Value)
			if err != nil {
				return nil, err
			}
			c, err := awsConfig()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", spec, err)
			}
			out = append(out, S3Trail{Client: s3.NewFromConfig(c, customEndpointPathStyle(c)), Bucket: bucket, Prefix: prefix})
		case SourceLookupEvents:
			c, err := awsConfig()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", spec, err)
			}
			regions := splitList(spec.Value)
			if len(regions) == 0 {
				if c.Region == "" {
					return nil, fmt.Errorf("%s: no region: set AWS_REGION or name regions, lookup-events=us-east-1,eu-west-1", spec)
				}
				regions = []string{c.Region}
			}
			for _, r := range regions {
				client := cloudtrail.NewFromConfig(c, func(o *cloudtrail.Options) { o.Region = r })
				out = append(out, LookupEvents{Client: client, Region: r, Progress: env.Progress})
			}
		case SourceAccessAdvisor:
			c, err := awsConfig()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", spec, err)
			}
			arns := splitList(spec.Value)
			if len(arns) == 0 {
				arns = env.Principals
			}
			if len(arns) == 0 {
				return nil, fmt.Errorf("%s: no principal: name one, access-advisor=arn:aws:iam::123456789012:role/NAME", spec)
			}
			out = append(out, AccessAdvisor{Client: iam.NewFromConfig(c), Principals: arns})
		default:
			return nil, fmt.Errorf("unknown source kind %q", spec.Kind)
		}
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// customEndpointPathStyle makes an S3 client address buckets by path when the endpoint is
// a custom one (the sandbox, or any S3-compatible store): bucket names cannot be prefixed
// to a host such as 127.0.0.1:4566. AWS's own endpoints keep virtual-hosted addressing.
func customEndpointPathStyle(c aws.Config) func(*s3.Options) {
	return func(o *s3.Options) {
		if c.BaseEndpoint != nil || o.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != "" {
			o.UsePathStyle = true
		}
	}
}
