package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/client"
)

// requestAction is one decision on a request or grant (approve, deny, revoke, cancel): the
// broker call, with the note the caller gave (empty when the action takes none).
type requestAction func(ctx context.Context, c *client.Client, id, note string) (api.RequestView, error)

// newRequestActionCmd builds the command for one action on a request ID. noteFlag names the
// flag for a free-text note ("comment", "reason"), or is empty when the action takes none.
func newRequestActionCmd(use, short, noteFlag, noteHelp string, act requestAction) *cobra.Command {
	var (
		f    brokerFlags
		note string
	)
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			r, err := act(cmd.Context(), c, args[0], note)
			if err != nil {
				return err
			}
			return brokerPrintRequest(cmd.OutOrStdout(), f.format, r)
		},
	}
	addBrokerFlags(cmd, &f)
	if noteFlag != "" {
		cmd.Flags().StringVar(&note, noteFlag, "", noteHelp)
	}
	return cmd
}

func newApproveCmd() *cobra.Command {
	return newRequestActionCmd("approve ID [--comment TEXT]", "Approve a pending request (as one of its profile's approvers)",
		"comment", "a note for the record",
		func(ctx context.Context, c *client.Client, id, note string) (api.RequestView, error) {
			return c.Approve(ctx, id, note)
		})
}

func newDenyCmd() *cobra.Command {
	return newRequestActionCmd("deny ID [--reason TEXT]", "Deny a pending request", "reason", "why",
		func(ctx context.Context, c *client.Client, id, note string) (api.RequestView, error) {
			return c.Deny(ctx, id, note)
		})
}

func newRevokeCmd() *cobra.Command {
	return newRequestActionCmd("revoke ID [--reason TEXT]", "End a grant now: its credentials stop working at AWS at once", "reason", "why",
		func(ctx context.Context, c *client.Client, id, note string) (api.RequestView, error) {
			return c.Revoke(ctx, id, note)
		})
}

func newCancelCmd() *cobra.Command {
	return newRequestActionCmd("cancel ID", "Withdraw your pending request", "", "",
		func(ctx context.Context, c *client.Client, id, _ string) (api.RequestView, error) {
			return c.Cancel(ctx, id)
		})
}
