package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/iam"
)

// Helpers here are prefixed "validate" (and parsePolicyKindFlag, shared by the policy
// commands that take --kind) so that they never clash with other commands' files.

func newPolicyValidateCmd() *cobra.Command {
	var kind, format string
	cmd := &cobra.Command{
		Use:   "validate [--kind KIND] [--format text|json] FILE|-",
		Short: "Check a policy like IAM Access Analyzer: errors, security warnings, warnings, suggestions",
		Long: `Check an IAM policy document against the IAM policy grammar, the embedded AWS action
catalog and AWS's size limits, the way IAM Access Analyzer's validate-policy does, and
report findings: ERROR, SECURITY_WARNING, WARNING or SUGGESTION, each with a stable code,
the JSON path it is about and, for names that do not exist, the closest ones.

FILE is a path, or - for standard input. --kind says where the policy is used (default
managed); it decides which elements are allowed and which size limit applies.

Text output has one finding per line as FILE:LINE:COLUMN: SEVERITY CODE PATH: MESSAGE,
then a summary line. JSON output is {"file": ..., "findings": [...]}. The finding codes are
listed in docs/policy-validation.md.

Exits 1 when any finding is an ERROR, 0 otherwise.`,
		Example: `  ciem policy validate policy.json
  ciem policy validate --kind trust --format json trust.json
  aws iam get-policy-version ... --query PolicyVersion.Document | ciem policy validate -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := parsePolicyKindFlag(kind)
			if err != nil {
				return err
			}
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			doc, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			findings := iam.Validate(doc, k)
			name := validateDisplayName(args[0])
			located := validateLocate(doc, findings)
			if format == "json" {
				err = validateWriteJSON(cmd.OutOrStdout(), name, located)
			} else {
				err = validateWriteText(cmd.OutOrStdout(), name, located)
			}
			if err != nil {
				return err
			}
			for _, f := range findings {
				if f.Severity == iam.SeverityError {
					return exitError{1}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(iam.KindManaged), "where the policy is used: "+policyKindNames())
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// parsePolicyKindFlag reads a --kind value.
func parsePolicyKindFlag(s string) (iam.Kind, error) {
	for _, k := range iam.Kinds {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("--kind %q: want one of %s", s, policyKindNames())
}

func policyKindNames() string {
	names := make([]string, len(iam.Kinds))
	for i, k := range iam.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// validateDisplayName is how findings name the input: the path as given, or <stdin>.
func validateDisplayName(arg string) string {
	if arg == "-" {
		return "<stdin>"
	}
	return arg
}

// validateFinding is a finding with the line and column of what it is about, when known.
type validateFinding struct {
	iam.Finding
	Line   int `json:",omitempty"`
	Column int `json:",omitempty"`
}

// validateLocate finds each finding's position: the syntax error's own for JSON_SYNTAX,
// else the value at the finding's path.
func validateLocate(doc []byte, findings []iam.Finding) []validateFinding {
	idx, err := iam.NewPositionIndex(doc)
	var se *iam.SyntaxError
	errors.As(err, &se)
	out := make([]validateFinding, len(findings))
	for i, f := range findings {
		out[i].Finding = f
		switch {
		case f.Code == iam.CodeJSONSyntax && se != nil:
			out[i].Line, out[i].Column = se.Line, se.Column
		default:
			if pos, ok := idx.Lookup(f.Path); ok {
				out[i].Line, out[i].Column = pos.Line, pos.Column
			}
		}
	}
	return out
}

func validateWriteText(w io.Writer, name string, findings []validateFinding) error {
	var b strings.Builder
	for _, f := range findings {
		if f.Line > 0 {
			fmt.Fprintf(&b, "%s:%d:%d: %s\n", name, f.Line, f.Column, f.Finding)
		} else {
			fmt.Fprintf(&b, "%s: %s\n", name, f.Finding)
		}
	}
	fmt.Fprintf(&b, "%s: %s\n", name, validateSummary(findings))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

// validateSummary counts findings by severity: "2 errors, 1 warning", or "no findings".
func validateSummary(findings []validateFinding) string {
	counts := map[iam.Severity]int{}
	for _, f := range findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []struct {
		sev  iam.Severity
		noun string
	}{
		{iam.SeverityError, "error"},
		{iam.SeveritySecurityWarning, "security warning"},
		{iam.SeverityWarning, "warning"},
		{iam.SeveritySuggestion, "suggestion"},
	} {
		switch n := counts[s.sev]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+s.noun)
		default:
			parts = append(parts, fmt.Sprintf("%d %ss", n, s.noun))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

func validateWriteJSON(w io.Writer, name string, findings []validateFinding) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	out := struct {
		File     string            `json:"file"`
		Findings []validateFinding `json:"findings"`
	}{name, findings}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}
