package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/workflow"
)

// A grant's whole life through the API, on both stores: request, approve, use the
// credentials at AWS, revoke, and the same credentials are refused at once.
func TestLifecycle(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := newHarness(t, backend, Limits{})
			var r RequestView
			h.doJSON("POST", "/v1/requests", "alice", `{"profile":"readonly","duration":"30m","reason":"debug"}`, 201, &r)
			if r.State != "pending" || r.DurationSeconds != 1800 || r.Requester != "alice" {
				t.Fatalf("created %+v", r)
			}
			var seen RequestView
			h.doJSON("GET", "/v1/requests/"+r.ID, "bob", "", 200, &seen)
			if !seen.Approvable {
				t.Fatal("bob cannot approve")
			}
			var p workflow.Preview
			h.doJSON("GET", "/v1/requests/"+r.ID+"/preview", "bob", "", 200, &p)
			if len(p.Diff.ByAccessLevel) == 0 {
				t.Fatalf("preview %+v", p)
			}
			h.doJSON("POST", "/v1/requests/"+r.ID+"/approve", "bob", `{"comment":"go"}`, 200, &r)
			if r.State != "active" || r.EndsAt == nil || len(r.Approvals) != 1 || r.Approvals[0].Comment != "go" {
				t.Fatalf("approved %+v", r)
			}
			var cp CredentialProcess
			h.doJSON("GET", "/v1/grants/"+r.ID+"/credentials", "alice", "", 200, &cp)
			if cp.Version != 1 || !cp.Expiration.Equal(*r.EndsAt) {
				t.Fatalf("credential_process %+v", cp)
			}
			creds := issuer.Credentials{AccessKeyID: cp.AccessKeyID, SecretAccessKey: cp.SecretAccessKey, SessionToken: cp.SessionToken}
			if code := h.S3Code(creds); code != "" {
				t.Fatalf("using the credentials: %s", code)
			}
			status, body := h.do("GET", "/v1/grants/"+r.ID+"/credentials", "bob", "")
			if status != 403 || body != `{"error":{"code":"not_owner","message":"credentials of grant `+r.ID+` go to its requester alice only"}}` {
				t.Fatalf("bob's credentials: %d %s", status, body)
			}
			h.doJSON("POST", "/v1/requests/"+r.ID+"/revoke", "alice", `{"reason":"done"}`, 200, &r)
			if r.State != "revoked" || r.Teardown == nil || r.Teardown.State != "done" {
				t.Fatalf("revoked %+v", r)
			}
			if code := h.S3Code(creds); code != "AccessDenied" {
				t.Fatalf("after revoke: %q", code)
			}
			status, body = h.do("GET", "/v1/grants/"+r.ID+"/credentials", "alice", "")
			if status != 409 || !strings.Contains(body, `"code":"not_active"`) {
				t.Fatalf("credentials after revoke: %d %s", status, body)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{BodyBytes: 1024})
	pending := h.create()
	tests := []struct {
		name, method, path, user, body string
		status                         int
		want                           string
	}{
		{"no token", "GET", "/v1/me", "", "", 401, `{"error":{"code":"no_token","message":"an Authorization: Bearer token is required"}}`},
		{"unknown route", "GET", "/v1/nope", "alice", "", 404, `{"error":{"code":"route_not_found","message":"Not Found"}}`},
		{"wrong method", "DELETE", "/v1/requests", "alice", "", 405, `{"error":{"code":"method_not_allowed","message":"Method Not Allowed"}}`},
		{"syntax error", "POST", "/v1/requests", "alice", `{"profile":`, 400, `{"error":{"code":"invalid_json","message":"request body: unexpected EOF"}}`},
		{"unknown field", "POST", "/v1/requests", "alice", `{"profile":"readonly","durration":"1h"}`, 400, `{"error":{"code":"invalid_json","message":"request body: json: unknown field \"durration\""}}`},
		{"wrong type", "POST", "/v1/requests", "alice", `{"profile":7}`, 400, `{"error":{"code":"invalid_json","message":"request body: field \"profile\": expected string, got number"}}`},
		{"two values", "POST", "/v1/requests", "alice", `{"profile":"readonly"} {}`, 400, `{"error":{"code":"invalid_json","message":"request body: more than one JSON value"}}`},
		{"too large", "POST", "/v1/requests", "alice", `{"reason":"` + strings.Repeat("x", 2000) + `"}`, 413, `{"error":{"code":"body_too_large","message":"Request Entity Too Large"}}`},
		{"no profile", "POST", "/v1/requests", "alice", `{}`, 400, `{"error":{"code":"profile_required","message":"profile: name the profile to request"}}`},
		{"bad duration", "POST", "/v1/requests", "alice", `{"profile":"readonly","duration":"soon"}`, 400, `{"error":{"code":"invalid_duration","message":"duration \"soon\": use a duration such as \"90m\" or \"4h\""}}`},
		{"ineligible", "POST", "/v1/requests", "dave", `{"profile":"readonly"}`, 403, `{"error":{"code":"not_eligible","message":"dave is not eligible for profile readonly"}}`},
		{"over max", "POST", "/v1/requests", "alice", `{"profile":"readonly","duration":"5h"}`, 400, `{"error":{"code":"duration_too_long","message":"duration 5h0m0s is over profile readonly's max_duration of 4h0m0s"}}`},
		{"missing profile", "POST", "/v1/requests", "alice", `{"profile":"nope"}`, 404, `{"error":{"code":"profile_not_found","message":"no profile nope"}}`},
		{"self approval", "POST", "/v1/requests/" + pending + "/approve", "alice", "", 403, `{"error":{"code":"self_approval","message":"alice cannot approve their own request ` + pending + `"}}`},
		{"administrator, not an approver", "POST", "/v1/requests/" + pending + "/approve", "root", "", 403, `{"error":{"code":"not_approver","message":"root is not an approver for profile readonly"}}`},
		{"approval by a stranger", "POST", "/v1/requests/" + pending + "/approve", "dave", "", 404, ""},
		{"invisible to strangers", "GET", "/v1/requests/" + pending, "dave", "", 404, `{"error":{"code":"request_not_found","message":"no request ` + pending + `"}}`},
		{"bad state filter", "GET", "/v1/requests?state=open", "alice", "", 400, ""},
		{"bad limit", "GET", "/v1/requests?limit=0", "alice", "", 400, ""},
		{"audit is for admins", "GET", "/v1/audit", "alice", "", 403, `{"error":{"code":"not_admin","message":"only administrators may do this"}}`},
		{"profiles are for admins", "PUT", "/v1/profiles/x", "bob", `{"issuer":"sts","max_duration":"1h"}`, 403, ""},
	}
	for _, tc := range tests {
		status, body := h.do(tc.method, tc.path, tc.user, tc.body)
		if status != tc.status || (tc.want != "" && body != tc.want) {
			t.Errorf("%s: %d %s\nwant %d %s", tc.name, status, body, tc.status, tc.want)
		}
		if !json.Valid([]byte(body)) || !strings.Contains(body, `"code":`) {
			t.Errorf("%s: not a JSON error: %s", tc.name, body)
		}
	}
	// carol is an approver (group leads) and eligible (group dev); her own request is
	// still hers alone to cancel.
	if status, _ := h.do("POST", "/v1/requests/"+pending+"/cancel", "bob", ""); status != 403 {
		t.Errorf("bob cancels alice's request: %d", status)
	}
}

