package trailgen

import (
	"strconv"
	"unicode/utf8"
)

// jw appends JSON in a fixed field order (AWS's), without reflection: the generator writes
// gigabytes for the benchmark.
type jw struct {
	b     []byte
	comma []bool // per open container: a value was written, the next needs a comma
}

func (w *jw) sep() {
	if n := len(w.comma); n > 0 {
		if w.comma[n-1] {
			w.b = append(w.b, ',')
		}
		w.comma[n-1] = true
	}
}

func (w *jw) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.comma = append(w.comma, false)
}

func (w *jw) close(c byte) {
	w.b = append(w.b, c)
	w.comma = w.comma[:len(w.comma)-1]
}

func (w *jw) obj()    { w.open('{') }
func (w *jw) endObj() { w.close('}') }
func (w *jw) arr()    { w.open('[') }
func (w *jw) endArr() { w.close(']') }

// key writes a key; the value that follows must not add a separator.
func (w *jw) key(k string) {
	w.sep()
	w.b = quote(w.b, k)
	w.b = append(w.b, ':')
	w.comma[len(w.comma)-1] = false
}

func (w *jw) str(v string) {
	w.sep()
	w.b = quote(w.b, v)
}

func (w *jw) null() {
	w.sep()
	w.b = append(w.b, "null"...)
}

func (w *jw) boolean(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) num(v int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jw) ks(k, v string) {
	w.key(k)
	w.str(v)
}

func (w *jw) kb(k string, v bool) {
	w.key(k)
	w.boolean(v)
}

func (w *jw) kn(k string, v int64) {
	w.key(k)
	w.num(v)
}

func (w *jw) ko(k string) {
	w.key(k)
	w.obj()
}

func (w *jw) ka(k string) {
	w.key(k)
	w.arr()
}

// quote appends s as a JSON string, escaping as AWS does (no HTML escaping).
func quote(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigit(c>>4), hexDigit(c&0xf))
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func hexDigit(c byte) byte { return "0123456789abcdef"[c] }
