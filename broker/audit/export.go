package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"iter"
)

// WriteJSONLines writes events as JSON lines, one event per line.
func WriteJSONLines(w io.Writer, events iter.Seq2[Event, error]) (int64, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var n int64
	for e, err := range events {
		if err != nil {
			return n, fmt.Errorf("exporting audit events after %d: %w", n, err)
		}
		if err := enc.Encode(e); err != nil {
			return n, fmt.Errorf("exporting audit event %d: %w", e.Seq, err)
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("exporting audit events: %w", err)
	}
	return n, nil
}

// ReadJSONLines reads events written by WriteJSONLines.
func ReadJSONLines(r io.Reader) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		dec := json.NewDecoder(r)
		for line := 1; ; line++ {
			var e Event
			err := dec.Decode(&e)
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(Event{}, fmt.Errorf("audit export line %d: %w", line, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}
