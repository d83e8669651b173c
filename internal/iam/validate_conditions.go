package iam

import (
	"encoding/base64"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ciem/ciem/internal/catalog"
)

// Condition checks: operators, keys, the fit of an operator to its key's type, set
// qualifiers, and values the operator cannot read.

func (v *validator) checkConditions(s *Statement) {
	badOps := map[string]bool{}
	for _, c := range s.Conditions {
		opPath := s.Path + ".Condition." + c.Operator
		keyPath := opPath + "." + c.Key
		_, _, _, known := ParseOperator(c.Operator)
		if !known && !badOps[c.Operator] {
			badOps[c.Operator] = true
			v.unknownOperator(opPath, c)
		}
		key, keyKnown := v.checkConditionKey(keyPath, c.Key)
		if !known {
			continue
		}
		if keyKnown && key != nil {
			v.checkOperatorFitsKey(keyPath, c, key)
		}
		for i, val := range c.Values {
			v.checkConditionValue(v.listPath(keyPath, i, len(c.Values)), c, val)
		}
	}
}

func (v *validator) unknownOperator(path string, c Condition) {
	rest := c.Operator
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.EqualFold(rest, "NullIfExists") {
		v.add(CodeUnknownConditionOperator, path,
			"%q is not a condition operator: Null cannot take IfExists, as it already tests whether the key is present", c.Operator)
		return
	}
	f := v.add(CodeUnknownConditionOperator, path, "unknown condition operator %q", c.Operator)
	f.Suggestions = closestNames(c.Operator, allOperatorForms(), max(2, len(c.Operator)/5), 3)
}

// allOperatorForms lists every operator AWS accepts, with its qualifiers and suffix.
var allOperatorForms = sync.OnceValue(func() []string {
	var out []string
	for _, q := range []string{"", "ForAllValues:", "ForAnyValue:"} {
		for _, op := range conditionOperators {
			out = append(out, q+op)
			if op != "Null" {
				out = append(out, q+op+"IfExists")
			}
		}
	}
	return out
})

// checkConditionKey reports a key that is not a global key, not in the catalog, and not
// a key of a web identity provider. It returns the key's catalog entry when there is one,
// and whether the key is known at all.
func (v *validator) checkConditionKey(path, key string) (*catalog.ConditionKey, bool) {
	cat := catalog.Default()
	if ck, ok := cat.ConditionKey(key); ok {
		return ck, true
	}
	if ck, ok := tagKeyFallback(key); ok {
		return ck, true
	}
	prefix, name, hasPrefix := strings.Cut(key, ":")
	if hasPrefix && name != "" && strings.Contains(prefix, ".") {
		// Web identity (OIDC) provider keys are named after the provider's host, any host:
		// "token.actions.githubusercontent.com:sub", "oidc.eks.<region>.amazonaws.com/id/<id>:aud".
		return nil, true
	}
	var f *Finding
	switch svc := cat.Service(prefix); {
	case !hasPrefix:
		f = v.add(CodeUnknownConditionKey, path, "condition key %q has no service prefix (write it as service:key, e.g. aws:SourceIp)", key)
	case svc == nil:
		f = v.add(CodeUnknownConditionKey, path, "unknown condition key %q: %q is not a known service prefix", key, prefix)
	default:
		f = v.add(CodeUnknownConditionKey, path, "unknown condition key %q: neither a global key nor a key of %s", key, svc.Prefix)
	}
	f.Suggestions = suggestConditionKeys(key)
	return nil, false
}

// tagKeyFallback finds a tag key that the catalog lists in a literal form rather than as
// a template: "secretsmanager:ResourceTag/tag-key" or "sagemaker:ResourceTag/" stand for
// any "secretsmanager:ResourceTag/<key>".
func tagKeyFallback(key string) (*catalog.ConditionKey, bool) {
	j := strings.IndexByte(key, '/')
	if j < 0 || j == len(key)-1 || !strings.Contains(key[:j], ":") {
		return nil, false
	}
	cat := catalog.Default()
	for _, form := range []string{key[:j+1] + "tag-key", key[:j+1]} {
		if ck, ok := cat.ConditionKey(form); ok {
			return ck, true
		}
	}
	return nil, false
}

