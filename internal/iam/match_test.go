package iam

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"*", "", false, true},
		{"*", "anything/at:all", false, true},
		{"**", "x", false, true},
		{"a*", "abc", false, true},
		{"a*", "ba", false, false},
		{"*c", "abc", false, true},
		{"a*c", "ac", false, true},
		{"a*c", "abcbc", false, true},
		{"a*c", "abcb", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "abbc", false, false},
		{"?", "é", false, true}, // one character, two bytes
		{"??", "é", false, false},
		{"*a*b*c*", "xaxbxcx", false, true},
		{"*a*b*c*", "xaxcxbx", false, false},
		{"ab*ab*", "abab", false, true},
		{"abc", "ABC", false, false},
		{"abc", "ABC", true, true},
		{"get*", "GetObject", true, true},
		{"ÉTÉ", "été", true, true},
		// A wildcard never matches a line break (the reference's regular expressions use '.').
		{"*", "a\nb", false, false},
		{"a?b", "a\nb", false, false},
		{"a*\n*b", "a\nb", false, true}, // a literal line break matches one
		{"a\nb", "a\nb", false, true},
		{"*", "a\u2028b", false, false},
		{"*x*", "x\nx", false, false},
	}
	for _, tc := range tests {
		if got := globMatch(globTokens(tc.pattern), tc.s, tc.fold); got != tc.want {
			t.Errorf("globMatch(%q, %q, fold=%v) = %v, want %v", tc.pattern, tc.s, tc.fold, got, tc.want)
		}
	}
}

