package catalog

import (
	"sort"
	"strings"
)

// maxMatchCache bounds the pattern cache; patterns come from user policies, so the
// cache is dropped when full rather than allowed to grow without end.
const maxMatchCache = 4096

// Match returns the actions whose "service:action" name matches an IAM action pattern,
// case-insensitively: '*' matches any run of characters (also across ':'), '?' exactly one.
// "*" is every action. Results are cached; the returned set is the caller's own copy.
func (c *Catalog) Match(pattern string) ActionSet {
	p := strings.ToLower(pattern)
	c.matchMu.Lock()
	s, ok := c.matchCache[p]
	c.matchMu.Unlock()
	if ok {
		return s.Clone()
	}
	s = c.match(p)
	c.matchMu.Lock()
	if len(c.matchCache) >= maxMatchCache {
		clear(c.matchCache)
	}
	c.matchCache[p] = s
	c.matchMu.Unlock()
	return s.Clone()
}

// match scans only the ids whose names start with the pattern's literal prefix: names are
// sorted, so those form one contiguous range found by binary search.
func (c *Catalog) match(p string) ActionSet {
	out := c.NewSet()
	lit := p
	if i := strings.IndexAny(p, "*?"); i >= 0 {
		lit = p[:i]
	} else {
		if id, ok := c.byName[p]; ok {
			out.Add(id)
		}
		return out
	}
	first := sort.SearchStrings(c.lowerNames, lit)
	end := first + sort.Search(len(c.lowerNames)-first, func(i int) bool {
		return !strings.HasPrefix(c.lowerNames[first+i], lit)
	})
	rest := p[len(lit):]
	if rest == "*" {
		out.AddRange(ActionID(first), ActionID(end))
		return out
	}
	for i := first; i < end; i++ {
		if globMatch(rest, c.lowerNames[i][len(lit):]) {
			out.Add(ActionID(i))
		}
	}
	return out
}

// globMatch matches s against a pattern of literal bytes, '*' (any run) and '?' (any one
// byte), in linear time with single-star backtracking.
func globMatch(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
