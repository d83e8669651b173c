package iam

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ciem/ciem/internal/catalog"
)

// Canonical returns the policy's canonical JSON: deterministic and minimal, so that two
// documents that mean the same produce the same bytes and Terraform plans never churn.
//
//   - elements in AWS's conventional order (Version, Id, Statement; Sid, Effect, Principal,
//     NotPrincipal, Action, NotAction, Resource, NotResource, Condition);
//   - actions in the catalog's casing ("s3:getobject" -> "s3:GetObject"; a pattern keeps its
//     text with the service prefix lower-cased), deduplicated case-insensitively, sorted;
//   - resources and principals deduplicated and sorted; a one-element list written as a string;
//   - condition operators in AWS's casing, keys in the catalog's casing, values deduplicated
//     and sorted (values in one condition are ORed, so order carries no meaning);
//   - statements sorted and exact duplicates removed (statement order carries no meaning);
//   - no insignificant whitespace.
func Canonical(p *Policy) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(&b, name)
		b.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		writeJSONString(&b, p.Version)
	}
	if p.ID != "" {
		field("Id")
		writeJSONString(&b, p.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i, s := range canonicalStatements(p.Statements) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(s)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// CanonicalIndent is Canonical with two-space indentation, for people.
func CanonicalIndent(p *Policy) []byte {
	var out bytes.Buffer
	_ = json.Indent(&out, Canonical(p), "", "  ") // Canonical is always valid JSON
	return out.Bytes()
}

// CanonicalJSON parses a document and returns its canonical form.
func CanonicalJSON(doc []byte, kind Kind) ([]byte, error) {
	p, err := Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	return Canonical(p), nil
}

// Equal reports whether two policies mean the same, by comparing canonical forms.
func Equal(a, b *Policy) bool { return bytes.Equal(Canonical(a), Canonical(b)) }

// EqualJSON reports whether two documents mean the same; a document that does not parse
// is equal only to the same bytes.
func EqualJSON(a, b []byte, kind Kind) bool {
	ca, errA := CanonicalJSON(a, kind)
	cb, errB := CanonicalJSON(b, kind)
	if errA != nil || errB != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca, cb)
}

func canonicalStatements(stmts []*Statement) [][]byte {
	out := make([][]byte, 0, len(stmts))
	for _, s := range stmts {
		out = append(out, canonicalStatement(s))
	}
	slices.SortFunc(out, bytes.Compare)
	return slices.CompactFunc(out, bytes.Equal)
}

func canonicalStatement(s *Statement) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(&b, name)
		b.WriteByte(':')
	}
	if s.Sid != "" {
		field("Sid")
		writeJSONString(&b, s.Sid)
	}
	field("Effect")
	writeJSONString(&b, s.Effect.String())
	if s.Principal != nil {
		field("Principal")
		writePrincipal(&b, s.Principal)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		writePrincipal(&b, s.NotPrincipal)
	}
	if s.NotAction {
		field("NotAction")
	} else {
		field("Action")
	}
	writeStringList(&b, canonicalActions(s.Actions))
	if s.HasResource() {
		if s.NotResource {
			field("NotResource")
		} else {
			field("Resource")
		}
		writeStringList(&b, sortedUnique(s.Resources))
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		writeConditions(&b, s.Conditions)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writePrincipal(b *bytes.Buffer, p *Principal) {
	if p.All {
		writeJSONString(b, "*")
		return
	}
	b.WriteByte('{')
	first := true
	for _, t := range []struct {
		name string
		vals []string
	}{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if t.vals == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, t.name)
		b.WriteByte(':')
		writeStringList(b, sortedUnique(t.vals))
	}
	b.WriteByte('}')
}

func writeConditions(b *bytes.Buffer, conds []Condition) {
	type kv struct {
		key    string
		values []string
	}
	byOp := map[string][]kv{}
	for _, c := range conds {
		op := c.CanonicalOperator()
		key := CanonicalConditionKey(c.Key)
		vals := sortedUnique(c.Values)
		// The same operator and key written twice (possible only across spellings that differ
		// in case) cannot be merged without changing meaning, so both stay; sorting keeps it stable.
		byOp[op] = append(byOp[op], kv{key, vals})
	}
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	b.WriteByte('{')
	for i, op := range ops {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, op)
		b.WriteString(":{")
		keys := byOp[op]
		slices.SortFunc(keys, func(x, y kv) int {
			if c := strings.Compare(x.key, y.key); c != 0 {
				return c
			}
			return slices.Compare(x.values, y.values)
		})
		for j, k := range keys {
			if j > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k.key)
			b.WriteByte(':')
			writeStringList(b, k.values)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

// canonicalActions puts actions in the catalog's casing and dedupes them case-insensitively.
func canonicalActions(actions []string) []string {
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		out = append(out, CanonicalAction(a))
	}
	slices.SortFunc(out, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	return slices.CompactFunc(out, strings.EqualFold)
}

// CanonicalAction writes an action in the catalog's casing; a pattern or an unknown action
// keeps its text with the service prefix lower-cased (prefixes are lower case in AWS).
func CanonicalAction(a string) string {
	if id, ok := catalog.Default().LookupAction(a); ok {
		return catalog.Default().Action(id).FullName()
	}
	if i := strings.IndexByte(a, ':'); i > 0 {
		return strings.ToLower(a[:i]) + a[i:]
	}
	return a
}

// CanonicalConditionKey writes a condition key in the catalog's casing. For a templated key
// ("aws:PrincipalTag/${TagKey}") the fixed part takes the catalog's casing and the variable
// part keeps its text.
func CanonicalConditionKey(key string) string {
	ck, ok := catalog.Default().ConditionKey(key)
	if !ok {
		return key
	}
	tmpl := ck.Key
	i := strings.Index(tmpl, "${")
	if i < 0 {
		return tmpl
	}
	if i <= len(key) && strings.EqualFold(key[:i], tmpl[:i]) {
		return tmpl[:i] + key[i:]
	}
	return key
}

func sortedUnique(vals []string) []string {
	out := slices.Clone(vals)
	slices.Sort(out)
	return slices.Compact(out)
}

func writeStringList(b *bytes.Buffer, vals []string) {
	if len(vals) == 1 {
		writeJSONString(b, vals[0])
		return
	}
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, v)
	}
	b.WriteByte(']')
}

// writeJSONString writes s as a JSON string the way encoding/json does, but without HTML
// escaping (policies often hold '&' and '<' in condition values, and AWS returns them as is).
// Hand-written because canonicalising a large policy writes tens of thousands of strings.
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but end lines in JavaScript; encoding/json escapes them.
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
