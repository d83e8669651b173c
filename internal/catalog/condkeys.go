package catalog

import "strings"

// templatedKey is a condition key with ${...} (or <...>) placeholders, split into lowercase literal
// parts; each placeholder matches one or more characters of any kind (tag keys may hold
// '/', ':' and '.').
type templatedKey struct {
	lits []string // len = placeholders + 1
	key  *ConditionKey
	spec int // total literal length: the most specific template wins
}

// ConditionKey finds a condition key, case-insensitively: an exact key, or a concrete key
// that fits a templated one ("aws:RequestTag/Env" fits "aws:RequestTag/${TagKey}"). Global
// keys win over service keys of the same name.
func (c *Catalog) ConditionKey(key string) (*ConditionKey, bool) {
	c.keysOnce.Do(c.indexConditionKeys)
	lk := strings.ToLower(key)
	if k, ok := c.keys[lk]; ok {
		return k, true
	}
	var best *templatedKey
	for i := range c.templatedKeys {
		t := &c.templatedKeys[i]
		if (best == nil || t.spec > best.spec) && strings.HasPrefix(lk, t.lits[0]) && t.match(lk) {
			best = t
		}
	}
	if best == nil {
		return nil, false
	}
	return best.key, true
}

func (t *templatedKey) match(s string) bool {
	if !strings.HasPrefix(s, t.lits[0]) {
		return false
	}
	return matchParts(s[len(t.lits[0]):], t.lits[1:])
}

// matchParts matches s against "placeholder lit[0] placeholder lit[1] ...", each
// placeholder taking at least one character.
func matchParts(s string, lits []string) bool {
	if len(lits) == 0 {
		return s == ""
	}
	if len(lits) == 1 {
		return len(s) > len(lits[0]) && strings.HasSuffix(s, lits[0])
	}
	for i := 1; i <= len(s); i++ {
		j := strings.Index(s[i:], lits[0])
		if j < 0 {
			return false
		}
		i += j
		if matchParts(s[i+len(lits[0]):], lits[1:]) {
			return true
		}
	}
	return false
}

// indexConditionKeys builds the exact and templated key indexes: global keys first, then
// each service's own keys (prefix = service), then keys a service lists from elsewhere.
func (c *Catalog) indexConditionKeys() {
	c.keys = make(map[string]*ConditionKey, 2048)
	add := func(k *ConditionKey) {
		lk := strings.ToLower(k.Key)
		if _, dup := c.keys[lk]; dup {
			return
		}
		c.keys[lk] = k
		if strings.Contains(lk, "${") || strings.Contains(lk, "<") {
			c.templatedKeys = append(c.templatedKeys, newTemplatedKey(lk, k))
		}
	}
	for _, k := range globalKeys {
		add(k)
	}
	for _, own := range []bool{true, false} {
		for _, s := range c.services {
			for _, k := range s.ConditionKeys { // Global is set when decoding
				if strings.EqualFold(keyPrefix(k.Key), s.Prefix) == own {
					add(k)
				}
			}
		}
	}
}

// hasPrefixFold reports whether s begins with prefix, ASCII case-insensitively.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func keyPrefix(key string) string {
	p, _, _ := strings.Cut(key, ":")
	return p
}

// newTemplatedKey splits a key at its placeholders, written ${Name} or, in a few S3 keys,
// <name>.
func newTemplatedKey(lk string, k *ConditionKey) templatedKey {
	t := templatedKey{key: k}
	rest := lk
	for {
		i, j := placeholder(rest)
		if i < 0 {
			break
		}
		t.lits = append(t.lits, rest[:i])
		rest = rest[j:]
	}
	t.lits = append(t.lits, rest)
	for _, l := range t.lits {
		t.spec += len(l)
	}
	return t
}

// placeholder finds the first ${...} or <...> in s: its start and the index just past it,
// or -1, -1.
func placeholder(s string) (start, end int) {
	for i := 0; i < len(s); i++ {
		var closer byte
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			closer = '}'
		case s[i] == '<':
			closer = '>'
		default:
			continue
		}
		if j := strings.IndexByte(s[i:], closer); j > 0 {
			return i, i + j + 1
		}
	}
	return -1, -1
}
