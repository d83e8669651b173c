package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/server"
	"github.com/ciem/ciem/broker/store/sqlstore"
)

func newBrokerCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "broker --config FILE",
		Short: "Run the just-in-time access broker",
		Long: `Run the broker: the JSON API under /v1 (OpenAPI at /v1/openapi.json), /healthz,
/readyz and /metrics, the expiry reconciler and webhook notifications, as the HCL
configuration FILE says (environment variables CIEM_LISTEN, CIEM_STORE, CIEM_AWS_*,
CIEM_OIDC_* ... override it). Before it reports ready it takes back everything that
came due while it was down.

Create the first API token with 'ciem broker token create'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(path, nil)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: cfg.LogLevel}))
			srv, err := server.New(ctx, cfg, server.Options{Log: log})
			if err != nil {
				return err
			}
			addr, err := srv.Listen()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ciem broker listening on http://%s\n", addr)
			return srv.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "HCL configuration file (required)")
	_ = cmd.MarkFlagRequired("config")
	cmd.AddCommand(newBrokerTokenCmd())
	return cmd
}

func newBrokerTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create and revoke the broker's API tokens (directly in its store)",
	}
	cmd.AddCommand(newBrokerTokenCreateCmd(), newBrokerTokenRevokeCmd())
	return cmd
}

// brokerStore opens the store a configuration file names.
func brokerStore(ctx context.Context, path string) (*sqlstore.Store, error) {
	cfg, err := config.Load(path, nil)
	if err != nil {
		return nil, err
	}
	return sqlstore.Open(ctx, cfg.Store)
}

func newBrokerTokenCreateCmd() *cobra.Command {
	var (
		path, format string
		n            authn.NewToken
	)
	cmd := &cobra.Command{
		Use:   "create --config FILE --name NAME --subject USER [--group G]... [--admin] [--ttl 720h]",
		Short: "Create an API token and print it (shown once; stored only hashed)",
		Long: `Create an API token acting as --subject (with --group memberships and, with
--admin, administrator rights) for automation, the Terraform provider, or the first
administrator. It is written to the broker's store (with SQLite, while the broker is
stopped: SQLite serves one process) and its creation is audited.

  export CIEM_TOKEN=$(ciem broker token create --config broker.hcl --name admin --subject admin --admin)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			st, err := brokerStore(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer st.Close()
			tk := &authn.Tokens{Store: st, Clock: clock.Real{}}
			plain, rec, err := tk.Create(cmd.Context(), "cli:"+brokerCLIUser(), n)
			if err != nil {
				return err
			}
			if format == "json" {
				out := map[string]any{"name": rec.Name, "token": plain, "subject": rec.Subject, "groups": rec.Groups, "admin": rec.Admin}
				if !rec.ExpiresAt.IsZero() {
					out["expires_at"] = rec.ExpiresAt.Format(time.RFC3339)
				}
				return brokerPrintJSON(cmd.OutOrStdout(), out)
			}
			fmt.Fprintln(cmd.OutOrStdout(), plain)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&path, "config", "", "the broker's HCL configuration file (for its store)")
	fl.StringVar(&n.Name, "name", "", "unique token name")
	fl.StringVar(&n.Subject, "subject", "", "the user the token acts as")
	fl.StringSliceVar(&n.Groups, "group", nil, "group memberships (repeat or comma-separate)")
	fl.BoolVar(&n.Admin, "admin", false, "administrator rights (manage profiles, read the audit log)")
	fl.DurationVar(&n.TTL, "ttl", 0, "expire after this long (default: never)")
	fl.StringVar(&format, "format", "text", "output format: text (the token alone) or json")
	for _, f := range []string{"config", "name", "subject"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newBrokerTokenRevokeCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "revoke --config FILE NAME",
		Short: "Disable an API token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := brokerStore(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer st.Close()
			tk := &authn.Tokens{Store: st, Clock: clock.Real{}}
			return tk.Revoke(cmd.Context(), "cli:"+brokerCLIUser(), args[0])
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "the broker's HCL configuration file (for its store)")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

func brokerCLIUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}
