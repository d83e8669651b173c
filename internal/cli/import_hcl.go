package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/ciem/ciem/internal/iam"
)

// importPolicyTokens writes a policy document as the HCL object expression jsonencode
// takes, in the canonical form's order (Version, Statement; Sid, Effect, Action, Resource,
// Condition) so that it reads like the policy. Strings go through hclwrite, which escapes
// "${" and "%{": IAM policy variables such as ${aws:username} stay literal.
func importPolicyTokens(doc []byte) (hclwrite.Tokens, error) {
	if c, err := iam.CanonicalJSON(doc, iam.KindManaged); err == nil {
		doc = c
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	toks, err := importJSONValueTokens(dec)
	if err != nil {
		return nil, fmt.Errorf("reading the document: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("reading the document: data after the top-level value")
	}
	return toks, nil
}

// importJSONValueTokens writes the next JSON value of dec as HCL tokens.
func importJSONValueTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return importJSONObjectTokens(dec)
		}
		if v == '[' {
			return importJSONArrayTokens(dec)
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

func importJSONObjectTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
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
		val, err := importJSONValueTokens(dec)
		if err != nil {
			return nil, err
		}
		toks = append(toks, val...)
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, err
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")}), nil
}

// importJSONArrayTokens writes a list on one line, or one element a line when it holds
// objects or lists.
func importJSONArrayTokens(dec *json.Decoder) (hclwrite.Tokens, error) {
	var elems []hclwrite.Tokens
	nested := false
	for dec.More() {
		e, err := importJSONValueTokens(dec)
		if err != nil {
			return nil, err
		}
		if e[0].Type == hclsyntax.TokenOBrace || e[0].Type == hclsyntax.TokenOBrack {
			nested = true
		}
		elems = append(elems, e)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, err
	}
	if nested {
		nl := &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}
		toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}, nl}
		for _, e := range elems {
			toks = append(toks, e...)
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")}, nl)
		}
		return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")}), nil
	}
	return hclwrite.TokensForTuple(elems), nil
}
