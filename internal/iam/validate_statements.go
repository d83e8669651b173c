package iam

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// Policy- and statement-level checks: Version, Sid, the Not* elements with Allow,
// iam:PassRole on every role, redundant statements and the size limit.

func (v *validator) checkVersion(p *Policy) {
	switch p.Version {
	case "":
		v.add(CodeMissingVersion, "$",
			`the policy has no Version element: AWS then applies version %s, in which policy variables such as ${aws:username} are not replaced; add "Version": %q`,
			Version2008, Version2012)
	case Version2008:
		v.add(CodeOldVersion, "$.Version",
			`version %s is the old policy language: policy variables such as ${aws:username} are not replaced; use %q`,
			Version2008, Version2012)
	}
}

// checkSids applies IAM's Sid rules (letters and digits only, unique within the policy).
// Resource-based policies of other services have their own rules (S3 allows spaces, for
// example), so they are not held to IAM's.
func (v *validator) checkSids(p *Policy) {
	if v.kind == KindResource {
		return
	}
	first := map[string]string{}
	for _, s := range p.Statements {
		if s.Sid == "" {
			continue
		}
		path := s.Path + ".Sid"
		if !isAlphanumeric(s.Sid) {
			v.add(CodeInvalidSid, path,
				"Sid %q has characters IAM does not accept: only A-Z, a-z and 0-9 are allowed", s.Sid)
		}
		if prev, dup := first[s.Sid]; dup {
			v.add(CodeDuplicateSid, path,
				"Sid %q is also the Sid of %s: IAM requires each statement's Sid to be unique within a policy", s.Sid, prev)
			continue
		}
		first[s.Sid] = s.Path
	}
}

func isAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (v *validator) checkNotElements(s *Statement) {
	if s.Effect != Allow {
		return
	}
	if s.NotAction {
		v.add(CodeAllowWithNotAction, s.Path+".NotAction",
			"Allow with NotAction allows every action not listed, including actions AWS adds later; list the allowed actions in Action instead")
	}
	if s.NotResource {
		v.add(CodeAllowWithNotResource, s.Path+".NotResource",
			"Allow with NotResource allows every resource not listed, including resources created later; list the allowed resources in Resource instead")
	}
	if s.NotPrincipal != nil {
		v.add(CodeAllowWithNotPrincipal, s.Path+".NotPrincipal",
			"Allow with NotPrincipal allows every principal not listed, anonymous users included; name the allowed principals in Principal instead")
	}
}

// checkPassRole reports an Allow of iam:PassRole (named or through a wildcard) on every
// role: whoever holds it can hand any role, an administrator's included, to a service it
// can run, and so act with that role's permissions.
func (v *validator) checkPassRole(s *Statement, info *stmtInfo) {
	if s.Effect != Allow || !s.HasResource() {
		return
	}
	id, ok := catalog.Default().LookupAction("iam:PassRole")
	if !ok || !info.actions.Has(id) {
		return
	}
	const advice = "iam:PassRole is allowed on every role: a principal can pass any role, administrators' included, to a service it runs; name the roles it may pass (and add an iam:PassedToService condition)"
	if s.NotResource {
		v.add(CodePassRoleAllResources, s.Path+".NotResource", "%s", advice)
		return
	}
	for i, r := range s.Resources {
		if coversAllRoles(r) {
			v.add(CodePassRoleAllResources, v.listPath(s.Path+".Resource", i, len(s.Resources)), "%s", advice)
			return
		}
	}
}

// coversAllRoles reports whether a Resource value matches every IAM role: "*", or an IAM
// ARN whose resource is a wildcard over all of "role/..." ("role/*", "role*", "*").
func coversAllRoles(r string) bool {
	if r == "*" {
		return true
	}
	a, err := SplitARN(r)
	if err != nil || (a.Service != "iam" && strings.Trim(a.Service, "*") != "") {
		return false
	}
	lit, _, wild := strings.Cut(a.Resource, "*")
	return wild && strings.HasPrefix("role/", lit) && !strings.ContainsAny(lit, "?$")
}

