package iam

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wildcard, action, ARN and principal matching.
//
// Patterns are compiled once into tokens (literal text, '*', '?') and matched without
// regular expressions or allocation. The rules follow the reference simulator
// (@cloud-copilot/iam-simulate), which implements AWS's: a wildcard never matches a line
// break (its regular expressions use '.'), case-insensitive comparisons fold case as
// JavaScript's /i does, and an ARN is compared segment by segment.

type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // '*': any run of characters
	tokQmark                // '?': exactly one character
)

type tok struct {
	kind tokKind
	s    string // the text of a tokLit
}

// globTokens compiles a pattern with '*' and '?' wildcards and no variables.
func globTokens(p string) []tok {
	t := compileTemplate(p, false, true)
	return t.toks
}

// globMatch reports whether s matches toks. fold compares case-insensitively.
//
// It is the classic wildcard matcher that backtracks only to the last '*': a later star can
// absorb whatever an earlier one could, so earlier choices never need revisiting. A star
// cannot absorb a line break, and then no placement of the stars can succeed either (a
// line break can only be matched by literal text), so the match fails at once.
func globMatch(toks []tok, s string, fold bool) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				ti++
				starTi, starSi = ti, si
				continue
			case tokQmark:
				if si < len(s) {
					r, n := utf8.DecodeRuneInString(s[si:])
					if !isLineTerminator(r) {
						ti++
						si += n
						continue
					}
				}
			default:
				if n, ok := prefixAt(s, si, t.s, fold); ok {
					ti++
					si += n
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		r, n := utf8.DecodeRuneInString(s[starSi:])
		if isLineTerminator(r) {
			return false
		}
		starSi += n
		ti, si = starTi, starSi
	}
}

// prefixAt reports whether s[i:] starts with lit, and how many bytes of s matched.
func prefixAt(s string, i int, lit string, fold bool) (int, bool) {
	rest := s[i:]
	if !fold {
		if strings.HasPrefix(rest, lit) {
			return len(lit), true
		}
		return 0, false
	}
	j := 0 // into rest
	for k := 0; k < len(lit); {
		if j >= len(rest) {
			return 0, false
		}
		a, b := lit[k], rest[j]
		if a < utf8.RuneSelf && b < utf8.RuneSelf {
			if a != b && upperASCII(a) != upperASCII(b) {
				return 0, false
			}
			k++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(lit[k:])
		rb, nb := utf8.DecodeRuneInString(rest[j:])
		if ra != rb && jsCanon(ra) != jsCanon(rb) {
			return 0, false
		}
		k += na
		j += nb
	}
	return j, true
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// jsCanon is JavaScript's case-insensitive canonical form of a character (the /i flag
// without /u): its upper case, unless that would map a non-ASCII letter to ASCII.
func jsCanon(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(upperASCII(byte(r)))
	}
	if r > 0xffff {
		return r // JavaScript sees two surrogates, which have no case
	}
	u := unicode.ToUpper(r)
	if u < utf8.RuneSelf || u > 0xffff {
		return r
	}
	return u
}

// isLineTerminator reports the characters a JavaScript '.' does not match.
func isLineTerminator(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029
}

// isAllWildcards reports whether s is one or more '*' and nothing else ("*", "**").
func isAllWildcards(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '*' {
			return false
		}
	}
	return true
}

// ---- Actions ----

// actionMatcher matches a request's action against a statement's Action (or NotAction)
// list: "*" matches everything; otherwise the service must equal the pattern's service
// and the action name must match the pattern, case-insensitively.
type actionMatcher struct {
	all       bool
	patterns  []actionPattern
	byService map[string][]actionPattern // for long lists (e.g. ReadOnlyAccess)
}

type actionPattern struct {
	service string // lower-cased
	toks    []tok
}

// byServiceMin is the list length from which patterns are grouped by service.
const byServiceMin = 8

func compileActions(list []string) actionMatcher {
	var m actionMatcher
	for _, a := range list {
		if isAllWildcards(a) {
			m.all = true
			continue
		}
		svc, rest, ok := strings.Cut(a, ":")
		if !ok {
			continue // not service:action; matches nothing
		}
		name, _, _ := strings.Cut(rest, ":")
		if name == "" || strings.IndexFunc(name, isJSSpace) >= 0 {
			continue // the reference matches nothing for an empty or blank action name
		}
		m.patterns = append(m.patterns, actionPattern{service: strings.ToLower(svc), toks: globTokens(name)})
	}
	if len(m.patterns) >= byServiceMin {
		m.byService = make(map[string][]actionPattern)
		for _, p := range m.patterns {
			m.byService[p.service] = append(m.byService[p.service], p)
		}
	}
	return m
}

