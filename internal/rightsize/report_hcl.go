package rightsize

import (
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/ciem/ciem/internal/awsx"
)

// WriteHCL writes the suggestion as ciem_entitlement resources, one per suggested policy,
// ready for Terraform or OpenTofu: principal_arn, name, description and the policy as
// jsonencode({...}) in the canonical order. The evidence goes in comments above them.
func (s *Suggestion) WriteHCL(w io.Writer) error {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	sm := s.Summary
	comments := []string{
		fmt.Sprintf("Right-sized by ciem for %s", s.Principal),
		fmt.Sprintf("from usage between %s and %s:", textTime(s.Window.Since, "the beginning"), textTime(s.Window.Until, "now")),
		fmt.Sprintf("%d of %d granted actions kept (%d used, %d kept without evidence of use), %d removed.",
			sm.UsedActions+sm.KeptUnobservedActions, sm.GrantedActions, sm.UsedActions, sm.KeptUnobservedActions, sm.RemovedActions),
	}
	for _, u := range s.KeptUnobserved {
		comments = append(comments, fmt.Sprintf("Kept without evidence: %s (%s).", u.Action, u.Reason))
	}
	for _, d := range s.Denied {
		comments = append(comments, fmt.Sprintf("Asked for and denied, not added: %s (%d %s).", d.Action, d.Count, plural(int(d.Count), "time", "times")))
	}
	comments = append(comments, s.Notes...)
	body.AppendUnstructuredTokens(commentTokens(comments))
	name := s.Principal
	if p, err := awsx.ParsePrincipalARN(s.Principal); err == nil {
		name = p.Name
	}
	desc := "Least-privilege policy for " + name + ", right-sized by ciem from observed usage"
	for i, p := range s.Policies {
		if i > 0 || len(comments) > 0 {
			body.AppendNewline()
		}
		toks, err := PolicyTokens(p.Policy)
		if err != nil {
			return fmt.Errorf("writing policy %s as HCL: %w", p.Name, err)
		}
		d := desc
		if len(s.Policies) > 1 {
			d += fmt.Sprintf(" (part %d of %d)", i+1, len(s.Policies))
		}
		AppendEntitlement(body, resourceLabel(p.Name), Entitlement{PrincipalARN: s.Principal, Name: p.Name, Description: d, Policy: toks})
	}
	if _, err := w.Write(hclwrite.Format(f.Bytes())); err != nil {
		return fmt.Errorf("writing HCL: %w", err)
	}
	return nil
}

func commentTokens(lines []string) hclwrite.Tokens {
	var toks hclwrite.Tokens
	for _, l := range lines {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("# " + strings.ReplaceAll(l, "\n", " ") + "\n")})
	}
	return toks
}

// resourceLabel turns a policy name into a Terraform resource name.
func resourceLabel(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
			b.WriteRune(r)
		case r >= '0' && r <= '9', r == '-':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
