package usage

import "slices"

// resourceSet is the bounded set of resource ARNs seen for one principal and action.
//
// Up to limit distinct ARNs are kept exactly. Past that the set collapses: S3 object ARNs
// become their bucket's "arn:aws:s3:::bucket/*", other ARNs stay as they are; and if the
// collapsed set still exceeds the limit, only the limit smallest are kept and the set is
// marked truncated. The result depends only on which ARNs were seen, not on their order or
// on how the work was split between workers, so digests stay deterministic.
type resourceSet struct {
	items     map[string]int // ARN -> index of its collapse point ('/' after the bucket), -1 if none
	max       string         // the largest item, when the set is full
	collapsed bool
	truncated bool
}

// add records an ARN; cut is the index of the '/' where it collapses, or -1.
func (r *resourceSet) add(arn []byte, cut int, limit int, scratch *[]byte) {
	if r.collapsed && cut >= 0 {
		b := append((*scratch)[:0], arn[:cut+1]...)
		b = append(b, '*')
		*scratch = b
		arn, cut = b, -1
	}
	if _, ok := r.items[string(arn)]; ok {
		return
	}
	if r.items == nil {
		r.items = make(map[string]int, 4)
	}
	if len(r.items) < limit {
		r.items[string(arn)] = cut
		if len(r.items) == limit {
			r.max = r.largest()
		}
		return
	}
	if !r.collapsed {
		r.collapse(limit)
		// Re-add under the collapsed rules (at most once: the set is collapsed now).
		r.add(arn, cut, limit, scratch)
		return
	}
	r.truncated = true
	if string(arn) >= r.max {
		return
	}
	delete(r.items, r.max)
	r.items[string(arn)] = -1
	r.max = r.largest()
}

func (r *resourceSet) largest() string {
	var m string
	first := true
	for k := range r.items {
		if first || k > m {
			m, first = k, false
		}
	}
	return m
}

// collapse switches to the collapsed form: object ARNs become bucket wildcards, then only
// the limit smallest are kept.
func (r *resourceSet) collapse(limit int) {
	out := make(map[string]int, len(r.items))
	for k, cut := range r.items {
		if cut >= 0 {
			k = k[:cut+1] + "*"
		}
		out[k] = -1
	}
	r.items, r.collapsed = out, true
	r.trim(limit)
}

func (r *resourceSet) trim(limit int) {
	if len(r.items) > limit {
		keys := r.sorted()
		for _, k := range keys[limit:] {
			delete(r.items, k)
		}
		r.truncated = true
	}
	if len(r.items) == limit {
		r.max = r.largest()
	}
}

func (r *resourceSet) sorted() []string {
	keys := make([]string, 0, len(r.items))
	for k := range r.items {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// merge adds o's ARNs into r.
func (r *resourceSet) merge(o *resourceSet, limit int) {
	if o == nil || len(o.items) == 0 && !o.collapsed {
		return
	}
	if r.items == nil {
		r.items = make(map[string]int, len(o.items))
	}
	if o.collapsed && !r.collapsed {
		r.collapse(limit)
	}
	for k, cut := range o.items {
		if r.collapsed && cut >= 0 {
			k, cut = k[:cut+1]+"*", -1
		}
		r.items[k] = cut
	}
	r.truncated = r.truncated || o.truncated
	if len(r.items) > limit && !r.collapsed {
		r.collapse(limit)
	}
	r.trim(limit)
}