func (h *harness) create() string {
	h.T.Helper()
	var r RequestView
	h.doJSON("POST", "/v1/requests", "alice", `{"profile":"readonly"}`, 201, &r)
	return r.ID
}

func TestExpiredAPIToken(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	h.doJSON("GET", "/v1/me", "alice", "", 200, nil)
	tk := h.tokens["alice"]
	h.tokens["alice"] = tk[:len(tk)-2] + "zz"
	if status, body := h.do("GET", "/v1/me", "alice", ""); status != 401 || body != `{"error":{"code":"invalid_token","message":"unknown API token"}}` {
		t.Fatalf("forged token: %d %s", status, body)
	}
}

func TestProfiles(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	body := `{"description":"admin","issuer":"sts","role_arn":"` + brokertest.RoleARN + `","max_duration":"2h",
		"session_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:get*","Resource":"*"}]},
		"requesters":{"users":["alice"]},"approval":{"approvers":{"users":["bob","carol"]},"required":2},
		"break_glass":{"enabled":true}}`
	var p ProfileView
	h.doJSON("PUT", "/v1/profiles/s3read", "root", body, 200, &p)
	if p.DefaultDuration != "1h0m0s" || p.BreakGlass.MaxDuration != "1h0m0s" || p.UpdatedBy != "root" ||
		string(p.SessionPolicy) != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:get*","Resource":"*"}]}` {
		t.Fatalf("stored %+v %s", p, p.SessionPolicy)
	}
	var list struct{ Profiles []ProfileView }
	h.doJSON("GET", "/v1/profiles", "alice", "", 200, &list)
	names := map[string]bool{}
	for _, p := range list.Profiles {
		names[fmt.Sprintf("%s eligible=%v approver=%v", p.Name, p.Eligible, p.Approver)] = true
	}
	if !names["s3read eligible=true approver=false"] || !names["readonly eligible=true approver=false"] {
		t.Fatalf("alice's view %v", names)
	}
	for _, tc := range []struct{ body, code string }{
		{`{"issuer":"sts","role_arn":"` + brokertest.RoleARN + `","max_duration":"2h","requesters":{"users":["a"]},"approval":{"auto":true},"session_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}}`, "invalid_session_policy"},
		{`{"issuer":"sts","role_arn":"arn:aws:iam::1:role/x","max_duration":"2h","requesters":{"users":["a"]},"approval":{"auto":true}}`, "invalid_profile"},
		{`{"issuer":"sts","role_arn":"` + brokertest.RoleARN + `","requesters":{"users":["a"]},"approval":{"auto":true}}`, "invalid_duration"},
		{`{"name":"other","issuer":"sts","max_duration":"1h"}`, "name_mismatch"},
	} {
		if status, got := h.do("PUT", "/v1/profiles/bad", "root", tc.body); status != 400 || !strings.Contains(got, `"code":"`+tc.code+`"`) {
			t.Errorf("PUT %s: %d %s, want %s", tc.body, status, got, tc.code)
		}
	}
	if status, _ := h.do("DELETE", "/v1/profiles/s3read", "root", ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := h.do("GET", "/v1/profiles/s3read", "root", ""); status != 404 {
		t.Fatalf("get after delete: %d", status)
	}
	if got := h.Actions("s3read"); strings.Join(got, ",") != "profile.put,profile.deleted" {
		t.Fatalf("profile events %v", got)
	}
}

