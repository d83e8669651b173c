package audit

import (
	"bytes"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"
)

func chain(t *testing.T, n int) []Event {
	t.Helper()
	var out []Event
	seq, prev := int64(0), Genesis
	for i := range n {
		e, err := NewEvent(time.Date(2030, 1, 1, 0, 0, i, 123456789, time.UTC), "alice", ActionRequestCreated, "r-1", map[string]int{"i": i})
		if err != nil {
			t.Fatal(err)
		}
		if e, err = Chain(e, seq, prev); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		seq, prev = e.Seq, e.Hash
	}
	return out
}

func seq(events []Event) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]Event) []Event
		want   string // substring of the first problem; "" for a clean chain
	}{
		{"clean", func(e []Event) []Event { return e }, ""},
		{"empty", func([]Event) []Event { return nil }, ""},
		{"edited actor", func(e []Event) []Event { e[2].Actor = "mallory"; return e }, "was changed"},
		{"edited data", func(e []Event) []Event { e[1].Data = []byte(`{"i":7}`); return e }, "was changed"},
		{"edited time", func(e []Event) []Event { e[1].Time = e[1].Time.Add(time.Second); return e }, "was changed"},
		{"rehashed after edit", func(e []Event) []Event {
			e[1].Actor = "mallory"
			e[1].Hash = ComputeHash(e[1], e[1].PrevHash)
			return e
		}, "does not match the hash"},
		{"removed", func(e []Event) []Event { return append(e[:1], e[2:]...) }, "missing or out of order"},
		{"removed first", func(e []Event) []Event { return e[1:] }, "missing or out of order"},
		{"reordered", func(e []Event) []Event { e[1], e[2] = e[2], e[1]; return e }, "missing or out of order"},
	}
	for _, tc := range tests {
		rep, err := Verify(seq(tc.tamper(chain(t, 4))))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want == "" && !rep.OK():
			t.Errorf("%s: %+v", tc.name, rep.Problems)
		case tc.want != "" && (rep.OK() || !strings.Contains(rep.Problems[0].Reason, tc.want)):
			t.Errorf("%s: %+v, want a problem %q", tc.name, rep.Problems, tc.want)
		}
	}
	rep, _ := Verify(seq(chain(t, 4)))
	if rep.HeadSeq != 4 || rep.Events != 4 || len(rep.HeadHash) != 64 {
		t.Errorf("head %+v", rep)
	}
}

func TestVerifyStopsOnReadError(t *testing.T) {
	events := func(yield func(Event, error) bool) {
		if yield(chain(t, 1)[0], nil) {
			yield(Event{}, errors.New("disk"))
		}
	}
	if _, err := Verify(events); !errors.Is(err, ErrStopped) {
		t.Fatalf("%v", err)
	}
}

func TestJSONLinesRoundTrip(t *testing.T) {
	events := chain(t, 3)
	events[1].Data = []byte(`{"html":"<b>&</b>"}`)
	events[1].Hash = ComputeHash(events[1], events[1].PrevHash)
	events[2].PrevHash = events[1].Hash
	events[2].Hash = ComputeHash(events[2], events[2].PrevHash)
	var buf bytes.Buffer
	n, err := WriteJSONLines(&buf, seq(events))
	if err != nil || n != 3 || strings.Count(buf.String(), "\n") != 3 {
		t.Fatalf("wrote %d: %v\n%s", n, err, buf.String())
	}
	rep, err := Verify(ReadJSONLines(&buf))
	if err != nil || !rep.OK() || rep.Events != 3 {
		t.Fatalf("round trip: %+v %v", rep, err)
	}
	if _, err := Verify(ReadJSONLines(strings.NewReader("{\"seq\":1}\nnot json\n"))); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad line: %v", err)
	}
}

func TestChainRejectsBadData(t *testing.T) {
	if _, err := Chain(Event{Action: "x", Data: []byte("{")}, 0, Genesis); err == nil {
		t.Fatal("invalid JSON data accepted")
	}
}

func TestAnchors(t *testing.T) {
	events := chain(t, 5)
	head := Anchor{Seq: 3, Hash: events[2].Hash}
	if a, err := ParseAnchor(head.String()); err != nil || a != head {
		t.Fatalf("ParseAnchor: %v %v", a, err)
	}
	for _, bad := range []string{"", "3", "x:abc", "0:" + events[0].Hash, "3:short"} {
		if _, err := ParseAnchor(bad); err == nil {
			t.Errorf("ParseAnchor(%q): no error", bad)
		}
	}
	if rep, _ := Verify(seq(events), head); !rep.OK() {
		t.Fatalf("anchored clean log: %+v", rep.Problems)
	}
	// Truncated before the anchor: the shorter chain is valid but the anchor is gone.
	if rep, _ := Verify(seq(events[:2]), head); rep.OK() || !strings.Contains(rep.Problems[0].Reason, "cut off") {
		t.Fatalf("truncated: %+v", rep.Problems)
	}
	// Rewritten consistently from the start (every hash recomputed): only the anchor tells.
	forged := chain(t, 5)
	for i := range forged {
		forged[i].Actor = "mallory"
		prev := Genesis
		if i > 0 {
			prev = forged[i-1].Hash
		}
		forged[i].PrevHash, forged[i].Hash = prev, ComputeHash(forged[i], prev)
	}
	if rep, _ := Verify(seq(forged)); !rep.OK() {
		t.Fatal("a consistently rewritten chain should verify without an anchor")
	}
	if rep, _ := Verify(seq(forged), head); rep.OK() {
		t.Fatal("the anchor did not catch a rewritten chain")
	}
}
