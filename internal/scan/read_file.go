package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadAuthDetailsFile reads the saved output of `aws iam get-account-authorization-details`
// (see ReadAuthDetails).
func ReadAuthDetailsFile(path string) (*Account, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading authorization details: %w", err)
	}
	return ReadAuthDetails(data, path)
}

// ReadAuthDetails reads the JSON of `aws iam get-account-authorization-details`: one
// object (the CLI merges pages), or several pages saved one after the other or as a JSON
// array of pages, which are merged. Policy documents may be JSON objects (as the CLI prints
// them) or strings, URL-encoded as the API returns them. name is used in error messages.
func ReadAuthDetails(data []byte, name string) (*Account, error) {
	pages, err := decodePages(data, name)
	if err != nil {
		return nil, err
	}
	b := newBuilder()
	seen := map[string]bool{}
	for _, p := range pages {
		b.add(p, seen)
	}
	if last := pages[len(pages)-1]; last.IsTruncated {
		b.acct.problem(name, "the last page says IsTruncated: true (marker %q): the pages after it are missing", last.Marker)
	}
	return b.finish(), nil
}

func decodePages(data []byte, name string) ([]*rawDetails, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s: empty: want the JSON output of aws iam get-account-authorization-details", name)
	}
	var pages []*rawDetails
	if trimmed[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, jsonError(name, data, err)
		}
		for i, raw := range raws {
			p, err := decodePage(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: page [%d]: %w", name, i, err)
			}
			pages = append(pages, p)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var raw json.RawMessage
			start := dec.InputOffset()
			err := dec.Decode(&raw)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, jsonError(name, data, err)
			}
			p, err := decodePage(raw)
			if err != nil {
				line, col := lineCol(data, start)
				return nil, fmt.Errorf("%s:%d:%d: page %d: %w", name, line, col, i+1, err)
			}
			pages = append(pages, p)
		}
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("%s: no pages: want the JSON output of aws iam get-account-authorization-details", name)
	}
	return pages, nil
}

// decodePage reads one page and checks that it is one: an object with at least one of the
// four lists.
func decodePage(raw json.RawMessage) (*rawDetails, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, fmt.Errorf("not a JSON object: want the output of aws iam get-account-authorization-details")
	}
	found := false
	for _, k := range []string{"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"} {
		if _, ok := keys[k]; ok {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("none of UserDetailList, GroupDetailList, RoleDetailList, Policies: not the output of aws iam get-account-authorization-details")
	}
	var p rawDetails
	if err := json.Unmarshal(raw, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %s where %s was expected", te.Field, te.Value, te.Type)
		}
		return nil, err
	}
	return &p, nil
}

// jsonError places a decoding error at its line and column.
func jsonError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		line, col := lineCol(data, max(se.Offset-1, 0))
		return fmt.Errorf("%s:%d:%d: invalid JSON: %v", name, line, col, se)
	case errors.As(err, &te):
		line, col := lineCol(data, te.Offset)
		return fmt.Errorf("%s:%d:%d: %s where %s was expected", name, line, col, te.Value, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the JSON ends early (truncated file?)", name)
	}
	return fmt.Errorf("%s: %w", name, err)
}

func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
