package iam

import (
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// This file answers set questions about Resource patterns (is every ARN one pattern matches
// also matched by another; can two patterns match a common ARN), for diff, minimisation and
// findings. Evaluation of one concrete ARN against a pattern is the evaluator's job.
//
// Patterns compare as AWS matches them: an ARN is six colon-separated segments (the last one,
// the resource part, may itself hold colons), each compared on its own; '*' matches any run
// of characters within its segment and '?' exactly one; comparison is case-sensitive. The bare
// pattern "*" matches every resource, and a short ARN ("arn:aws:s3") stands for itself padded
// with "*" segments, as AWS reads it in identity policies. A policy variable ("${aws:username}")
// can take any value, so it is contained only in a '*' or in the same variable; the escapes
// ${*}, ${?} and ${$} are the literal characters.

// resourceContains reports whether every resource that inner matches is also matched by outer.
// It is sound (true only when containment holds) and complete for the patterns found in
// practice; it can miss a containment that only a union of wildcards proves.
func resourceContains(outer, inner string) bool {
	if outer == inner || outer == "*" {
		return true
	}
	outs, ins := resourceSegments(outer), resourceSegments(inner)
	if len(outs) != len(ins) {
		return false
	}
	for k := range outs {
		if !globContains(outs[k], ins[k]) {
			return false
		}
	}
	return true
}

// resourcesOverlap reports whether some resource is matched by both patterns. A policy
// variable counts as '*' here (it may take the value that makes them overlap).
func resourcesOverlap(a, b string) bool {
	if a == "*" || b == "*" || a == b {
		return true
	}
	as, bs := resourceSegments(a), resourceSegments(b)
	if len(as) != len(bs) {
		return false
	}
	for k := range as {
		if !globOverlap(as[k], bs[k]) {
			return false
		}
	}
	return true
}

// resourceSegments splits a pattern into its ARN segments, each tokenised. "*" and short ARNs
// become six segments; a string that is not an ARN is one segment.
func resourceSegments(p string) [][]globTok {
	var parts []string
	switch {
	case p == "*":
		parts = []string{"arn", "*", "*", "*", "*", "*"}
	case strings.HasPrefix(p, "arn:"):
		parts = strings.SplitN(p, ":", 6)
		for len(parts) < 6 {
			parts = append(parts, "*")
		}
	default:
		parts = []string{p}
	}
	out := make([][]globTok, len(parts))
	for i, s := range parts {
		out[i] = tokenizeGlob(s)
	}
	return out
}

type globKind uint8

const (
	globLit  globKind = iota // one literal byte
	globOne                  // '?'
	globStar                 // '*'
	globVar                  // a policy variable, any value; text in v
)

type globTok struct {
	kind globKind
	b    byte
	v    string
}

// tokenizeGlob reads a segment into tokens and normalises each run of wildcards to its '?'s
// followed by at most one '*' ("*?*" and "?*" match the same strings), so that containment
// can compare patterns token by token.
func tokenizeGlob(s string) []globTok {
	var toks []globTok
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '$' && i+1 < len(s) && s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				toks = append(toks, globTok{kind: globLit, b: ch})
				continue
			}
			switch v := s[i+2 : i+j]; v {
			case "*", "?", "$":
				toks = append(toks, globTok{kind: globLit, b: v[0]})
			default:
				toks = append(toks, globTok{kind: globVar, v: strings.ToLower(strings.TrimSpace(v))})
			}
			i += j
		case ch == '*':
			toks = append(toks, globTok{kind: globStar})
		case ch == '?':
			toks = append(toks, globTok{kind: globOne})
		default:
			toks = append(toks, globTok{kind: globLit, b: ch})
		}
	}
	// Normalise wildcard runs.
	out := toks[:0:0]
	for i := 0; i < len(toks); {
		if toks[i].kind != globStar && toks[i].kind != globOne {
			out = append(out, toks[i])
			i++
			continue
		}
		ones, star := 0, false
		for ; i < len(toks) && (toks[i].kind == globStar || toks[i].kind == globOne); i++ {
			if toks[i].kind == globOne {
				ones++
			} else {
				star = true
			}
		}
		for range ones {
			out = append(out, globTok{kind: globOne})
		}
		if star {
			out = append(out, globTok{kind: globStar})
		}
	}
	return out
}

