package iam

import "testing"

func TestResourceContains(t *testing.T) {
	tests := []struct {
		outer, inner string
		want         bool
	}{
		{"*", "arn:aws:s3:::b/*", true},
		{"*", "*", true},
		{"arn:aws:s3:::b/*", "*", false},
		{"arn:*:*:*:*:*", "*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/*", true},
		{"arn:aws:s3:::b/dir/*", "arn:aws:s3:::b/*", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::b/*", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::b/*", false},
		{"arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false}, // ARNs are case-sensitive
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/kk", false},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/*", false},
		{"arn:aws:s3:::b/*?", "arn:aws:s3:::b/?*", true}, // wildcard runs are normalised
		{"arn:aws:s3:::b/?*", "arn:aws:s3:::b/*?", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/?", true},
		// '*' stays within its ARN segment.
		{"arn:aws:*", "arn:aws:iam::123456789012:role/r", true}, // short ARN: padded with '*'
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/r", true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/u", false},
		{"arn:aws:iam::1*:role/r", "arn:aws:iam::123456789012:role/r", true},
		{"arn:aws:iam:*:role/r", "arn:aws:iam::123456789012:role/r", false},
		// Policy variables: contained in '*' or in the same variable only.
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*", true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:username}/x", true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false},
		{"arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/${aws:userid}", false},
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", false}, // ${*} is a literal '*'
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/${*}", true},
		// Not ARNs: compared as whole strings.
		{"b/*", "b/k", true},
		{"b/*", "arn:aws:s3:::b/k", false},
	}
	for _, tc := range tests {
		if got := resourceContains(tc.outer, tc.inner); got != tc.want {
			t.Errorf("resourceContains(%q, %q) = %v, want %v", tc.outer, tc.inner, got, tc.want)
		}
	}
}

func TestResourcesOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::*/k", true},
		{"arn:aws:s3:::a/*", "arn:aws:s3:::b/*", false},
		{"arn:aws:s3:::b/a*", "arn:aws:s3:::b/*z", true},
		{"arn:aws:s3:::b/a?", "arn:aws:s3:::b/?b", true},
		{"arn:aws:s3:::b/a?", "arn:aws:s3:::b/abc", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::1:user/u", false},
		{"arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/alice", true},
	}
	for _, tc := range tests {
		if got := resourcesOverlap(tc.a, tc.b); got != tc.want {
			t.Errorf("resourcesOverlap(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := resourcesOverlap(tc.b, tc.a); got != tc.want {
			t.Errorf("resourcesOverlap(%q, %q) = %v, want %v (reversed)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestResourceScopeWithin(t *testing.T) {
	res := func(ps ...string) resourceScope { return resourceScope{patterns: ps} }
	not := func(ps ...string) resourceScope { return resourceScope{patterns: ps, except: true} }
	tests := []struct {
		name string
		r, o resourceScope
		want bool
	}{
		{"pattern in star", res("arn:aws:s3:::b/*"), res("*"), true},
		{"each pattern in some pattern", res("arn:aws:s3:::a/k", "arn:aws:s3:::b/k"), res("arn:aws:s3:::a/*", "arn:aws:s3:::b/*"), true},
		{"one pattern outside", res("arn:aws:s3:::a/k", "arn:aws:s3:::c/k"), res("arn:aws:s3:::a/*", "arn:aws:s3:::b/*"), false},
		{"pattern in all-but, disjoint", res("arn:aws:s3:::a/*"), not("arn:aws:s3:::secret/*"), true},
		{"pattern in all-but, overlapping", res("arn:aws:s3:::*"), not("arn:aws:s3:::secret/*"), false},
		{"all-but in star", not("arn:aws:s3:::secret/*"), res("*"), true},
		{"all-but in a pattern", not("arn:aws:s3:::secret/*"), res("arn:aws:s3:::*"), false},
		{"all-but in wider all-but", not("arn:aws:s3:::secret/*"), not("arn:aws:s3:::secret/x"), true},
		{"all-but in narrower all-but", not("arn:aws:s3:::secret/x"), not("arn:aws:s3:::secret/*"), false},
	}
	for _, tc := range tests {
		if got := tc.r.within(tc.o); got != tc.want {
			t.Errorf("%s: %v within %v = %v, want %v", tc.name, tc.r, tc.o, got, tc.want)
		}
	}
}

func TestBroadPattern(t *testing.T) {
	tests := map[string]bool{
		"*":                               true,
		"arn:aws:s3:::*":                  true,
		"arn:aws:s3:::*/*":                true,
		"arn:aws:secretsmanager:*:*:*":    true,
		"arn:aws:iam::*:role/*":           true,
		"arn:aws:iam::*:role/app/*":       false,
		"arn:aws:s3:::b/*":                false,
		"arn:aws:s3:::b":                  false,
		"arn:aws:kms":                     true,
		"arn:aws:dynamodb:*:1:table/t":    false,
		"arn:aws:dynamodb:us-east-1:1:*":  true,
		"not-an-arn*":                     false,
		"arn:aws:ssm:*:*:parameter/*":     true,
		"arn:aws:ssm:*:*:parameter/app/*": false,
		"arn:aws:lambda:*:*:function:*":   true,
		"arn:aws:lambda:*:*:function:f":   false,
		"arn:aws:s3-object-lambda:*:*:**": true,
	}
	for p, want := range tests {
		if got := broadPattern(p); got != want {
			t.Errorf("broadPattern(%q) = %v, want %v", p, got, want)
		}
	}
}
