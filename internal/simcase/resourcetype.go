package simcase

import (
	"strings"
	"unicode/utf8"
)

// The reference simulator accepts a request only when its resource ARN fits exactly one
// of the action's resource types (after dropping types that a more specific matching type
// refines, e.g. an S3 object over a bucket-wide pattern). ciem checks the same, so that a
// case is valid for both or for neither, and so that `ciem policy simulate` tells a user who
// passes a bucket ARN to s3:GetObject that the request cannot happen.

// arnFitsPattern reports whether a concrete ARN is an instance of a resource-type ARN
// pattern from the catalog, such as "arn:${Partition}:s3:::${BucketName}/${ObjectName}".
// Placeholders match one or more characters; a placeholder that is a whole ARN component
// does not cross ':' or '/'. A '*' in the pattern (a few types are written so, such as
// DMS's "...:rep:*") matches any run of characters; the reference reads it as a literal
// '*' and so rejects every concrete ARN of those types. Literal text compares
// case-insensitively.
func arnFitsPattern(arn, pattern string) bool {
	a := splitARN(arn)
	p := splitARN(pattern)
	for i := range a {
		if !componentFits(a[i], p[i]) {
			return false
		}
	}
	return true
}

type arnPart struct {
	s  string
	ok bool // false when the ARN has too few ':'-separated fields for this component
}

// splitARN returns partition, service, region, account and resource (the rest, with its
// colons kept). The leading "arn" field is not checked, as the reference does not check it.
func splitARN(s string) [5]arnPart {
	var out [5]arnPart
	fields := strings.SplitN(s, ":", 6)
	for i := 0; i < 5; i++ {
		if i+1 < len(fields) {
			out[i] = arnPart{s: fields[i+1], ok: true}
		}
	}
	return out
}

func componentFits(value, pattern arnPart) bool {
	if pattern.ok && pattern.s == "*" {
		return true
	}
	if !value.ok || !pattern.ok {
		return false
	}
	if value.s == "" || pattern.s == "" {
		return strings.EqualFold(value.s, pattern.s)
	}
	return matchTokens(value.s, tokenize(pattern.s))
}

type token struct {
	variable bool // ${Name}: one or more characters
	star     bool // '*': zero or more characters
	lit      rune
}

// tokenize splits a pattern component into literal characters and ${Name} placeholders.
func tokenize(p string) []token {
	var toks []token
	for i := 0; i < len(p); {
		if strings.HasPrefix(p[i:], "${") {
			if end := strings.IndexByte(p[i+2:], '}'); end >= 0 {
				toks = append(toks, token{variable: true})
				i += end + 3
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(p[i:])
		toks = append(toks, token{lit: r, star: r == '*'})
		i += n
	}
	return toks
}

// matchTokens matches value against the tokens: a placeholder takes one or more
// characters (not ':' or '/' when it is the component's only token).
func matchTokens(value string, toks []token) bool {
	vs := []rune(value)
	lone := len(toks) == 1 && toks[0].variable
	// can[j] reports whether vs[:i] matches toks[:j], computed row by row over i.
	can := make([]bool, len(toks)+1)
	next := make([]bool, len(toks)+1)
	can[0] = true
	closeStars(can, toks)
	for i := 0; i < len(vs); i++ {
		c := vs[i]
		for j := range next {
			next[j] = false
		}
		for j, t := range toks {
			switch {
			case t.star:
				if can[j] || can[j+1] {
					next[j+1] = true
				}
			case t.variable:
				if lone && (c == ':' || c == '/') {
					continue
				}
				// consume c as the first character of the placeholder, or as one more
				if can[j] || can[j+1] {
					next[j+1] = true
				}
			case can[j] && equalFoldRune(c, t.lit):
				next[j+1] = true
			}
		}
		closeStars(next, toks)
		can, next = next, can
	}
	return can[len(toks)]
}

// closeStars lets each '*' token match the empty string.
func closeStars(can []bool, toks []token) {
	for j, t := range toks {
		if t.star && can[j] {
			can[j+1] = true
		}
	}
}

func equalFoldRune(a, b rune) bool {
	return a == b || strings.EqualFold(string(a), string(b))
}

// literalText is the pattern without its placeholders.
func literalText(pattern string) string {
	var b strings.Builder
	for _, t := range tokenize(pattern) {
		if !t.variable && !t.star {
			b.WriteRune(t.lit)
		}
	}
	return b.String()
}

// mostSpecificFits returns the indexes of the patterns that arn fits, without those that
// another fitting pattern refines (it keeps all of the other's literal text as a prefix and
// adds more).
func mostSpecificFits(arn string, patterns []string) []int {
	var fit []int
	for i, p := range patterns {
		if arnFitsPattern(arn, p) {
			fit = append(fit, i)
		}
	}
	if len(fit) < 2 {
		return fit
	}
	var out []int
	for _, i := range fit {
		li := literalText(patterns[i])
		refined := false
		for _, j := range fit {
			lj := literalText(patterns[j])
			if j != i && len(lj) > len(li) && strings.HasPrefix(lj, li) {
				refined = true
				break
			}
		}
		if !refined {
			out = append(out, i)
		}
	}
	return out
}
