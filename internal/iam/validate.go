package iam

// Validate checks a policy document the way IAM Access Analyzer's validate-policy does and
// reports findings, each with a severity, a stable code, the JSON path it is about and a
// message. docs/policy-validation.md has the same table with examples.
//
// Severities, as Access Analyzer defines them: ERROR, a part of the policy does not work
// (or AWS rejects the policy); SECURITY_WARNING, the policy allows access that is likely
// too broad; WARNING, the policy does not follow policy-writing practice or probably does
// not do what was meant; SUGGESTION, a change that simplifies the policy without changing
// what it allows.
//
//	code                             severity          reported when
//	JSON_SYNTAX                      ERROR             the document is not valid JSON (message has line:column)
//	POLICY_STRUCTURE                 ERROR             Parse rejects an element (wrong type, unknown or missing element,
//	                                                   Principal in an identity policy, bad Effect or Version, ...)
//	MISSING_VERSION                  WARNING           no Version: AWS uses 2008-10-17 and policy variables stay literal text
//	OLD_VERSION                      WARNING           Version 2008-10-17: policy variables stay literal text
//	INVALID_SID                      ERROR             a Sid with characters other than A-Z, a-z, 0-9 (IAM policies)
//	DUPLICATE_SID                    ERROR             two statements with the same Sid (IAM policies)
//	INVALID_ACTION_FORMAT            ERROR             an action that is not "service:action" ("*" aside), or has spaces or other characters
//	UNKNOWN_SERVICE                  ERROR             the action's service prefix is not in the catalog (did you mean)
//	UNKNOWN_ACTION                   ERROR             the service is known but the action is not (did you mean)
//	ACTION_MATCHES_NOTHING           ERROR             a wildcard pattern that matches no action of the catalog
//	REDUNDANT_ACTION                 SUGGESTION        an action already covered by another entry of the same Action/NotAction list
//	MALFORMED_ARN                    ERROR             a Resource/NotResource value that is neither "*" nor a well-formed ARN
//	RESOURCE_TYPE_MISMATCH           WARNING           an ARN that none of the statement's actions can apply to
//	UNKNOWN_CONDITION_OPERATOR       ERROR             a condition operator AWS does not define (did you mean)
//	UNKNOWN_CONDITION_KEY            WARNING           a condition key that is neither global nor in the catalog (did you mean)
//	CONDITION_TYPE_MISMATCH          WARNING           the operator does not fit the key's type (a Date key with StringEquals, ...)
//	INVALID_CONDITION_VALUE          WARNING           a value the operator cannot read (not a date, number, CIDR, true/false, base64, ARN)
//	WILDCARD_WITHOUT_LIKE            WARNING           '*' in a value of a String...Equals operator, where it is a literal character
//	MISSING_SET_QUALIFIER            WARNING           a multivalued key used without ForAllValues:/ForAnyValue:
//	FORANYVALUE_SINGLE_VALUED_KEY    WARNING           ForAnyValue: with a single-valued key
//	FORALLVALUES_SINGLE_VALUED_KEY   SECURITY_WARNING  ForAllValues: with a single-valued key (true when the key is absent)
//	ALLOW_WITH_NOT_ACTION            SECURITY_WARNING  Allow with NotAction: allows every action not listed, also future ones
//	ALLOW_WITH_NOT_RESOURCE          SECURITY_WARNING  Allow with NotResource: allows every resource not listed
//	ALLOW_WITH_NOT_PRINCIPAL         SECURITY_WARNING  Allow with NotPrincipal: allows every principal not listed
//	PASS_ROLE_ALL_RESOURCES          SECURITY_WARNING  iam:PassRole allowed on every role ("*", role/*, or NotResource)
//	REDUNDANT_STATEMENT              SUGGESTION        a statement whose effect is wholly contained in another statement
//	POLICY_TOO_LARGE                 ERROR             the document is over the size limit of its kind (whitespace not counted)
//	POLICY_SIZE_NEEDS_QUOTA_INCREASE WARNING           a trust policy over the default 2,048 characters, within the 4,096 maximum

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// Severity is how much a finding matters, as IAM Access Analyzer grades them.
type Severity string

const (
	SeverityError           Severity = "ERROR"
	SeveritySecurityWarning Severity = "SECURITY_WARNING"
	SeverityWarning         Severity = "WARNING"
	SeveritySuggestion      Severity = "SUGGESTION"
)

