package simcase

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Batch lines are mostly policy documents (a managed policy is kilobytes; the request is a
// few hundred bytes), and the same documents come back case after case. decodeLine lifts
// each policy object out of the line with a fast structural scan, decodes the small rest
// with encoding/json, and puts the policies' bytes back as they were. Policy bytes are then
// looked up in the Translator's cache; only bytes not seen before are parsed (and so
// validated) by iam.Parse. A line that the scan cannot take apart is decoded by Decode.

// policyKeys are the members whose object values are policy documents.
var policyKeys = [][]byte{[]byte(`"policy"`), []byte(`"resourcePolicy"`), []byte(`"sessionPolicy"`)}

// decodeLine decodes one case line, lifting policy objects out of it first.
func decodeLine(line []byte) (*Case, error) {
	small, spans, ok := liftPolicies(line)
	if !ok || len(spans) == 0 {
		return Decode(line)
	}
	c, err := Decode(small)
	if err != nil {
		// Report against the whole line, as Decode would.
		return Decode(line)
	}
	restore := func(raw json.RawMessage) (json.RawMessage, bool) {
		if len(raw) < 3 || raw[0] != '"' || raw[1] != '\\' {
			return raw, true
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || len(s) < 2 || s[0] != 0 {
			return raw, true
		}
		i, err := strconv.Atoi(s[1:])
		if err != nil || i < 0 || i >= len(spans) {
			return raw, false
		}
		return spans[i], true
	}
	ok = true
	restored := 0
	fix := func(raw *json.RawMessage) {
		r, good := restore(*raw)
		if good && len(r) > 0 && len(*raw) > 0 && &r[0] != &(*raw)[0] {
			restored++
		}
		*raw = r
		ok = ok && good
	}
	for i := range c.IdentityPolicies {
		fix(&c.IdentityPolicies[i].Policy)
	}
	for i := range c.PermissionBoundaryPolicies {
		fix(&c.PermissionBoundaryPolicies[i].Policy)
	}
	for _, lvls := range [][]OrgPolicies{c.ServiceControlPolicies, c.ResourceControlPolicies} {
		for i := range lvls {
			for j := range lvls[i].Policies {
				fix(&lvls[i].Policies[j].Policy)
			}
		}
	}
	if len(c.ResourcePolicy) > 0 {
		fix(&c.ResourcePolicy)
	}
	if len(c.SessionPolicy) > 0 {
		fix(&c.SessionPolicy)
	}
	if !ok || restored != len(spans) {
		// A placeholder landed somewhere other than a policy (say, an object in
		// contextVariables): let Decode report the line as it is.
		return Decode(line)
	}
	return c, nil
}

// liftPolicies returns the line with every object value of a policy member replaced by a
// placeholder string ("\u0000N"), and the replaced objects. ok is false when the scan finds
// the line malformed.
func liftPolicies(line []byte) (small []byte, spans [][]byte, ok bool) {
	out := make([]byte, 0, 512)
	last := 0
	i := 0
	for i < len(line) {
		c := line[i]
		switch c {
		case '"':
			end, ok := skipString(line, i)
			if !ok {
				return nil, nil, false
			}
			if isPolicyKey(line[i:end]) {
				// After the key: optional space, ':', optional space, then the value.
				j := skipSpace(line, end)
				if j < len(line) && line[j] == ':' {
					j = skipSpace(line, j+1)
					if j < len(line) && line[j] == '{' {
						vEnd, ok := skipValue(line, j)
						if !ok {
							return nil, nil, false
						}
						out = append(out, line[last:j]...)
						out = append(out, `"\u0000`...)
						out = strconv.AppendInt(out, int64(len(spans)), 10)
						out = append(out, '"')
						spans = append(spans, line[j:vEnd])
						last = vEnd
						i = vEnd
						continue
					}
				}
			}
			i = end
		default:
			i++
		}
	}
	out = append(out, line[last:]...)
	return out, spans, true
}

func isPolicyKey(s []byte) bool {
	for _, k := range policyKeys {
		if bytes.Equal(s, k) {
			return true
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index just past the object or array starting at b[i], matching
// brackets outside strings. It does not validate what is inside: the bytes are either
// found in the policy cache (validated when first parsed) or parsed now.
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, ok := skipString(b, j)
			if !ok {
				return 0, false
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}
