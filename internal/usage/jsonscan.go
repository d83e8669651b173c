package usage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// A small JSON scanner over one complete window of bytes. CloudTrail records are read with
// it field by field: the few fields the digest needs are extracted, everything else is
// skipped without building values, which is what makes a full digest about as fast as
// decompression. Strings are returned as slices of the window (or of a scratch buffer when
// they hold escapes), valid until the window moves.

// errShort means the value continues past the end of the window: read more and retry.
var errShort = errors.New("unexpected end of data")

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 64

// syntaxError is malformed JSON at an offset of the window.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

type scanner struct {
	b       []byte
	i       int
	scratch []byte // unescaped strings; reset per record
}

func (s *scanner) fail(format string, args ...any) error {
	return &syntaxError{off: s.i, msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) ws() {
	// Every byte that is not white space and may start a token is above ' '.
	for s.i < len(s.b) && s.b[s.i] <= ' ' {
		switch s.b[s.i] {
		case ' ', '\n', '\r', '\t':
			s.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or errShort.
func (s *scanner) peek() (byte, error) {
	s.ws()
	if s.i >= len(s.b) {
		return 0, errShort
	}
	return s.b[s.i], nil
}

// expect consumes the byte c after white space.
func (s *scanner) expect(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return s.fail("want %q, found %q", c, got)
	}
	s.i++
	return nil
}

// strEnd returns the index of the closing quote of the string whose content starts at
// start, and whether the string holds escapes.
func (s *scanner) strEnd(start int) (end int, escaped bool, err error) {
	b := s.b
	j := start
	for {
		k := quoteOrBackslash(b, j)
		if k < 0 {
			return 0, false, errShort
		}
		if b[k] == '"' {
			return k, escaped, nil
		}
		escaped = true
		j = k + 2 // past the escaped character
		if j > len(b) {
			return 0, false, errShort
		}
	}
}

// quoteOrBackslash returns the index of the first '"' or '\\' in b at or after i, or -1.
// Strings in records are mostly short, so it tests eight bytes at a time in a register
// rather than paying a vectorised search's setup on each.
func quoteOrBackslash(b []byte, i int) int {
	const (
		ones   = 0x0101010101010101
		highs  = 0x8080808080808080
		quote  = '"' * ones
		bslash = '\\' * ones
	)
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q, e := x^quote, x^bslash
		if t := ((q-ones)&^q | (e-ones)&^e) & highs; t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return -1
}

// str reads a string at the current position (after white space).
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	end, escaped, err := s.strEnd(start)
	if err != nil {
		return nil, err
	}
	s.i = end + 1
	v := s.b[start:end]
	if !escaped {
		return v, nil
	}
	return s.unescape(v, start)
}

// strOrNull reads a string value, or null as an empty string. Any other kind of value is a
// type error that names the field.
func (s *scanner) strOrNull(field string) ([]byte, error) {
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	switch c {
	case '"':
		return s.str()
	case 'n':
		return nil, s.lit("null")
	default:
		return nil, s.fail("%s: want a string, found %q", field, c)
	}
}

// boolOrNull reads true, false or null (-1 for null or absent).
func (s *scanner) boolOrNull(field string) (int8, error) {
	c, err := s.peek()
	if err != nil {
		return -1, err
	}
	switch c {
	case 't':
		return 1, s.lit("true")
	case 'f':
		return 0, s.lit("false")
	case 'n':
		return -1, s.lit("null")
	case '"': // some producers quote booleans
		v, err := s.str()
		if err != nil {
			return -1, err
		}
		switch string(v) {
		case "true":
			return 1, nil
		case "false":
			return 0, nil
		}
		return -1, s.fail("%s: want a boolean, found %q", field, v)
	default:
		return -1, s.fail("%s: want a boolean, found %q", field, c)
	}
}

func (s *scanner) unescape(v []byte, start int) ([]byte, error) {
	from := len(s.scratch)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' {
			s.scratch = append(s.scratch, c)
			continue
		}
		i++
		if i >= len(v) {
			return nil, &syntaxError{off: start + i, msg: "bad escape at end of string"}
		}
		switch v[i] {
		case '"', '\\', '/':
			s.scratch = append(s.scratch, v[i])
		case 'b':
			s.scratch = append(s.scratch, '\b')
		case 'f':
			s.scratch = append(s.scratch, '\f')
		case 'n':
			s.scratch = append(s.scratch, '\n')
		case 'r':
			s.scratch = append(s.scratch, '\r')
		case 't':
			s.scratch = append(s.scratch, '\t')
		case 'u':
			r, n := hex4(v[i+1:])
			if n < 0 {
				return nil, &syntaxError{off: start + i, msg: "bad \\u escape"}
			}
			i += 4
			if utf8SurrogateHigh(r) && i+2 < len(v) && v[i+1] == '\\' && v[i+2] == 'u' {
				if r2, n2 := hex4(v[i+3:]); n2 >= 0 && utf8SurrogateLow(r2) {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
					i += 6
				}
			}
			s.scratch = utf8.AppendRune(s.scratch, r)
		default:
			return nil, &syntaxError{off: start + i, msg: fmt.Sprintf("bad escape \\%c", v[i])}
		}
	}
	return s.scratch[from:len(s.scratch):len(s.scratch)], nil
}

