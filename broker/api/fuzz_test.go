package api

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Whatever a client sends, the API answers with JSON and never a server error.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"profile":"readonly","duration":"30m","reason":"x"}`,
		`{"profile":"readonly","duration":"-1h"}`,
		`{"profile":"readonly","duration":"9999999999h"}`,
		`{"profile":"readonly","break_glass":true,"extends":"r-00000000000000000000000000"}`,
		`{"profile":"\u0000","reason":"\ud800"}`,
		`[1,2,3]`, `null`, `"x"`, `{"profile":{}}`, ``,
	} {
		f.Add("POST", "/v1/requests", seed)
	}
	f.Add("PUT", "/v1/profiles/p", `{"issuer":"sts","max_duration":"1h","session_policy":"{\"Statement\":[]}"}`)
	f.Add("PUT", "/v1/profiles/p", `{"issuer":"vault","vault_role":"r","credential_type":"iam_user","max_duration":"1h","requesters":{"users":["a"]},"approval":{"required":3,"approvers":{"groups":["g"]}}}`)
	f.Add("POST", "/v1/requests/r-x/approve", `{"comment":"ok"}`)
	f.Add("GET", "/v1/requests?state=pending&limit=5&before=zz", "")
	f.Add("GET", "/v1/audit?after=-1", "")
	h := newHarness(f, "sqlite", Limits{PerSecond: 1e6, Burst: 1e6, PerIPPerSecond: 1e6, PerIPBurst: 1e6})
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if method != "GET" && method != "POST" && method != "PUT" && method != "DELETE" {
			return
		}
		if !strings.HasPrefix(path, "/v1/") || strings.ContainsAny(path, " \r\n#") {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return
		}
		for _, user := range []string{"alice", "root"} {
			status, got := h.send(method, path, user, body)
			if status >= 500 {
				t.Fatalf("%s %s as %s with %q: %d %s", method, path, user, body, status, got)
			}
			if got != "" && !json.Valid([]byte(got)) {
				t.Fatalf("%s %s: not JSON: %s", method, path, got)
			}
		}
	})
}
