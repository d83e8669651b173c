package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// Helpers here are prefixed "expand" so that they never clash with other commands' files.

func newPolicyExpandCmd() *cobra.Command {
	var levels []string
	var format string
	cmd := &cobra.Command{
		Use:   "expand [--access-level LEVEL] PATTERN...",
		Short: "List the actions that IAM action patterns match",
		Long: `List the AWS actions that IAM action patterns match, as AWS matches them: '*' any run of
characters, '?' one character, case-insensitively. "*" is every action.

Prints one action per line in the catalog's casing, sorted case-insensitively (the
catalog's order), each action once. --access-level keeps only actions of the given levels
(List, Read, Write, Permissions management, Tagging; any case, also permissions-management);
repeat it or separate levels with commas.

A pattern that matches no action is an error (exit 1) that names it, with the closest
action names when there are some.`,
		Example: `  ciem policy expand 's3:Get*'
  ciem policy expand --access-level write --access-level permissions-management 'iam:*'
  ciem policy expand --format json s3:GetObject 'sqs:*'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			var want []catalog.AccessLevel
			for _, l := range levels {
				lvl, err := catalog.ParseAccessLevel(l)
				if err != nil {
					return fmt.Errorf("--access-level: %w", err)
				}
				want = append(want, lvl)
			}
			cat := catalog.Default()
			set := cat.NewSet()
			var unmatched []string
			for _, p := range args {
				m := cat.Match(p)
				if m.IsEmpty() {
					unmatched = append(unmatched, p)
				}
				set.UnionWith(m)
			}
			if len(unmatched) > 0 {
				for _, p := range unmatched {
					fmt.Fprintf(cmd.ErrOrStderr(), "ciem: pattern %q matches no action%s\n", p, expandDidYouMean(p))
				}
				return exitError{1}
			}
			if len(want) > 0 {
				set = cat.Filter(set, func(a *catalog.Action) bool { return slices.Contains(want, a.Access) })
			}
			return expandWrite(cmd.OutOrStdout(), cat, set, format)
		},
	}
	cmd.Flags().StringSliceVar(&levels, "access-level", nil, "keep only actions of these access levels: List, Read, Write, Permissions management, Tagging")
	cmd.Flags().StringVar(&format, "format", "text", `output format: text (one action per line) or json ([{"action", "accessLevel"}])`)
	return cmd
}

// expandDidYouMean suggests names for a pattern that matched nothing: close actions for a
// plain name, close service prefixes for a pattern whose service is unknown.
func expandDidYouMean(p string) string {
	var s []string
	svc, _, _ := strings.Cut(p, ":")
	switch {
	case !strings.ContainsAny(p, "*?"):
		s = iam.SuggestActions(p)
	case !strings.ContainsAny(svc, "*?") && catalog.Default().Service(svc) == nil:
		s = iam.SuggestServices(svc)
	}
	if len(s) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(s, ", ") + "?)"
}

type expandAction struct {
	Action      string `json:"action"`
	AccessLevel string `json:"accessLevel"`
}

func expandWrite(w io.Writer, cat *catalog.Catalog, set catalog.ActionSet, format string) error {
	if format == "json" {
		out := []expandAction{}
		set.Each(func(id catalog.ActionID) bool {
			a := cat.Action(id)
			out = append(out, expandAction{a.FullName(), a.Access.String()})
			return true
		})
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		return nil
	}
	var b strings.Builder
	for _, name := range cat.Names(set) {
		b.WriteString(name)
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}
