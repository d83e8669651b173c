package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/scan"
	"github.com/ciem/ciem/internal/scan/accountgen"
	"github.com/ciem/ciem/internal/usage"
)

// Helpers here are prefixed "scan" so that they never clash with other commands' files.

// scanGateExit is the exit code when --baseline finds something new and high or critical.
const scanGateExit = 2

func newScanCmd() *cobra.Command {
	var (
		authDetails, credReport, format, out, baseline, asOf, since, endpoint string
		usageSources                                                          []string
		workers                                                               int
	)
	cmd := &cobra.Command{
		Use:   "scan [--auth-details FILE] [--credential-report FILE] [--usage SOURCE...] [--format json|html|text] [--out FILE] [--baseline OLD.json]",
		Short: "Scan a whole account: effective permissions, escalation paths to administrator, trust, credentials, CIS IAM controls",
		Long: `Scan every user and role of an account.

Reads GetAccountAuthorizationDetails (all pages) with the AWS credentials of the environment, or
the same JSON saved by "aws iam get-account-authorization-details > FILE" (--auth-details FILE).
For each principal: its effective permissions (its policies and its groups', bounded by its
permissions boundary) by service and access level, wildcard grants, risk findings, and whether it
can become administrator, by the shortest path through the escalation graph (assume a role,
create credentials for a user, pass a role to a compute service it can launch, change a
principal's policies, its own included). Every step of a path is a request the policy engine
allows. Roles' trust policies are checked for cross-account, public and federated trust.

  --credential-report FILE   the IAM credential report CSV (aws iam get-credential-report), for
                             unused and unrotated credentials and console users without MFA
  --usage SOURCE             usage, as for ciem usage digest (cloudtrail-dir=PATH, cloudtrail-s3=URL,
                             lookup-events, access-advisor): unused permissions, inactive principals
  --baseline OLD.json        an earlier scan (--format json): the report adds what changed, and the
                             command exits with code 2 when a new high or critical finding or a new
                             path to administrator appears

The JSON schema is documented in docs/scan-report.md; the same input gives the same bytes.`,
		Example: `  aws iam get-account-authorization-details > auth.json
  ciem scan --auth-details auth.json
  ciem scan --auth-details auth.json --format html --out report.html
  ciem scan --format json --out today.json --baseline yesterday.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" && format != "html" {
				return fmt.Errorf("--format %q: want json, html or text", format)
			}
			ctx := cmd.Context()
			stderr := cmd.ErrOrStderr()
			var line *scan.ProgressLine
			if isTerminal(stderr) {
				line = scan.NewProgressLine(stderr)
				defer line.Done()
			}

			var now time.Time
			if asOf != "" {
				t, err := time.Parse(time.RFC3339, asOf)
				if err != nil {
					return fmt.Errorf("--as-of %q: want an RFC 3339 time such as 2026-06-01T00:00:00Z", asOf)
				}
				now = t.UTC()
			} else if credReport != "" || len(usageSources) > 0 {
				now = time.Now().UTC().Truncate(time.Second)
			}

			// Read the base inputs before anything slow, so that a bad file fails at once.
			var cr *scan.CredentialReport
			if credReport != "" {
				var err error
				if cr, err = scan.ReadCredentialReportFile(credReport); err != nil {
					return err
				}
			}
			var old *scan.Report
			if baseline != "" {
				var err error
				if old, err = scan.ReadBaseline(baseline); err != nil {
					return err
				}
			}

			var acct *scan.Account
			source := "file"
			if authDetails != "" {
				var err error
				if acct, err = scan.ReadAuthDetailsFile(authDetails); err != nil {
					return err
				}
			} else {
				source = "aws"
				cfg, err := config.LoadDefaultConfig(ctx)
				if err != nil {
					return fmt.Errorf("loading the AWS configuration (or give --auth-details FILE): %w", err)
				}
				var progress func(scan.ReadProgress)
				if line != nil {
					progress = line.Read
				}
				client := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) {
					if endpoint != "" {
						o.BaseEndpoint = aws.String(endpoint)
					}
				})
				if acct, err = scan.ReadAWS(ctx, client, progress); err != nil {
					return err
				}
			}

			opts := scan.Options{Now: now, Source: source, CredentialReport: cr, Workers: workers}
			if line != nil {
				opts.Progress = line.Scan
			}
			if len(usageSources) > 0 {
				d, err := scanUsage(ctx, acct, usageSources, since, now, stderr)
				if err != nil {
					return err
				}
				opts.Usage = d
			}
			r, err := scan.Scan(ctx, acct, opts)
			if err != nil {
				return err
			}
			if old != nil {
				scan.CompareBaseline(r, old)
			}
			if line != nil {
				line.Done()
			}
			if err := scanWrite(cmd.OutOrStdout(), out, format, r); err != nil {
				return err
			}
			if r.Baseline != nil && r.Baseline.Gate {
				return exitError{scanGateExit}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&authDetails, "auth-details", "", "read the saved JSON of aws iam get-account-authorization-details instead of calling AWS")
	f.StringVar(&credReport, "credential-report", "", "the IAM credential report (CSV)")
	f.StringArrayVar(&usageSources, "usage", nil, "usage source, as for ciem usage digest (repeatable)")
	f.StringVar(&since, "since", "90d", "usage window start: a duration back from now (90d, 12h) or a date")
	f.StringVar(&format, "format", "text", "output format: json, html or text")
	f.StringVar(&out, "out", "", "write the report to this file instead of standard output")
	f.StringVar(&baseline, "baseline", "", "an earlier scan's JSON report: report what changed, exit 2 on new high or critical findings")
	f.StringVar(&asOf, "as-of", "", "the time credential ages and usage are measured at (RFC 3339; default now)")
	f.IntVar(&workers, "workers", 0, "principals scanned at once (default: the number of CPUs)")
	f.StringVar(&endpoint, "endpoint-url", "", "the IAM endpoint to read from (e.g. a ciem sandbox); default AWS's")
	cmd.AddCommand(newScanGenerateCmd())
	return cmd
}

// scanUsage digests the usage sources for the account's principals.
func scanUsage(ctx context.Context, acct *scan.Account, sources []string, since string, now time.Time, progress io.Writer) (*usage.Digest, error) {
	var specs []usage.SourceSpec
	for _, s := range sources {
		spec, err := usage.ParseSourceSpec(s)
		if err != nil {
			return nil, fmt.Errorf("--usage: %w", err)
		}
		specs = append(specs, spec)
	}
	start, err := usage.ParseSince(since, now)
	if err != nil {
		return nil, fmt.Errorf("--since: %w", err)
	}
	var arns []string
	for _, u := range acct.Users {
		arns = append(arns, u.ARN)
	}
	for _, r := range acct.Roles {
		arns = append(arns, r.ARN)
	}
	env := usage.SourceEnv{
		AWSConfig:  func(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) },
		Principals: arns,
	}
	if isTerminal(progress) {
		env.Progress = progress
	}
	built, err := usage.BuildSources(ctx, specs, env)
	if err != nil {
		return nil, err
	}
	d, err := usage.Collect(ctx, usage.Options{Window: usage.Window{Since: start, Until: now}, Account: acct.ID}, built...)
	if err != nil {
		return nil, fmt.Errorf("reading usage: %w", err)
	}
	return d, nil
}

// scanWrite writes the report to path (atomically: a temporary file renamed into place),
// or to stdout when path is "".
func scanWrite(stdout io.Writer, path, format string, r *scan.Report) error {
	write := func(w io.Writer) error {
		switch format {
		case "json":
			return scan.WriteJSON(w, r)
		case "html":
			return scan.WriteHTML(w, r)
		}
		return scan.WriteText(w, r)
	}
	if path == "" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// CreateTemp makes the file private; a report is an ordinary file.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func newScanGenerateCmd() *cobra.Command {
	var (
		o   accountgen.Options
		out string
	)
	cmd := &cobra.Command{
		Use:   "generate --out FILE [--seed N] [--users N] [--roles N] [--policies N]",
		Short: "Write a synthetic account as get-account-authorization-details JSON (for benchmarks and demos)",
		Long: `Write a synthetic account, deterministic by seed, in the format of
aws iam get-account-authorization-details: customer managed policies, groups, users and roles
with service, account, cross-account and federated trust, boundaries, and a few known
escalation paths. ciem scan --auth-details reads it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			st, err := accountgen.Write(f, o)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("writing %s: %w", out, cerr)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %d users, %d groups, %d roles, %d managed policies\n", out, st.Users, st.Groups, st.Roles, st.Policies)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "file to write")
	f.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed and sizes give the same file")
	f.IntVar(&o.Users, "users", 1000, "users")
	f.IntVar(&o.Roles, "roles", 5000, "roles")
	f.IntVar(&o.Groups, "groups", 0, "groups (default users/20)")
	f.IntVar(&o.Policies, "policies", 20000, "customer managed policies")
	f.StringVar(&o.Account, "account", "", "account id (default 123456789012)")
	return cmd
}
