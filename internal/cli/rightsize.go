package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/rightsize"
)

// Helpers here are prefixed "rightsize" so that they never clash with other commands' files.

func newRightsizeCmd() *cobra.Command {
	var (
		cfg         rightsize.Config
		format      string
		kind        string
		noScoping   bool
		noWildcards bool
		saveGranted string
	)
	cmd := &cobra.Command{
		Use:   "rightsize --principal ARN --source SOURCE... [--since 90d] [--format text|json|hcl]",
		Short: "Suggest a least-privilege policy for a role or user from what it was seen using",
		Long: `Suggest the policy a role or user needs, from its granted policies and its usage.

Granted policies are read from IAM (attached managed, inline, through groups, and the
permissions boundary that bounds them), or with --granted from files, so that a trail
archive can be analysed offline with no AWS access: a policy document, boundary=FILE for a
permissions boundary, a bundle written by --save-granted, or the output of
aws iam get-account-authorization-details.

Sources (--source, repeatable):
  cloudtrail-dir=PATH               a CloudTrail archive on disk
  cloudtrail-s3=s3://BUCKET/PREFIX  a CloudTrail archive in S3
  lookup-events[=REGION,...]        CloudTrail LookupEvents (management events only)
  access-advisor[=ARN,...]          IAM Access Advisor (default: the principal)

Every granted action is kept (used in the window, with its count, first and last seen and
sources), kept without evidence (iam:PassRole, which CloudTrail does not log; data events
when the sources hold none for the service; services Access Advisor saw without saying
which actions; --keep patterns), or removed (unused in the window). Requests that were
denied are listed and never added. Kept actions stay within what was granted: scoped to the
resources they were used on where every use named one (--no-resource-scoping keeps the
granted resources), under the conditions of the statement that granted them, with the Deny
statements that applied. A policy over the size limit of its kind is split into several
managed policies. The same input gives the same output, byte for byte; the JSON schema is
in docs/rightsizing.md.

AWS access: the standard chain (environment, shared config, AWS_PROFILE); AWS_ENDPOINT_URL
points it at another endpoint, such as ` + "`ciem sandbox`" + `.`,
		Example: `  ciem rightsize --principal arn:aws:iam::111122223333:role/app --source cloudtrail-s3=s3://trail-bucket --source access-advisor
  ciem rightsize --principal arn:aws:iam::111122223333:role/app --source cloudtrail-dir=./trail \
      --granted ./app-policies.json --since 2026-03-01 --format json
  ciem rightsize --principal arn:aws:iam::111122223333:user/ci --source lookup-events --keep 'ec2:Describe*' --format hcl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "text", "json", "hcl":
			default:
				return fmt.Errorf("--format %q: want text, json or hcl", format)
			}
			if cfg.Principal == "" {
				return fmt.Errorf("--principal: the ARN of the role or user to right-size is required")
			}
			cfg.Options.Kind = iam.Kind(kind)
			cfg.Options.ResourceScoping = !noScoping
			cfg.Options.Wildcards = !noWildcards
			cfg.AWSConfig = func(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }
			cfg.Progress = terminalStderr(cmd)
			res, err := rightsize.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if saveGranted != "" {
				if err := rightsizeSaveGranted(res.Granted, saveGranted); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				return res.Suggestion.WriteJSON(out)
			case "hcl":
				return res.Suggestion.WriteHCL(out)
			}
			return res.Suggestion.WriteText(out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Principal, "principal", "", "ARN of the role or user to right-size")
	f.StringArrayVar(&cfg.Sources, "source", nil, "usage source (repeatable): cloudtrail-dir=PATH, cloudtrail-s3=s3://BUCKET/PREFIX, lookup-events[=REGION,...], access-advisor[=ARN,...]")
	f.StringVar(&cfg.Since, "since", rightsize.DefaultSince, "start of the window: a duration back from now (90d, 12h, 2w), a date, an RFC 3339 time, or all")
	f.StringVar(&cfg.Until, "until", "", "end of the window (same forms as --since); default now")
	f.StringVar(&format, "format", "text", "output format: text, json or hcl (ciem_entitlement resources)")
	f.StringArrayVar(&cfg.Granted, "granted", nil, "read the granted policies from this file instead of IAM (repeatable; boundary=FILE for a permissions boundary)")
	f.StringArrayVar(&cfg.Options.Keep, "keep", nil, "action pattern to keep when granted, used or not (repeatable), e.g. 'ec2:Describe*'")
	f.BoolVar(&noScoping, "no-resource-scoping", false, "keep the granted resources of used actions instead of scoping them to the resources they were used on")
	f.BoolVar(&cfg.Options.ExactObjectARNs, "exact-object-arns", false, "scope S3 object actions to the object ARNs used, not to their buckets' objects")
	f.BoolVar(&noWildcards, "no-wildcards", false, "list every action instead of compacting them into wildcards (wildcards are only used where exact)")
	f.StringVar(&kind, "kind", string(iam.KindManaged), "kind of policy suggested: managed, inline-role or inline-user (decides the size limit)")
	f.StringVar(&cfg.Options.Name, "name", "", "name of the suggested policy (default <principal name>-rightsized)")
	f.IntVar(&cfg.MaxResources, "max-resources", 0, "resource ARNs kept per action from usage (default 16)")
	f.IntVar(&cfg.Workers, "workers", 0, "trail files read in parallel (default: the number of CPUs)")
	f.StringVar(&saveGranted, "save-granted", "", "also write the granted policies read to this file, for a later --granted run")
	return cmd
}

func rightsizeSaveGranted(gr *rightsize.Granted, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--save-granted: %w", err)
	}
	if err := gr.WriteJSON(f); err != nil {
		f.Close()
		return fmt.Errorf("--save-granted %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--save-granted %s: %w", path, err)
	}
	return nil
}
