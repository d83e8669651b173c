package iam

import (
	"github.com/ciem/ciem/internal/catalog"
)

// compactActions writes an action set as few action patterns as it can without granting
// anything outside it: "*" when allowStar and the set is every action; with wildcards, a
// prefix wildcard ("s3:*", "s3:Get*") wherever every catalog action it matches today is in
// the set and it matches at least two (a wildcard for one action says less than its name);
// the remaining actions by name. Prefixes end at word boundaries (see wildcard). Only
// prefix wildcards are tried;
// a wildcard in the middle ("s3:Get*Tagging") could sometimes save a pattern more.
// extra (actions unknown to the catalog) are appended by name. The result is sorted as
// Canonical sorts actions.
func compactActions(set catalog.ActionSet, extra []string, wildcards, allowStar bool) []string {
	cat := catalog.Default()
	var out []string
	switch {
	case set.IsEmpty():
	case allowStar && set.Len() == cat.NumActions():
		out = append(out, "*")
	case !wildcards:
		out = cat.Names(set)
	default:
		for _, svc := range cat.Services() {
			if !rangeIntersects(set, svc.First, svc.End) {
				continue
			}
			names := make([]string, svc.End-svc.First)
			for i := range names {
				names[i] = cat.LowerName(svc.First + catalog.ActionID(i))
			}
			c := prefixCover{cat: cat, set: set, first: svc.First, names: names}
			c.cover(0, len(names), len(svc.Prefix)+1)
			out = append(out, c.out...)
		}
	}
	out = append(out, extra...)
	return canonicalActions(out)
}

func rangeIntersects(set catalog.ActionSet, first, end catalog.ActionID) bool {
	for id := first; id < end; id++ {
		if set.Has(id) {
			return true
		}
	}
	return false
}

// prefixCover finds the maximal runs of one service's actions (sorted by lowercase name,
// as catalog ids are) that share a prefix and all lie in the set: the fewest prefix
// wildcards and names that write the set exactly.
type prefixCover struct {
	cat   *catalog.Catalog
	set   catalog.ActionSet
	first catalog.ActionID
	names []string // lowercase "svc:action" of the service, in id order
	out   []string
}

// cover writes names[lo:hi], which share their first depth bytes.
func (c *prefixCover) cover(lo, hi, depth int) {
	in := 0
	for i := lo; i < hi; i++ {
		if c.set.Has(c.first + catalog.ActionID(i)) {
			in++
		}
	}
	switch {
	case in == 0:
		return
	case in == hi-lo && hi-lo == 1:
		c.out = append(c.out, c.cat.Action(c.first+catalog.ActionID(lo)).FullName())
		return
	case in == hi-lo:
		c.out = append(c.out, c.wildcard(lo, hi, depth))
		return
	}
	// Split by the byte at depth; a name that ends at depth sorts first and stands alone.
	i := lo
	if len(c.names[i]) == depth {
		c.cover(i, i+1, depth)
		i++
	}
	for i < hi {
		j := i + 1
		for j < hi && c.names[j][depth] == c.names[i][depth] {
			j++
		}
		c.cover(i, j, depth+1)
		i = j
	}
}

// wildcard writes the prefix wildcard for the full run names[lo:hi], whose names share their
// first depth bytes. Any prefix from depth bytes up to the run's longest common prefix
// matches exactly the run; the shortest one that ends where a word of the action name ends
// is written ("s3:GetObject*", "cloudformation:Detect*"; never "s3:GetO*"), in the first
// action's casing.
func (c *prefixCover) wildcard(lo, hi, depth int) string {
	a, b := c.names[lo], c.names[hi-1]
	lcp := 0
	for lcp < len(a) && lcp < len(b) && a[lcp] == b[lcp] {
		lcp++
	}
	name := c.cat.Action(c.first + catalog.ActionID(lo)).FullName()
	n := depth
	for n < lcp && !wordStart(name, n) {
		n++
	}
	return name[:n] + "*"
}

// wordStart reports whether a word of the action name begins at byte i: right after the
// ':' or at an upper-case letter or a digit following a lower-case letter.
func wordStart(name string, i int) bool {
	if i == 0 || i >= len(name) {
		return false
	}
	prev, ch := name[i-1], name[i]
	switch {
	case prev == ':':
		return true
	case ch >= 'A' && ch <= 'Z':
		return true
	case ch >= '0' && ch <= '9':
		return !(prev >= '0' && prev <= '9')
	}
	return false
}
