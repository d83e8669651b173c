package usage

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/klauspost/compress/gzip"
)

// Reading one trail file: {"Records": [ {...}, {...} ]}, plain or gzip-compressed. The
// Records array is decoded record by record from a sliding window over the (decompressed)
// stream, so memory stays at the window size whatever the file size. Bad input is
// reported with the file, the record index and the byte offset, and reading goes on
// wherever it can.

const (
	windowSize    = 1 << 20  // initial window
	maxRecordSize = 64 << 20 // a record larger than this is reported, not read
	maxWholeFile  = 32 << 20 // local files up to this size are read whole
)

// errTooLarge stops reading a file whose next record exceeds maxRecordSize.
var errTooLarge = fmt.Errorf("a record is larger than %d MiB", maxRecordSize>>20)

// trailReader holds a worker's reusable buffers across files.
type trailReader struct {
	shard *Shard
	buf   []byte
	gz    *gzip.Reader
	br    *bufio.Reader
	raw   []byte       // a whole compressed file
	mem   bytes.Reader // over raw
	// maxRecord bounds the window (maxRecordSize; smaller in tests).
	maxRecord int
	rec       Record
	sc        scanner
}

func newTrailReader(s *Shard) *trailReader {
	return &trailReader{shard: s, buf: make([]byte, windowSize), br: bufio.NewReaderSize(nil, 256<<10), maxRecord: maxRecordSize}
}

// window is the unread part of the stream held in buf.
type window struct {
	t       *trailReader
	src     io.Reader
	lo, hi  int
	base    int64 // stream offset of buf[0]
	eof     bool
	readErr error
	// gzip: the stream is decompressed; errReported: readErr is in the problems already.
	gzip, errReported bool
}

