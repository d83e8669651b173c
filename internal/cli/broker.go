package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/client"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/server"
	"github.com/ciem/ciem/broker/store"
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

Create the first administrator token with 'ciem broker token create --config FILE'
(see 'ciem broker token --help'); later ones through the running broker.`,
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
		Short: "Create, list and revoke the broker's API tokens",
		Long: `Manage the broker's API tokens. With CIEM_ADDR (or --addr) and an administrator's
CIEM_TOKEN (or --token) the commands go through the broker's API, while it runs.

With --config FILE they open the broker's store directly instead: that is how the
first administrator token is made, before any token exists. With SQLite the broker
must be stopped for this (SQLite serves one process).`,
	}
	cmd.AddCommand(newBrokerTokenCreateCmd(), newBrokerTokenListCmd(), newBrokerTokenRevokeCmd())
	return cmd
}

// brokerTokenTarget is where a token command acts: the broker's store (--config)
// or its API (--addr / CIEM_ADDR).
type brokerTokenTarget struct {
	config string
	conn   brokerFlags
}

func addBrokerTokenTargetFlags(cmd *cobra.Command, t *brokerTokenTarget, withFormat bool) {
	cmd.Flags().StringVar(&t.config, "config", "", "the broker's HCL configuration file: open its store directly (bootstrapping; SQLite: broker stopped)")
	if withFormat {
		addBrokerFlags(cmd, &t.conn)
	} else {
		addBrokerConnFlags(cmd, &t.conn)
		t.conn.format = "text"
	}
}

// direct reports whether to use the store: --config, which wins over CIEM_ADDR, but
// may not be combined with --addr or --token.
func (t brokerTokenTarget) direct(cmd *cobra.Command) (bool, error) {
	if t.config == "" {
		return false, nil
	}
	for _, f := range []string{"addr", "token"} {
		if cmd.Flags().Changed(f) {
			return false, fmt.Errorf("--config opens the store directly and --%s names a broker to call: give one or the other", f)
		}
	}
	if t.conn.format != "text" && t.conn.format != "json" {
		return false, fmt.Errorf("--format %q: want text or json", t.conn.format)
	}
	return true, nil
}

func (t brokerTokenTarget) client() (*client.Client, error) {
	c, err := t.conn.client()
	if err != nil {
		return nil, fmt.Errorf("%w (or, to bootstrap the first token, --config FILE to write the broker's store directly)", err)
	}
	return c, nil
}

// brokerStore opens the store a configuration file names.
func brokerStore(ctx context.Context, path string) (*sqlstore.Store, error) {
	cfg, err := config.Load(path, nil)
	if err != nil {
		return nil, err
	}
	return sqlstore.Open(ctx, cfg.Store)
}

// brokerTokenView is a stored token as the API shows it, for the direct path.
func brokerTokenView(tk store.Token) api.TokenView {
	v := api.TokenView{ID: tk.ID, Name: tk.Name, Subject: tk.Subject, Groups: tk.Groups, Admin: tk.Admin, CreatedAt: tk.CreatedAt, CreatedBy: tk.CreatedBy}
	if v.Groups == nil {
		v.Groups = []string{}
	}
	if !tk.ExpiresAt.IsZero() {
		v.ExpiresAt = &tk.ExpiresAt
	}
	if !tk.RevokedAt.IsZero() {
		v.RevokedAt = &tk.RevokedAt
	}
	return v
}

func newBrokerTokenCreateCmd() *cobra.Command {
	var (
		target brokerTokenTarget
		n      authn.NewToken
	)
	cmd := &cobra.Command{
		Use:   "create --name NAME --subject USER [--group G]... [--admin] [--ttl 720h] [--config FILE]",
		Short: "Create an API token and print it (shown once; stored only hashed)",
		Long: `Create an API token acting as --subject (with --group memberships and, with
--admin, administrator rights) for automation, the Terraform provider, or another
administrator. Its creation is audited.

Through the running broker (CIEM_ADDR and an administrator's CIEM_TOKEN, or --addr
and --token):

  ciem broker token create --name terraform --subject terraform --ttl 720h

