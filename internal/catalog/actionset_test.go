package catalog

import (
	"slices"
	"testing"
)

func setOf(c *Catalog, ids ...ActionID) ActionSet {
	s := c.NewSet()
	for _, id := range ids {
		s.Add(id)
	}
	return s
}

func TestActionSetAlgebra(t *testing.T) {
	c := Default()
	last := ActionID(c.NumActions() - 1)
	a := setOf(c, 0, 1, 63, 64, last)
	b := setOf(c, 1, 64, 200)
	for _, tc := range []struct {
		name string
		got  ActionSet
		want []ActionID
	}{
		{"union", a.Union(b), []ActionID{0, 1, 63, 64, 200, last}},
		{"intersect", a.Intersect(b), []ActionID{1, 64}},
		{"minus", a.Minus(b), []ActionID{0, 63, last}},
		{"minus other way", b.Minus(a), []ActionID{200}},
		{"empty", c.NewSet(), []ActionID{}},
		{"zero value", ActionSet{}, []ActionID{}},
	} {
		if got := tc.got.IDs(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: IDs() = %v, want %v", tc.name, got, tc.want)
		}
		if tc.got.Len() != len(tc.want) || tc.got.IsEmpty() != (len(tc.want) == 0) {
			t.Errorf("%s: Len %d IsEmpty %v for %v", tc.name, tc.got.Len(), tc.got.IsEmpty(), tc.want)
		}
	}
	if a.IDs()[0] != 0 || a.Len() != 5 {
		t.Errorf("operations changed their operand: %v", a.IDs())
	}

	in := a.Clone()
	in.UnionWith(b)
	if !in.Equal(a.Union(b)) || !in.ContainsAll(a) || !in.ContainsAll(b) || a.ContainsAll(in) {
		t.Errorf("UnionWith/ContainsAll wrong: %v", in.IDs())
	}
	in.IntersectWith(b)
	if !in.Equal(b) {
		t.Errorf("IntersectWith: %v, want %v", in.IDs(), b.IDs())
	}
	in.MinusWith(setOf(c, 64))
	if !slices.Equal(in.IDs(), []ActionID{1, 200}) {
		t.Errorf("MinusWith: %v", in.IDs())
	}
	in.Remove(1)
	if in.Has(1) || !in.Has(200) || in.Has(last+1000) {
		t.Errorf("Remove/Has wrong: %v", in.IDs())
	}
	if !a.Intersects(b) || a.Intersects(setOf(c, 2)) {
		t.Error("Intersects wrong")
	}
	if !(ActionSet{}).Equal(c.NewSet()) || !c.NewSet().ContainsAll(ActionSet{}) {
		t.Error("zero-value and sized empty sets differ")
	}

	var grown ActionSet
	grown.Add(last)
	if !grown.Has(last) || grown.Len() != 1 {
		t.Errorf("zero-value Add: %v", grown.IDs())
	}

	var visited []ActionID
	a.Each(func(id ActionID) bool {
		visited = append(visited, id)
		return len(visited) < 2
	})
	if !slices.Equal(visited, []ActionID{0, 1}) {
		t.Errorf("Each did not stop: %v", visited)
	}
}

func TestActionSetRangeAndAll(t *testing.T) {
	c := Default()
	all := c.AllActions()
	if all.Len() != c.NumActions() || !all.Equal(c.Match("*")) {
		t.Fatalf("AllActions has %d, want %d", all.Len(), c.NumActions())
	}
	for _, r := range [][2]ActionID{{0, 0}, {3, 5}, {60, 130}, {64, 128}, {1, ActionID(c.NumActions())}} {
		s := c.NewSet()
		s.AddRange(r[0], r[1])
		want := c.NewSet()
		for id := r[0]; id < r[1]; id++ {
			want.Add(id)
		}
		if !s.Equal(want) || s.Len() != int(r[1]-r[0]) {
			t.Errorf("AddRange(%d, %d): %d actions", r[0], r[1], s.Len())
		}
	}
	s3 := c.Service("s3")
	filtered := c.Filter(c.Match("s3:*"), func(a *Action) bool { return a.Access == List })
	if filtered.IsEmpty() || !c.Match("s3:*").ContainsAll(filtered) || !c.ByAccessLevel(List).ContainsAll(filtered) {
		t.Errorf("Filter of s3 List actions: %d", filtered.Len())
	}
	names := c.Names(c.Match("s3:GetObject"))
	if !slices.Equal(names, []string{"s3:GetObject"}) || s3.NumActions() < 100 {
		t.Errorf("Names = %v", names)
	}
}

// TestActionSetSpanWindow: Span is the range of words holding actions and Window a range of
// words as a set of its own, its ids shifted down by 64 per word skipped.
func TestActionSetSpanWindow(t *testing.T) {
	c := Default()
	last := ActionID(c.NumActions() - 1)
	words := (c.NumActions() + 63) / 64
	lastWord := int(last) / 64
	for _, tc := range []struct {
		name         string
		set          ActionSet
		lo, hi       int        // want Span
		winLo, winHi int        // a window to take
		window       []ActionID // want its ids
	}{
		{"zero value", ActionSet{}, 0, 0, 0, 1, []ActionID{}},
		{"empty", c.NewSet(), words, words, 0, words, []ActionID{}},
		{"first", setOf(c, 0), 0, 1, 0, 1, []ActionID{0}},
		{"word edge", setOf(c, 63, 64), 0, 2, 1, 2, []ActionID{0}},
		{"middle", setOf(c, 64, 200), 1, 4, 1, 4, []ActionID{0, 136}},
		{"gap in window", setOf(c, 64, 200), 1, 4, 2, 3, []ActionID{}},
		{"last, window past the end", setOf(c, last), lastWord, words, lastWord, words + 5, []ActionID{last - ActionID(64*lastWord)}},
		{"reversed window", setOf(c, 0, 64), 0, 2, 2, 1, []ActionID{}},
	} {
		if lo, hi := tc.set.Span(); lo != tc.lo || hi != tc.hi {
			t.Errorf("%s: Span() = %d, %d, want %d, %d", tc.name, lo, hi, tc.lo, tc.hi)
		}
		if got := tc.set.Window(tc.winLo, tc.winHi).IDs(); !slices.Equal(got, tc.window) {
			t.Errorf("%s: Window(%d, %d) = %v, want %v", tc.name, tc.winLo, tc.winHi, got, tc.window)
		}
		// Window(Span()) holds every action: the set shifted down by its first word.
		lo, hi := tc.set.Span()
		if got, want := tc.set.Window(lo, hi).Len(), tc.set.Len(); got != want {
			t.Errorf("%s: Window(Span()) has %d actions, want %d", tc.name, got, want)
		}
	}
}
