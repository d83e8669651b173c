package audit

import (
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
)

// Problem is one place where the chain does not hold.
type Problem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// Report is the result of verifying a log.
type Report struct {
	Events   int64     `json:"events"`
	HeadSeq  int64     `json:"head_seq"`
	HeadHash string    `json:"head_hash"`
	Problems []Problem `json:"problems,omitempty"`
}

// OK reports whether the chain verified.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// maxProblems bounds a report: after the first break every later event usually fails
// too, and a handful is enough to locate it.
const maxProblems = 20

// ErrStopped is returned when verification stops early because events could not be read.
var ErrStopped = errors.New("audit verification stopped")

// Anchor is a head recorded earlier (kept outside the broker): the log must still hold
// an event with this sequence number and hash.
type Anchor struct {
	Seq  int64
	Hash string
}

// ParseAnchor reads "SEQ:HASH" as Verify prints heads.
func ParseAnchor(s string) (Anchor, error) {
	seqText, hash, ok := strings.Cut(s, ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq < 1 || len(hash) != 64 {
		return Anchor{}, fmt.Errorf("anchor %q: want SEQ:HASH, e.g. 42:3fa9... (64 hex digits)", s)
	}
	return Anchor{seq, hash}, nil
}

func (a Anchor) String() string { return strconv.FormatInt(a.Seq, 10) + ":" + a.Hash }

// Verify walks events in sequence order and checks that sequence numbers run from 1
// without gaps (a removed event), that each event names the previous event's hash (a
// reordered or removed event), and that each hash matches the event's content (an
// edited event). Truncating the tail of the log leaves a valid shorter chain: compare
// HeadSeq and HeadHash with a copy kept elsewhere, or pass that copy as an anchor.
func Verify(events iter.Seq2[Event, error], anchors ...Anchor) (Report, error) {
	var r Report
	prevSeq, prevHash := int64(0), Genesis
	add := func(seq int64, format string, args ...any) {
		if len(r.Problems) < maxProblems {
			r.Problems = append(r.Problems, Problem{Seq: seq, Reason: fmt.Sprintf(format, args...)})
		}
	}
	for e, err := range events {
		if err != nil {
			return r, fmt.Errorf("%w after %d events: %w", ErrStopped, r.Events, err)
		}
		r.Events++
		if e.Seq != prevSeq+1 {
			add(e.Seq, "sequence %d follows %d: events are missing or out of order", e.Seq, prevSeq)
		}
		if e.PrevHash != prevHash {
			add(e.Seq, "previous hash %.12s does not match the hash %.12s of event %d", e.PrevHash, prevHash, prevSeq)
		}
		if want := ComputeHash(e, e.PrevHash); e.Hash != want {
			add(e.Seq, "hash %.12s does not match the event's content (%.12s): the event was changed", e.Hash, want)
		}
		for _, a := range anchors {
			if a.Seq == e.Seq && a.Hash != e.Hash {
				add(e.Seq, "hash %.12s is not the anchored %.12s: the log was rewritten from here or before", e.Hash, a.Hash)
			}
		}
		prevSeq, prevHash = e.Seq, e.Hash
	}
	r.HeadSeq, r.HeadHash = prevSeq, prevHash
	for _, a := range anchors {
		if a.Seq > r.HeadSeq {
			add(a.Seq, "the log ends at %d, before the anchored event %d: events were cut off", r.HeadSeq, a.Seq)
		}
	}
	return r, nil
}
