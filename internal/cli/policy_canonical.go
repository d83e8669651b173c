package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(dev): placeholder until this command's owner lands it.
func newPolicyCanonicalCmd() *cobra.Command {
	return &cobra.Command{Use: "canonical", RunE: func(*cobra.Command, []string) error { return errors.New("not implemented yet") }}
}
