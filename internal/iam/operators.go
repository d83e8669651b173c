package iam

import "strings"

// conditionOperators are the base condition operators AWS defines, in AWS's casing. The
// IfExists suffix and the ForAllValues:/ForAnyValue: prefixes are parsed apart from these.
var conditionOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
	"DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals",
	"IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	"Null",
}

var conditionOperatorByLower = func() map[string]string {
	m := make(map[string]string, len(conditionOperators))
	for _, op := range conditionOperators {
		m[strings.ToLower(op)] = op
	}
	return m
}()

// ParseOperator splits a condition operator as written into its set qualifier, base
// operator (in AWS's casing) and IfExists flag. known is false for an operator AWS does
// not define; base is then the text left after the prefix and suffix are removed.
func ParseOperator(op string) (base string, set SetQualifier, ifExists bool, known bool) {
	rest := op
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		switch strings.ToLower(rest[:i]) {
		case "forallvalues":
			set = ForAllValues
		case "foranyvalue":
			set = ForAnyValue
		default:
			return rest, SingleValued, false, false
		}
		rest = rest[i+1:]
	}
	if len(rest) > len("IfExists") && strings.EqualFold(rest[len(rest)-len("IfExists"):], "IfExists") {
		ifExists = true
		rest = rest[:len(rest)-len("IfExists")]
	}
	canon, ok := conditionOperatorByLower[strings.ToLower(rest)]
	if !ok {
		return rest, set, ifExists, false
	}
	if canon == "Null" && ifExists {
		// NullIfExists is not an operator: Null already tests for existence.
		return rest, set, ifExists, false
	}
	return canon, set, ifExists, true
}

// CanonicalOperator is the operator written in AWS's casing ("ForAnyValue:StringLikeIfExists").
func (c *Condition) CanonicalOperator() string {
	if _, _, _, known := ParseOperator(c.Operator); !known {
		return c.Operator
	}
	var b strings.Builder
	switch c.Set {
	case ForAllValues:
		b.WriteString("ForAllValues:")
	case ForAnyValue:
		b.WriteString("ForAnyValue:")
	}
	b.WriteString(c.Base)
	if c.IfExists {
		b.WriteString("IfExists")
	}
	return b.String()
}
