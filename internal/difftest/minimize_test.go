package difftest

import (
	"bytes"
	"encoding/json"
	"sort"
)

// minimizer shrinks a disagreeing case while both simulators keep giving the same answers:
// it drops array elements (policies, statements, actions, resources, condition values) in
// halving chunks and object members (conditions, context keys, optional policies) one by
// one, keeping each removal that leaves the two answers as they were.
type minimizer struct {
	root    any
	answer  func(line []byte) (ciem, ref string, err error)
	want    [2]string // the answers of ciem and the reference to keep
	calls   int
	budget  int // most answers to ask for
	lastErr error
}

// minimize returns the reduced case line, or the original if it cannot be decoded.
func minimize(line []byte, ciem, ref string, budget int, answer func([]byte) (string, string, error)) []byte {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return line
	}
	m := &minimizer{root: root, answer: answer, want: [2]string{ciem, ref}, budget: budget}
	m.reduce(m.root, func(v any) { m.root = v })
	out, err := json.Marshal(m.root)
	if err != nil {
		return line
	}
	return out
}

// still reports whether the current tree still gives the wanted answers.
func (m *minimizer) still() bool {
	if m.calls >= m.budget || m.lastErr != nil {
		return false
	}
	m.calls++
	b, err := json.Marshal(m.root)
	if err != nil {
		return false
	}
	c, r, err := m.answer(b)
	if err != nil {
		m.lastErr = err
		return false
	}
	return c == m.want[0] && r == m.want[1]
}

func (m *minimizer) reduce(v any, set func(any)) {
	switch x := v.(type) {
	case []any:
		for size := len(x) / 2; size >= 1; size /= 2 {
			for i := 0; i+size <= len(x); {
				cand := append(append([]any{}, x[:i]...), x[i+size:]...)
				set(cand)
				if m.still() {
					x = cand
					continue
				}
				set(x)
				i += size
			}
		}
		for i := range x {
			m.reduce(x[i], func(nv any) { x[i] = nv })
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			save := x[k]
			delete(x, k)
			if m.still() {
				continue
			}
			x[k] = save
		}
		keys = keys[:0]
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.reduce(x[k], func(nv any) { x[k] = nv })
		}
	}
}
