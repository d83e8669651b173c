package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/simcase"
)

// Defaults for a request given by flags: a user in one account, acting on that account's
// resources, unless the flags say otherwise.
const (
	defaultSimPrincipal = "arn:aws:iam::111111111111:user/ciem-simulate"
)

type simulateFlags struct {
	batch          bool
	input          string
	format         string
	policies       []string
	boundaries     []string
	scps           []string
	resourcePolicy string
	sessionPolicy  string
	action         string
	resource       string
	principal      string
	account        string
	context        []string
}

func newPolicySimulateCmd() *cobra.Command {
	var f simulateFlags
	cmd := &cobra.Command{
		Use:   "simulate [CASE.json|-]",
		Short: "Evaluate a request against policies: one case, or JSON lines in the reference simulator's shape",
		Long: `Evaluate a request against identity policies, a permissions boundary, SCPs, a resource
policy and a session policy, as AWS does.

Cases use the input shape of @cloud-copilot/iam-simulate:
  {"identityPolicies": [{"name", "policy"}], "serviceControlPolicies": [{"orgIdentifier", "policies"}],
   "resourceControlPolicies": [], "resourcePolicy", "permissionBoundaryPolicies": [{"name", "policy"}],
   "sessionPolicy", "request": {"principal", "action", "resource": {"resource", "accountId"},
   "contextVariables": {"key": "value" | ["values"]}}}
A policy is a JSON object or a string holding one. The request context is exactly
contextVariables: nothing is derived from the principal.

With --batch, cases are read one per line from standard input (or --input) and one answer
is written per line, in order: {"result": "Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied"}
or {"error": "..."} for a case that cannot be simulated.

Without --batch, one case is read from CASE.json (or - for standard input), or built from
flags; the decision and the statements that decided it are printed. Each --scp is one level
of the organization, root first.`,
		Example: `  ciem policy simulate --policy policy.json --action s3:GetObject --resource arn:aws:s3:::bucket/key
  ciem policy simulate --policy p.json --scp root.json --scp ou.json --context aws:SourceIp=10.1.2.3 \
      --action ec2:StartInstances --resource arn:aws:ec2:us-east-1:111111111111:instance/i-0abc
  ciem policy simulate case.json --format json
  ciem policy simulate --batch < cases.jsonl > answers.jsonl`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "text" && f.format != "json" {
				return fmt.Errorf("--format %q: want text or json", f.format)
			}
			tr := simcase.NewTranslator(catalog.Default())
			if f.batch {
				return runSimulateBatch(cmd, tr, f, args)
			}
			c, err := simulateCase(cmd, f, args)
			if err != nil {
				return err
			}
			return runSimulateOne(cmd, tr, c, f.format)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.batch, "batch", false, "read JSON lines (one case each) and write one JSON answer per line")
	fl.StringVar(&f.input, "input", "", "with --batch: read cases from this file instead of standard input")
	fl.StringVar(&f.format, "format", "text", "output of a single case: text or json")
	fl.StringArrayVar(&f.policies, "policy", nil, "identity policy file (repeatable)")
	fl.StringArrayVar(&f.boundaries, "boundary", nil, "permissions boundary file")
	fl.StringArrayVar(&f.scps, "scp", nil, "SCP file; each one is one organization level, root first (repeatable)")
	fl.StringVar(&f.resourcePolicy, "resource-policy", "", "resource policy file")
	fl.StringVar(&f.sessionPolicy, "session-policy", "", "session policy file")
	fl.StringVar(&f.action, "action", "", "the request's action, e.g. s3:GetObject")
	fl.StringVar(&f.resource, "resource", "*", "the request's resource ARN (\"*\" for actions without resource types)")
	fl.StringVar(&f.principal, "principal", defaultSimPrincipal, "the calling principal's ARN")
	fl.StringVar(&f.account, "resource-account", "", "the account owning the resource (default: the resource ARN's account, else the principal's)")
	fl.StringArrayVar(&f.context, "context", nil, "request context key=value (repeat a key for a multi-valued key)")
	return cmd
}

func runSimulateBatch(cmd *cobra.Command, tr *simcase.Translator, f simulateFlags, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("--batch reads standard input or --input, not %q", args[0])
	}
	if f.usesRequestFlags(cmd) {
		return errors.New("--batch takes its cases from the input; policy and request flags do not apply")
	}
	var in io.Reader = cmd.InOrStdin()
	if f.input != "" && f.input != "-" {
		file, err := os.Open(f.input)
		if err != nil {
			return err // names the file
		}
		defer file.Close()
		in = file
	}
	return simcase.RunBatch(cmd.Context(), tr, in, cmd.OutOrStdout())
}

func (f simulateFlags) usesRequestFlags(cmd *cobra.Command) bool {
	for _, name := range []string{"policy", "boundary", "scp", "resource-policy", "session-policy", "action", "resource", "principal", "resource-account", "context"} {
		if cmd.Flags().Changed(name) {
			return true
		}
	}
	return false
}