// globContains reports whether outer matches every string inner matches, by matching outer
// against inner's tokens as symbols: an outer '*' takes any run of inner tokens, an outer '?'
// one inner literal or '?', a literal or variable only its equal.
func globContains(outer, inner []globTok) bool {
	memo := make([]int8, (len(outer)+1)*(len(inner)+1))
	var rec func(i, j int) bool // i in outer, j in inner
	rec = func(i, j int) bool {
		k := i*(len(inner)+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var r bool
		switch {
		case i == len(outer):
			r = j == len(inner)
		case outer[i].kind == globStar:
			r = rec(i+1, j) || (j < len(inner) && rec(i, j+1))
		case j == len(inner):
			r = false
		case outer[i].kind == globOne:
			r = (inner[j].kind == globLit || inner[j].kind == globOne) && rec(i+1, j+1)
		case outer[i].kind == globLit:
			r = inner[j].kind == globLit && inner[j].b == outer[i].b && rec(i+1, j+1)
		case outer[i].kind == globVar:
			r = inner[j].kind == globVar && inner[j].v == outer[i].v && rec(i+1, j+1)
		}
		memo[k] = 2
		if r {
			memo[k] = 1
		}
		return r
	}
	return rec(0, 0)
}

// globOverlap reports whether two token patterns match a common string; variables are '*'.
func globOverlap(a, b []globTok) bool {
	star := func(t globTok) bool { return t.kind == globStar || t.kind == globVar }
	memo := make([]int8, (len(a)+1)*(len(b)+1))
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		k := i*(len(b)+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var r bool
		switch {
		case i == len(a) && j == len(b):
			r = true
		case i < len(a) && star(a[i]):
			r = rec(i+1, j) || (j < len(b) && rec(i, j+1))
		case j < len(b) && star(b[j]):
			r = rec(i, j+1) || (i < len(a) && rec(i+1, j))
		case i < len(a) && j < len(b):
			r = (a[i].kind != globLit || b[j].kind != globLit || a[i].b == b[j].b) && rec(i+1, j+1)
		}
		memo[k] = 2
		if r {
			memo[k] = 1
		}
		return r
	}
	return rec(0, 0)
}

// resourceScope is the set of resources a statement names: its Resource patterns (their
// union), or, with except, every resource but those its NotResource patterns match.
type resourceScope struct {
	patterns []string // sorted, deduplicated
	except   bool
}

// statementScope returns the statement's scope. A statement without Resource or NotResource
// (a trust or resource policy) applies to the resource the policy is attached to, which a
// comparison of policies treats as "*".
func statementScope(s *Statement) resourceScope {
	if !s.HasResource() {
		return resourceScope{patterns: []string{"*"}}
	}
	return resourceScope{patterns: sortedUnique(s.Resources), except: s.NotResource}
}

// isAll reports whether the scope names every resource.
func (r resourceScope) isAll() bool {
	if r.except {
		return len(r.patterns) == 0
	}
	return slices.Contains(r.patterns, "*")
}

// within reports whether every resource of r is also in o (sound, see resourceContains).
func (r resourceScope) within(o resourceScope) bool {
	switch {
	case o.isAll():
		return true
	case !r.except && !o.except:
		// Each pattern of r must fit inside one pattern of o.
		for _, p := range r.patterns {
			if !slices.ContainsFunc(o.patterns, func(q string) bool { return resourceContains(q, p) }) {
				return false
			}
		}
		return true
	case !r.except && o.except:
		// No resource of r may be one that o leaves out.
		for _, p := range r.patterns {
			if slices.ContainsFunc(o.patterns, func(q string) bool { return resourcesOverlap(q, p) }) {
				return false
			}
		}
		return true
	case r.except && o.except:
		// What o leaves out must be left out by r as well.
		for _, q := range o.patterns {
			if !slices.ContainsFunc(r.patterns, func(p string) bool { return resourceContains(p, q) }) {
				return false
			}
		}
		return true
	}
	return false // "all but some" inside a list of patterns only when that list is all
}

// broad reports whether the scope reaches every resource of some resource type: "*",
// NotResource, or an ARN whose resource part, after the type's fixed prefix, is only
// wildcards ("arn:aws:s3:::*", "arn:aws:iam::*:role/*", "arn:aws:ssm:*:*:parameter/*").
// Findings about data, credentials and PassRole care about broad grants, not about a
// grant on named resources ("arn:aws:s3:::b/*" is not broad: it names a bucket).
func (r resourceScope) broad() bool {
	if r.except {
		return true
	}
	for _, p := range r.patterns {
		if broadPattern(p) {
			return true
		}
	}
	return false
}

func broadPattern(p string) bool {
	if p == "*" {
		return true
	}
	if !strings.HasPrefix(p, "arn:") {
		return false
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 {
		return true // a short ARN is padded with '*' segments
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

// String writes the scope for people: "arn:...", "a, b" or "* except a, b".
func (r resourceScope) String() string {
	s := strings.Join(r.patterns, ", ")
	if r.except {
		if s == "" {
			return "*"
		}
		return "* except " + s
	}
	return s
}
