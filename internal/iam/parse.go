package iam

import (
	"errors"
	"fmt"
	"strings"
)

// ParseError is one structural error in a policy document, at a JSON path such as
// "$.Statement[1].Action[0]".
type ParseError struct {
	Path string
	Msg  string
}

func (e *ParseError) Error() string { return e.Path + ": " + e.Msg }

// ParseErrors is every structural error Parse found, in document order.
type ParseErrors []*ParseError

func (es ParseErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Parse reads a policy document of the given kind. It accepts every form AWS accepts
// (a single statement object or a list, a string or a list for each value element) and
// rejects what AWS rejects structurally; semantic checks (unknown actions, ARNs, sizes)
// are Validate's. A *SyntaxError is returned for malformed JSON; otherwise a non-nil error
// is a ParseErrors listing every problem found with its JSON path.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	root, err := parseJSONTree(doc)
	if err != nil {
		return nil, err
	}
	return parseTree(root, kind)
}

// parseTree is Parse after the JSON is read: Validate, which needs the tree for its
// positions too, reads the document once.
func parseTree(root *node, kind Kind) (*Policy, error) {
	p := &parser{kind: kind}
	pol := p.policy(root)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return pol, nil
}

// MustParse is Parse for documents known to be valid (tests, embedded data); it panics.
func MustParse(doc string, kind Kind) *Policy {
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		panic(fmt.Sprintf("iam.MustParse: %v", err))
	}
	return p
}

type parser struct {
	kind Kind
	errs ParseErrors
}