// suggestConditionKeys finds keys close to key among the global keys and the keys of
// its service. A templated key ("aws:PrincipalTag/${TagKey}") is compared by its fixed
// part, and suggested with the text that followed it ("aws:PrincipleTag/team" gets
// aws:PrincipalTag/team).
func suggestConditionKeys(key string) []string {
	cat := catalog.Default()
	cands := slices.Clone(cat.GlobalConditionKeys())
	prefix, _, _ := strings.Cut(key, ":")
	if svc := cat.Service(prefix); svc != nil {
		cands = append(cands, svc.ConditionKeys...)
	}
	limit := max(2, len(key)/6)
	best := limit + 1
	var out []string
	for _, ck := range cands {
		cand := ck.Key
		if i := strings.IndexAny(cand, "$<"); i > 0 {
			fixed := cand[:i] // "aws:PrincipalTag/"
			j := strings.IndexByte(key, '/')
			if !strings.HasSuffix(fixed, "/") || j < 0 {
				continue
			}
			if d := suggestDistance(key[:j+1], fixed); d <= limit {
				out, best = keepBest(out, best, fixed+key[j+1:], d)
			}
			continue
		}
		if d := suggestDistance(key, cand); d <= limit {
			out, best = keepBest(out, best, cand, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func keepBest(out []string, best int, cand string, d int) ([]string, int) {
	switch {
	case d < best:
		return []string{cand}, d
	case d == best && len(out) < 3:
		return append(out, cand), best
	}
	return out, best
}

// operatorFamily is the kind of value an operator compares.
func operatorFamily(base string) string {
	for _, f := range []string{"String", "Numeric", "Date", "Bool", "Binary", "Arn", "Null"} {
		if strings.HasPrefix(base, f) {
			return f
		}
	}
	if base == "IpAddress" || base == "NotIpAddress" {
		return "IpAddress"
	}
	return ""
}

// familyFits lists the key types (element types, without ArrayOf) each operator family
// reads as intended. String operators read ARN keys too, as AWS documents.
var familyFits = map[string][]string{
	"String":    {"String", "ARN"},
	"Numeric":   {"Numeric"},
	"Date":      {"Date"},
	"Bool":      {"Bool"},
	"Binary":    {"String", "Binary"},
	"IpAddress": {"IPAddress"},
	"Arn":       {"ARN", "String"},
}

// typeOperators names the operators that suit a key type, for messages.
var typeOperators = map[string]string{
	"String": "String", "ARN": "Arn or String", "Numeric": "Numeric", "Date": "Date",
	"Bool": "Bool", "IPAddress": "IpAddress/NotIpAddress", "Binary": "BinaryEquals",
}

func (v *validator) checkOperatorFitsKey(path string, c Condition, key *catalog.ConditionKey) {
	family := operatorFamily(c.Base)
	if family == "Null" {
		return
	}
	elem, multi := strings.CutPrefix(key.Type, "ArrayOf")
	fits := slices.Contains(familyFits[family], elem) ||
		// aws:EpochTime is documented as both Date and Numeric.
		(family == "Numeric" && strings.EqualFold(key.Key, "aws:EpochTime"))
	if !fits {
		hint := ""
		if ops, ok := typeOperators[elem]; ok {
			hint = "; use a " + ops + " operator"
		}
		v.add(CodeConditionTypeMismatch, path,
			"%s is a %s operator but %s is a %s key%s", c.Base, family, key.Key, key.Type, hint)
	}
	switch {
	case multi && c.Set == SingleValued:
		v.add(CodeMissingSetQualifier, path,
			"%s can hold several values (%s): use ForAllValues:%s or ForAnyValue:%s to say how they are compared", key.Key, key.Type, c.Base, c.Base)
	case !multi && c.Set == ForAllValues:
		v.add(CodeForAllValuesSingleValuedKey, path,
			"ForAllValues: with the single-valued key %s is also true when the key is absent from the request, which can allow more than meant; drop ForAllValues:", key.Key)
	case !multi && c.Set == ForAnyValue:
		v.add(CodeForAnyValueSingleValuedKey, path,
			"ForAnyValue: with the single-valued key %s is not needed; drop ForAnyValue:", key.Key)
	}
}

func (v *validator) checkConditionValue(path string, c Condition, val string) {
	family := operatorFamily(c.Base)
	var want string
	switch family {
	case "String":
		if strings.Contains(c.Base, "Equals") && strings.Contains(stripPolicyVariables(val), "*") {
			v.add(CodeWildcardWithoutLike, path,
				"%q has '*', which %s compares as a literal character; use %s to match a pattern",
				val, c.Base, strings.Replace(strings.Replace(c.Base, "IgnoreCase", "", 1), "Equals", "Like", 1))
		}
		return
	case "Numeric":
		if !numericPattern.MatchString(val) {
			want = "a number"
		}
	case "Date":
		if !isConditionDate(val) {
			want = "a date in ISO 8601 form (2026-01-31T12:00:00Z) or epoch seconds"
		}
	case "Bool", "Null":
		if !strings.EqualFold(val, "true") && !strings.EqualFold(val, "false") {
			want = `"true" or "false"`
		}
	case "Binary":
		if _, err := base64.StdEncoding.DecodeString(val); err != nil {
			want = "base64-encoded bytes"
		}
	case "IpAddress":
		if !isIPOrCIDR(val) {
			want = "an IPv4 or IPv6 address or CIDR block (203.0.113.0/24, 2001:db8::/32)"
		}
	case "Arn":
		if val != "*" && !strings.Contains(val, "${") {
			if _, err := SplitARN(val); err != nil {
				want = "an ARN (arn:partition:service:region:account:resource, wildcards allowed)"
			}
		}
	}
	if want == "" {
		return
	}
	if strings.Contains(val, "${") && family != "Arn" {
		v.add(CodeInvalidConditionValue, path,
			"%s needs %s, not %q: policy variables are replaced only in String and Arn operators", c.Base, want, val)
		return
	}
	v.add(CodeInvalidConditionValue, path, "%s needs %s, not %q", c.Base, want, val)
}

var numericPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// conditionDateLayouts are the ISO 8601 forms accepted for Date operators.
var conditionDateLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04Z07:00",
	time.RFC3339, // also reads fractional seconds
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"20060102",
	"20060102T150405Z07:00",
	"20060102T150405Z0700",
}

func isConditionDate(s string) bool {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return true // epoch seconds
	}
	for _, l := range conditionDateLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

func isIPOrCIDR(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// stripPolicyVariables removes ${...} from s, so that the escapes ${*} and ${?} and
// variables do not count as wildcards.
func stripPolicyVariables(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}
