package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// node is one JSON value with its source offset and, for objects, the members in source
// order. Policies are parsed into this tree first so that every error can name a JSON path,
// duplicate keys are caught (encoding/json keeps the last one silently), and numbers keep
// the text they were written with.
type node struct {
	kind    nodeKind
	str     string // string value, or number/bool text
	items   []*node
	members []member
	offset  int64
}

type member struct {
	key   string
	value *node
}

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindString
	kindNumber
	kindBool
	kindArray
	kindObject
)

func (k nodeKind) String() string {
	return [...]string{"null", "string", "number", "boolean", "array", "object"}[k]
}

// SyntaxError is a JSON syntax error with the byte offset and line:column where it happened.
type SyntaxError struct {
	Offset       int64
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func parseJSONTree(doc []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return nil, syntaxError(doc, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, syntaxError(doc, dec.InputOffset(), errors.New("unexpected data after the policy document"))
	}
	return n, nil
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack; real policies nest 5 deep.
const maxDepth = 64

func readNode(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errors.New("nesting too deep")
	}
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("unexpected end of input")
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kindObject, offset: off}
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				if seen[key] {
					return nil, fmt.Errorf("duplicate key %q", key)
				}
				seen[key] = true
				v, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key: key, value: v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{kind: kindArray, offset: off}
			for dec.More() {
				v, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case string:
		return &node{kind: kindString, str: t, offset: off}, nil
	case json.Number:
		return &node{kind: kindNumber, str: t.String(), offset: off}, nil
	case bool:
		return &node{kind: kindBool, str: strconv.FormatBool(t), offset: off}, nil
	case nil:
		return &node{kind: kindNull, offset: off}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func syntaxError(doc []byte, off int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if off > int64(len(doc)) {
		off = int64(len(doc))
	}
	line := 1 + bytes.Count(doc[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(doc[:off], '\n')
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return &SyntaxError{Offset: off, Line: line, Column: col, Msg: msg}
}