func utf8SurrogateHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf8SurrogateLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, -1
		}
	}
	return r, 4
}

// lit consumes a literal (true, false, null).
func (s *scanner) lit(word string) error {
	s.ws()
	rest := s.b[s.i:]
	if len(rest) < len(word) {
		if bytes.HasPrefix([]byte(word), rest) {
			return errShort
		}
		return s.fail("want %s", word)
	}
	if string(rest[:len(word)]) != word {
		return s.fail("want %s", word)
	}
	s.i += len(word)
	return nil
}

// skip consumes one value of any kind.
func (s *scanner) skip(depth int) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		end, _, err := s.strEnd(s.i + 1)
		if err != nil {
			return err
		}
		s.i = end + 1
		return nil
	case c == '{':
		return s.skipObject(depth + 1)
	case c == '[':
		return s.skipArray(depth + 1)
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		j := s.i + 1
		for j < len(s.b) && isNumberByte(s.b[j]) {
			j++
		}
		if j == len(s.b) {
			return errShort // the number may continue
		}
		s.i = j
		return nil
	default:
		return s.fail("unexpected %q", c)
	}
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

func (s *scanner) skipObject(depth int) error {
	if depth > maxDepth {
		return s.fail("nested deeper than %d", maxDepth)
	}
	return s.object(func(_ []byte) error { return s.skip(depth) })
}

func (s *scanner) skipArray(depth int) error {
	if depth > maxDepth {
		return s.fail("nested deeper than %d", maxDepth)
	}
	return s.array(func() error { return s.skip(depth) })
}

// object reads {"k": v, ...}, calling field for each key with the scanner positioned at the
// value; field must consume the value. null counts as an empty object.
func (s *scanner) object(field func(key []byte) error) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		return s.lit("null")
	}
	if c != '{' {
		return s.fail("want an object, found %q", c)
	}
	s.i++
	if c, err = s.peek(); err != nil {
		return err
	}
	if c == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		s.i++
		switch c {
		case ',':
		case '}':
			return nil
		default:
			s.i--
			return s.fail("want ',' or '}' after a value, found %q", c)
		}
	}
}

// array reads [v, ...], calling elem with the scanner at each element. null counts as an
// empty array.
func (s *scanner) array(elem func() error) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		return s.lit("null")
	}
	if c != '[' {
		return s.fail("want an array, found %q", c)
	}
	s.i++
	if c, err = s.peek(); err != nil {
		return err
	}
	if c == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		s.i++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			s.i--
			return s.fail("want ',' or ']' after an element, found %q", c)
		}
	}
}

// resync finds the end of a malformed element of an array that starts at start: the
// index just past its closing brace or bracket if it opens one, else the index of the ','
// or ']' that ends it. Braces and brackets are counted outside strings, leniently. It
// returns errShort when the window ends first.
func resync(b []byte, start int) (int, error) {
	depth := 0
	for i := start; i < len(b); i++ {
		switch b[i] {
		case '"':
			j := i + 1
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					return 0, errShort
				}
				j += k
				n := 0
				for m := j - 1; m > i && b[m] == '\\'; m-- {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, nil // the end of the enclosing array
			}
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case ',':
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, errShort
}
