package rightsize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Entitlement is one ciem_entitlement resource as written in HCL. `ciem rightsize
// --format hcl` and `ciem import` both write them here, so the two never drift apart.
type Entitlement struct {
	PrincipalARN string
	Name         string
	Path         string // left out when empty or "/"
	Description  string // left out when empty
	Policy       hclwrite.Tokens
}

// AppendEntitlement appends e to body as resource "ciem_entitlement" "label", its
// attributes in the order the provider's schema lists them.
func AppendEntitlement(body *hclwrite.Body, label string, e Entitlement) {
	rb := body.AppendNewBlock("resource", []string{"ciem_entitlement", label}).Body()
	rb.SetAttributeValue("principal_arn", cty.StringVal(e.PrincipalARN))
	rb.SetAttributeValue("name", cty.StringVal(e.Name))
	if e.Path != "" && e.Path != "/" {
		rb.SetAttributeValue("path", cty.StringVal(e.Path))
	}
	if e.Description != "" {
		rb.SetAttributeValue("description", cty.StringVal(e.Description))
	}
	rb.SetAttributeRaw("policy", hclwrite.TokensForFunctionCall("jsonencode", e.Policy))
}

// PolicyTokens writes a JSON document as an HCL expression in the same order, for
// jsonencode. Strings go through hclwrite, which escapes "${" and "%{", so IAM policy
// variables such as ${aws:username} stay literal.
func PolicyTokens(doc []byte) (hclwrite.Tokens, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	toks, err := jsonValueTokens(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the top-level value")
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
		key, ok := kt.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", kt)
		}
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
	if _, err := dec.Token(); err != nil { // '}'
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
	if _, err := dec.Token(); err != nil { // ']'
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
