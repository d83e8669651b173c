package main

import (
	"strings"
	"testing"
)

func TestRandomBase62(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []int{1, 8, 24, 100} {
		s, err := randomBase62(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != n || strings.Trim(s, base62) != "" {
			t.Errorf("randomBase62(%d) = %q", n, s)
		}
		if n >= 24 && seen[s] {
			t.Errorf("repeated value %q", s)
		}
		seen[s] = true
	}
}