func TestRateLimitPerIdentity(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{PerSecond: 0.001, Burst: 3})
	for i := range 3 {
		if status, _ := h.do("GET", "/v1/me", "alice", ""); status != 200 {
			t.Fatalf("request %d: %d", i, status)
		}
	}
	if status, body := h.do("GET", "/v1/me", "alice", ""); status != 429 || body != `{"error":{"code":"rate_limited","message":"too many requests; slow down"}}` {
		t.Fatalf("4th request: %d %s", status, body)
	}
	if status, _ := h.do("GET", "/v1/me", "bob", ""); status != 200 {
		t.Fatalf("another identity is limited too: %d", status)
	}
}

func TestListAndFilters(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	a := h.create()
	b := h.create()
	h.doJSON("POST", "/v1/requests/"+a+"/approve", "bob", "", 200, nil)
	var got struct {
		Requests   []RequestView
		NextBefore string `json:"next_before"`
	}
	h.doJSON("GET", "/v1/requests?state=pending&mine=true", "alice", "", 200, &got)
	if len(got.Requests) != 1 || got.Requests[0].ID != b {
		t.Fatalf("pending mine: %+v", got)
	}
	h.doJSON("GET", "/v1/requests?limit=1", "bob", "", 200, &got)
	if len(got.Requests) != 1 || got.NextBefore != b {
		t.Fatalf("page 1: %+v", got)
	}
	h.doJSON("GET", "/v1/requests?limit=1&before="+got.NextBefore, "bob", "", 200, &got)
	if len(got.Requests) != 1 || got.Requests[0].ID != a {
		t.Fatalf("page 2: %+v", got)
	}
	h.doJSON("GET", "/v1/requests", "dave", "", 200, &got)
	if len(got.Requests) != 0 {
		t.Fatalf("dave sees %d requests", len(got.Requests))
	}
}

