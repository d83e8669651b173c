package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/usage"
	"github.com/ciem/ciem/internal/usage/trailgen"
)

// Helpers here are prefixed "usage" so that they never clash with other commands' files.

func newUsageCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "usage",
		Short: "Digest AWS usage (CloudTrail, Access Advisor) per principal and action; generate synthetic trails",
	}
	cmd.AddCommand(newUsageDigestCmd(), newUsageGenerateCmd(), newUsageMapCmd())
	return cmd
}

func newUsageDigestCmd() *cobra.Command {
	var (
		sources      []string
		since, until string
		account      string
		format       string
		principals   []string
		maxResources int
		workers      int
	)
	cmd := &cobra.Command{
		Use:   "digest --source SOURCE... [--since 90d] [--format text|json]",
		Short: "Count each principal's use of each IAM action, with first and last seen, resources and denied calls",
		Long: `Digest usage per principal and action.

Sources (--source, repeatable):
  cloudtrail-dir=PATH               a CloudTrail archive on disk (AWS layout or any .json/.json.gz files)
  cloudtrail-s3=s3://BUCKET/PREFIX  a CloudTrail archive in S3, listed by date and read in parallel
  lookup-events[=REGION,...]        CloudTrail LookupEvents (management events, 90 days, 2 requests/s)
  access-advisor[=ARN,...]          IAM Access Advisor last-accessed data (no counts)

Assumed-role sessions count for their role, federated users for their issuer. Events of other
accounts, AWS services' own calls, events that map to no IAM action and bad input are counted and
reported, never dropped silently. The same input gives the same output, byte for byte.`,
		Example: `  ciem usage digest --source cloudtrail-dir=./trail --since 90d
  ciem usage digest --source cloudtrail-s3=s3://my-trail-bucket --since 2026-06-01 --format json
  ciem usage digest --source access-advisor=arn:aws:iam::123456789012:role/app`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			if len(sources) == 0 {
				return fmt.Errorf("no --source given")
			}
			now := time.Now()
			var w usage.Window
			var err error
			if w.Since, err = usage.ParseSince(since, now); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			if until != "" {
				if w.Until, err = usage.ParseSince(until, now); err != nil {
					return fmt.Errorf("--until: %w", err)
				}
			}
			var specs []usage.SourceSpec
			for _, s := range sources {
				spec, err := usage.ParseSourceSpec(s)
				if err != nil {
					return err
				}
				specs = append(specs, spec)
				if account == "" && spec.Kind == usage.SourceCloudTrailDir {
					if account, err = usage.InferAccount(spec.Value); err != nil {
						return err
					}
				}
			}
			ctx := cmd.Context()
			srcs, err := usage.BuildSources(ctx, specs, usage.SourceEnv{
				AWSConfig:  func(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) },
				Principals: principals,
				Progress:   terminalStderr(cmd),
			})
			if err != nil {
				return err
			}
			d, err := usage.Collect(ctx, usage.Options{Window: w, Account: account, MaxResources: maxResources, Workers: workers}, srcs...)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return d.WriteJSON(out)
			}
			return d.WriteText(out)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&sources, "source", nil, "usage source (repeatable): cloudtrail-dir=PATH, cloudtrail-s3=s3://BUCKET/PREFIX, lookup-events[=REGION,...], access-advisor[=ARN,...]")
	f.StringVar(&since, "since", "90d", "start of the window: a duration back from now (90d, 12h, 2w), a date, an RFC 3339 time, or all")
	f.StringVar(&until, "until", "", "end of the window (same forms as --since); default now")
	f.StringVar(&account, "account", "", "the account whose principals are digested (default: inferred from an AWSLogs/<account> layout; otherwise every account)")
	f.StringVar(&format, "format", "text", "output format: text or json")
	f.StringArrayVar(&principals, "principal", nil, "principal ARN for access-advisor when its source names none (repeatable)")
	f.IntVar(&maxResources, "max-resources", 0, "resource ARNs kept per principal and action (default 16)")
	f.IntVar(&workers, "workers", 0, "files read in parallel (default: the number of CPUs)")
	return cmd
}

func newUsageGenerateCmd() *cobra.Command {
	var (
		cfg     trailgen.Config
		out     string
		start   string
		regions string
	)
	cmd := &cobra.Command{
		Use:   "generate --seed N --events N --out DIR",
		Short: "Write a synthetic CloudTrail archive (deterministic by seed) for tests and benchmarks",
		Long: `Write a synthetic CloudTrail archive in the AWS S3 layout
(AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz): IAM users, roles through
assumed-role sessions, federated users, the root user, AWS services and another account's
auditor; S3 data events, errors, console sign-ins. The same flags give the same files.`,
		Example: "  ciem usage generate --seed 1 --events 1000000 --out bench/.data/trail",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("no --out directory given")
			}
			if start != "" {
				t, err := time.Parse("2006-01-02", start)
				if err != nil {
					return fmt.Errorf("--start %q: want a date such as 2026-06-01", start)
				}
				cfg.Start = t
			}
			if regions != "" {
				cfg.Regions = strings.Split(regions, ",")
			}
			began := time.Now()
			sum, err := trailgen.Generate(cmd.Context(), cfg, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d events in %d files under %s: %.1f MB of JSON, %.1f MB gzipped (%.0f bytes/event), events %s to %s, in %.1fs\n",
				sum.Events, sum.Files, out, float64(sum.Bytes)/1e6, float64(sum.CompressedBytes)/1e6, float64(sum.Bytes)/float64(max(sum.Events, 1)),
				sum.Start.Format(time.RFC3339), sum.End.Format(time.RFC3339), time.Since(began).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed gives the same files")
	f.IntVar(&cfg.Events, "events", 10000, "number of events")
	f.StringVar(&out, "out", "", "output directory")
	f.StringVar(&cfg.Account, "account", "", "account id (default 123456789012)")
	f.StringVar(&start, "start", "", "first day of events (default 2026-06-01)")
	f.IntVar(&cfg.Days, "days", 0, "days of events (default 30)")
	f.StringVar(&regions, "regions", "", "comma-separated regions (default us-east-1,eu-west-1,us-west-2)")
	f.IntVar(&cfg.PerFile, "per-file", 0, "records per file (default 3000)")
	return cmd
}

func newUsageMapCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "map EVENT_SOURCE EVENT_NAME",
		Short:   "Show the IAM actions a CloudTrail event maps to",
		Example: "  ciem usage map s3.amazonaws.com ListObjectsV2",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			mapper := usage.NewMapper(nil)
			m := mapper.Map(args[0], args[1])
			out := cmd.OutOrStdout()
			if len(m.Actions) == 0 {
				msg := string(m.Reason)
				if m.Detail != "" {
					msg += ": " + m.Detail
				}
				return fmt.Errorf("%s %s maps to no catalog action (%s)", args[0], args[1], msg)
			}
			for _, a := range m.Actions {
				line := a.Name
				if a.OnCopySource {
					line += " (on the copy source)"
				}
				if a.HasVersioned {
					line += fmt.Sprintf(" (%s when the request names a version)", mapper.Catalog().Action(a.Versioned).FullName())
				}
				fmt.Fprintln(out, line)
			}
			return nil
		},
	}
}
