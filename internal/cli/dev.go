package cli

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/internal/awstest"
	"github.com/ciem/ciem/internal/devstack"
)

// devHooks are what only tests set: the clock, and a call once the stack is ready.
type devHooks struct {
	clock clock.Clock
	ready func(devstack.Info)
}

func newDevCmd() *cobra.Command { return newDevCmdWith(devHooks{}) }

func newDevCmdWith(h devHooks) *cobra.Command {
	var o devstack.Options
	cmd := &cobra.Command{
		Use:   "dev [--addr 127.0.0.1:8080] [--sandbox-addr 127.0.0.1:4566] [--data .ciem] [--issuer sts|vault]",
		Short: "Run a local broker on a local AWS sandbox, seeded for a first try (what 'make run' starts)",
		Long: `Run everything a newcomer needs in one process: the AWS sandbox (IAM, STS, S3), seeded
with the bucket ciem-dev-data, the role ciem-dev-readonly that reads it and the broker's
own IAM user; and the broker on SQLite with the direct-STS issuer, the profiles readonly
(alice requests, bob approves) and uploader, and API tokens for admin, alice and bob.

It prints the URLs, the tokens and the commands to try, and writes them as shell export
lines to DATA/dev.env (CIEM_ADDR, CIEM_TOKEN_ADMIN|ALICE|BOB, AWS_ENDPOINT_URL and the
sandbox administrator's keys). It serves until interrupted.

State (the sandbox's IAM and S3, the broker's database, the tokens) is kept in --data and
reused by the next start, so the tokens in dev.env stay valid and grants end on time
across restarts; delete the directory to start over.

--issuer vault issues through Vault's AWS secrets engine instead: it runs tools/vaultdev
(built by 'make tools'; in memory, configured afresh at every start) with the engine
pointed at the sandbox, and the profiles use its template roles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.Clock = h.clock
			o.Log = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
			st, err := devstack.Start(ctx, o)
			if err != nil {
				return err
			}
			return st.Run(ctx, func(info devstack.Info) error {
				if err := info.WriteEnvFile(); err != nil {
					return err
				}
				info.PrintWelcome(cmd.OutOrStdout())
				if h.ready != nil {
					h.ready(info)
				}
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", devstack.DefaultAddr, "the broker's address (host:port; port 0 picks a free one)")
	fl.StringVar(&o.SandboxAddr, "sandbox-addr", awstest.DefaultAddr, "the AWS sandbox's address (host:port; port 0 picks a free one)")
	fl.StringVar(&o.DataDir, "data", devstack.DefaultData, "directory for the state (kept across restarts) and dev.env")
	fl.StringVar(&o.Issuer, "issuer", devstack.IssuerSTS, "credential issuer: sts (direct STS) or vault (Vault's AWS secrets engine: runs tools/vaultdev)")
	fl.StringVar(&o.Vaultdev, "vaultdev", "", "the vaultdev binary for --issuer vault (default: vaultdev next to ciem, else on PATH; `make tools` builds it)")
	return cmd
}