// Finding codes; each always comes with the same severity (see the table above).
const (
	CodeJSONSyntax                  = "JSON_SYNTAX"
	CodePolicyStructure             = "POLICY_STRUCTURE"
	CodeMissingVersion              = "MISSING_VERSION"
	CodeOldVersion                  = "OLD_VERSION"
	CodeInvalidSid                  = "INVALID_SID"
	CodeDuplicateSid                = "DUPLICATE_SID"
	CodeInvalidActionFormat         = "INVALID_ACTION_FORMAT"
	CodeUnknownService              = "UNKNOWN_SERVICE"
	CodeUnknownAction               = "UNKNOWN_ACTION"
	CodeActionMatchesNothing        = "ACTION_MATCHES_NOTHING"
	CodeRedundantAction             = "REDUNDANT_ACTION"
	CodeMalformedARN                = "MALFORMED_ARN"
	CodeResourceTypeMismatch        = "RESOURCE_TYPE_MISMATCH"
	CodeUnknownConditionOperator    = "UNKNOWN_CONDITION_OPERATOR"
	CodeUnknownConditionKey         = "UNKNOWN_CONDITION_KEY"
	CodeConditionTypeMismatch       = "CONDITION_TYPE_MISMATCH"
	CodeInvalidConditionValue       = "INVALID_CONDITION_VALUE"
	CodeWildcardWithoutLike         = "WILDCARD_WITHOUT_LIKE"
	CodeMissingSetQualifier         = "MISSING_SET_QUALIFIER"
	CodeForAnyValueSingleValuedKey  = "FORANYVALUE_SINGLE_VALUED_KEY"
	CodeForAllValuesSingleValuedKey = "FORALLVALUES_SINGLE_VALUED_KEY"
	CodeAllowWithNotAction          = "ALLOW_WITH_NOT_ACTION"
	CodeAllowWithNotResource        = "ALLOW_WITH_NOT_RESOURCE"
	CodeAllowWithNotPrincipal       = "ALLOW_WITH_NOT_PRINCIPAL"
	CodePassRoleAllResources        = "PASS_ROLE_ALL_RESOURCES"
	CodeRedundantStatement          = "REDUNDANT_STATEMENT"
	CodePolicyTooLarge              = "POLICY_TOO_LARGE"
	CodePolicySizeNeedsQuota        = "POLICY_SIZE_NEEDS_QUOTA_INCREASE"
)

// codeSeverity is the severity of each code, as the table above lists it.
var codeSeverity = map[string]Severity{
	CodeJSONSyntax:                  SeverityError,
	CodePolicyStructure:             SeverityError,
	CodeMissingVersion:              SeverityWarning,
	CodeOldVersion:                  SeverityWarning,
	CodeInvalidSid:                  SeverityError,
	CodeDuplicateSid:                SeverityError,
	CodeInvalidActionFormat:         SeverityError,
	CodeUnknownService:              SeverityError,
	CodeUnknownAction:               SeverityError,
	CodeActionMatchesNothing:        SeverityError,
	CodeRedundantAction:             SeveritySuggestion,
	CodeMalformedARN:                SeverityError,
	CodeResourceTypeMismatch:        SeverityWarning,
	CodeUnknownConditionOperator:    SeverityError,
	CodeUnknownConditionKey:         SeverityWarning,
	CodeConditionTypeMismatch:       SeverityWarning,
	CodeInvalidConditionValue:       SeverityWarning,
	CodeWildcardWithoutLike:         SeverityWarning,
	CodeMissingSetQualifier:         SeverityWarning,
	CodeForAnyValueSingleValuedKey:  SeverityWarning,
	CodeForAllValuesSingleValuedKey: SeveritySecurityWarning,
	CodeAllowWithNotAction:          SeveritySecurityWarning,
	CodeAllowWithNotResource:        SeveritySecurityWarning,
	CodeAllowWithNotPrincipal:       SeveritySecurityWarning,
	CodePassRoleAllResources:        SeveritySecurityWarning,
	CodeRedundantStatement:          SeveritySuggestion,
	CodePolicyTooLarge:              SeverityError,
	CodePolicySizeNeedsQuota:        SeverityWarning,
}

// CodeSeverity returns the severity findings with the code always have, and false for a
// code Validate does not produce.
func CodeSeverity(code string) (Severity, bool) {
	s, ok := codeSeverity[code]
	return s, ok
}

// Finding is one result of Validate.
type Finding struct {
	Severity    Severity
	Code        string   // stable, UPPER_SNAKE, e.g. "UNKNOWN_ACTION"
	Path        string   // JSON path of what it is about, e.g. "$.Statement[0].Action[1]"
	Message     string   // what is wrong, without the suggestions
	Suggestions []string `json:",omitempty"` // "did you mean" candidates, best first
}

// String formats the finding on one line:
//
//	ERROR UNKNOWN_ACTION $.Statement[0].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)
func (f Finding) String() string {
	return fmt.Sprintf("%s %s %s: %s%s", f.Severity, f.Code, f.Path, f.Message, didYouMeanSuffix(f.Suggestions))
}

// didYouMeanSuffix renders suggestions as " (did you mean a, b or c?)", or "" for none.
func didYouMeanSuffix(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return " (did you mean " + s[0] + "?)"
	}
	return " (did you mean " + strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1] + "?)"
}

