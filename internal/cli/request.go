package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/api"
)

func newRequestCmd() *cobra.Command {
	var (
		f          brokerFlags
		in         api.CreateRequest
		duration   time.Duration
		breakGlass bool
	)
	cmd := &cobra.Command{
		Use:   "request PROFILE [--duration 1h] [--reason TEXT] [--ticket REF]",
		Short: "Request elevated access from the broker",
		Long: `Request a profile from the broker. The request waits for its approvers unless the
profile approves automatically; --break-glass approves it yourself in an emergency
(if the profile allows it): short, flagged for review, and every approver is told.
--extends asks to move the end of your active grant ID by --duration.

  ciem request readonly --duration 1h --reason "INC-42: read the logs"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			in.Profile, in.BreakGlass = args[0], breakGlass
			if duration > 0 {
				in.Duration = duration.String()
			}
			r, err := c.Create(cmd.Context(), in)
			if err != nil {
				return err
			}
			return brokerPrintRequest(cmd.OutOrStdout(), f.format, r)
		},
	}
	addBrokerFlags(cmd, &f)
	fl := cmd.Flags()
	fl.DurationVar(&duration, "duration", 0, "how long (default: the profile's default)")
	fl.StringVar(&in.Reason, "reason", "", "why you need it")
	fl.StringVar(&in.Ticket, "ticket", "", "ticket or incident reference")
	fl.BoolVar(&breakGlass, "break-glass", false, "approve it yourself in an emergency (if the profile allows)")
	fl.StringVar(&in.Extends, "extends", "", "extend your active grant ID instead of starting a new one")
	return cmd
}
