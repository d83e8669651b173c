package catalog

import "math/bits"

// ActionSet is a set of actions: a bitset over ActionIDs. Sets made for a catalog are sized
// for it; the zero value is a valid empty set that grows on Add. Methods that change the set
// have pointer receivers; the others read it and return new sets.
type ActionSet struct {
	w []uint64
}

// NewActionSet returns an empty set sized for c.
func NewActionSet(c *Catalog) ActionSet { return ActionSet{w: make([]uint64, (len(c.actions)+63)/64)} }

// NewSet returns an empty set sized for the catalog.
func (c *Catalog) NewSet() ActionSet { return NewActionSet(c) }

// AllActions returns the set of every action.
func (c *Catalog) AllActions() ActionSet {
	s := c.NewSet()
	for i := range s.w {
		s.w[i] = ^uint64(0)
	}
	if r := len(c.actions) % 64; r != 0 {
		s.w[len(s.w)-1] = 1<<r - 1
	}
	return s
}

// Add puts id into the set.
func (s *ActionSet) Add(id ActionID) {
	i := int(id / 64)
	if i >= len(s.w) {
		s.w = append(s.w, make([]uint64, i+1-len(s.w))...)
	}
	s.w[i] |= 1 << (id % 64)
}

// AddRange puts every id in [first, end) into the set.
func (s *ActionSet) AddRange(first, end ActionID) {
	if end <= first {
		return
	}
	s.Add(end - 1) // sizes the set
	for id := first; id < end; {
		if id%64 == 0 && end-id >= 64 {
			s.w[id/64] = ^uint64(0)
			id += 64
			continue
		}
		s.w[id/64] |= 1 << (id % 64)
		id++
	}
}

// Remove takes id out of the set.
func (s *ActionSet) Remove(id ActionID) {
	if i := int(id / 64); i < len(s.w) {
		s.w[i] &^= 1 << (id % 64)
	}
}

// Has reports whether id is in the set.
func (s ActionSet) Has(id ActionID) bool {
	i := int(id / 64)
	return i < len(s.w) && s.w[i]&(1<<(id%64)) != 0
}

// Len is the number of actions in the set.
func (s ActionSet) Len() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// IsEmpty reports whether the set has no actions.
func (s ActionSet) IsEmpty() bool {
	for _, w := range s.w {
		if w != 0 {
			return false
		}
	}
	return true
}

// Span returns the range [lo, hi) of the set's words that hold actions; lo == hi when
// the set is empty. Window(Span()) of a set is the whole set, which lets a small set be
// compared with many others over a few words instead of the catalog's hundreds.
func (s ActionSet) Span() (lo, hi int) {
	for lo < len(s.w) && s.w[lo] == 0 {
		lo++
	}
	hi = len(s.w)
	for hi > lo && s.w[hi-1] == 0 {
		hi--
	}
	return lo, hi
}

// Window returns the words [lo, hi) of the set (clipped to its size) as a set of their own,
// which shares the set's storage: two windows of the same range compare as the parts of the
// sets in that range (ids in a window are shifted down by 64*lo).
func (s ActionSet) Window(lo, hi int) ActionSet {
	hi = min(hi, len(s.w))
	if lo >= hi {
		return ActionSet{}
	}
	return ActionSet{w: s.w[lo:hi:hi]}
}

// Clone returns an independent copy.
func (s ActionSet) Clone() ActionSet {
	if s.w == nil {
		return ActionSet{}
	}
	return ActionSet{w: append([]uint64(nil), s.w...)}
}

// Union returns s ∪ o.
func (s ActionSet) Union(o ActionSet) ActionSet {
	r := s.Clone()
	r.UnionWith(o)
	return r
}

// Intersect returns s ∩ o.
func (s ActionSet) Intersect(o ActionSet) ActionSet {
	r := s.Clone()
	r.IntersectWith(o)
	return r
}

// Minus returns s \ o.
func (s ActionSet) Minus(o ActionSet) ActionSet {
	r := s.Clone()
	r.MinusWith(o)
	return r
}

// UnionWith adds every action of o to s.
func (s *ActionSet) UnionWith(o ActionSet) {
	if len(o.w) > len(s.w) {
		s.w = append(s.w, make([]uint64, len(o.w)-len(s.w))...)
	}
	for i, w := range o.w {
		s.w[i] |= w
	}
}

// IntersectWith keeps in s only the actions also in o.
func (s *ActionSet) IntersectWith(o ActionSet) {
	for i := range s.w {
		if i < len(o.w) {
			s.w[i] &= o.w[i]
		} else {
			s.w[i] = 0
		}
	}
}

// MinusWith removes every action of o from s.
func (s *ActionSet) MinusWith(o ActionSet) {
	for i := range min(len(s.w), len(o.w)) {
		s.w[i] &^= o.w[i]
	}
}

// ContainsAll reports whether every action of o is in s.
func (s ActionSet) ContainsAll(o ActionSet) bool {
	for i, w := range o.w {
		var have uint64
		if i < len(s.w) {
			have = s.w[i]
		}
		if w&^have != 0 {
			return false
		}
	}
	return true
}

// Intersects reports whether s and o share an action.
func (s ActionSet) Intersects(o ActionSet) bool {
	for i := range min(len(s.w), len(o.w)) {
		if s.w[i]&o.w[i] != 0 {
			return true
		}
	}
	return false
}

// Equal reports whether s and o hold the same actions.
func (s ActionSet) Equal(o ActionSet) bool { return s.ContainsAll(o) && o.ContainsAll(s) }

// Each calls f for every id in ascending order until f returns false.
func (s ActionSet) Each(f func(ActionID) bool) {
	for i, w := range s.w {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			if !f(ActionID(i*64 + b)) {
				return
			}
			w &= w - 1
		}
	}
}

// IDs returns the ids in ascending order.
func (s ActionSet) IDs() []ActionID {
	out := make([]ActionID, 0, s.Len())
	s.Each(func(id ActionID) bool {
		out = append(out, id)
		return true
	})
	return out
}
