package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(dev): placeholder until this command's owner lands it.
func newCatalogCmd() *cobra.Command {
	return &cobra.Command{Use: "catalog", RunE: func(*cobra.Command, []string) error { return errors.New("not implemented yet") }}
}
