package iam

import (
	"bytes"
	"fmt"
	"strings"
)

// Position is a 1-based line and column (in bytes, as SyntaxError counts them) in a
// document.
type Position struct {
	Line, Column int
}

// PositionIndex maps the JSON paths that parse errors and findings use
// ("$.Statement[0].Action[1]") to where their values start in the source document, so
// that tools can print file:line:column.
type PositionIndex struct {
	doc     []byte
	offsets map[string]int64
}

// NewPositionIndex indexes doc. For a document that is not valid JSON it returns an
// empty index and the *SyntaxError, which carries its own position.
func NewPositionIndex(doc []byte) (*PositionIndex, error) {
	x := &PositionIndex{doc: doc, offsets: map[string]int64{}}
	root, err := parseJSONTree(doc)
	if err != nil {
		return x, err
	}
	walkPaths(root, "$", func(path string, n *node) { x.offsets[path] = n.offset })
	return x, nil
}

// Lookup returns the position of the value at path. A path the document does not hold
// (a finding about a missing element) falls back to its nearest enclosing value.
func (x *PositionIndex) Lookup(path string) (Position, bool) {
	for p := path; p != ""; p = parentPath(p) {
		if off, ok := x.offsets[p]; ok {
			return x.position(off), true
		}
	}
	return Position{}, false
}

// position turns a node's offset into line:column. Decoder offsets point just past the
// previous token, so whitespace and the ':' or ',' separator are skipped first.
func (x *PositionIndex) position(off int64) Position {
	for off < int64(len(x.doc)) && strings.IndexByte(" \t\r\n:,", x.doc[off]) >= 0 {
		off++
	}
	line := 1 + bytes.Count(x.doc[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(x.doc[:off], '\n')
	return Position{Line: line, Column: col}
}

// walkPaths calls f for n and every value inside it, with the path the parser gives each.
func walkPaths(n *node, path string, f func(string, *node)) {
	f(path, n)
	switch n.kind {
	case kindObject:
		for _, m := range n.members {
			walkPaths(m.value, path+"."+m.key, f)
		}
	case kindArray:
		for i, it := range n.items {
			walkPaths(it, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}

// parentPath drops the last ".key" or "[i]" of a path; "" after "$".
func parentPath(p string) string {
	if p == "$" {
		return ""
	}
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i > 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i > 0 {
		return p[:i]
	}
	return "$"
}
