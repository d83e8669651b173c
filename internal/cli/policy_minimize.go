package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/iam"
)

// Helpers here are prefixed "minimize".

func newPolicyMinimizeCmd() *cobra.Command {
	var kind, format, grantsFile, sidPrefix string
	var noWildcards, allowStar bool
	cmd := &cobra.Command{
		Use:   "minimize [--no-wildcards] [--allow-star] [--sid-prefix P] (FILE | --grants FILE)",
		Short: "Write the smallest policy that grants exactly the same, or exactly a list of grants",
		Long: `Write the smallest policy (fewest statements, then fewest characters) that allows exactly
the given access, as canonical JSON.

With FILE (a policy; - for standard input), its unconditional Allow statements are rewritten
and every other statement (Deny, conditions, NotAction, NotResource, Principal) is kept as it
is, so the result grants exactly what FILE grants. With --grants FILE, the input is a list of
{"action": ..., "resource": ...} objects, as a JSON array or as JSON lines, and the policy
allows exactly those pairs.

Actions that share their resources are grouped into one statement. A wildcard ("s3:Get*",
"s3:*") is written only where every action it matches in today's catalog is granted, and
"*" only with --allow-star when every action is; --no-wildcards lists every action by name.`,
		Example: `  ciem policy minimize policy.json
  ciem policy minimize --grants used-actions.jsonl --sid-prefix Used`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case grantsFile == "" && len(args) != 1:
				return errors.New("give one policy FILE, or --grants FILE")
			case grantsFile != "" && len(args) != 0:
				return errors.New("give either a policy FILE or --grants FILE, not both")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" {
				return fmt.Errorf("--format %q: want json", format)
			}
			opts := iam.MinimizeOptions{Wildcards: !noWildcards, AllowStar: allowStar, SidPrefix: sidPrefix}
			var p *iam.Policy
			if grantsFile != "" {
				grants, err := minimizeReadGrants(cmd, grantsFile)
				if err != nil {
					return err
				}
				p = iam.Minimize(grants, opts)
			} else {
				k, err := parsePolicyKindFlag(kind)
				if err != nil {
					return err
				}
				pols, err := diffLoadPolicies(cmd, args, k)
				if err != nil {
					return err
				}
				p = iam.MinimizePolicy(pols[0].Policy, opts)
			}
			out := append(iam.CanonicalIndent(p), '\n')
			if _, err := cmd.OutOrStdout().Write(out); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&grantsFile, "grants", "", "read (action, resource) grants from this file (- for standard input) instead of a policy")
	cmd.Flags().BoolVar(&noWildcards, "no-wildcards", false, "list every action by name, never as a wildcard")
	cmd.Flags().BoolVar(&allowStar, "allow-star", false, `write "*" for a statement that grants every action`)
	cmd.Flags().StringVar(&sidPrefix, "sid-prefix", "", "name the written statements PREFIX1, PREFIX2, ... (default: no Sid)")
	cmd.Flags().StringVar(&kind, "kind", string(iam.KindManaged), "where the policy FILE is used: "+policyKindNames())
	cmd.Flags().StringVar(&format, "format", "json", "output format: json (canonical, indented)")
	return cmd
}

// minimizeReadGrants reads grants as a JSON array or as JSON lines, each an object with
// exactly "action" and "resource"; errors name the file and the element or line.
func minimizeReadGrants(cmd *cobra.Command, name string) ([]iam.Grant, error) {
	doc, err := readInput(cmd, name)
	if err != nil {
		return nil, err
	}
	if name == "-" {
		name = "<stdin>"
	}
	decode := func(b []byte, g *iam.Grant) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(g); err != nil {
			return err
		}
		if dec.More() {
			return errors.New("more than one value")
		}
		return nil
	}
	var grants []iam.Grant
	trimmed := bytes.TrimSpace(doc)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		var raw []json.RawMessage
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array of grants: %w", name, err)
		}
		for i, r := range raw {
			var g iam.Grant
			if err := decode(r, &g); err != nil {
				return nil, fmt.Errorf("%s: element %d: want {\"action\": ..., \"resource\": ...}: %w", name, i, err)
			}
			if err := g.Check(); err != nil {
				return nil, fmt.Errorf("%s: element %d: %w", name, i, err)
			}
			grants = append(grants, g)
		}
	} else {
		for i, line := range strings.Split(string(doc), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var g iam.Grant
			if err := decode([]byte(line), &g); err != nil {
				return nil, fmt.Errorf("%s:%d: want a JSON object {\"action\": ..., \"resource\": ...}: %w", name, i+1, err)
			}
			if err := g.Check(); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
			}
			grants = append(grants, g)
		}
	}
	if len(grants) == 0 {
		return nil, fmt.Errorf("%s: no grants", name)
	}
	return grants, nil
}
