package api

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/brokertest"
)

// An administrator creates a token through the API; it works at once, is listed
// without its secret, and is refused as soon as it is revoked. Both are audited.
func TestTokenLifecycle(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t, backend, Limits{})
			now := h.Clock.Now().UTC().Truncate(time.Millisecond)
			ts := func(t time.Time) string { return t.Format(time.RFC3339Nano) }

			status, body := h.do("POST", "/v1/tokens", "root", `{"name":"ci","subject":"ci-bot","groups":["dev"],"expires_in":"24h"}`)
			var created CreatedToken
			if status != 201 || json.Unmarshal([]byte(body), &created) != nil {
				t.Fatalf("create: %d %s", status, body)
			}
			id := created.ID
			if !regexp.MustCompile(`^ciem_` + id + `_[a-z2-7]{52}$`).MatchString(created.Token) {
				t.Fatalf("token %q does not carry id %q", created.Token, id)
			}
			want := `{"id":"` + id + `","name":"ci","subject":"ci-bot","groups":["dev"],"admin":false,"created_at":"` + ts(now) +
				`","created_by":"root","expires_at":"` + ts(now.Add(24*time.Hour)) + `","token":"` + created.Token + `"}`
			if body != want {
				t.Fatalf("create:\n got %s\nwant %s", body, want)
			}

			// The new token works right away.
			h.tokens["ci"] = created.Token
			if status, body := h.do("GET", "/v1/me", "ci", ""); status != 200 ||
				body != `{"subject":"ci-bot","groups":["dev"],"admin":false,"via":"token:ci"}` {
				t.Fatalf("me with the new token: %d %s", status, body)
			}

			// Listed without secrets; only the hash is stored.
			status, body = h.do("GET", "/v1/tokens", "root", "")
			wantListed := `{"id":"` + id + `","name":"ci","subject":"ci-bot","groups":["dev"],"admin":false,"created_at":"` + ts(now) +
				`","created_by":"root","expires_at":"` + ts(now.Add(24*time.Hour)) + `"}`
			secret := created.Token[strings.LastIndex(created.Token, "_")+1:]
			if status != 200 || !strings.Contains(body, wantListed) || strings.Contains(body, secret) || strings.Contains(body, "hash") {
				t.Fatalf("list: %d %s", status, body)
			}
			var list struct{ Tokens []TokenView }
			_ = json.Unmarshal([]byte(body), &list)
			if len(list.Tokens) != 6 { // the harness's five and ci
				t.Fatalf("list has %d tokens", len(list.Tokens))
			}
			stored, err := h.Svc.Tokens(h.Ctx, brokertest.Root)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range stored {
				if tk.ID == id && (tk.Hash == "" || strings.Contains(tk.Hash, secret)) {
					t.Fatalf("stored hash %q", tk.Hash)
				}
			}

			h.Clock.Advance(time.Minute)
			revokedAt := now.Add(time.Minute)
			status, body = h.do("DELETE", "/v1/tokens/"+id, "root", "")
			if want := strings.TrimSuffix(wantListed, "}") + `,"revoked_at":"` + ts(revokedAt) + `"}`; status != 200 || body != want {
				t.Fatalf("revoke: %d %s\nwant %s", status, body, want)
			}
			if status, body := h.do("GET", "/v1/me", "ci", ""); status != 401 ||
				body != `{"error":{"code":"token_revoked","message":"API token ci was revoked"}}` {
				t.Fatalf("me with the revoked token: %d %s", status, body)
			}
			if status, body := h.do("DELETE", "/v1/tokens/"+id, "root", ""); status != 409 ||
				body != `{"error":{"code":"token_revoked","message":"token ci (`+id+`) was already revoked at `+revokedAt.Format(time.RFC3339)+`"}}` {
				t.Fatalf("second revoke: %d %s", status, body)
			}

			if got := strings.Join(h.Actions("ci"), ","); got != "token.created,token.revoked" {
				t.Fatalf("audit events for ci: %s", got)
			}
			for e, err := range h.Store.AuditEvents(h.Ctx, 0) {
				if err != nil {
					t.Fatal(err)
				}
				if e.Subject == "ci" && e.Actor != "root" {
					t.Fatalf("%s by %q, want root", e.Action, e.Actor)
				}
			}
			status, body = h.do("GET", "/v1/audit/export", "root", "")
			rep, err := audit.Verify(audit.ReadJSONLines(strings.NewReader(body)))
			if status != 200 || err != nil || !rep.OK() {
				t.Fatalf("audit chain: %d %+v %v", status, rep, err)
			}
		})
	}
}

