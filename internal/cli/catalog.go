package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/catalog"
)

// Helpers here are prefixed "catalog" so that they never clash with other commands' files.

func newCatalogCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Show the embedded AWS action catalog: source, counts, services and actions",
		Long: `Show the embedded AWS action catalog.

With no subcommand: the data source and version, and the number of services, actions,
resource types and condition keys, with the actions broken down by access level.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := catalogCheckFormat(format); err != nil {
				return err
			}
			return catalogSummary(cmd.OutOrStdout(), catalog.Default(), format)
		},
	}
	cmd.PersistentFlags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.AddCommand(newCatalogServicesCmd(&format), newCatalogActionsCmd(&format), newCatalogActionCmd(&format))
	return cmd
}

func catalogCheckFormat(format string) error {
	if format != "text" && format != "json" {
		return fmt.Errorf("--format %q: want text or json", format)
	}
	return nil
}

func catalogJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

type catalogSummaryJSON struct {
	Source        string         `json:"source"`
	Services      int            `json:"services"`
	Actions       int            `json:"actions"`
	ResourceTypes int            `json:"resource_types"`
	ConditionKeys int            `json:"condition_keys"`
	GlobalKeys    int            `json:"global_condition_keys"`
	ByAccessLevel map[string]int `json:"actions_by_access_level"`
}

func catalogSummary(w io.Writer, c *catalog.Catalog, format string) error {
	s := catalogSummaryJSON{
		Source:        c.Source(),
		Services:      len(c.Services()),
		Actions:       c.NumActions(),
		ResourceTypes: c.NumResourceTypes(),
		ConditionKeys: c.NumConditionKeys(),
		GlobalKeys:    len(c.GlobalConditionKeys()),
		ByAccessLevel: map[string]int{},
	}
	for _, l := range catalog.AccessLevels {
		s.ByAccessLevel[l.String()] = c.ByAccessLevel(l).Len()
	}
	if format == "json" {
		return catalogJSON(w, s)
	}
	fmt.Fprintf(w, "AWS action catalog from %s\n\n", s.Source)
	fmt.Fprintf(w, "%7d  services\n", s.Services)
	fmt.Fprintf(w, "%7d  actions\n", s.Actions)
	fmt.Fprintf(w, "%7d  resource types\n", s.ResourceTypes)
	fmt.Fprintf(w, "%7d  service condition keys\n", s.ConditionKeys)
	fmt.Fprintf(w, "%7d  global condition keys\n", s.GlobalKeys)
	fmt.Fprintln(w, "\nActions by access level:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range catalog.AccessLevels {
		n := s.ByAccessLevel[l.String()]
		fmt.Fprintf(tw, "  %s\t%6d\t%5.1f%%\n", l, n, 100*float64(n)/float64(max(s.Actions, 1)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

func newCatalogServicesCmd(format *string) *cobra.Command {
	return &cobra.Command{
		Use:   "services",
		Short: "List every service prefix with its name and number of actions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := catalogCheckFormat(*format); err != nil {
				return err
			}
			type svc struct {
				Prefix  string `json:"prefix"`
				Name    string `json:"name"`
				Actions int    `json:"actions"`
			}
			var out []svc
			for _, s := range catalog.Default().Services() {
				out = append(out, svc{s.Prefix, s.Name, s.NumActions()})
			}
			w := cmd.OutOrStdout()
			if *format == "json" {
				return catalogJSON(w, out)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PREFIX\tACTIONS\tNAME")
			for _, s := range out {
				fmt.Fprintf(tw, "%s\t%d\t%s\n", s.Prefix, s.Actions, s.Name)
			}
			if err := tw.Flush(); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			return nil
		},
	}
}

func newCatalogActionsCmd(format *string) *cobra.Command {
	var access string
	cmd := &cobra.Command{
		Use:   "actions SERVICE|PATTERN",
		Short: "List a service's actions (or those matching an action pattern) with their access levels",
		Example: `  ciem catalog actions s3
  ciem catalog actions 's3:Get*'
  ciem catalog actions iam --access "permissions management"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := catalogCheckFormat(*format); err != nil {
				return err
			}
			c := catalog.Default()
			pattern := args[0]
			if !strings.ContainsAny(pattern, ":*?") {
				if c.Service(pattern) == nil {
					return fmt.Errorf("unknown service %q%s", pattern, catalogDidYouMean(c.SuggestService(pattern, 3)))
				}
				pattern += ":*"
			}
			set := c.Match(pattern)
			if access != "" {
				level, err := catalog.ParseAccessLevel(access)
				if err != nil {
					return fmt.Errorf("--access: %w", err)
				}
				set.IntersectWith(c.ByAccessLevel(level))
			}
			type act struct {
				Action string `json:"action"`
				Access string `json:"access_level"`
			}
			out := []act{}
			set.Each(func(id catalog.ActionID) bool {
				a := c.Action(id)
				out = append(out, act{a.FullName(), a.Access.String()})
				return true
			})
			w := cmd.OutOrStdout()
			if *format == "json" {
				return catalogJSON(w, out)
			}
			if len(out) == 0 {
				return fmt.Errorf("no action matches %q", args[0])
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			for _, a := range out {
				fmt.Fprintf(tw, "%s\t%s\n", a.Action, a.Access)
			}
			if err := tw.Flush(); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&access, "access", "", "only actions of this access level (List, Read, Write, Permissions management, Tagging)")
	return cmd
}