Bootstrapping the first administrator token, before any exists: --config FILE
writes the broker's store directly (with SQLite, while the broker is stopped):

  export CIEM_TOKEN=$(ciem broker token create --config broker.hcl --name admin --subject admin --admin)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			direct, err := target.direct(cmd)
			if err != nil {
				return err
			}
			var out api.CreatedToken
			if direct {
				st, err := brokerStore(cmd.Context(), target.config)
				if err != nil {
					return err
				}
				defer st.Close()
				tk := &authn.Tokens{Store: st, Clock: clock.Real{}}
				plain, rec, err := tk.Create(cmd.Context(), "cli:"+brokerCLIUser(), n)
				if err != nil {
					return err
				}
				out = api.CreatedToken{TokenView: brokerTokenView(rec), Token: plain}
			} else {
				c, err := target.client()
				if err != nil {
					return err
				}
				in := api.CreateToken{Name: n.Name, Subject: n.Subject, Groups: n.Groups, Admin: n.Admin}
				if n.TTL != 0 {
					in.ExpiresIn = n.TTL.String()
				}
				if out, err = c.CreateToken(cmd.Context(), in); err != nil {
					return err
				}
			}
			if target.conn.format == "json" {
				return brokerPrintJSON(cmd.OutOrStdout(), out)
			}
			fmt.Fprintln(cmd.OutOrStdout(), out.Token)
			return nil
		},
	}
	addBrokerTokenTargetFlags(cmd, &target, true)
	fl := cmd.Flags()
	fl.StringVar(&n.Name, "name", "", "unique token name")
	fl.StringVar(&n.Subject, "subject", "", "the user the token acts as")
	fl.StringSliceVar(&n.Groups, "group", nil, "group memberships (repeat or comma-separate)")
	fl.BoolVar(&n.Admin, "admin", false, "administrator rights (manage profiles and tokens, read the audit log)")
	fl.DurationVar(&n.TTL, "ttl", 0, "expire after this long (default: never)")
	for _, f := range []string{"name", "subject"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newBrokerTokenListCmd() *cobra.Command {
	var target brokerTokenTarget
	cmd := &cobra.Command{
		Use:   "list [--config FILE]",
		Short: "List API tokens (never their secrets), revoked and expired ones included",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tks, err := brokerTokens(cmd, target)
			if err != nil {
				return err
			}
			if target.conn.format == "json" {
				return brokerPrintJSON(cmd.OutOrStdout(), tks)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tID\tSUBJECT\tGROUPS\tADMIN\tEXPIRES\tREVOKED")
			for _, tk := range tks {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\t%s\n", tk.Name, tk.ID, tk.Subject, strings.Join(tk.Groups, ","), tk.Admin,
					brokerTimeOr(tk.ExpiresAt, "never"), brokerTimeOr(tk.RevokedAt, "-"))
			}
			return tw.Flush()
		},
	}
	addBrokerTokenTargetFlags(cmd, &target, true)
	return cmd
}

// brokerTokens lists tokens from the store or the API.
func brokerTokens(cmd *cobra.Command, target brokerTokenTarget) ([]api.TokenView, error) {
	direct, err := target.direct(cmd)
	if err != nil {
		return nil, err
	}
	if !direct {
		c, err := target.client()
		if err != nil {
			return nil, err
		}
		tks, err := c.Tokens(cmd.Context())
		if tks == nil && err == nil {
			tks = []api.TokenView{}
		}
		return tks, err
	}
	st, err := brokerStore(cmd.Context(), target.config)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var recs []store.Token
	err = st.View(cmd.Context(), func(tx store.Tx) error {
		var err error
		recs, err = tx.Tokens(cmd.Context())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing tokens in %s: %w", target.config, err)
	}
	out := make([]api.TokenView, 0, len(recs))
	for _, tk := range recs {
		out = append(out, brokerTokenView(tk))
	}
	return out, nil
}

func brokerTimeOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return brokerTimeText(t)
}

func newBrokerTokenRevokeCmd() *cobra.Command {
	var target brokerTokenTarget
	cmd := &cobra.Command{
		Use:   "revoke NAME|ID [--config FILE]",
		Short: "Disable an API token, by name (or, through the API, by id)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			direct, err := target.direct(cmd)
			if err != nil {
				return err
			}
			if direct {
				st, err := brokerStore(cmd.Context(), target.config)
				if err != nil {
					return err
				}
				defer st.Close()
				tk := &authn.Tokens{Store: st, Clock: clock.Real{}}
				if err := tk.Revoke(cmd.Context(), "cli:"+brokerCLIUser(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s\n", args[0])
				return nil
			}
			c, err := target.client()
			if err != nil {
				return err
			}
			// The API revokes by id; names are unique, so a name finds its id.
			tks, err := c.Tokens(cmd.Context())
			if err != nil {
				return err
			}
			id := ""
			for _, tk := range tks {
				if tk.ID == args[0] || tk.Name == args[0] {
					id = tk.ID
					break
				}
			}
			if id == "" {
				return fmt.Errorf("no token named or with id %q at the broker (ciem broker token list shows them)", args[0])
			}
			tk, err := c.RevokeToken(cmd.Context(), id)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s (id %s)\n", tk.Name, tk.ID)
			return nil
		},
	}
	addBrokerTokenTargetFlags(cmd, &target, false)
	return cmd
}

func brokerCLIUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}
