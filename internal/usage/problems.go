package usage

import (
	"cmp"
	"slices"
)

// ProblemKind names a kind of bad input.
type ProblemKind string

const (
	ProblemTruncatedGzip ProblemKind = "truncated-gzip"   // the gzip stream ends early
	ProblemCorruptGzip   ProblemKind = "corrupt-gzip"     // the gzip stream is damaged (bad data or checksum)
	ProblemTruncatedJSON ProblemKind = "truncated-json"   // the file ends inside a record
	ProblemMalformed     ProblemKind = "malformed-record" // a record is not valid JSON
	ProblemInvalidRecord ProblemKind = "invalid-record"   // valid JSON, but a required field is missing or bad
	ProblemNotATrail     ProblemKind = "not-a-trail-file" // no {"Records": [...]} layout
	ProblemUnreadable    ProblemKind = "unreadable-file"  // open or read failed
	ProblemSkippedData   ProblemKind = "skipped-data"     // bytes that could not be resynchronised
)

// Position is where in the input something was found: the file (a path relative to the
// source's root, an s3:// URL, or a pseudo-file such as "lookup-events:us-east-1"), the
// record's index in the file's Records array, and the byte offset in the decompressed
// stream.
type Position struct {
	File   string `json:"file"`
	Record int64  `json:"record"`
	Offset int64  `json:"offset"`
}

func comparePositions(a, b Position) int {
	if c := cmp.Compare(a.File, b.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Offset, b.Offset); c != 0 {
		return c
	}
	return cmp.Compare(a.Record, b.Record)
}

// Problem is one instance of bad input.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	Position
	Message string `json:"message"`
}

// Problems reports bad input: exact counts per kind and the first instances of each (by
// file and offset, so the report does not depend on the order files were read in).
type Problems struct {
	Counts         map[ProblemKind]int64 `json:"counts"`
	Items          []Problem             `json:"items"`
	ItemsTruncated bool                  `json:"items_truncated,omitempty"`
}

// Total is the number of problems of all kinds.
func (p *Problems) Total() int64 {
	var n int64
	for _, c := range p.Counts {
		n += c
	}
	return n
}

// maxProblemItems bounds the instances kept per kind.
const maxProblemItems = 50

// problemLog collects problems in one worker, keeping the first maxProblemItems of each
// kind by position.
type problemLog struct {
	counts map[ProblemKind]int64
	items  map[ProblemKind][]Problem
}

func (l *problemLog) add(p Problem) {
	if l.counts == nil {
		l.counts = map[ProblemKind]int64{}
		l.items = map[ProblemKind][]Problem{}
	}
	l.counts[p.Kind]++
	items := append(l.items[p.Kind], p)
	if len(items) > 2*maxProblemItems {
		items = firstProblems(items)
	}
	l.items[p.Kind] = items
}

func (l *problemLog) merge(o *problemLog) {
	for k, n := range o.counts {
		if l.counts == nil {
			l.counts = map[ProblemKind]int64{}
			l.items = map[ProblemKind][]Problem{}
		}
		l.counts[k] += n
		l.items[k] = firstProblems(append(l.items[k], o.items[k]...))
	}
}

func firstProblems(items []Problem) []Problem {
	slices.SortFunc(items, func(a, b Problem) int {
		if c := comparePositions(a.Position, b.Position); c != 0 {
			return c
		}
		return cmp.Compare(a.Message, b.Message)
	})
	if len(items) > maxProblemItems {
		items = items[:maxProblemItems]
	}
	return items
}

func (l *problemLog) report() Problems {
	p := Problems{Counts: map[ProblemKind]int64{}, Items: []Problem{}}
	kinds := make([]ProblemKind, 0, len(l.counts))
	for k, n := range l.counts {
		p.Counts[k] = n
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		items := firstProblems(l.items[k])
		if int64(len(items)) < l.counts[k] {
			p.ItemsTruncated = true
		}
		p.Items = append(p.Items, items...)
	}
	return p
}
