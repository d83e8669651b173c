package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/iam"
)

// Helpers here are prefixed "canonical" so that they never clash with other commands' files.

func newPolicyCanonicalCmd() *cobra.Command {
	var kind string
	var indent bool
	cmd := &cobra.Command{
		Use:   "canonical [--kind KIND] [--indent] FILE|-",
		Short: "Print a policy's canonical JSON",
		Long: `Print a policy document in canonical form: deterministic and minimal, so that two
documents that mean the same print the same bytes. Elements in AWS's conventional order,
actions in the catalog's casing, lists sorted and deduplicated, one-element lists as
strings, statements sorted, no insignificant whitespace (--indent: two-space indentation).

FILE is a path, or - for standard input. A document that does not parse as a policy of the
kind (default managed) is an error: each problem is printed with its position and JSON path
on standard error, and the exit status is 1.`,
		Example: `  ciem policy canonical policy.json
  ciem policy canonical --kind trust --indent trust.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := parsePolicyKindFlag(kind)
			if err != nil {
				return err
			}
			doc, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			p, err := iam.Parse(doc, k)
			if err != nil {
				canonicalReportErrors(cmd.ErrOrStderr(), validateDisplayName(args[0]), doc, err)
				return exitError{1}
			}
			out := iam.Canonical(p)
			if indent {
				out = iam.CanonicalIndent(p)
			}
			if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\n", out); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(iam.KindManaged), "where the policy is used: "+policyKindNames())
	cmd.Flags().BoolVar(&indent, "indent", false, "indent the JSON with two spaces")
	return cmd
}

// canonicalReportErrors prints a parse failure as NAME:LINE:COLUMN: [PATH: ]MESSAGE lines.
func canonicalReportErrors(w io.Writer, name string, doc []byte, err error) {
	var b strings.Builder
	var se *iam.SyntaxError
	var pes iam.ParseErrors
	switch {
	case errors.As(err, &se):
		fmt.Fprintf(&b, "%s:%d:%d: %s\n", name, se.Line, se.Column, se)
	case errors.As(err, &pes):
		idx, _ := iam.NewPositionIndex(doc)
		for _, pe := range pes {
			if pos, ok := idx.Lookup(pe.Path); ok {
				fmt.Fprintf(&b, "%s:%d:%d: %s\n", name, pos.Line, pos.Column, pe)
			} else {
				fmt.Fprintf(&b, "%s: %s\n", name, pe)
			}
		}
	default:
		fmt.Fprintf(&b, "%s: %v\n", name, err)
	}
	_, _ = io.WriteString(w, b.String()) // nothing better to do if stderr fails
}
