package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/awstest"
)

// Helpers here are prefixed "sandbox" so that they never clash with other commands' files.

type sandboxFlags struct {
	addr, data, account, region, seed, envFile, profile string
	delivery                                            time.Duration
}

func newSandboxCmd() *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a local AWS endpoint (IAM, STS, S3, CloudTrail) that enforces IAM with ciem's engine",
		Long: `Run a local AWS endpoint for development and tests: IAM and STS (Query protocol),
S3 (path-style) and CloudTrail (LookupEvents, trails delivering to S3) on one port.
Every request must be signed with keys the sandbox issued and is authorised with ciem's
IAM engine; every call becomes a CloudTrail event.

It prints the endpoint and the admin user's key as shell exports (also written to
--env-file) and an AWS CLI profile, then serves until interrupted. With --data the
state (IAM, S3, events) is kept in DIR across restarts; without it, in memory.

  ciem sandbox --data .sandbox --env-file .sandbox/env &
  . .sandbox/env
  aws --endpoint-url "$AWS_ENDPOINT_URL" iam list-users`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return sandboxRun(ctx, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", awstest.DefaultAddr, "address to listen on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.data, "data", "", "directory for the sandbox state (kept across restarts); in memory when empty")
	fl.StringVar(&f.account, "account", awstest.DefaultAccount, "AWS account ID (12 digits)")
	fl.StringVar(&f.region, "region", awstest.DefaultRegion, "AWS region")
	fl.StringVar(&f.seed, "seed", "", "JSON file declaring the starting users, groups, roles, policies and buckets (applied to an empty state)")
	fl.StringVar(&f.envFile, "env-file", "", "also write the export lines to this file (mode 0600)")
	fl.StringVar(&f.profile, "profile", "ciem-sandbox", "name of the AWS CLI profile in the printed snippet")
	fl.DurationVar(&f.delivery, "trail-delivery-interval", 5*time.Minute, "how often trails deliver CloudTrail log files to S3 (0: only at shutdown)")
	return cmd
}

func sandboxRun(ctx context.Context, f sandboxFlags, stdout, stderr io.Writer) error {
	opts := awstest.Options{
		Account: f.account,
		Region:  f.region,
		DataDir: f.data,
		Logger:  slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		MaxSkew: 15 * time.Minute,
	}
	if f.seed != "" {
		sd, err := awstest.LoadSeed(f.seed)
		if err != nil {
			return err
		}
		opts.Seed = sd
	}
	srv, err := awstest.New(opts)
	if err != nil {
		return fmt.Errorf("starting the sandbox: %w", err)
	}
	if err := srv.Listen(f.addr); err != nil {
		_ = srv.Close()
		return err
	}
	exports := sandboxExports(srv)
	if f.envFile != "" {
		if err := sandboxWriteEnvFile(f.envFile, exports); err != nil {
			_ = srv.Close()
			return err
		}
	}
	fmt.Fprint(stdout, exports)
	fmt.Fprint(stdout, sandboxProfile(srv, f.profile))

	var tick <-chan time.Time
	if f.delivery > 0 {
		t := time.NewTicker(f.delivery)
		defer t.Stop()
		tick = t.C
	}
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick:
			if _, err := srv.DeliverTrailLogs(); err != nil {
				opts.Logger.Warn("delivering CloudTrail logs", "err", err)
			}
		}
	}
	opts.Logger.Info("shutting down")
	if _, err := srv.DeliverTrailLogs(); err != nil {
		opts.Logger.Warn("delivering CloudTrail logs", "err", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stopping the sandbox: %w", err)
	}
	return nil
}

// sandboxExports are the shell lines that point AWS tools at the sandbox.
func sandboxExports(srv *awstest.Server) string {
	c := srv.AdminCredentials()
	var b strings.Builder
	fmt.Fprintf(&b, "export AWS_ENDPOINT_URL=%s\n", srv.URL)
	fmt.Fprintf(&b, "export AWS_ACCESS_KEY_ID=%s\n", c.AccessKeyID)
	fmt.Fprintf(&b, "export AWS_SECRET_ACCESS_KEY=%s\n", c.SecretAccessKey)
	fmt.Fprintf(&b, "export AWS_REGION=%s\n", srv.Region())
	return b.String()
}

// sandboxProfile is an AWS CLI profile, as shell comments so that the whole output
// can be eval'd.
func sandboxProfile(srv *awstest.Server, name string) string {
	c := srv.AdminCredentials()
	return fmt.Sprintf(`# AWS CLI profile (AWS CLI 2.13+ and the SDKs read endpoint_url; older CLIs need --endpoint-url):
# ~/.aws/config
#   [profile %[1]s]
#   region = %[2]s
#   endpoint_url = %[3]s
# ~/.aws/credentials
#   [%[1]s]
#   aws_access_key_id = %[4]s
#   aws_secret_access_key = %[5]s
`, name, srv.Region(), srv.URL, c.AccessKeyID, c.SecretAccessKey)
}

func sandboxWriteEnvFile(path, content string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("--env-file: %w", err)
		}
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return fmt.Errorf("--env-file: %w", err)
	}
	return nil
}
