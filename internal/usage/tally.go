package usage

import (
	"cmp"
	"slices"
)

// Tally counts events under one key (an account, an AWS service, an identity type, an
// eventSource) with the first place one was seen.
type Tally struct {
	Key   string    `json:"key"`
	Count int64     `json:"count"`
	First *Position `json:"first_seen_at,omitempty"`
}

type tallyEntry struct {
	count int64
	first Position
	has   bool
}

// tallyMap is a worker's tallies; lookups by byte slice do not allocate.
type tallyMap map[string]*tallyEntry

func (m tallyMap) add(key []byte, pos *Position) {
	e := m[string(key)]
	if e == nil {
		e = &tallyEntry{}
		m[string(key)] = e
	}
	e.count++
	if pos != nil && (!e.has || comparePositions(*pos, e.first) < 0) {
		e.first, e.has = *pos, true
	}
}

func (m tallyMap) merge(o tallyMap) {
	for k, oe := range o {
		e := m[k]
		if e == nil {
			cp := *oe
			m[k] = &cp
			continue
		}
		e.count += oe.count
		if oe.has && (!e.has || comparePositions(oe.first, e.first) < 0) {
			e.first, e.has = oe.first, true
		}
	}
}

func (m tallyMap) list() []Tally {
	out := make([]Tally, 0, len(m))
	for k, e := range m {
		t := Tally{Key: k, Count: e.count}
		if e.has {
			p := e.first
			t.First = &p
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Tally) int { return cmp.Compare(a.Key, b.Key) })
	return out
}
