package iam

import (
	"slices"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

// expandPatterns is the union of the patterns' expansions, failing on one that matches nothing.
func expandPatterns(t *testing.T, patterns []string) catalog.ActionSet {
	t.Helper()
	cat := catalog.Default()
	out := cat.NewSet()
	for _, p := range patterns {
		m := cat.Match(p)
		if m.IsEmpty() {
			t.Fatalf("pattern %q matches no action", p)
		}
		out.UnionWith(m)
	}
	return out
}

func TestCompactActions(t *testing.T) {
	cat := catalog.Default()
	s3Get := cat.Match("s3:Get*")
	s3All := cat.Match("s3:*")
	tests := []struct {
		name      string
		set       catalog.ActionSet
		wildcards bool
		allowStar bool
		want      []string // nil: only check exactness
	}{
		{"one action stays a name", cat.Match("s3:GetObject"), true, false, []string{"s3:GetObject"}},
		{"whole service", s3All, true, false, []string{"s3:*"}},
		{"whole prefix", s3Get, true, false, []string{"s3:Get*"}},
		{"prefix without wildcards", cat.Match("s3:GetObjectT*"), false, false, cat.Names(cat.Match("s3:GetObjectT*"))},
		{"the longest prefix of a run", ExpandActions("s3:GetObjectTagging", "s3:GetObjectTorrent"), true, false, []string{"s3:GetObjectT*"}},
		{"a prefix ends at a word", cat.Match("s3:GetObject*"), true, false, []string{"s3:GetObject*"}},
		{"the shortest prefix at a word", cat.Match("cloudformation:Detect*"), true, false, []string{"cloudformation:Detect*"}},
		{"every action without AllowStar", cat.AllActions(), true, false, nil},
		{"every action with AllowStar", cat.AllActions(), true, true, []string{"*"}},
		{"two services", s3Get.Union(cat.Match("sqs:*")), true, false, []string{"s3:Get*", "sqs:*"}},
		{"a service but one", s3All.Minus(cat.Match("s3:GetObject")), true, false, nil},
		{"Get but one", s3Get.Minus(cat.Match("s3:GetObjectAcl")), true, false, nil},
		{"empty", cat.NewSet(), true, false, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := compactActions(tc.set, nil, tc.wildcards, tc.allowStar)
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if exp := expandPatterns(t, got); !exp.Equal(tc.set) {
				t.Fatalf("%v expands to %d actions, want exactly the %d of the set", got, exp.Len(), tc.set.Len())
			}
			for _, p := range got {
				if p == "*" && !tc.allowStar {
					t.Fatalf("wrote * without AllowStar")
				}
			}
		})
	}
}

func TestCompactActionsFewerPatternsThanNames(t *testing.T) {
	cat := catalog.Default()
	set := cat.Match("s3:*").Minus(cat.Match("s3:GetObject"))
	got := compactActions(set, nil, true, false)
	if len(got) >= set.Len()/4 {
		t.Fatalf("s3:* less one action compacts to %d patterns for %d actions: %v", len(got), set.Len(), got)
	}
	if slices.Contains(got, "s3:*") || slices.Contains(got, "s3:Get*") || slices.Contains(got, "s3:GetObject*") {
		t.Fatalf("a wildcard covering s3:GetObject was written: %v", got)
	}
	every := compactActions(cat.AllActions(), nil, true, false)
	if len(every) != len(cat.Services()) {
		t.Fatalf("every action without * gives %d patterns, want one per service (%d)", len(every), len(cat.Services()))
	}
}

func TestCompactActionsKeepsUnknown(t *testing.T) {
	cat := catalog.Default()
	got := compactActions(cat.Match("s3:GetObject"), []string{"s3:FutureAction"}, true, false)
	if want := []string{"s3:FutureAction", "s3:GetObject"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