func (p *parser) fail(path, format string, args ...any) {
	p.errs = append(p.errs, &ParseError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) policy(n *node) *Policy {
	if n.kind != kindObject {
		p.fail("$", "a policy document must be a JSON object, not %s", n.kind)
		return nil
	}
	pol := &Policy{}
	var stmts *node
	for _, m := range n.members {
		path := "$." + m.key
		switch m.key {
		case "Version":
			if s, ok := p.str(path, m.value); ok {
				if s != Version2012 && s != Version2008 {
					p.fail(path, "Version must be %q or %q, not %q", Version2012, Version2008, s)
				}
				pol.Version = s
			}
		case "Id":
			pol.ID, _ = p.str(path, m.value)
		case "Statement":
			stmts = m.value
		default:
			p.fail(path, "unknown element %q%s (a policy has Version, Id and Statement)", m.key, caseHint(m.key, "Version", "Id", "Statement"))
		}
	}
	if stmts == nil {
		p.fail("$", "the policy has no Statement element")
		return pol
	}
	switch stmts.kind {
	case kindObject:
		pol.Statements = append(pol.Statements, p.statement("$.Statement", stmts))
	case kindArray:
		if len(stmts.items) == 0 {
			p.fail("$.Statement", "Statement must contain at least one statement")
		}
		for i, s := range stmts.items {
			pol.Statements = append(pol.Statements, p.statement(fmt.Sprintf("$.Statement[%d]", i), s))
		}
	default:
		p.fail("$.Statement", "Statement must be an object or a list of objects, not %s", stmts.kind)
	}
	return pol
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

func (p *parser) statement(path string, n *node) *Statement {
	st := &Statement{Path: path}
	if n.kind != kindObject {
		p.fail(path, "a statement must be a JSON object, not %s", n.kind)
		return st
	}
	var hasAction, hasNotAction, hasResource, hasNotResource bool
	for _, m := range n.members {
		mp := path + "." + m.key
		switch m.key {
		case "Sid":
			st.Sid, _ = p.str(mp, m.value)
		case "Effect":
			if s, ok := p.str(mp, m.value); ok {
				switch s {
				case "Allow":
					st.Effect = Allow
				case "Deny":
					st.Effect = Deny
				default:
					p.fail(mp, "Effect must be \"Allow\" or \"Deny\", not %q", s)
				}
			}
		case "Principal":
			st.Principal = p.principal(mp, m.value)
		case "NotPrincipal":
			st.NotPrincipal = p.principal(mp, m.value)
		case "Action":
			hasAction = true
			st.Actions = p.strings(mp, m.value)
		case "NotAction":
			hasNotAction = true
			st.Actions = p.strings(mp, m.value)
			st.NotAction = true
		case "Resource":
			hasResource = true
			st.Resources = p.strings(mp, m.value)
		case "NotResource":
			hasNotResource = true
			st.Resources = p.strings(mp, m.value)
			st.NotResource = true
		case "Condition":
			st.Conditions = p.conditions(mp, m.value)
		default:
			p.fail(mp, "unknown statement element %q%s", m.key, caseHint(m.key, statementElements...))
		}
	}
	if _, ok := n.lookup("Effect"); !ok {
		p.fail(path, "the statement has no Effect element")
	}
	switch {
	case hasAction && hasNotAction:
		p.fail(path, "a statement cannot have both Action and NotAction")
	case !hasAction && !hasNotAction:
		p.fail(path, "the statement has neither Action nor NotAction")
	}
	switch {
	case hasResource && hasNotResource:
		p.fail(path, "a statement cannot have both Resource and NotResource")
	case !hasResource && !hasNotResource && p.kind != KindTrust && p.kind != KindResource:
		p.fail(path, "the statement has neither Resource nor NotResource")
	}
	if st.Principal != nil && st.NotPrincipal != nil {
		p.fail(path, "a statement cannot have both Principal and NotPrincipal")
	}
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	switch {
	case p.kind.IsIdentity() && hasPrincipal:
		p.fail(path, "a %s policy must not name a Principal or NotPrincipal (only resource-based and trust policies do)", p.kind)
	case (p.kind == KindTrust || p.kind == KindResource) && !hasPrincipal:
		p.fail(path, "a %s policy statement must name a Principal or NotPrincipal", p.kind)
	}
	return st
}

// principalTypes are the keys of the object form of Principal, in AWS's casing.
var principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}

func (p *parser) principal(path string, n *node) *Principal {
	pr := &Principal{}
	switch n.kind {
	case kindString:
		if n.str != "*" {
			p.fail(path, "a Principal given as a string must be \"*\"; name principals with {\"AWS\": ...}, {\"Service\": ...}, {\"Federated\": ...} or {\"CanonicalUser\": ...}")
		}
		pr.All = true
	case kindObject:
		if len(n.members) == 0 {
			p.fail(path, "Principal must name at least one principal")
		}
		for _, m := range n.members {
			mp := path + "." + m.key
			vals := p.strings(mp, m.value)
			switch m.key {
			case "AWS":
				pr.AWS = vals
			case "Service":
				pr.Service = vals
			case "Federated":
				pr.Federated = vals
			case "CanonicalUser":
				pr.CanonicalUser = vals
			default:
				p.fail(mp, "unknown principal type %q%s", m.key, caseHint(m.key, principalTypes...))
			}
		}
	default:
		p.fail(path, "Principal must be \"*\" or an object, not %s", n.kind)
	}
	return pr
}

func (p *parser) conditions(path string, n *node) []Condition {
	if n.kind != kindObject {
		p.fail(path, "Condition must be an object of operators, not %s", n.kind)
		return nil
	}
	var out []Condition
	for _, op := range n.members {
		opPath := path + "." + op.key
		if op.value.kind != kindObject {
			p.fail(opPath, "condition operator %q must map to an object of condition keys, not %s", op.key, op.value.kind)
			continue
		}
		base, set, ifExists, _ := ParseOperator(op.key)
		if len(op.value.members) == 0 {
			p.fail(opPath, "condition operator %q has no condition keys", op.key)
		}
		for _, k := range op.value.members {
			kp := opPath + "." + k.key
			if k.key == "" {
				p.fail(kp, "a condition key must not be empty")
			}
			out = append(out, Condition{
				Operator: op.key, Key: k.key, Values: p.conditionValues(kp, k.value),
				Base: base, Set: set, IfExists: ifExists,
			})
		}
	}
	return out
}

// conditionValues accepts a string, number or boolean, or a list of them. AWS compares
// condition values as text, so all become strings.
func (p *parser) conditionValues(path string, n *node) []string {
	scalar := func(path string, n *node) (string, bool) {
		switch n.kind {
		case kindString, kindNumber, kindBool:
			return n.str, true
		}
		p.fail(path, "a condition value must be a string, number or boolean, not %s", n.kind)
		return "", false
	}
	if n.kind != kindArray {
		if v, ok := scalar(path, n); ok {
			return []string{v}
		}
		return nil
	}
	if len(n.items) == 0 {
		p.fail(path, "a condition value list must not be empty")
	}
	out := make([]string, 0, len(n.items))
	for i, it := range n.items {
		if v, ok := scalar(fmt.Sprintf("%s[%d]", path, i), it); ok {
			out = append(out, v)
		}
	}
	return out
}

// strings reads the string-or-list-of-strings form used by Action, Resource and principals.
func (p *parser) strings(path string, n *node) []string {
	switch n.kind {
	case kindString:
		return []string{n.str}
	case kindArray:
		if len(n.items) == 0 {
			p.fail(path, "the list must not be empty")
			return []string{}
		}
		out := make([]string, 0, len(n.items))
		for i, it := range n.items {
			if it.kind != kindString {
				p.fail(fmt.Sprintf("%s[%d]", path, i), "must be a string, not %s", it.kind)
				continue
			}
			out = append(out, it.str)
		}
		return out
	}
	p.fail(path, "must be a string or a list of strings, not %s", n.kind)
	return []string{}
}

func (p *parser) str(path string, n *node) (string, bool) {
	if n.kind != kindString {
		p.fail(path, "must be a string, not %s", n.kind)
		return "", false
	}
	return n.str, true
}

func (n *node) lookup(key string) (*node, bool) {
	for _, m := range n.members {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// caseHint suggests the right casing when a key differs from a known one only in case:
// element names are case-sensitive in IAM, a common mistake.
func caseHint(key string, known ...string) string {
	for _, k := range known {
		if strings.EqualFold(k, key) && k != key {
			return fmt.Sprintf(" (element names are case-sensitive: did you mean %q?)", k)
		}
	}
	return ""
}

// IsSyntaxError reports whether err is a JSON syntax error rather than a policy-structure error.
func IsSyntaxError(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se)
}
