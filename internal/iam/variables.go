package iam

import "strings"

// Policy variables: ${aws:username}, ${aws:PrincipalTag/team}, any context key, with an
// optional default (${aws:x, 'default'}), and the escapes ${*}, ${?} and ${$}. Only policies
// with Version 2012-10-17 have variables; in 2008-10-17 policies (and policies without a
// Version) "${...}" is literal text, as AWS documents.
//
// A value is compiled once into a template; an evaluation resolves its variables against
// the request's context into pattern tokens without building strings.

// tmplPart is a token of a template, or a variable to resolve.
type tmplPart struct {
	tok
	isVar bool
	key   string // lower-cased context key of the variable
	def   string // default value; "" means none (an empty default counts as none)
}

// template is a compiled Resource or condition value.
type template struct {
	parts   []tmplPart
	toks    []tok // the tokens, when there are no variables
	hasVars bool
}

// resolveStatus says whether a template's variables could all be resolved.
type resolveStatus uint8

const (
	resolved resolveStatus = iota
	// unresolvable: a variable's key is missing or multi-valued and has no default. The
	// value is in error: it matches nothing, and a negated operator does not match either.
	unresolvable
	// resolvesToNothing: a variable's key is present but empty and has no default. The
	// value matches nothing (so a negated operator does match it).
	resolvesToNothing
)

// compileTemplate compiles s. expand enables policy variables (Version 2012-10-17);
// wildcards makes '*' and '?' wildcards (StringLike, ArnLike, Resource) rather than text.
//
// As in the reference simulator, the escapes ${*}, ${?} and ${$} stand for a literal
// '*', '?' and '$' where wildcards apply, and are left as written where they do not.
func compileTemplate(s string, expand, wildcards bool) template {
	var t template
	if !strings.ContainsAny(s, "*?$") {
		if s != "" {
			t.toks = []tok{{kind: tokLit, s: s}} // the common case: plain text
		}
		return t
	}
	lit := 0 // start of the pending literal text
	flush := func(end int) {
		if end > lit {
			t.addLit(s[lit:end])
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wildcards && (c == '*' || c == '?'):
			flush(i)
			k := tokStar
			if c == '?' {
				k = tokQmark
			}
			t.parts = append(t.parts, tmplPart{tok: tok{kind: k}})
			i++
			lit = i
		case expand && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				i++
				continue
			}
			end += i + 2
			flush(i)
			inner := s[i+2 : end]
			switch inner {
			case "*", "?", "$":
				if wildcards {
					t.addLit(inner)
				} else {
					t.addLit(s[i : end+1])
				}
			default:
				t.parts = append(t.parts, parseVariable(inner))
				t.hasVars = true
			}
			i = end + 1
			lit = i
		default:
			i++
		}
	}
	flush(len(s))
	if !t.hasVars {
		t.toks = make([]tok, len(t.parts))
		for i, p := range t.parts {
			t.toks[i] = p.tok
		}
	}
	return t
}

// addLit appends literal text, merging it into a preceding literal.
func (t *template) addLit(s string) {
	if n := len(t.parts); n > 0 && !t.parts[n-1].isVar && t.parts[n-1].kind == tokLit {
		t.parts[n-1].s += s
		return
	}
	t.parts = append(t.parts, tmplPart{tok: tok{kind: tokLit, s: s}})
}

// parseVariable reads the inside of ${...}: a key, optionally followed by ", 'default'".
// The split is on ", " exactly, as the reference simulator splits it.
func parseVariable(inner string) tmplPart {
	name, rest, hasRest := strings.Cut(inner, ", ")
	v := tmplPart{isVar: true}
	if hasRest && !strings.Contains(rest, ", ") && strings.HasPrefix(rest, "'") && strings.HasSuffix(rest, "'") && len(rest) >= 2 {
		v.def = rest[1 : len(rest)-1]
	}
	v.key = strings.ToLower(trimJSSpace(name))
	return v
}

// resolve returns the template's tokens with its variables replaced by their values, using
// buf for storage when there are variables.
func (t *template) resolve(ctx *Context, buf []tok) ([]tok, resolveStatus) {
	if !t.hasVars {
		return t.toks, resolved
	}
	out := buf[:0]
	status := resolved
	for i := range t.parts {
		p := &t.parts[i]
		if !p.isVar {
			out = append(out, p.tok)
			continue
		}
		e, ok := ctx.lookup(p.key)
		switch {
		case ok && !e.multi && len(e.values) == 1 && e.values[0] != "":
			out = append(out, tok{kind: tokLit, s: e.values[0]})
		case p.def != "":
			out = append(out, tok{kind: tokLit, s: p.def})
		case !ok || e.multi || len(e.values) != 1:
			status = unresolvable
		default:
			if status == resolved {
				status = resolvesToNothing
			}
		}
	}
	return out, status
}

// literal returns the template's text when it has no variables and no wildcards.
func (t *template) literal() (string, bool) {
	if t.hasVars {
		return "", false
	}
	switch len(t.toks) {
	case 0:
		return "", true
	case 1:
		if t.toks[0].kind == tokLit {
			return t.toks[0].s, true
		}
	}
	return "", false
}

// trimJSSpace trims what JavaScript's String.prototype.trim trims.
func trimJSSpace(s string) string {
	return strings.TrimFunc(s, isJSSpace)
}

// isJSSpace reports whether r is JavaScript WhiteSpace or LineTerminator.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