func TestAuditEndpoints(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	h.create()
	status, body := h.do("GET", "/v1/audit/export", "root", "")
	if status != 200 {
		t.Fatalf("export: %d", status)
	}
	rep, err := audit.Verify(audit.ReadJSONLines(strings.NewReader(body)))
	if err != nil || !rep.OK() || rep.Events < 7 { // 5 tokens, a profile, a request
		t.Fatalf("exported chain: %+v %v", rep, err)
	}
	var page struct {
		Events    []audit.Event
		NextAfter int64 `json:"next_after"`
	}
	h.doJSON("GET", "/v1/audit?limit=2&after=3", "root", "", 200, &page)
	if len(page.Events) != 2 || page.Events[0].Seq != 4 || page.NextAfter != 5 {
		t.Fatalf("page %+v", page)
	}
	var v struct{ OK bool }
	h.doJSON("GET", "/v1/audit/verify", "root", "", 200, &v)
	if !v.OK {
		t.Fatal("server verification failed")
	}
}

func TestOperations(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	if status, body := h.do("GET", "/healthz", "", ""); status != 200 || body != `{"status":"ok"}` {
		t.Errorf("healthz %d %s", status, body)
	}
	h.api.SetReady(false)
	if status, _ := h.do("GET", "/readyz", "", ""); status != 503 {
		t.Errorf("readyz before catch-up: %d", status)
	}
	h.api.SetReady(true)
	if status, body := h.do("GET", "/readyz", "", ""); status != 200 || body != `{"status":"ready"}` {
		t.Errorf("readyz %d %s", status, body)
	}
	g := h.Active("readonly", time.Minute)
	h.Clock.Advance(time.Minute)
	if _, err := h.Svc.ExpireDue(h.Ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Svc.TeardownDue(h.Ctx, 10); err != nil {
		t.Fatal(err)
	}
	h.do("GET", "/v1/requests/"+g.ID, "alice", "")
	status, body := h.do("GET", "/metrics", "", "")
	for _, want := range []string{
		`ciem_broker_requests{state="expired"} 1`,
		`ciem_broker_http_requests_total{code="200",method="GET",route="/v1/requests/:id"} 1`,
		`ciem_broker_expiry_lag_seconds_count 1`,
		`ciem_broker_transitions_total{action="grant.expired"} 1`,
	} {
		if status != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// The OpenAPI document names exactly the routes the server serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	h := newHarness(t, "sqlite", Limits{})
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	h.doJSON("GET", "/v1/openapi.json", "", "", 200, &doc)
	var documented, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for _, r := range h.api.Echo().Routes() {
		if strings.HasPrefix(r.Name, "github.com/labstack") {
			continue
		}
		path := r.Path
		for _, p := range []string{"id", "name"} {
			path = strings.ReplaceAll(path, ":"+p, "{"+p+"}")
		}
		served = append(served, r.Method+" "+path)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("documented:\n%s\n\nserved:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	_ = http.MethodGet
}