// fill reads more data, compacting or growing the buffer. It returns false when no more
// data will come.
func (w *window) fill() bool {
	if w.eof {
		return false
	}
	if w.lo > 0 {
		n := copy(w.t.buf, w.t.buf[w.lo:w.hi])
		w.base += int64(w.lo)
		w.hi, w.lo = n, 0
	}
	if w.hi == len(w.t.buf) {
		if len(w.t.buf) >= w.t.maxRecord {
			w.eof = true
			w.readErr = errTooLarge
			return false
		}
		nb := make([]byte, 2*len(w.t.buf))
		copy(nb, w.t.buf[:w.hi])
		w.t.buf = nb
	}
	for {
		n, err := w.src.Read(w.t.buf[w.hi:])
		w.hi += n
		if err != nil {
			w.eof = true
			if !errors.Is(err, io.EOF) {
				w.readErr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// step runs parse over the window until it no longer needs more data. It returns the
// bytes consumed or the error (errShort when the stream ended first).
func (w *window) step(parse func(sc *scanner) error) error {
	for {
		sc := &w.t.sc
		sc.b, sc.i = w.t.buf[w.lo:w.hi], 0
		sc.scratch = sc.scratch[:0]
		err := parse(sc)
		if err == errShort {
			if w.fill() {
				continue
			}
			return errShort
		}
		if err == nil {
			w.lo += sc.i
		}
		return err
	}
}

func (w *window) offset() int64 { return w.base + int64(w.lo) }

// readFile reads one trail file from r, which may be gzip-compressed; name is its position
// label (relative path or s3:// URL).
func (t *trailReader) readFile(ctx context.Context, name string, r io.Reader) {
	// A local file of ordinary size is read whole (compressed): inflating from memory is
	// faster than through a buffered reader. Larger ones stream.
	var in interface {
		io.Reader
		io.ByteReader
	}
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() <= maxWholeFile {
			t.raw = slices.Grow(t.raw[:0], int(st.Size())+512)[:0]
			buf := bytes.NewBuffer(t.raw)
			if _, err := buf.ReadFrom(f); err != nil {
				t.shard.Problem(ProblemUnreadable, Position{File: name}, "reading: %v", err)
				return
			}
			t.raw = buf.Bytes()
			t.mem.Reset(t.raw)
			in = &t.mem
		}
	}
	if in == nil {
		t.br.Reset(r)
		in = t.br
	}
	src := io.Reader(in)
	head := t.raw
	if in != &t.mem {
		head, _ = t.br.Peek(2)
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		var err error
		if t.gz == nil {
			t.gz, err = gzip.NewReader(in)
		} else {
			err = t.gz.Reset(in)
		}
		if err != nil {
			kind := ProblemCorruptGzip
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				kind = ProblemTruncatedGzip
			}
			t.shard.Problem(kind, Position{File: name}, "reading the gzip header: %v", err)
			return
		}
		src = t.gz
	}
	w := &window{t: t, src: src, gzip: src == io.Reader(t.gz)}
	t.readRecords(ctx, name, w)
	// Read to the end, so that damage after the last record (or after where reading
	// stopped) and the gzip checksum are checked too.
	if !w.eof {
		n, err := io.Copy(io.Discard, src)
		w.base += int64(w.hi) + n
		w.lo, w.hi = 0, 0
		w.eof, w.readErr = true, err
	}
	if w.readErr != nil && !w.errReported {
		t.readProblem(w, name, -1, w.base+int64(w.hi), "after the records read")
	}
}

// readProblem reports a damaged or truncated gzip stream, or a read error; record is
// where reading stopped, -1 when it stopped after the records.
func (t *trailReader) readProblem(w *window, name string, record int64, offset int64, what string) {
	w.errReported = true
	err := w.readErr
	kind := ProblemUnreadable
	switch {
	case errors.Is(err, errTooLarge):
		kind = ProblemSkippedData
	case w.gzip:
		kind = ProblemCorruptGzip
		if errors.Is(err, io.ErrUnexpectedEOF) {
			kind = ProblemTruncatedGzip
		}
	}
	pos := Position{File: name, Record: max(record, 0), Offset: offset}
	if record < 0 {
		t.shard.Problem(kind, pos, "%s: %v after %d decompressed bytes", what, err, offset)
		return
	}
	t.shard.Problem(kind, pos, "%s: %v after %d decompressed bytes; the records before it are counted", what, err, offset)
}

func (t *trailReader) readRecords(ctx context.Context, name string, w *window) {
	s := t.shard
	pos := func(rec int64) Position { return Position{File: name, Record: rec, Offset: w.offset()} }
	// The end of the stream inside the layout: a read error, or a file cut short.
	ended := func(rec int64, what string) {
		if w.readErr != nil {
			t.readProblem(w, name, rec, w.base+int64(w.hi), "reading "+what)
			return
		}
		s.Problem(ProblemTruncatedJSON, pos(rec), "file ends inside %s", what)
	}
	// Prelude: '{' then keys until "Records": '['.
	err := w.step(func(sc *scanner) error { return sc.expect('{') })
	if err != nil {
		if err == errShort {
			if w.readErr != nil {
				ended(0, "the file's start")
			} else {
				s.Problem(ProblemNotATrail, pos(0), "empty file: want {\"Records\": [...]}")
			}
			return
		}
		s.Problem(ProblemNotATrail, pos(0), "not a CloudTrail file: want {\"Records\": [...]}: %v", err)
		return
	}
	for {
		var isRecords bool
		err := w.step(func(sc *scanner) error {
			key, err := sc.str()
			if err != nil {
				return err
			}
			if err := sc.expect(':'); err != nil {
				return err
			}
			if string(key) == "Records" {
				isRecords = true
				return sc.expect('[')
			}
			isRecords = false
			if err := sc.skip(1); err != nil {
				return err
			}
			c, err := sc.peek()
			if err != nil {
				return err
			}
			if c != ',' {
				return sc.fail("no Records array")
			}
			sc.i++
			return nil
		})
		if err == errShort {
			ended(0, "the file's header")
			return
		}
		if err != nil {
			s.Problem(ProblemNotATrail, pos(0), "not a CloudTrail file: want {\"Records\": [...]}: %v", err)
			return
		}
		if isRecords {
			break
		}
	}
	// Records.
	var idx int64
	rec := &t.rec
	for ; ; idx++ {
		if idx&1023 == 0 && ctx.Err() != nil {
			return
		}
		var done bool
		err := w.step(func(sc *scanner) error { // white space, and the end of an empty array
			c, err := sc.peek()
			if err == nil && c == ']' && idx == 0 {
				done = true
				sc.i++
			}
			return err
		})
		if done {
			return
		}
		start := w.offset()
		if err == nil {
			err = w.step(func(sc *scanner) error { return sc.parseRecord(rec) })
		}
		switch {
		case err == nil:
			s.AddRecord(rec, Position{File: name, Record: idx, Offset: start})
		case err == errShort:
			ended(idx, fmt.Sprintf("record %d", idx))
			return
		default:
			msg := err.Error()
			if se, ok := err.(*syntaxError); ok {
				msg = fmt.Sprintf("%s at byte %d", se.msg, start+int64(se.off))
			}
			s.Problem(ProblemMalformed, Position{File: name, Record: idx, Offset: start}, "record %d: %s", idx, msg)
			if !t.skipBad(w) {
				s.Problem(ProblemSkippedData, Position{File: name, Record: idx, Offset: start},
					"cannot find the end of malformed record %d; the rest of the file (from byte %d) is not read", idx, start)
				return
			}
		}
		// Between records: ',' or ']'.
		var end bool
		err = w.step(func(sc *scanner) error {
			c, err := sc.peek()
			if err != nil {
				return err
			}
			sc.i++
			switch c {
			case ',':
			case ']':
				end = true
			default:
				sc.i--
				return sc.fail("want ',' or ']' after record %d, found %q", idx, c)
			}
			return nil
		})
		if err == errShort {
			ended(idx+1, "the Records array")
			return
		}
		if err != nil {
			at := w.offset()
			s.Problem(ProblemSkippedData, Position{File: name, Record: idx + 1, Offset: at},
				"%v; the rest of the file (from byte %d) is not read", err, at)
			return
		}
		if end {
			return
		}
	}
}

// skipBad moves past a malformed record by counting braces; false if its end is not found.
func (t *trailReader) skipBad(w *window) bool {
	err := w.step(func(sc *scanner) error {
		sc.ws()
		end, err := resync(sc.b, sc.i)
		if err != nil {
			return err
		}
		sc.i = end
		return nil
	})
	return err == nil
}
