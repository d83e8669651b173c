package iam

import "testing"

func TestTemplateResolve(t *testing.T) {
	ctx := NewContext()
	ctx.Set("aws:username", "bob")
	ctx.Set("aws:PrincipalTag/team", "red")
	ctx.Set("aws:empty", "")
	ctx.SetMulti("aws:TagKeys", "a", "b")
	ctx.SetMulti("aws:OneTag", "a")
	tests := []struct {
		name      string
		value     string
		vars      bool
		wildcards bool
		subject   string
		status    resolveStatus
		want      bool // whether subject matches, when resolved
	}{
		{"plain", "home/bob", true, true, "home/bob", resolved, true},
		{"variable", "home/${aws:username}", true, true, "home/bob", resolved, true},
		{"key case-insensitive", "home/${AWS:UserName}", true, true, "home/bob", resolved, true},
		{"tag variable", "${aws:PrincipalTag/team}-*", true, true, "red-x", resolved, true},
		{"value is literal", "${aws:username}", true, true, "bo?", resolved, false},
		{"two variables", "${aws:username}/${aws:PrincipalTag/team}", true, true, "bob/red", resolved, true},
		{"missing", "${aws:nope}", true, true, "", unresolvable, false},
		{"multi-valued", "${aws:TagKeys}", true, true, "a", unresolvable, false},
		{"multi-valued with one value", "${aws:OneTag}", true, true, "a", unresolvable, false},
		{"empty", "x${aws:empty}", true, true, "x", resolvesToNothing, false},
		{"missing and empty", "${aws:empty}${aws:nope}", true, true, "", unresolvable, false},
		{"default when missing", "${aws:nope, 'dflt'}", true, true, "dflt", resolved, true},
		{"default when empty", "${aws:empty, 'dflt'}", true, true, "dflt", resolved, true},
		{"default when multi-valued", "${aws:TagKeys, 'dflt'}", true, true, "dflt", resolved, true},
		{"default unused", "${aws:username, 'dflt'}", true, true, "bob", resolved, true},
		{"empty default is none", "${aws:nope, ''}", true, true, "", unresolvable, false},
		{"default needs quotes", "${aws:nope, dflt}", true, true, "", unresolvable, false},
		{"default needs ', '", "${aws:nope,'dflt'}", true, true, "", unresolvable, false},
		{"name is trimmed", "${ aws:username }", true, true, "bob", resolved, true},
		{"escape star with wildcards", "a${*}", true, true, "a*", resolved, true},
		{"escape star is not a wildcard", "a${*}", true, true, "ab", resolved, false},
		{"escape question", "a${?}", true, true, "a?", resolved, true},
		{"escape dollar", "${$}{x}", true, true, "${x}", resolved, true},
		{"escape kept without wildcards", "a${*}", true, false, "a${*}", resolved, true},
		{"star literal without wildcards", "a*", true, false, "a*", resolved, true},
		{"star literal without wildcards 2", "a*", true, false, "ab", resolved, false},
		{"unterminated", "a${b", true, true, "a${b", resolved, true},
		{"2008 literal", "home/${aws:username}", false, true, "home/${aws:username}", resolved, true},
		{"2008 wildcards inside", "${*}", false, true, "${anything}", resolved, true},
	}
	for _, tc := range tests {
		tm := compileTemplate(tc.value, tc.vars, tc.wildcards)
		toks, st := tm.resolve(ctx, nil)
		if st != tc.status {
			t.Errorf("%s: %q resolves with status %v, want %v", tc.name, tc.value, st, tc.status)
			continue
		}
		if st == resolved {
			if got := globMatch(toks, tc.subject, false); got != tc.want {
				t.Errorf("%s: %q resolved matching %q = %v, want %v", tc.name, tc.value, tc.subject, got, tc.want)
			}
		}
	}
}

func TestTemplateLiteral(t *testing.T) {
	for _, tc := range []struct {
		value string
		lit   string
		ok    bool
	}{
		{"abc", "abc", true},
		{"", "", true},
		{"a*", "", false},
		{"${aws:username}", "", false},
	} {
		tm := compileTemplate(tc.value, true, true)
		if lit, ok := tm.literal(); lit != tc.lit || ok != tc.ok {
			t.Errorf("literal(%q) = %q, %v; want %q, %v", tc.value, lit, ok, tc.lit, tc.ok)
		}
	}
}