type catalogResourceJSON struct {
	Type             string   `json:"type"`
	ARN              string   `json:"arn"`
	Required         bool     `json:"required"`
	ConditionKeys    []string `json:"condition_keys,omitempty"`
	DependentActions []string `json:"dependent_actions,omitempty"`
}

type catalogActionJSON struct {
	Action           string                `json:"action"`
	Service          string                `json:"service"`
	Access           string                `json:"access_level"`
	Resources        []catalogResourceJSON `json:"resource_types"`
	ConditionKeys    []string              `json:"condition_keys"`
	DependentActions []string              `json:"dependent_actions,omitempty"`
}

func newCatalogActionCmd(format *string) *cobra.Command {
	return &cobra.Command{
		Use:     "action NAME",
		Short:   "Show one action: access level, resource types with ARN patterns, condition keys",
		Example: "  ciem catalog action s3:GetObject",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := catalogCheckFormat(*format); err != nil {
				return err
			}
			c := catalog.Default()
			id, ok := c.LookupAction(args[0])
			if !ok {
				return fmt.Errorf("unknown action %q%s", args[0], catalogDidYouMean(c.Suggest(args[0], 3)))
			}
			a := c.Action(id)
			out := catalogActionJSON{
				Action:           a.FullName(),
				Service:          a.Service.Name,
				Access:           a.Access.String(),
				Resources:        []catalogResourceJSON{},
				ConditionKeys:    append([]string{}, a.ConditionKeys...),
				DependentActions: a.DependentActions,
			}
			for _, r := range a.Resources {
				out.Resources = append(out.Resources, catalogResourceJSON{r.Type.Name, r.Type.ARN, r.Required, r.ConditionKeys, r.DependentActions})
			}
			w := cmd.OutOrStdout()
			if *format == "json" {
				return catalogJSON(w, out)
			}
			return catalogActionText(w, out)
		},
	}
}

func catalogActionText(w io.Writer, a catalogActionJSON) error {
	fmt.Fprintf(w, "%s (%s)\nAccess level: %s\n", a.Action, a.Service, a.Access)
	if len(a.Resources) == 0 {
		fmt.Fprintln(w, "Resource types: none (the action takes Resource \"*\")")
	} else {
		fmt.Fprintln(w, "Resource types:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, r := range a.Resources {
			req := ""
			if r.Required {
				req = "required"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Type, req, r.ARN)
			if len(r.ConditionKeys) > 0 {
				fmt.Fprintf(tw, "  \t\tcondition keys: %s\n", strings.Join(r.ConditionKeys, ", "))
			}
			if len(r.DependentActions) > 0 {
				fmt.Fprintf(tw, "  \t\tdependent actions: %s\n", strings.Join(r.DependentActions, ", "))
			}
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}
	if len(a.ConditionKeys) > 0 {
		fmt.Fprintln(w, "Condition keys:")
		for _, k := range a.ConditionKeys {
			fmt.Fprintf(w, "  %s\n", k)
		}
	}
	if len(a.DependentActions) > 0 {
		fmt.Fprintf(w, "Dependent actions: %s\n", strings.Join(a.DependentActions, ", "))
	}
	return nil
}

func catalogDidYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(names, ", ") + "?)"
}