func TestTokenExpires(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	var created CreatedToken
	h.doJSON("POST", "/v1/tokens", "root", `{"name":"short","subject":"s","expires_in":"1h"}`, 201, &created)
	h.tokens["short"] = created.Token
	h.doJSON("GET", "/v1/me", "short", "", 200, nil)
	h.Clock.Advance(time.Hour)
	if status, body := h.do("GET", "/v1/me", "short", ""); status != 401 || !strings.Contains(body, `"code":"token_expired"`) {
		t.Fatalf("expired token: %d %s", status, body)
	}
}

func TestTokenErrors(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	h.doJSON("POST", "/v1/tokens", "root", `{"name":"ci","subject":"ci-bot"}`, 201, nil)
	notAdmin := `{"error":{"code":"not_admin","message":"only administrators may do this"}}`
	tests := []struct {
		name, method, path, user, body string
		status                         int
		want                           string
	}{
		{"create as a non-admin", "POST", "/v1/tokens", "alice", `{"name":"mine","subject":"alice","admin":true}`, 403, notAdmin},
		{"non-admin with a bad body", "POST", "/v1/tokens", "alice", `{"nope":1}`, 403, notAdmin},
		{"list as a non-admin", "GET", "/v1/tokens", "bob", "", 403, notAdmin},
		{"revoke as a non-admin", "DELETE", "/v1/tokens/aaaaaaaaaaaaaaaa", "alice", "", 403, notAdmin},
		{"no token", "GET", "/v1/tokens", "", "", 401, `{"error":{"code":"no_token","message":"an Authorization: Bearer token is required"}}`},
		{"duplicate name", "POST", "/v1/tokens", "root", `{"name":"ci","subject":"x"}`, 409, `{"error":{"code":"token_exists","message":"a token named ci exists"}}`},
		{"bad name", "POST", "/v1/tokens", "root", `{"name":"a b","subject":"x"}`, 400, `{"error":{"code":"invalid_token_name","message":"token name \"a b\": 1-64 letters, digits, '.', '_' or '-'"}}`},
		{"no subject", "POST", "/v1/tokens", "root", `{"name":"x"}`, 400, `{"error":{"code":"invalid_subject","message":"token x: a subject (the user it acts as) is required"}}`},
		{"empty body", "POST", "/v1/tokens", "root", "", 400, `{"error":{"code":"invalid_token_name","message":"token name \"\": 1-64 letters, digits, '.', '_' or '-'"}}`},
		{"bad expires_in", "POST", "/v1/tokens", "root", `{"name":"x","subject":"x","expires_in":"soon"}`, 400, `{"error":{"code":"invalid_duration","message":"expires_in \"soon\": use a duration such as \"90m\" or \"4h\""}}`},
		{"negative expires_in", "POST", "/v1/tokens", "root", `{"name":"x","subject":"x","expires_in":"-1h"}`, 400, `{"error":{"code":"invalid_duration","message":"expires_in \"-1h\": use a duration such as \"90m\" or \"4h\""}}`},
		{"unknown field", "POST", "/v1/tokens", "root", `{"name":"x","subject":"x","ttl":"1h"}`, 400, `{"error":{"code":"invalid_json","message":"request body: json: unknown field \"ttl\""}}`},
		{"revoke an unknown id", "DELETE", "/v1/tokens/aaaaaaaaaaaaaaaa", "root", "", 404, `{"error":{"code":"token_not_found","message":"no token with id aaaaaaaaaaaaaaaa"}}`},
		{"wrong method", "PUT", "/v1/tokens/aaaaaaaaaaaaaaaa", "root", "", 405, `{"error":{"code":"method_not_allowed","message":"Method Not Allowed"}}`},
	}
	for _, tc := range tests {
		if status, body := h.do(tc.method, tc.path, tc.user, tc.body); status != tc.status || body != tc.want {
			t.Errorf("%s: %d %s\nwant %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	if got := strings.Join(h.Actions("mine"), ","); got != "" {
		t.Fatalf("a refused create was audited: %s", got)
	}
}
