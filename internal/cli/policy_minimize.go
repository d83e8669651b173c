package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(dev): placeholder until this command's owner lands it.
func newPolicyMinimizeCmd() *cobra.Command {
	return &cobra.Command{Use: "minimize", RunE: func(*cobra.Command, []string) error { return errors.New("not implemented yet") }}
}
