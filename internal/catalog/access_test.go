package catalog

import "testing"

func TestAccessLevelFromData(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want AccessLevel
		ok   bool
	}{
		{"Read", Read, true},
		{"Tagging, Write", Tagging, true},
		{"Permissions management, Write", PermissionsManagement, true},
		{"Nonsense", 0, false},
		{"", 0, false},
	} {
		got, ok := accessLevelFromData(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("accessLevelFromData(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if s := AccessLevel(9).String(); s != "AccessLevel(9)" {
		t.Errorf("String of an unknown level = %q", s)
	}
}