// match reports whether the request's action (service lower-cased, name as written)
// matches any pattern.
func (m *actionMatcher) match(service, name string) bool {
	if m.all {
		return true
	}
	list := m.patterns
	if m.byService != nil {
		list = m.byService[service]
	}
	for i := range list {
		p := &list[i]
		if p.service == service && globMatch(p.toks, name, true) {
			return true
		}
	}
	return false
}

// ---- ARNs ----

// arn is a request ARN split at its first five colons. Missing segments are empty.
type arn struct {
	partition, service, region, account, resource string
	segments                                      int // ':'-separated segments, at most 6
}

func splitARN(s string) arn {
	f, n := splitPolicyARN(s, false) // a request ARN holds no policy variables
	// f[0] is "arn", which the reference never compares.
	return arn{partition: f[1], service: f[2], region: f[3], account: f[4], resource: f[5], segments: n}
}

// splitPolicyARN splits a policy's ARN into at most six segments (the last one the rest)
// and returns how many there are. With variables enabled a colon inside ${...} does not
// split: AWS's own managed policies write arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*.
func splitPolicyARN(s string, vars bool) (seg [6]string, n int) {
	start := 0
	for i := 0; i < len(s) && n < 5; i++ {
		switch s[i] {
		case '$':
			if vars && i+1 < len(s) && s[i+1] == '{' {
				if end := strings.IndexByte(s[i+2:], '}'); end >= 0 {
					i += 2 + end
				}
			}
		case ':':
			seg[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	seg[n] = s[start:]
	return seg, n + 1
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type shortARNRule uint8

const (
	shortExpand  shortARNRule = iota // pad the missing segments with '*'
	shortNoMatch                     // does not match
	shortReject                      // invalid: matches nothing, and NotResource does not match either
)

// shortARNRules gives, per layer, the rule for a short ARN (fewer than six segments)
// without and with a wildcard in it, as the reference simulator applies them.
var shortARNRules = [...][2]shortARNRule{
	LayerIdentity: {shortExpand, shortExpand},
	LayerSession:  {shortExpand, shortExpand},
	LayerBoundary: {shortExpand, shortExpand},
	LayerResource: {shortNoMatch, shortExpand},
	LayerSCP:      {shortReject, shortExpand},
	LayerRCP:      {shortReject, shortReject},
	LayerService:  {shortNoMatch, shortNoMatch},
}

// resourcePattern is one compiled value of a Resource or NotResource element.
type resourcePattern struct {
	all bool // "*" (or "**"...)

	short         bool             // fewer than six segments
	anyWildcard   bool             // a '*' anywhere (short ARNs)
	trailWildcard bool             // the last segment ends with '*' (short ARNs in SCPs)
	expanded      *resourcePattern // the short ARN padded with '*' segments

	raw     [5]string   // partition, service, region, account and resource as written
	segs    [4]template // partition, service, region, account: case-insensitive
	product string      // the resource type prefix ("user/", "table/"), compared literally
	id      template    // the rest of the resource, case-sensitive
}

func compileResource(s string, vars bool) *resourcePattern {
	p := &resourcePattern{}
	if isAllWildcards(s) {
		p.all = true
		return p
	}
	seg, n := splitPolicyARN(s, vars)
	if n < 6 {
		p.short = true
		p.anyWildcard = strings.Contains(s, "*")
		p.trailWildcard = strings.HasSuffix(s[strings.LastIndexByte(s, ':')+1:], "*")
		padded := s + strings.Repeat(":*", 6-n)
		p.expanded = compileResource(padded, vars)
		return p
	}
	copy(p.raw[:], seg[1:])
	for i := range p.segs {
		p.segs[i] = compileTemplate(seg[i+1], vars, true)
	}
	res := seg[5]
	if seg[2] == "s3" && seg[3] == "" && seg[4] == "" {
		// S3 bucket and object ARNs have no resource type prefix.
		p.id = compileTemplate(res, vars, true)
		return p
	}
	cut := productEnd(res, vars)
	p.product = res[:cut]
	p.id = compileTemplate(res[cut:], vars, true)
	return p
}

// productEnd returns the end of the resource type prefix: just past the first '/' or ':'.
// A variable before it leaves no literal prefix (the whole resource is then a pattern).
func productEnd(res string, vars bool) int {
	for i := 0; i < len(res); i++ {
		switch res[i] {
		case '/', ':':
			return i + 1
		case '$':
			if vars && i+1 < len(res) && res[i+1] == '{' && strings.IndexByte(res[i+2:], '}') >= 0 {
				return 0
			}
		}
	}
	return 0
}

// resourceMatch is the outcome of matching one Resource value: whether it matched, and
// whether a mismatch proves the request is outside the value (so that NotResource matches).
// A mismatch from an invalid value or an unresolvable variable proves nothing.
type resourceMatch struct {
	matched    bool
	invertible bool
}

var (
	resMatched = resourceMatch{matched: true, invertible: true}
	resMissed  = resourceMatch{invertible: true}
	resInvalid = resourceMatch{}
)

// match matches the request's resource (already split) against the pattern.
func (p *resourcePattern) match(r *requestView, layer Layer, deny, notResource bool) resourceMatch {
	if p.all {
		return resMatched
	}
	if p.short {
		rule := shortARNRules[layer]
		wild := p.anyWildcard
		if rule[0] == shortReject && rule[1] != shortReject {
			wild = p.trailWildcard // an SCP's short ARN needs a trailing wildcard
		}
		switch rule[boolInt(wild)] {
		case shortReject:
			return resInvalid
		case shortNoMatch:
			return resMissed
		}
		if m := p.expanded.match(r, layer, deny, notResource); m.matched {
			return m
		}
		return resInvalid // the reference does not invert a padded ARN's mismatch
	}
	if r.resourceIsStar {
		// "*" is the resource of an action without resource types: only "*" matches it.
		return resMissed
	}
	if r.resourceHasWildcard {
		if m, ok := p.matchPattern(r, deny, notResource); ok {
			return m
		}
	}
	var buf [16]tok
	for i := range p.segs {
		toks, st := p.segs[i].resolve(r.ctx, buf[:])
		switch {
		case st == unresolvable:
			return resInvalid
		case st == resolvesToNothing || !globMatch(toks, r.arn.segment(i), true):
			return resMissed
		}
	}
	if !strings.HasPrefix(r.arn.resource, p.product) {
		return resMissed
	}
	toks, st := p.id.resolve(r.ctx, buf[:])
	switch {
	case st == unresolvable:
		return resInvalid
	case st == resolvesToNothing || !globMatch(toks, r.arn.resource[len(p.product):], false):
		return resMissed
	}
	return resMatched
}

func (a *arn) segment(i int) string {
	switch i {
	case 0:
		return a.partition
	case 1:
		return a.service
	case 2:
		return a.region
	}
	return a.account
}

// matchPattern applies the reference's rules for a request resource that is itself a
// pattern (contains '*'): an Allow matches when the two overlap, a Deny only when the
// policy covers the request; NotResource the converse. ok is false when the ordinary
// comparison decides.
func (p *resourcePattern) matchPattern(r *requestView, deny, notResource bool) (resourceMatch, bool) {
	var ov [5]overlap
	req := [5]string{r.arn.partition, r.arn.service, r.arn.region, r.arn.account, r.arn.resource}
	for i := range ov {
		ov[i] = patternOverlap(p.raw[i], req[i])
	}
	every := func(f func(overlap) bool) bool {
		for _, o := range ov {
			if !f(o) {
				return false
			}
		}
		return true
	}
	some := func(f func(overlap) bool) bool { return !every(func(o overlap) bool { return !f(o) }) }
	switch {
	case !notResource && !deny:
		if every(func(o overlap) bool { return o != overlapNone }) {
			return resMatched, true
		}
	case !notResource && deny:
		if some(func(o overlap) bool { return o == overlapNone || o == overlapPolicySubset }) {
			return resMissed, true
		}
	case notResource && !deny:
		if every(func(o overlap) bool { return o == overlapEqual || o == overlapPolicySuperset }) {
			return resMatched, true
		}
		return resMissed, true
	default:
		if some(func(o overlap) bool { return o == overlapNone }) {
			return resMissed, true
		}
		return resMatched, true
	}
	return resourceMatch{}, false
}

type overlap uint8

const (
	overlapNone overlap = iota
	overlapEqual
	overlapPolicySubset   // the request pattern covers the policy's
	overlapPolicySuperset // the policy pattern covers the request's
	overlapSome
)

// patternOverlap compares a policy pattern ('*' and '?') with a request pattern ('*' only).
func patternOverlap(policy, request string) overlap {
	if policy == request {
		return overlapEqual
	}
	if globMatch(requestPatternTokens(request), policy, false) {
		return overlapPolicySubset
	}
	if globMatch(globTokens(policy), request, false) {
		return overlapPolicySuperset
	}
	if patternsIntersect([]rune(policy), []rune(request)) {
		return overlapSome
	}
	return overlapNone
}

// requestPatternTokens compiles a request pattern, where only '*' is a wildcard.
func requestPatternTokens(s string) []tok {
	var toks []tok
	for {
		i := strings.IndexByte(s, '*')
		if i < 0 {
			if s != "" {
				toks = append(toks, tok{kind: tokLit, s: s})
			}
			return toks
		}
		if i > 0 {
			toks = append(toks, tok{kind: tokLit, s: s[:i]})
		}
		toks = append(toks, tok{kind: tokStar})
		s = s[i+1:]
	}
}

// patternsIntersect reports whether some string matches both patterns (policy: '*' and
// '?'; request: '*').
func patternsIntersect(policy, request []rune) bool {
	w := len(request) + 1
	seen := make([]bool, (len(policy)+1)*w)
	var visit func(i, j int) bool
	visit = func(i, j int) bool {
		if seen[i*w+j] {
			return false
		}
		seen[i*w+j] = true
		if i == len(policy) && j == len(request) {
			return true
		}
		pStar := i < len(policy) && policy[i] == '*'
		rStar := j < len(request) && request[j] == '*'
		if pStar && visit(i+1, j) {
			return true
		}
		if rStar && visit(i, j+1) {
			return true
		}
		if i < len(policy) && j < len(request) {
			pWild := pStar || policy[i] == '?'
			if pWild || rStar || policy[i] == request[j] {
				ni, nj := i+1, j+1
				if pStar {
					ni = i
				}
				if rStar {
					nj = j
				}
				if visit(ni, nj) {
					return true
				}
			}
		}
		return false
	}
	return visit(0, 0)
}

// ---- Principals ----

type principalKind uint8

const (
	principalWildcard principalKind = iota // AWS "*"
	principalAccount                       // AWS "123456789012" or "arn:aws:iam::123456789012:root"
	principalUniqueID                      // AWS "AROA..." (never matches a request)
	principalARN                           // AWS ARN of a user, role, session...
	principalService
	principalFederated
	principalCanonical
)

type principalEntry struct {
	kind    principalKind
	value   string
	account string // principalAccount

	// For a role ARN: what an assumed-role session of that role has.
	role                                 bool
	rolePartition, roleAccount, roleName string
}

func compilePrincipal(p *Principal) []principalEntry {
	if p == nil {
		return nil
	}
	var out []principalEntry
	if p.All {
		out = append(out, principalEntry{kind: principalWildcard, value: "*"})
	}
	for _, v := range p.AWS {
		out = append(out, compileAWSPrincipal(v))
	}
	for _, v := range p.Service {
		out = append(out, principalEntry{kind: principalService, value: v})
	}
	for _, v := range p.Federated {
		out = append(out, principalEntry{kind: principalFederated, value: v})
	}
	for _, v := range p.CanonicalUser {
		out = append(out, principalEntry{kind: principalCanonical, value: v})
	}
	return out
}

func compileAWSPrincipal(v string) principalEntry {
	switch {
	case isAllWildcards(v):
		return principalEntry{kind: principalWildcard, value: v}
	case isTwelveDigits(v):
		return principalEntry{kind: principalAccount, value: v, account: v}
	case isAccountRootARN(v):
		seg, _ := splitPolicyARN(v, false)
		return principalEntry{kind: principalAccount, value: v, account: seg[4]}
	case isUniqueID(v):
		return principalEntry{kind: principalUniqueID, value: v}
	}
	e := principalEntry{kind: principalARN, value: v}
	if isIAMARN(v, "iam", "role/") {
		a := splitARN(v)
		e.role = true
		e.rolePartition, e.roleAccount = a.partition, a.account
		e.roleName = lastPathSegment(resourcePath(a))
	}
	return e
}

func isTwelveDigits(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isAccountRootARN matches ^arn:.*?:iam::[0-9]{12}:root$.
func isAccountRootARN(s string) bool {
	const tail = ":root"
	if !strings.HasPrefix(s, "arn:") || !strings.HasSuffix(s, tail) || strings.ContainsFunc(s, isLineTerminator) {
		return false
	}
	body := s[:len(s)-len(tail)]
	if len(body) < len("arn:")+len(":iam::")+12 {
		return false
	}
	acct := body[len(body)-12:]
	return isTwelveDigits(acct) && strings.HasSuffix(body[:len(body)-12], ":iam::") && len(body)-12-len(":iam::") >= len("arn:")
}

// isUniqueID matches ^A[0-9A-Z]+$ (AIDA..., AROA...).
func isUniqueID(s string) bool {
	if len(s) < 2 || s[0] != 'A' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isIAMARN matches ^arn:[a-zA-Z-]+:<service>::\d{12}:<prefix>.*$ (the shape of user, role,
// assumed-role and federated-user ARNs).
func isIAMARN(s, service, prefix string) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	i := 0
	for i < len(rest) && (rest[i] >= 'a' && rest[i] <= 'z' || rest[i] >= 'A' && rest[i] <= 'Z' || rest[i] == '-') {
		i++
	}
	if i == 0 {
		return false
	}
	rest, ok = strings.CutPrefix(rest[i:], ":"+service+"::")
	if !ok || len(rest) < 13 || !isTwelveDigits(rest[:12]) || rest[12] != ':' {
		return false
	}
	rest, ok = strings.CutPrefix(rest[13:], prefix)
	return ok && !strings.ContainsFunc(rest, isLineTerminator)
}

// resourcePath is the part of an ARN's resource after its type ("role/a/b" -> "a/b"),
// as the reference's iam-utils computes it.
func resourcePath(a arn) string {
	res := a.resource
	if a.service == "s3" && a.account == "" && a.region == "" || a.service == "sns" || a.service == "sqs" {
		return res
	}
	res = strings.TrimPrefix(res, "/")
	i := strings.IndexAny(res, "/:")
	if i < 0 {
		return ""
	}
	return res[i+1:]
}

func lastPathSegment(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

func firstPathSegment(p string) string {
	i := strings.IndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// principalMatch is how a request's principal matches a Principal element, best first.
type principalMatch uint8

const (
	principalNoMatch      principalMatch = iota
	principalAccountLevel                // the principal's account is named: its own policies must also allow
	principalSessionRole                 // the role of an assumed-role session is named
	principalSessionUser                 // the user of a federated-user session is named
	principalDirect                      // the principal itself, or everyone
)

// matches reports how the request's principal matches one entry.
func (e *principalEntry) matches(r *requestView) principalMatch {
	if r.anonymous {
		if e.kind == principalWildcard {
			return principalDirect
		}
		return principalNoMatch
	}
	p := r.principal
	switch e.kind {
	case principalService, principalFederated, principalCanonical:
		if e.value == p {
			return principalDirect
		}
	case principalWildcard:
		return principalDirect
	case principalAccount:
		if r.principalAccount != "" && e.account == r.principalAccount {
			return principalAccountLevel
		}
	case principalARN:
		switch {
		case r.assumedRole:
			if e.role && e.rolePartition == r.principalARN.partition && e.roleAccount == r.principalARN.account &&
				e.roleName != "" && r.sessionRole != "" && strings.EqualFold(e.roleName, r.sessionRole) {
				return principalSessionRole
			}
		case r.federatedUser:
			if e.value == federatedUserIAMARN(p) {
				return principalSessionUser
			}
		}
		if e.value == p {
			return principalDirect
		}
	}
	return principalNoMatch
}

// federatedUserIAMARN is the IAM user ARN behind a federated-user session ARN.
func federatedUserIAMARN(session string) string {
	parts := strings.Split(session, ":")
	res := parts[len(parts)-1]
	user := res[strings.IndexByte(res, '/')+1:]
	acct := ""
	if len(parts) > 4 {
		acct = parts[4]
	}
	return "arn:" + parts[1] + ":iam::" + acct + ":user/" + user
}

// matchPrincipals combines the entries of a Principal element: the best match wins.
func matchPrincipals(entries []principalEntry, r *requestView) principalMatch {
	best := principalNoMatch
	for i := range entries {
		if m := entries[i].matches(r); m > best {
			best = m
			if best == principalDirect {
				break
			}
		}
	}
	return best
}

// matchNotPrincipals: a NotPrincipal element matches a principal that none of its entries
// matches in any way.
func matchNotPrincipals(entries []principalEntry, r *requestView) principalMatch {
	for i := range entries {
		if entries[i].matches(r) != principalNoMatch {
			return principalNoMatch
		}
	}
	return principalDirect
}
