package iam

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

// refGlobContains and refGlobOverlap are the plain searches over every token, without the
// shortcuts globContains and globOverlap take for the fixed runs at either end.
func refGlobContains(outer, inner []globTok) bool {
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		switch {
		case i == len(outer):
			return j == len(inner)
		case outer[i].kind == globStar:
			return rec(i+1, j) || (j < len(inner) && rec(i, j+1))
		case j == len(inner):
			return false
		}
		return tokContains(outer[i], inner[j]) && rec(i+1, j+1)
	}
	return rec(0, 0)
}

func refGlobOverlap(a, b []globTok) bool {
	star := func(t globTok) bool { return t.kind == globStar || t.kind == globVar }
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		switch {
		case i == len(a) && j == len(b):
			return true
		case i < len(a) && star(a[i]):
			return rec(i+1, j) || (j < len(b) && rec(i, j+1))
		case j < len(b) && star(b[j]):
			return rec(i, j+1) || (i < len(a) && rec(i+1, j))
		case i < len(a) && j < len(b):
			return (a[i].kind != globLit || b[j].kind != globLit || a[i].b == b[j].b) && rec(i+1, j+1)
		}
		return false
	}
	return rec(0, 0)
}

// TestGlobShortcutsAgree compares the glob comparisons with the plain search on random
// segments made of a small alphabet, wildcards and variables, where every case is likely.
func TestGlobShortcutsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	parts := []string{"a", "b", "/", "*", "?", "${aws:username}", "a*", "?b"}
	gen := func() string {
		s := ""
		for range r.IntN(6) {
			s += parts[r.IntN(len(parts))]
		}
		return s
	}
	for range 20000 {
		x, y := gen(), gen()
		tx, ty := tokenizeGlob(x), tokenizeGlob(y)
		if got, want := globContains(tx, ty), refGlobContains(tx, ty); got != want {
			t.Fatalf("globContains(%q, %q) = %v, want %v", x, y, got, want)
		}
		if got, want := globOverlap(tx, ty), refGlobOverlap(tx, ty); got != want {
			t.Fatalf("globOverlap(%q, %q) = %v, want %v", x, y, got, want)
		}
	}
}

// refBroadPattern is broadPattern written plainly, splitting the ARNs each time.
func refBroadPattern(p string) bool {
	if p == "*" {
		return true
	}
	if !strings.HasPrefix(p, "arn:") {
		return false
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 {
		return true
	}
	rest := parts[5]
	onlyWild := func(s string) bool { return s != "" && strings.Trim(s, "*/:") == "" && strings.Contains(s, "*") }
	if onlyWild(rest) {
		return true
	}
	svc := catalog.Default().Service(parts[2])
	if svc == nil {
		return false
	}
	for _, rt := range svc.ResourceTypes {
		tparts := strings.SplitN(rt.ARN, ":", 6)
		if len(tparts) < 6 {
			continue
		}
		lit, _, _ := strings.Cut(tparts[5], "${")
		if lit != "" && strings.HasPrefix(rest, lit) && onlyWild(rest[len(lit):]) {
			return true
		}
	}
	return false
}

// TestBroadPatternAgrees checks broadPattern against the plain version on every resource
// type of the catalog, written with wildcards, with a name, and with its service in capitals.
func TestBroadPatternAgrees(t *testing.T) {
	fill := strings.NewReplacer("${Partition}", "aws", "${Region}", "*", "${Account}", "*")
	n := 0
	for _, svc := range catalog.Default().Services() {
		for _, rt := range svc.ResourceTypes {
			base := fill.Replace(rt.ARN)
			for _, p := range []string{
				placeholderRe(base, "*"), placeholderRe(base, "name"), placeholderRe(base, "*/*"),
				strings.Replace(placeholderRe(base, "*"), ":"+svc.Prefix+":", ":"+strings.ToUpper(svc.Prefix)+":", 1),
				"arn:aws:" + svc.Prefix, "arn:aws:" + svc.Prefix + ":::", "arn:aws:" + svc.Prefix + ":::*:",
			} {
				n++
				if got, want := broadPattern(p), refBroadPattern(p); got != want {
					t.Errorf("broadPattern(%q) = %v, want %v", p, got, want)
				}
			}
		}
	}
	for _, p := range []string{"*", "", "arn", "arn:", "b/*", "arn:aws:nosuch:::x/*", "arn:aws:nosuch:::*"} {
		if got, want := broadPattern(p), refBroadPattern(p); got != want {
			t.Errorf("broadPattern(%q) = %v, want %v", p, got, want)
		}
	}
	if n < 1000 {
		t.Fatalf("only %d patterns checked", n)
	}
}

// placeholderRe replaces every ${...} of an ARN template with v.
func placeholderRe(tmpl, v string) string {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			return b.String() + tmpl
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return b.String() + tmpl
		}
		b.WriteString(tmpl[:i] + v)
		tmpl = tmpl[i+j+1:]
	}
}
