package iam

import (
	"slices"
	"strings"
	"sync"

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
func resourceContains(outer, inner string) bool { return resourceTokens(nil).contains(outer, inner) }

// resourcesOverlap reports whether some resource is matched by both patterns. A policy
// variable counts as '*' here (it may take the value that makes them overlap).
func resourcesOverlap(a, b string) bool { return resourceTokens(nil).overlap(a, b) }

// resourceTokens holds patterns already split and tokenised, so that an operation comparing
// many patterns with each other (diff, minimisation) tokenises each once. A nil
// resourceTokens tokenises every time and stores nothing.
type resourceTokens map[string][][]globTok

func (t resourceTokens) segments(p string) [][]globTok {
	if t == nil {
		return resourceSegments(p)
	}
	s, ok := t[p]
	if !ok {
		s = resourceSegments(p)
		t[p] = s
	}
	return s
}

// contains is resourceContains with t's tokens.
func (t resourceTokens) contains(outer, inner string) bool {
	if outer == inner || outer == "*" {
		return true
	}
	outs, ins := t.segments(outer), t.segments(inner)
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

// overlap is resourcesOverlap with t's tokens.
func (t resourceTokens) overlap(a, b string) bool {
	if a == "*" || b == "*" || a == b {
		return true
	}
	as, bs := t.segments(a), t.segments(b)
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
	// A token of outer other than '*' takes exactly one token of inner, so outer's tokens
	// before its first '*' pair with inner's first ones, and those after its last '*' with
	// inner's last ones: check those directly and search only what lies between.
	for len(outer) > 0 && outer[0].kind != globStar {
		if len(inner) == 0 || !tokContains(outer[0], inner[0]) {
			return false
		}
		outer, inner = outer[1:], inner[1:]
	}
	for len(outer) > 0 && outer[len(outer)-1].kind != globStar {
		if len(inner) == 0 || !tokContains(outer[len(outer)-1], inner[len(inner)-1]) {
			return false
		}
		outer, inner = outer[:len(outer)-1], inner[:len(inner)-1]
	}
	switch {
	case len(outer) == 0:
		return len(inner) == 0
	case len(outer) == 1:
		return true // a lone '*' takes any run of tokens
	}
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

// tokContains reports whether the outer token, not '*', matches every string the inner one does.
func tokContains(o, in globTok) bool {
	switch o.kind {
	case globOne:
		return in.kind == globLit || in.kind == globOne
	case globLit:
		return in.kind == globLit && in.b == o.b
	case globVar:
		return in.kind == globVar && in.v == o.v
	}
	return false
}

// globOverlap reports whether two token patterns match a common string; variables are '*'.
func globOverlap(a, b []globTok) bool {
	// Tokens other than '*' and variables take one character each, so the runs before the
	// first and after the last wildcard of either side pair up: check those directly.
	fixed := func(t globTok) bool { return t.kind != globStar && t.kind != globVar }
	meet := func(x, y globTok) bool { return x.kind != globLit || y.kind != globLit || x.b == y.b }
	for len(a) > 0 && len(b) > 0 && fixed(a[0]) && fixed(b[0]) {
		if !meet(a[0], b[0]) {
			return false
		}
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && fixed(a[len(a)-1]) && fixed(b[len(b)-1]) {
		if !meet(a[len(a)-1], b[len(b)-1]) {
			return false
		}
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if (len(a) == 1 && !fixed(a[0])) || (len(b) == 1 && !fixed(b[0])) {
		return true // a lone wildcard meets whatever string the other side can match
	}
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
func (r resourceScope) within(o resourceScope) bool { return r.withinTokens(o, nil) }

// withinTokens is within, with the patterns' tokens taken from (and kept in) t.
func (r resourceScope) withinTokens(o resourceScope, t resourceTokens) bool {
	switch {
	case o.isAll():
		return true
	case !r.except && !o.except:
		// Each pattern of r must fit inside one pattern of o.
		for _, p := range r.patterns {
			if !slices.ContainsFunc(o.patterns, func(q string) bool { return t.contains(q, p) }) {
				return false
			}
		}
		return true
	case !r.except && o.except:
		// No resource of r may be one that o leaves out.
		for _, p := range r.patterns {
			if slices.ContainsFunc(o.patterns, func(q string) bool { return t.overlap(q, p) }) {
				return false
			}
		}
		return true
	case r.except && o.except:
		// What o leaves out must be left out by r as well.
		for _, q := range o.patterns {
			if !slices.ContainsFunc(r.patterns, func(p string) bool { return t.contains(p, q) }) {
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
	// The service is the third segment and the resource part what follows the fifth colon.
	seg, n := splitPolicyARN(p, false)
	if n < 6 {
		return true // a short ARN is padded with '*' segments
	}
	rest := seg[5]
	if onlyWildcards(rest) {
		return true
	}
	for _, lit := range resourceTypePrefixes(seg[2]) {
		if strings.HasPrefix(rest, lit) && onlyWildcards(rest[len(lit):]) {
			return true
		}
	}
	return false
}

// onlyWildcards reports whether s is a non-empty run of '*', '/' and ':' with a '*' in it.
func onlyWildcards(s string) bool {
	star := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			star = true
		case '/', ':':
		default:
			return false
		}
	}
	return star
}

// typePrefixes caches, per service prefix, the fixed beginnings of its resource types'
// resource parts ("role/" of arn:aws:iam::${Account}:role/${RoleNameWithPath}); the catalog
// is immutable, so each known service's list is computed once (unknown ones are not stored,
// so that odd input cannot grow the cache).
var typePrefixes sync.Map // string -> []string

func resourceTypePrefixes(service string) []string {
	if v, ok := typePrefixes.Load(service); ok {
		return v.([]string)
	}
	var out []string
	if svc := catalog.Default().Service(service); svc != nil {
		for _, rt := range svc.ResourceTypes {
			tparts := splitARNFields(rt.ARN)
			if len(tparts) < 6 {
				continue
			}
			if lit, _, _ := strings.Cut(tparts[5], "${"); lit != "" {
				out = append(out, lit)
			}
		}
		v, _ := typePrefixes.LoadOrStore(svc.Prefix, out)
		return v.([]string)
	}
	return nil
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