// TestGlobMatchAgainstRegexp checks the matcher against the regular expression the
// reference simulator builds (^...$ with '*' as .*? and '?' as ., where '.' excludes line
// terminators), on random patterns and strings over a small alphabet.
func TestGlobMatchAgainstRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "A", "/", ":", "\n", "é", "*", "?"}
	word := func(n int, wild bool) string {
		var b strings.Builder
		for range rng.IntN(n) {
			c := alphabet[rng.IntN(len(alphabet))]
			if !wild && (c == "*" || c == "?") {
				c = "a"
			}
			b.WriteString(c)
		}
		return b.String()
	}
	const dot = `[^\n\r\x{2028}\x{2029}]`
	for i := 0; i < 20000; i++ {
		p, s := word(8, true), word(10, false)
		fold := i%2 == 0
		var re strings.Builder
		re.WriteString("^")
		if fold {
			re.WriteString("(?i)")
		}
		for _, r := range p {
			switch r {
			case '*':
				re.WriteString(dot + "*")
			case '?':
				re.WriteString(dot)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := globMatch(globTokens(p), s, fold); got != want {
			t.Fatalf("globMatch(%q, %q, fold=%v) = %v, regexp %s says %v", p, s, fold, got, re.String(), want)
		}
	}
}

func TestActionMatcher(t *testing.T) {
	tests := []struct {
		patterns []string
		action   string
		want     bool
	}{
		{[]string{"*"}, "s3:GetObject", true},
		{[]string{"**"}, "s3:GetObject", true},
		{[]string{"s3:*"}, "s3:GetObject", true},
		{[]string{"s3:*"}, "S3:GetObject", true},
		{[]string{"S3:get*"}, "s3:GetObject", true},
		{[]string{"s3:Get*"}, "s3:PutObject", false},
		{[]string{"s3:Get?bject"}, "s3:GetObject", true},
		{[]string{"s3:GetObject"}, "s3:GetObjectAcl", false},
		{[]string{"s3*:GetObject"}, "s3:GetObject", false}, // no wildcard in the service
		{[]string{"ec2:*"}, "s3:GetObject", false},
		{[]string{"s3:"}, "s3:GetObject", false},           // empty action name matches nothing
		{[]string{"s3: GetObject"}, "s3:GetObject", false}, // nor a blank one
		{[]string{"s3GetObject"}, "s3:GetObject", false},   // not service:action
		{[]string{"s3:Get*:x"}, "s3:GetObject", true},      // only the second segment counts
		{[]string{"iam:PassRole", "s3:Get*"}, "s3:GetObject", true},
		{nil, "s3:GetObject", false},
	}
	for _, tc := range tests {
		m := compileActions(tc.patterns)
		svc, name, _ := strings.Cut(tc.action, ":")
		if got := m.match(strings.ToLower(svc), name); got != tc.want {
			t.Errorf("%q matching %s = %v, want %v", tc.patterns, tc.action, got, tc.want)
		}
	}
}

func TestActionMatcherGroupsLongLists(t *testing.T) {
	var patterns []string
	for i := range 50 {
		patterns = append(patterns, fmt.Sprintf("svc%d:Get*", i))
	}
	patterns = append(patterns, "s3:List*")
	m := compileActions(patterns)
	if m.byService == nil {
		t.Fatal("a long list is not grouped by service")
	}
	if !m.match("s3", "ListBucket") || !m.match("svc7", "GetThing") || m.match("svc7", "PutThing") || m.match("ec2", "GetX") {
		t.Error("grouped matcher disagrees with the list")
	}
}

func TestResourcePattern(t *testing.T) {
	ctx := NewContext()
	ctx.Set("aws:username", "bob")
	ctx.Set("aws:PrincipalAccount", "111122223333")
	ctx.Set("aws:empty", "")
	ctx.SetMulti("aws:TagKeys", "a")
	tests := []struct {
		name, pattern, resource string
		layer                   Layer
		vars                    bool
		want                    resourceMatch
	}{
		{"star", "*", "arn:aws:s3:::b/k", LayerIdentity, true, resMatched},
		{"stars", "**", "arn:aws:s3:::b/k", LayerIdentity, true, resMatched},
		{"exact", "arn:aws:s3:::b/k", "arn:aws:s3:::b/k", LayerIdentity, true, resMatched},
		{"object prefix", "arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/k", LayerIdentity, true, resMatched},
		{"bucket is not object", "arn:aws:s3:::b/*", "arn:aws:s3:::b", LayerIdentity, true, resMissed},
		{"resource case-sensitive", "arn:aws:s3:::B/*", "arn:aws:s3:::b/k", LayerIdentity, true, resMissed},
		{"partition case-insensitive", "arn:AWS:S3:::b/*", "arn:aws:s3:::b/k", LayerIdentity, true, resMatched},
		{"region wildcard", "arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", LayerIdentity, true, resMatched},
		{"star stays in its segment", "arn:aws:ec2:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", LayerIdentity, true, resInvalid},
		{"account", "arn:aws:ec2:*:444455556666:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", LayerIdentity, true, resMissed},
		{"resource crosses colons", "arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", LayerIdentity, true, resMatched},
		{"type compared literally", "arn:aws:iam::*:ro*e/x", "arn:aws:iam::111122223333:role/x", LayerIdentity, true, resMissed},
		{"question mark", "arn:aws:iam::*:user/b?b", "arn:aws:iam::111122223333:user/bob", LayerIdentity, true, resMatched},
		{"variable", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/k", LayerIdentity, true, resMatched},
		{"variable other user", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/k", LayerIdentity, true, resMissed},
		{"variable 2008 literal", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/k", LayerIdentity, false, resMissed},
		{"variable literal text 2008", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:username}/k", LayerIdentity, false, resMatched},
		{"missing variable", "arn:aws:s3:::b/${aws:nope}/*", "arn:aws:s3:::b/bob/k", LayerIdentity, true, resInvalid},
		{"multi-valued variable", "arn:aws:s3:::b/${aws:TagKeys}/*", "arn:aws:s3:::b/a/k", LayerIdentity, true, resInvalid},
		{"empty variable", "arn:aws:s3:::b/${aws:empty}*", "arn:aws:s3:::b/k", LayerIdentity, true, resMissed},
		{"default", "arn:aws:s3:::b/${aws:nope, 'dflt'}/*", "arn:aws:s3:::b/dflt/k", LayerIdentity, true, resMatched},
		{"escaped star", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", LayerIdentity, true, resMatched},
		{"escaped star is literal", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/k", LayerIdentity, true, resMissed},
		{"account variable", "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*", "arn:aws:secretsmanager:us-east-1:111122223333:secret:x", LayerIdentity, true, resMatched},
		{"account variable other account", "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*", "arn:aws:secretsmanager:us-east-1:444455556666:secret:x", LayerIdentity, true, resMissed},
		{"variable as whole name", "arn:aws:sqs:*:*:${aws:username}-queue", "arn:aws:sqs:us-east-1:111122223333:bob-queue", LayerIdentity, true, resMatched},
		{"short ARN identity expands", "arn:aws:s3", "arn:aws:s3:::b/k", LayerIdentity, true, resMatched},
		{"short ARN identity mismatch proves nothing", "arn:aws:ec2", "arn:aws:s3:::b/k", LayerIdentity, true, resInvalid},
		{"short ARN resource policy", "arn:aws:s3", "arn:aws:s3:::b/k", LayerResource, true, resMissed},
		{"short ARN resource policy wildcard", "arn:aws:s3*", "arn:aws:s3:::b/k", LayerResource, true, resMatched},
		{"short ARN SCP", "arn:aws:s3", "arn:aws:s3:::b/k", LayerSCP, true, resInvalid},
		{"short ARN SCP trailing wildcard", "arn:aws:s3:*", "arn:aws:s3:::b/k", LayerSCP, true, resMatched},
		{"short ARN SCP inner wildcard", "arn:*:s3", "arn:aws:s3:::b/k", LayerSCP, true, resInvalid},
		{"short ARN RCP", "arn:aws:s3:*", "arn:aws:s3:::b/k", LayerRCP, true, resInvalid},
		{"request star matches only star", "arn:aws:s3:::*", "*", LayerIdentity, true, resMissed},
		{"request star and star", "*", "*", LayerIdentity, true, resMatched},
	}
	for _, tc := range tests {
		p := compileResource(tc.pattern, tc.vars)
		r := testView(tc.resource, ctx)
		if got := p.match(&r, tc.layer, false, false); got != tc.want {
			t.Errorf("%s: %q on %q = %+v, want %+v", tc.name, tc.pattern, tc.resource, got, tc.want)
		}
	}
}

// TestResourcePatternRequestPattern covers a request resource that is itself a pattern:
// an Allow matches when the two overlap, a Deny only when the policy covers the request.
func TestResourcePatternRequestPattern(t *testing.T) {
	tests := []struct {
		pattern, request        string
		deny, notResource, want bool
	}{
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x*", false, false, true},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::b/*", false, false, true},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::c/*", false, false, false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x*", true, false, true},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::b/*", true, false, false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x*", false, true, true},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::b/*", false, true, false},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::b/*", true, true, true},
		{"arn:aws:s3:::c/*", "arn:aws:s3:::b/*", true, true, false},
	}
	for _, tc := range tests {
		p := compileResource(tc.pattern, true)
		r := testView(tc.request, nil)
		if got := p.match(&r, LayerIdentity, tc.deny, tc.notResource).matched; got != tc.want {
			t.Errorf("%q on request %q (deny=%v notResource=%v) = %v, want %v", tc.pattern, tc.request, tc.deny, tc.notResource, got, tc.want)
		}
	}
}

func TestPatternOverlap(t *testing.T) {
	tests := []struct {
		policy, request string
		want            overlap
	}{
		{"a", "a", overlapEqual},
		{"ab", "a*", overlapPolicySubset},
		{"a*", "ab", overlapPolicySuperset},
		{"a*c", "*b*", overlapSome},
		{"a?", "*b", overlapSome},
		{"a", "b", overlapNone},
		{"a*", "b*", overlapNone},
	}
	for _, tc := range tests {
		if got := patternOverlap(tc.policy, tc.request); got != tc.want {
			t.Errorf("patternOverlap(%q, %q) = %v, want %v", tc.policy, tc.request, got, tc.want)
		}
	}
}

func TestSplitPolicyARN(t *testing.T) {
	tests := []struct {
		in   string
		vars bool
		want []string
	}{
		{"arn:aws:s3:::b/k", true, []string{"arn", "aws", "s3", "", "", "b/k"}},
		{"arn:aws:logs:r:1:log-group:g:*", true, []string{"arn", "aws", "logs", "r", "1", "log-group:g:*"}},
		{"arn:aws:sm:*:${aws:PrincipalAccount}:secret:*", true, []string{"arn", "aws", "sm", "*", "${aws:PrincipalAccount}", "secret:*"}},
		{"arn:aws:sm:*:${aws:PrincipalAccount}:secret:*", false, []string{"arn", "aws", "sm", "*", "${aws", "PrincipalAccount}:secret:*"}},
		{"arn:aws:s3", true, []string{"arn", "aws", "s3"}},
		{"arn:${unterminated:x", true, []string{"arn", "${unterminated", "x"}},
	}
	for _, tc := range tests {
		seg, n := splitPolicyARN(tc.in, tc.vars)
		if got := seg[:n]; strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitPolicyARN(%q, %v) = %q, want %q", tc.in, tc.vars, got, tc.want)
		}
	}
}

func TestPrincipalMatching(t *testing.T) {
	const (
		user    = "arn:aws:iam::111122223333:user/alice"
		role    = "arn:aws:iam::111122223333:role/path/app-role"
		session = "arn:aws:sts::111122223333:assumed-role/app-role/s1"
		fed     = "arn:aws:sts::111122223333:federated-user/alice"
	)
	tests := []struct {
		name      string
		p         *Principal
		principal string
		want      principalMatch
	}{
		{"all", &Principal{All: true}, user, principalDirect},
		{"AWS star", &Principal{AWS: []string{"*"}}, user, principalDirect},
		{"anonymous and star", &Principal{All: true}, AnonymousPrincipal, principalDirect},
		{"anonymous and account", &Principal{AWS: []string{"111122223333"}}, AnonymousPrincipal, principalNoMatch},
		{"user ARN", &Principal{AWS: []string{user}}, user, principalDirect},
		{"user ARN is case-sensitive", &Principal{AWS: []string{strings.ToUpper(user)}}, user, principalNoMatch},
		{"account id", &Principal{AWS: []string{"111122223333"}}, user, principalAccountLevel},
		{"account root", &Principal{AWS: []string{"arn:aws:iam::111122223333:root"}}, user, principalAccountLevel},
		{"other account", &Principal{AWS: []string{"444455556666"}}, user, principalNoMatch},
		{"unique id never matches", &Principal{AWS: []string{"AIDAEXAMPLE"}}, user, principalNoMatch},
		{"role names its sessions", &Principal{AWS: []string{role}}, session, principalSessionRole},
		{"role name compared without case", &Principal{AWS: []string{"arn:aws:iam::111122223333:role/APP-ROLE"}}, session, principalSessionRole},
		{"session ARN", &Principal{AWS: []string{session}}, session, principalDirect},
		{"other role", &Principal{AWS: []string{"arn:aws:iam::111122223333:role/other"}}, session, principalNoMatch},
		{"role in other account", &Principal{AWS: []string{"arn:aws:iam::444455556666:role/app-role"}}, session, principalNoMatch},
		{"user names its federated sessions", &Principal{AWS: []string{user}}, fed, principalSessionUser},
		{"service", &Principal{Service: []string{"s3.amazonaws.com"}}, "s3.amazonaws.com", principalDirect},
		{"other service", &Principal{Service: []string{"s3.amazonaws.com"}}, "sns.amazonaws.com", principalNoMatch},
		{"federated", &Principal{Federated: []string{"cognito-identity.amazonaws.com"}}, "cognito-identity.amazonaws.com", principalDirect},
		{"best match wins", &Principal{AWS: []string{"111122223333", user}}, user, principalDirect},
	}
	for _, tc := range tests {
		r := testView("arn:aws:s3:::b/k", nil)
		r.setPrincipal(tc.principal, "")
		if got := matchPrincipals(compilePrincipal(tc.p), &r); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// NotPrincipal matches whoever none of its entries matches in any way.
	r := testView("arn:aws:s3:::b/k", nil)
	r.setPrincipal(session, "")
	if got := matchNotPrincipals(compilePrincipal(&Principal{AWS: []string{role}}), &r); got != principalNoMatch {
		t.Errorf("NotPrincipal naming the session's role: got %v, want no match", got)
	}
	if got := matchNotPrincipals(compilePrincipal(&Principal{AWS: []string{user}}), &r); got != principalDirect {
		t.Errorf("NotPrincipal naming someone else: got %v, want a match", got)
	}
}

func TestARNShapes(t *testing.T) {
	tests := []struct {
		s, service, prefix string
		want               bool
	}{
		{"arn:aws:iam::111122223333:role/x", "iam", "role/", true},
		{"arn:aws-us-gov:iam::111122223333:role/x", "iam", "role/", true},
		{"arn:aws:iam::11112222333:role/x", "iam", "role/", false},
		{"arn:aws:iam:us-east-1:111122223333:role/x", "iam", "role/", false},
		{"arn:aws:sts::111122223333:assumed-role/r/s", "sts", "assumed-role/", true},
		{"arn:aws:sts::111122223333:assumed-role/r/s\n", "sts", "assumed-role/", false},
		{"arn::iam::111122223333:role/x", "iam", "role/", false},
	}
	for _, tc := range tests {
		if got := isIAMARN(tc.s, tc.service, tc.prefix); got != tc.want {
			t.Errorf("isIAMARN(%q, %s, %s) = %v, want %v", tc.s, tc.service, tc.prefix, got, tc.want)
		}
	}
	for s, want := range map[string]bool{
		"arn:aws:iam::111122223333:root":     true,
		"arn:aws-cn:iam::111122223333:root":  true,
		"arn::iam::111122223333:root":        true,
		"arn:iam::111122223333:root":         false,
		"arn:aws:iam::111122223333:user/x":   false,
		"arn:aws:iam::1111222233334:root":    false,
		"arn:aws:iam::111122223333:root\nxx": false,
	} {
		if got := isAccountRootARN(s); got != want {
			t.Errorf("isAccountRootARN(%q) = %v, want %v", s, got, want)
		}
	}
}

// testView prepares a request view for the matchers.
func testView(resource string, ctx *Context) requestView {
	var r requestView
	r.init(&Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: resource, Context: ctx}, &Evaluator{resource: &boundPolicy{}})
	return r
}

func (r *requestView) setPrincipal(p, account string) {
	rr := *r
	rr.init(&Request{Principal: p, Action: "s3:GetObject", Resource: "*", Context: r.ctx}, &Evaluator{resource: &boundPolicy{}, principalAccount: account})
	r.principal, r.anonymous, r.servicePrincipal = rr.principal, rr.anonymous, rr.servicePrincipal
	r.principalAccount, r.principalARN, r.sessionRole = rr.principalAccount, rr.principalARN, rr.sessionRole
	r.assumedRole, r.federatedUser, r.iamUser, r.iamRole = rr.assumedRole, rr.federatedUser, rr.iamUser, rr.iamRole
}
