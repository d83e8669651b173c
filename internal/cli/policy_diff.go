package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/iam"
)

// Helpers here are prefixed "diff"; diffLoadPolicies is shared with minimize and analyze.

func newPolicyDiffCmd() *cobra.Command {
	var kind, format string
	cmd := &cobra.Command{
		Use:   "diff [--kind KIND] [--format text|json] OLD NEW",
		Short: "Show what NEW grants that OLD does not, and the reverse, per resource",
		Long: `Compare what two policies grant, as actions per resource: the action×resource pairs
that NEW allows and OLD does not ("+"), and those OLD allows and NEW does not ("-"). A pair
is granted when an Allow statement covers it and no unconditional Deny of the same policy
does; grants under conditions are marked (conditional) and compared by their conditions'
text, not evaluated. A resource inside a wider one (arn:aws:s3:::b/* inside *) counts as
granted by the wider grant. The summary counts the changed actions by access level,
Permissions management and Write first: they matter most to an approver.

OLD and NEW are paths, one of them may be - for standard input. --kind says where the
policies are used (default managed). Exits 0 whether or not they differ.`,
		Example: `  ciem policy diff current.json proposed.json
  ciem policy diff --format json old.json new.json | jq '.added'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := parsePolicyKindFlag(kind)
			if err != nil {
				return err
			}
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			pols, err := diffLoadPolicies(cmd, args, k)
			if err != nil {
				return err
			}
			d := iam.Diff(pols[0].Policy, pols[1].Policy)
			if format == "json" {
				return diffWriteJSON(cmd.OutOrStdout(), pols[0].Name, pols[1].Name, d)
			}
			return diffWriteText(cmd.OutOrStdout(), pols[0].Name, pols[1].Name, d)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(iam.KindManaged), "where the policies are used: "+policyKindNames())
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// diffLoadPolicies reads and parses each argument (a path, or - for standard input, at most
// once), naming each policy by its path ("<stdin>" for -).
func diffLoadPolicies(cmd *cobra.Command, args []string, kind iam.Kind) ([]iam.NamedPolicy, error) {
	stdin := false
	out := make([]iam.NamedPolicy, 0, len(args))
	for _, a := range args {
		name := a
		if a == "-" {
			if stdin {
				return nil, fmt.Errorf("standard input (-) can be given only once")
			}
			stdin, name = true, "<stdin>"
		}
		doc, err := readInput(cmd, a)
		if err != nil {
			return nil, err
		}
		p, err := iam.Parse(doc, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: not a valid %s policy: %w", name, kind, err)
		}
		out = append(out, iam.NamedPolicy{Name: name, Policy: p})
	}
	return out, nil
}

func diffWriteJSON(w io.Writer, oldName, newName string, d iam.PolicyDiff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	out := struct {
		Old string `json:"old"`
		New string `json:"new"`
		iam.PolicyDiff
	}{oldName, newName, d}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// diffWriteText writes one line per action and resource, added first, then the summary.
func diffWriteText(w io.Writer, oldName, newName string, d iam.PolicyDiff) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
	if d.IsEmpty() {
		b.WriteString("no difference: both grant the same actions on the same resources\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, part := range []struct {
		sign string
		ras  []iam.ResourceActions
	}{{"+", d.Added}, {"-", d.Removed}} {
		for _, ra := range part.ras {
			on := ra.Resource
			if len(ra.Except) > 0 {
				on += " except " + strings.Join(ra.Except, ", ")
			}
			suffix := ""
			if ra.Conditional {
				suffix = " (conditional)"
			}
			for _, a := range ra.Actions {
				fmt.Fprintf(&b, "%s %s on %s%s\n", part.sign, a, on, suffix)
			}
		}
	}
	b.WriteString("\nBy access level:\n")
	for _, c := range d.ByAccessLevel {
		fmt.Fprintf(&b, "  %-24s +%d -%d\n", c.Level, len(c.Added), len(c.Removed))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}
