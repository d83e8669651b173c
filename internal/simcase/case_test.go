package simcase

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestContextValueJSON(t *testing.T) {
	tests := []struct {
		in        string
		want      ContextValue
		roundTrip string
	}{
		{`"a"`, Single("a"), `"a"`},
		{`["a"]`, Multi("a"), `["a"]`},
		{`["a","b"]`, Multi("a", "b"), `["a","b"]`},
		{`[]`, ContextValue{Values: []string{}, Multi: true}, `[]`},
	}
	for _, tt := range tests {
		var v ContextValue
		if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if v.Multi != tt.want.Multi || strings.Join(v.Values, ",") != strings.Join(tt.want.Values, ",") {
			t.Errorf("%s: got %+v, want %+v", tt.in, v, tt.want)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.roundTrip {
			t.Errorf("%s: marshals to %s, want %s", tt.in, b, tt.roundTrip)
		}
	}
	for _, bad := range []string{`1`, `{"a":1}`, `[1]`, `true`} {
		var v ContextValue
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"minimal", `{"identityPolicies":[],"request":{"principal":"p","action":"s3:GetObject","resource":{"resource":"r","accountId":"1"}}}`, ""},
		{"unknown element", `{"identityPolicy":[],"request":{}}`, `unknown field "identityPolicy"`},
		{"trailing data", `{"request":{}} {}`, "trailing data"},
		{"not an object", `[1]`, "decoding case"},
		{"bad context value", `{"request":{"contextVariables":{"k":5}}}`, "want a string or an array of strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestPolicyBytes(t *testing.T) {
	tests := []struct {
		raw, want, wantErr string
	}{
		{`{"Statement":[]}`, `{"Statement":[]}`, ""},
		{` "{\"Statement\":[]}" `, `{"Statement":[]}`, ""},
		{``, "", "policy is missing"},
		{`null`, "", "policy is missing"},
	}
	for _, tt := range tests {
		got, err := PolicyBytes(json.RawMessage(tt.raw))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("PolicyBytes(%q): error %v, want %q", tt.raw, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("PolicyBytes(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}
