package cli

import (
	"github.com/spf13/cobra"
)

func newApproveCmd() *cobra.Command {
	var (
		f       brokerFlags
		comment string
	)
	cmd := &cobra.Command{
		Use:   "approve ID [--comment TEXT]",
		Short: "Approve a pending request (as one of its profile's approvers)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			r, err := c.Approve(cmd.Context(), args[0], comment)
			if err != nil {
				return err
			}
			return brokerPrintRequest(cmd.OutOrStdout(), f.format, r)
		},
	}
	addBrokerFlags(cmd, &f)
	cmd.Flags().StringVar(&comment, "comment", "", "a note for the record")
	return cmd
}

func newDenyCmd() *cobra.Command {
	var (
		f      brokerFlags
		reason string
	)
	cmd := &cobra.Command{
		Use:   "deny ID [--reason TEXT]",
		Short: "Deny a pending request",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			r, err := c.Deny(cmd.Context(), args[0], reason)
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