// simulateCase reads the case file, or builds the case from flags.
func simulateCase(cmd *cobra.Command, f simulateFlags, args []string) (*simcase.Case, error) {
	if f.input != "" {
		return nil, errors.New("--input applies to --batch; give a single case file as an argument")
	}
	if len(args) == 1 {
		if f.usesRequestFlags(cmd) {
			return nil, errors.New("give either a case file or policy and request flags, not both")
		}
		b, err := readInput(cmd, args[0])
		if err != nil {
			return nil, err
		}
		c, err := simcase.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", args[0], err)
		}
		return c, nil
	}
	if f.action == "" {
		return nil, errors.New("--action is required (or give a case file)")
	}
	c := &simcase.Case{
		IdentityPolicies:        []simcase.NamedPolicy{},
		ServiceControlPolicies:  []simcase.OrgPolicies{},
		ResourceControlPolicies: []simcase.OrgPolicies{},
	}
	var err error
	if c.IdentityPolicies, err = policyFiles(f.policies); err != nil {
		return nil, err
	}
	if c.PermissionBoundaryPolicies, err = policyFiles(f.boundaries); err != nil {
		return nil, err
	}
	for i, name := range f.scps {
		pols, err := policyFiles([]string{name})
		if err != nil {
			return nil, err
		}
		c.ServiceControlPolicies = append(c.ServiceControlPolicies, simcase.OrgPolicies{OrgIdentifier: fmt.Sprintf("level-%d", i+1), Policies: pols})
	}
	if f.resourcePolicy != "" {
		if c.ResourcePolicy, err = os.ReadFile(f.resourcePolicy); err != nil {
			return nil, err
		}
	}
	if f.sessionPolicy != "" {
		if c.SessionPolicy, err = os.ReadFile(f.sessionPolicy); err != nil {
			return nil, err
		}
	}
	ctx, err := contextFlags(f.context)
	if err != nil {
		return nil, err
	}
	account := f.account
	if account == "" {
		account = arnAccount(f.resource)
	}
	if account == "" {
		account = arnAccount(f.principal)
	}
	c.Request = simcase.Request{
		Principal:        f.principal,
		Action:           f.action,
		Resource:         simcase.Resource{Resource: f.resource, AccountID: account},
		ContextVariables: ctx,
	}
	return c, nil
}

// policyFiles reads policy files, naming each policy after its file.
func policyFiles(names []string) ([]simcase.NamedPolicy, error) {
	var out []simcase.NamedPolicy
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, simcase.NamedPolicy{Name: filepath.Base(name), Policy: b})
	}
	return out, nil
}

// contextFlags turns key=value flags into context variables; a repeated key is multi-valued.
func contextFlags(kvs []string) (map[string]simcase.ContextValue, error) {
	ctx := map[string]simcase.ContextValue{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--context %q: want key=value", kv)
		}
		if old, ok := ctx[k]; ok {
			ctx[k] = simcase.Multi(append(old.Values, v)...)
			continue
		}
		ctx[k] = simcase.Single(v)
	}
	return ctx, nil
}

func arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) == 6 && f[0] == "arn" {
		return f[4]
	}
	return ""
}

func runSimulateOne(cmd *cobra.Command, tr *simcase.Translator, c *simcase.Case, format string) error {
	res, err := tr.Simulate(c)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(simulateJSON(res))
	}
	return writeSimulateText(out, res)
}

// simulateOutput is the JSON form of one decision: the batch answer's "result", and the
// statements that decided it.
type simulateOutput struct {
	Result   string           `json:"result"`
	Deciding []decidingOutput `json:"deciding"`
}

type decidingOutput struct {
	Layer  string `json:"layer"`
	Level  *int   `json:"level,omitempty"` // SCP or RCP level, root first from 0
	Policy string `json:"policy,omitempty"`
	Sid    string `json:"sid,omitempty"`
	Path   string `json:"path,omitempty"`
}

func simulateJSON(res iam.Result) simulateOutput {
	out := simulateOutput{Result: res.Decision.String(), Deciding: []decidingOutput{}}
	for _, ref := range res.Deciding {
		d := decidingOutput{Layer: ref.Layer.String(), Policy: ref.Policy, Sid: ref.Sid, Path: ref.Path}
		if ref.Layer == iam.LayerSCP || ref.Layer == iam.LayerRCP {
			level := ref.Level
			d.Level = &level
		}
		out.Deciding = append(out.Deciding, d)
	}
	return out
}

func writeSimulateText(w io.Writer, res iam.Result) error {
	var b strings.Builder
	fmt.Fprintln(&b, res.Decision)
	verb := map[iam.Decision]string{iam.Allowed: "allowed by", iam.ExplicitDeny: "denied by", iam.ImplicitDeny: "no allow in"}[res.Decision]
	for _, ref := range res.Deciding {
		where := ref.Layer.String()
		if ref.Layer == iam.LayerSCP || ref.Layer == iam.LayerRCP {
			where += fmt.Sprintf(" level %d", ref.Level+1)
		}
		if ref.Policy == "" && ref.Path == "" {
			fmt.Fprintf(&b, "  %s %s policies\n", verb, where)
			continue
		}
		fmt.Fprintf(&b, "  %s %s policy %q %s", verb, where, ref.Policy, ref.Path)
		if ref.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", ref.Sid)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
