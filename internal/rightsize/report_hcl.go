package rightsize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

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
		toks, err := jsonTokens(p.Policy)
		if err != nil {
			return fmt.Errorf("writing policy %s as HCL: %w", p.Name, err)
		}
		rb := body.AppendNewBlock("resource", []string{"ciem_entitlement", resourceLabel(p.Name)}).Body()
		rb.SetAttributeValue("principal_arn", cty.StringVal(s.Principal))
		rb.SetAttributeValue("name", cty.StringVal(p.Name))
		d := desc
		if len(s.Policies) > 1 {
			d += fmt.Sprintf(" (part %d of %d)", i+1, len(s.Policies))
		}
		rb.SetAttributeValue("description", cty.StringVal(d))
		rb.SetAttributeRaw("policy", hclwrite.TokensForFunctionCall("jsonencode", toks))
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

// jsonTokens writes a JSON document as an HCL expression in the same order, for
// jsonencode. Strings go through hclwrite, which escapes "${" and "%{", so IAM policy
// variables such as ${aws:username} stay literal.
func jsonTokens(doc []byte) (hclwrite.Tokens, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	toks, err := jsonValueTokens(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the document")
	}
	return toks, nil
}

func jsonValueTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return jsonObjectTokens(dec)
		case '[':
			return jsonArrayTokens(dec)
		}
		return nil, fmt.Errorf("unexpected %q", v)
	case string:
		return hclwrite.TokensForValue(cty.StringVal(v)), nil
	case json.Number:
		return hclwrite.Tokens{{Type: hclsyntax.TokenNumberLit, Bytes: []byte(v.String())}}, nil
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(v)), nil
	case nil:
		return hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte("null")}}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

func jsonObjectTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrace, Bytes: []byte("{")}, {Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := kt.(string)
		if hclsyntax.ValidIdentifier(key) {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(key)})
		} else {
			toks = append(toks, hclwrite.TokensForValue(cty.StringVal(key))...)
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenEqual, Bytes: []byte("=")})
		v, err := jsonValueTokens(dec)
		if err != nil {
			return nil, err
		}
		toks = append(toks, v...)
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")}), nil
}

// jsonArrayTokens writes a list of scalars on one line, a list of objects or lists one
// element a line.
func jsonArrayTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	var elems []hclwrite.Tokens
	nested := false
	for dec.More() {
		e, err := jsonValueTokens(dec)
		if err != nil {
			return nil, err
		}
		nested = nested || e[0].Type == hclsyntax.TokenOBrace || e[0].Type == hclsyntax.TokenOBrack
		elems = append(elems, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	newline := &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}}
	for i, e := range elems {
		if i > 0 {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")})
		}
		if nested {
			toks = append(toks, newline)
		}
		toks = append(toks, e...)
	}
	if nested {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")}, newline)
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")}), nil
}
