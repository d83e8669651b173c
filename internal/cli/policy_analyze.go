package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/iam"
)

// Helpers here are prefixed "analyze".

// analyzeMaxActions bounds the actions listed per finding in text output (JSON lists all).
const analyzeMaxActions = 12

func newPolicyAnalyzeCmd() *cobra.Command {
	var kind, format string
	cmd := &cobra.Command{
		Use:   "analyze [--kind KIND] [--format text|json] FILE...",
		Short: "Find privilege escalation paths and other risky grants of one principal's policies",
		Long: `Analyse the policies of one principal together, as AWS applies them together: a
privilege-escalation path that needs iam:PassRole from one policy and ec2:RunInstances from
another is found. Reports privilege escalation (the published IAM escalation paths), data
exfiltration, resource exposure (changes to resource policies), credentials exposure,
infrastructure modification, unrestricted iam:PassRole and full administrator access. An
unconditional Deny in any of the policies removes what it covers; a path granted only under
conditions or only on named resources is reported one severity lower, and says so.

Each finding names the actions and the statements (file and JSON path) that grant them.
FILE... are paths (one may be - for standard input). Exits 0 whether or not there are findings.`,
		Example: `  ciem policy analyze user-inline.json group-managed.json
  ciem policy analyze --format json role/*.json | jq '.findings[] | select(.severity == "critical")'`,
		Args: cobra.MinimumNArgs(1),
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
			findings := iam.Analyze(pols)
			if format == "json" {
				return analyzeWriteJSON(cmd.OutOrStdout(), pols, findings)
			}
			return analyzeWriteText(cmd.OutOrStdout(), findings)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(iam.KindManaged), "where the policies are used: "+policyKindNames())
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func analyzeWriteJSON(w io.Writer, pols []iam.NamedPolicy, findings []iam.RiskFinding) error {
	names := make([]string, len(pols))
	for i, p := range pols {
		names[i] = p.Name
	}
	if findings == nil {
		findings = []iam.RiskFinding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	out := struct {
		Policies []string          `json:"policies"`
		Findings []iam.RiskFinding `json:"findings"`
	}{names, findings}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// analyzeWriteText writes each finding as a headline, its actions, the statements that
// grant them and the detail, then a count by severity.
func analyzeWriteText(w io.Writer, findings []iam.RiskFinding) error {
	var b strings.Builder
	counts := map[string]int{}
	for _, f := range findings {
		counts[f.Severity]++
		cond := ""
		if f.Conditional {
			cond = " (conditional)"
		}
		fmt.Fprintf(&b, "%-8s %s %s: %s%s\n", strings.ToUpper(f.Severity), f.Type, f.Rule, f.Title, cond)
		acts := f.Actions
		more := ""
		if len(acts) > analyzeMaxActions {
			more = fmt.Sprintf(" and %d more", len(acts)-analyzeMaxActions)
			acts = acts[:analyzeMaxActions]
		}
		fmt.Fprintf(&b, "  actions: %s%s\n", strings.Join(acts, ", "), more)
		for _, s := range f.Statements {
			ref := s.Policy + " " + s.Path
			if s.Sid != "" {
				ref += " (" + s.Sid + ")"
			}
			fmt.Fprintf(&b, "  granted by: %s\n", ref)
		}
		fmt.Fprintf(&b, "  %s\n\n", f.Detail)
	}
	if len(findings) == 0 {
		b.WriteString("no risk findings\n")
	} else {
		var parts []string
		for _, s := range iam.RiskSeverities {
			if counts[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			}
		}
		noun := "findings"
		if len(findings) == 1 {
			noun = "finding"
		}
		fmt.Fprintf(&b, "%d %s: %s\n", len(findings), noun, strings.Join(parts, ", "))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}
