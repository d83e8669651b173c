package iam

import (
	"sort"
	"strings"
)

// Context is a request's context: condition key -> values. Keys compare case-insensitively,
// as AWS compares them. A key is either single-valued (aws:username) or multi-valued
// (aws:TagKeys); the difference matters: a condition operator without ForAllValues: or
// ForAnyValue: never matches a multi-valued key, even one with a single value.
//
// A Context is not safe for concurrent writes; evaluations only read it.
type Context struct {
	entries map[string]contextEntry // by lower-cased key
}

type contextEntry struct {
	name   string // the key as first written, for Keys
	values []string
	multi  bool
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{entries: make(map[string]contextEntry)}
}

// Set sets a key. One value makes a single-valued key; none or several make a multi-valued
// key (use SetMulti for a multi-valued key that has exactly one value). Setting a key again
// replaces its values.
func (c *Context) Set(key string, values ...string) {
	c.set(key, values, len(values) != 1)
}

// SetMulti sets a multi-valued key (a key whose type is ArrayOf...), even with one value or none.
func (c *Context) SetMulti(key string, values ...string) {
	c.set(key, values, true)
}

func (c *Context) set(key string, values []string, multi bool) {
	if c.entries == nil {
		c.entries = make(map[string]contextEntry)
	}
	lower := strings.ToLower(key)
	name := key
	if old, ok := c.entries[lower]; ok {
		name = old.name
	}
	c.entries[lower] = contextEntry{name: name, values: append([]string(nil), values...), multi: multi}
}

// Get returns a key's values and whether the key is present. The slice must not be modified.
func (c *Context) Get(key string) ([]string, bool) {
	e, ok := c.lookup(strings.ToLower(key))
	return e.values, ok
}

// IsMultiValued reports whether the key is present and multi-valued.
func (c *Context) IsMultiValued(key string) bool {
	e, ok := c.lookup(strings.ToLower(key))
	return ok && e.multi
}

// Delete removes a key.
func (c *Context) Delete(key string) {
	if c != nil {
		delete(c.entries, strings.ToLower(key))
	}
}

// Keys returns the keys present, as first written, sorted case-insensitively.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	lowers := make([]string, 0, len(c.entries))
	for k := range c.entries {
		lowers = append(lowers, k)
	}
	sort.Strings(lowers)
	out := make([]string, len(lowers))
	for i, k := range lowers {
		out[i] = c.entries[k].name
	}
	return out
}

// Clone returns an independent copy.
func (c *Context) Clone() *Context {
	out := NewContext()
	if c != nil {
		for k, e := range c.entries {
			out.entries[k] = contextEntry{name: e.name, values: append([]string(nil), e.values...), multi: e.multi}
		}
	}
	return out
}

// lookup finds a key already lower-cased (compiled policies lower-case their keys once).
// A nil Context is empty.
func (c *Context) lookup(lowerKey string) (contextEntry, bool) {
	if c == nil {
		return contextEntry{}, false
	}
	e, ok := c.entries[lowerKey]
	return e, ok
}
