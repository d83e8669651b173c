package iam

import (
	"slices"
	"testing"
)

func TestContext(t *testing.T) {
	c := NewContext()
	c.Set("aws:UserName", "bob")
	c.Set("aws:TagKeys", "a", "b")
	c.SetMulti("aws:PrincipalServiceNamesList", "ec2.amazonaws.com")
	c.Set("aws:Empty")

	if v, ok := c.Get("AWS:USERNAME"); !ok || !slices.Equal(v, []string{"bob"}) {
		t.Errorf("Get is case-insensitive: got %q, %v", v, ok)
	}
	for key, multi := range map[string]bool{
		"aws:username":                  false,
		"aws:tagkeys":                   true,
		"aws:PrincipalServiceNamesList": true,
		"aws:empty":                     true,
		"aws:missing":                   false,
	} {
		if got := c.IsMultiValued(key); got != multi {
			t.Errorf("IsMultiValued(%s) = %v, want %v", key, got, multi)
		}
	}
	if _, ok := c.Get("aws:missing"); ok {
		t.Error("a missing key is present")
	}

	c.Set("AWS:USERNAME", "alice") // replaces, keeps the first spelling
	if v, _ := c.Get("aws:username"); !slices.Equal(v, []string{"alice"}) {
		t.Errorf("Set again: got %q", v)
	}
	if got := c.Keys(); !slices.Equal(got, []string{"aws:Empty", "aws:PrincipalServiceNamesList", "aws:TagKeys", "aws:UserName"}) {
		t.Errorf("Keys() = %q", got)
	}

	d := c.Clone()
	d.Delete("aws:username")
	if _, ok := d.Get("aws:username"); ok {
		t.Error("Delete left the key")
	}
	if _, ok := c.Get("aws:username"); !ok {
		t.Error("Delete on a clone changed the original")
	}

	vals := []string{"x"}
	c.Set("k", vals...)
	vals[0] = "y"
	if v, _ := c.Get("k"); v[0] != "x" {
		t.Error("Set keeps the caller's slice")
	}

	var nilCtx *Context
	if _, ok := nilCtx.Get("k"); ok || nilCtx.Keys() != nil || nilCtx.IsMultiValued("k") {
		t.Error("a nil context is not empty")
	}
	nilCtx.Delete("k")
	if nilCtx.Clone() == nil {
		t.Error("Clone of nil is nil")
	}
	var zero Context
	zero.Set("k", "v") // the zero Context is usable
	if _, ok := zero.Get("k"); !ok {
		t.Error("the zero Context lost a key")
	}
}
