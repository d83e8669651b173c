package cli

import (
	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/client"
)

func newRequestsCmd() *cobra.Command {
	var (
		f    brokerFlags
		opts client.ListOptions
	)
	cmd := &cobra.Command{
		Use:   "requests [--state STATE]... [--mine] [--profile NAME]",
		Short: "List requests and grants you may see (yours, and those you approve), newest first",
		Long: `List requests and grants you may see: your own, those for profiles you approve,
or all for administrators. States: pending, approved, active, expired, revoked,
denied, cancelled, timed_out.

  ciem requests --state pending          # waiting for you (as an approver) or for others
  ciem requests --mine --state active    # your grants in force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			rs, err := c.List(cmd.Context(), opts)
			if err != nil {
				return err
			}
			return brokerPrintRequests(cmd.OutOrStdout(), f.format, rs)
		},
	}
	addBrokerFlags(cmd, &f)
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.States, "state", nil, "only these states (repeat or comma-separate)")
	fl.BoolVar(&opts.Mine, "mine", false, "only your own requests")
	fl.StringVar(&opts.Profile, "profile", "", "only this profile")
	fl.IntVar(&opts.Limit, "limit", 100, "at most this many (1-1000)")
	return cmd
}