// checkRedundantStatements reports a statement whose whole effect another statement of
// the policy already has: same effect and principal, its actions a subset, its resources
// covered, and the other statement's conditions absent or the same. Of two identical
// statements the later one is reported. Statements with an action the catalog does not
// know are never reported, as they may grant more than the catalog shows.
func (v *validator) checkRedundantStatements(stmts []*stmtInfo) {
	for _, s := range stmts {
		s.nActions = s.actions.Len()
		s.principal = principalBytes(s.st.Principal)
		s.notPrincipal = principalBytes(s.st.NotPrincipal)
		s.conditions = conditionBytes(s.st.Conditions)
	}
	for i, a := range stmts {
		if !a.allKnown || a.nActions == 0 {
			continue
		}
		for j, b := range stmts {
			if i == j || b.nActions < a.nActions || !statementCovers(b, a) {
				continue
			}
			if statementCovers(a, b) && i < j {
				continue // identical: the later one is the redundant one
			}
			msg := "the statement is redundant: %s already %s everything it does"
			verb := "allows"
			if a.st.Effect == Deny {
				verb = "denies"
			}
			v.add(CodeRedundantStatement, a.st.Path, msg, statementName(b.st), verb)
			break
		}
	}
}

func statementName(s *Statement) string {
	if s.Sid != "" {
		return s.Path + " (Sid " + strconv.Quote(s.Sid) + ")"
	}
	return s.Path
}

// statementCovers reports whether statement b has every effect of statement a.
func statementCovers(b, a *stmtInfo) bool {
	sa, sb := a.st, b.st
	if sa.Effect != sb.Effect || !bytes.Equal(a.principal, b.principal) || !bytes.Equal(a.notPrincipal, b.notPrincipal) {
		return false
	}
	if b.conditions != nil && !bytes.Equal(a.conditions, b.conditions) {
		return false
	}
	return b.nActions >= a.nActions && b.actions.ContainsAll(a.actions) && resourcesCover(sb, sa)
}

func principalBytes(p *Principal) []byte {
	if p == nil {
		return nil
	}
	var b bytes.Buffer
	writePrincipal(&b, p)
	return b.Bytes()
}

func conditionBytes(cs []Condition) []byte {
	if len(cs) == 0 {
		return nil
	}
	var b bytes.Buffer
	writeConditions(&b, cs)
	return b.Bytes()
}

// resourcesCover reports whether statement b applies to every resource a applies to.
// Mixed Resource/NotResource pairs other than b's "*" are left undecided (false).
func resourcesCover(b, a *Statement) bool {
	if !b.NotResource && slices.Contains(b.Resources, "*") {
		return true
	}
	switch {
	case !a.HasResource() || !b.HasResource():
		return !a.HasResource() && !b.HasResource()
	case !a.NotResource && !b.NotResource:
		return everyCovered(a.Resources, b.Resources)
	case a.NotResource && b.NotResource:
		// b excludes less than a: each of b's exclusions lies within one of a's.
		return everyCovered(b.Resources, a.Resources)
	}
	return false
}

// everyCovered reports whether every pattern of inner is covered by some pattern of outer.
func everyCovered(inner, outer []string) bool {
	for _, in := range inner {
		ok := false
		for _, out := range outer {
			if globCovers(out, in) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// globCovers reports whether IAM pattern outer matches every string that pattern inner
// matches ('*' any run, '?' one character, compared case-sensitively as ARNs are; a policy
// variable only covers the same variable), with the containment check diff and minimise use.
func globCovers(outer, inner string) bool {
	return globContains(tokenizeGlob(outer), tokenizeGlob(inner))
}

func (v *validator) checkSize(size int) {
	limit, maxLimit := SizeLimit(v.kind), SizeLimitMax(v.kind)
	switch {
	case limit == 0 || size <= limit:
	case size > maxLimit && maxLimit > limit:
		v.add(CodePolicyTooLarge, "$",
			"the policy is %s characters (whitespace not counted), over the %s-character maximum for %s (the default quota is %s)",
			thousands(size), thousands(maxLimit), kindPlural(v.kind), thousands(limit))
	case size > maxLimit:
		v.add(CodePolicyTooLarge, "$",
			"the policy is %s characters (whitespace not counted), over the %s-character limit for %s",
			thousands(size), thousands(limit), kindPlural(v.kind))
	default:
		v.add(CodePolicySizeNeedsQuota, "$",
			"the policy is %s characters (whitespace not counted), over the default %s-character quota for %s: AWS accepts it only after a quota increase (up to %s)",
			thousands(size), thousands(limit), kindPlural(v.kind), thousands(maxLimit))
	}
}

func kindPlural(k Kind) string {
	switch k {
	case KindManaged:
		return "managed policies"
	case KindInlineUser:
		return "inline user policies"
	case KindInlineGroup:
		return "inline group policies"
	case KindInlineRole:
		return "inline role policies"
	case KindTrust:
		return "role trust policies"
	case KindSCP:
		return "service control policies"
	case KindSession:
		return "session policies"
	case KindBoundary:
		return "permissions boundaries (managed policies)"
	}
	return string(k) + " policies"
}

// thousands writes n with comma separators, as AWS's documentation writes limits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