// Validate checks a policy document of the given kind. It never fails: a JSON syntax error
// or a structural error that Parse reports becomes an ERROR finding at its path. Findings
// are sorted by path (list indexes in numeric order), then code, then message.
func Validate(doc []byte, kind Kind) []Finding {
	root, err := parseJSONTree(doc)
	if err != nil {
		msg := err.Error()
		if se := (*SyntaxError)(nil); errors.As(err, &se) && strings.HasSuffix(se.Msg, "EOF") {
			msg = fmt.Sprintf("invalid JSON at line %d, column %d: unexpected end of input", se.Line, se.Column)
		}
		return []Finding{{Severity: codeSeverity[CodeJSONSyntax], Code: CodeJSONSyntax, Path: "$", Message: msg}}
	}
	size := PolicySize(doc)
	p, err := parseTree(root, kind)
	if err != nil {
		v := &validator{kind: kind}
		var pes ParseErrors
		if errors.As(err, &pes) {
			for _, pe := range pes {
				v.add(CodePolicyStructure, pe.Path, "%s", pe.Msg)
			}
		} else {
			v.add(CodePolicyStructure, "$", "%s", err.Error())
		}
		v.checkSize(size)
		return v.sorted()
	}
	v := &validator{kind: kind, nodes: map[string]*node{}}
	walkPaths(root, "$", func(path string, n *node) { v.nodes[path] = n })
	return v.run(p, size)
}

// ValidatePolicy checks an already parsed policy. size is the document's size as
// PolicySize counts it; when it is 0 or less the canonical form's size is used, which is
// the size of the policy as ciem writes it to AWS. Without the source document, a list of
// one value is assumed to have been written as a plain string when paths are formed
// ("$.Statement[0].Action" rather than "$.Statement[0].Action[0]").
func ValidatePolicy(p *Policy, kind Kind, size int) []Finding {
	if size <= 0 {
		size = PolicySize(Canonical(p))
	}
	v := &validator{kind: kind}
	return v.run(p, size)
}

// validator collects the findings of one policy.
type validator struct {
	kind     Kind
	nodes    map[string]*node // the source document's values by path; nil without a document
	findings []Finding
}

// add records a finding with its code's severity. The pointer it returns, for adding
// suggestions, is valid until the next add.
func (v *validator) add(code, path, format string, args ...any) *Finding {
	v.findings = append(v.findings, Finding{Severity: codeSeverity[code], Code: code, Path: path, Message: fmt.Sprintf(format, args...)})
	return &v.findings[len(v.findings)-1]
}

func (v *validator) run(p *Policy, size int) []Finding {
	v.checkVersion(p)
	v.checkSids(p)
	stmts := make([]*stmtInfo, len(p.Statements))
	for i, s := range p.Statements {
		stmts[i] = v.checkStatement(s)
	}
	v.checkRedundantStatements(stmts)
	v.checkSize(size)
	return v.sorted()
}

// stmtInfo is what the statement checks learn about a statement that later checks reuse.
type stmtInfo struct {
	st       *Statement
	actions  catalog.ActionSet // expansion of Action, or of NotAction (all actions not listed)
	allKnown bool              // every Action/NotAction entry is well formed and matches some action

	// Filled in by checkRedundantStatements, which compares every pair.
	nActions                            int
	principal, notPrincipal, conditions []byte
}

func (v *validator) checkStatement(s *Statement) *stmtInfo {
	info := &stmtInfo{st: s}
	v.checkNotElements(s)
	v.checkActions(s, info)
	v.checkResources(s, info)
	v.checkPassRole(s, info)
	v.checkConditions(s)
	return info
}

// listPath is the path of the i-th of n values of the element at base. The source
// document says whether the element was a string or a list; without it, one value is
// taken to be a string.
func (v *validator) listPath(base string, i, n int) string {
	if v.nodes != nil {
		if nd, ok := v.nodes[base]; ok && nd.kind != kindArray {
			return base
		}
		return fmt.Sprintf("%s[%d]", base, i)
	}
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s[%d]", base, i)
}

func (v *validator) sorted() []Finding {
	out := slices.Clone(v.findings)
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := compareJSONPaths(a.Path, b.Path); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return cmp.Compare(a.Message, b.Message)
	})
	if out == nil {
		out = []Finding{}
	}
	return out
}

// compareJSONPaths orders JSON paths with runs of digits compared as numbers, so that
// Statement[2] comes before Statement[10].
func compareJSONPaths(a, b string) int {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// suggestDistance is the case-insensitive optimal-string-alignment distance (insert, delete,
// substitute, swap of neighbours) between a and b, used to rank "did you mean" candidates
// that the catalog's own Suggest does not cover (operators, condition keys). No distance
// exceeds the longer length, so that limit never cuts the computation short.
func suggestDistance(a, b string) int {
	a, b = strings.ToLower(a), strings.ToLower(b)
	return catalog.EditDistance(a, b, max(len(a), len(b)))
}

// closestNames returns the candidates nearest to s, at most n, keeping only those as near as
// the best one so that a clear answer is not buried among weaker ones; none when the best
// is further than limit.
func closestNames(s string, cands []string, limit, n int) []string {
	best := limit + 1
	var out []string
	for _, c := range cands {
		d := suggestDistance(s, c)
		switch {
		case d < best:
			best, out = d, []string{c}
		case d == best && !slices.Contains(out, c):
			out = append(out, c)
		}
	}
	if best > limit {
		return nil
	}
	slices.Sort(out)
	if len(out) > n {
		out = out[:n]
	}
	return out
}
