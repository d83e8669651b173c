package cli

import (
	"github.com/spf13/cobra"
)

func newRevokeCmd() *cobra.Command {
	var (
		f      brokerFlags
		reason string
	)
	cmd := &cobra.Command{
		Use:   "revoke ID [--reason TEXT]",
		Short: "End a grant now: its credentials stop working at AWS at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			r, err := c.Revoke(cmd.Context(), args[0], reason)
			if err != nil {
				return err
			}
			return brokerPrintRequest(cmd.OutOrStdout(), f.format, r)
		},
	}
	addBrokerFlags(cmd, &f)
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}

func newCancelCmd() *cobra.Command {
	var f brokerFlags
	cmd := &cobra.Command{
		Use:   "cancel ID",
		Short: "Withdraw your pending request",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			r, err := c.Cancel(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return brokerPrintRequest(cmd.OutOrStdout(), f.format, r)
		},
	}
	addBrokerFlags(cmd, &f)
	return cmd
}
