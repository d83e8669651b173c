package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
)

// Responses and errors in Vault's exact shapes, checked on the wire.
func TestHTTPShapes(t *testing.T) {
	tv := startVault(t)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		want                            string // the whole body, when set
		contains                        string
	}{
		{name: "no token", method: "GET", path: "/v1/sys/mounts", status: 403, want: `{"errors":["permission denied"]}`},
		{name: "wrong token", method: "GET", path: "/v1/sys/mounts", token: "nope", status: 403, want: `{"errors":["permission denied"]}`},
		{name: "no token on the engine", method: "GET", path: "/v1/aws/roles/x", status: 403, want: `{"errors":["permission denied"]}`},
		{name: "health needs no token", method: "GET", path: "/v1/sys/health", status: 200, contains: `"sealed":false`},
		{name: "unknown mount", method: "GET", path: "/v1/secret/x", token: testToken, status: 404, want: `{"errors":["no handler for route \"secret/x\". route entry not found."]}`},
		{name: "unknown engine path", method: "GET", path: "/v1/aws/nope", token: testToken, status: 404, want: `{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}`},
		{name: "unknown sys path", method: "GET", path: "/v1/sys/policy", token: testToken, status: 404, want: `{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}`},
		{name: "missing role reads as 404", method: "GET", path: "/v1/aws/roles/none", token: testToken, status: 404, want: `{"errors":[]}`},
		{name: "empty role list is 404", method: "GET", path: "/v1/aws/roles?list=true", token: testToken, status: 404, want: `{"errors":[]}`},
		{name: "engine validation error", method: "POST", path: "/v1/aws/roles/bad", token: testToken, body: `{"credential_type":"nonsense"}`, status: 400, contains: `unrecognized credential type: nonsense`},
		{name: "no plugin workload identity", method: "POST", path: "/v1/aws/config/root", token: testToken, body: `{"identity_token_audience":"sts.amazonaws.com","role_arn":"arn:aws:iam::111122223333:role/x"}`, status: 400, want: `{"errors":["plugin workload identity not supported in Vault community edition"]}`},
		{name: "no rotation manager", method: "POST", path: "/v1/aws/config/root", token: testToken, body: `{"access_key":"a","secret_key":"b","rotation_period":"24h"}`, status: 400, contains: `rotation manager capabilities not supported`},
		{name: "form body", method: "POST", path: "/v1/aws/config/root", token: testToken, body: `access_key=a`, status: 400, contains: `the body must be a JSON object`},
		{name: "lookup without lease_id", method: "PUT", path: "/v1/sys/leases/lookup", token: testToken, body: `{}`, status: 400, want: `{"errors":["lease_id must be specified"]}`},
		{name: "lookup unknown lease", method: "PUT", path: "/v1/sys/leases/lookup", token: testToken, body: `{"lease_id":"aws/creds/x/abc"}`, status: 400, want: `{"errors":["invalid lease"]}`},
		{name: "renew unknown lease", method: "PUT", path: "/v1/sys/leases/renew", token: testToken, body: `{"lease_id":"aws/creds/x/abc"}`, status: 400, want: `{"errors":["lease not found"]}`},
		{name: "renew bad increment", method: "PUT", path: "/v1/sys/leases/renew", token: testToken, body: `{"lease_id":"a","increment":"soon"}`, status: 400, contains: `Field validation failed`},
		{name: "revoke unknown lease", method: "PUT", path: "/v1/sys/leases/revoke", token: testToken, body: `{"lease_id":"aws/creds/x/abc"}`, status: 204},
		{name: "lazy revoke unknown lease", method: "PUT", path: "/v1/sys/leases/revoke", token: testToken, body: `{"lease_id":"aws/creds/x/abc","sync":false}`, status: 202},
		{name: "revoke-prefix of nothing", method: "PUT", path: "/v1/sys/leases/revoke-prefix/aws/creds/x", token: testToken, status: 204},
		{name: "lease list of nothing", method: "LIST", path: "/v1/sys/leases/lookup/aws/creds/", token: testToken, status: 404, want: `{"errors":[]}`},
		{name: "lookup by GET", method: "GET", path: "/v1/sys/leases/lookup", token: testToken, status: 405, want: `{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}`},
		{name: "bad JSON", method: "PUT", path: "/v1/sys/leases/lookup", token: testToken, body: `{"lease_id":`, status: 400, contains: `error parsing JSON`},
		{name: "bad list flag", method: "GET", path: "/v1/aws/roles?list=maybe", token: testToken, status: 400, contains: `list=\"maybe\"`},
		{name: "enable another engine", method: "POST", path: "/v1/sys/mounts/kv", token: testToken, body: `{"type":"kv"}`, status: 400, contains: `cannot enable type \"kv\" at kv/`},
		{name: "enable aws again", method: "POST", path: "/v1/sys/mounts/aws", token: testToken, body: `{"type":"aws","description":"AWS for the broker"}`, status: 204},
		{name: "enable aws with TTL config", method: "POST", path: "/v1/sys/mounts/aws", token: testToken, body: `{"type":"aws","config":{"max_lease_ttl":"1h"}}`, status: 400, contains: `-max-lease-ttl`},
		{name: "disable aws", method: "DELETE", path: "/v1/sys/mounts/aws", token: testToken, status: 400, contains: `exactly one mount`},
		{name: "read another mount", method: "GET", path: "/v1/sys/mounts/kv", token: testToken, status: 400, want: `{"errors":["No secret engine mount at kv/"]}`},
		{name: "mount table", method: "GET", path: "/v1/sys/mounts", token: testToken, status: 200, contains: `"aws/"`},
		{name: "not under /v1", method: "GET", path: "/ui/", token: testToken, status: 404, want: `{"errors":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := tv.raw(t, tc.method, tc.path, tc.token, tc.body)
			body = strings.TrimSpace(body)
			if status != tc.status {
				t.Errorf("status = %d, want %d (body %s)", status, tc.status, body)
			}
			if tc.want != "" && body != tc.want {
				t.Errorf("body = %s\nwant   %s", body, tc.want)
			}
			if !strings.Contains(body, tc.contains) {
				t.Errorf("body = %s, want it to contain %s", body, tc.contains)
			}
		})
	}
}

func TestUnsupportedHeadersAreRefused(t *testing.T) {
	tv := startVault(t)
	for _, h := range []struct{ key, val, want string }{
		{"X-Vault-Wrap-TTL", "5m", "response wrapping"},
		{"X-Vault-Namespace", "team-a", "no namespaces"},
	} {
		req, _ := http.NewRequest("GET", tv.url+"/v1/sys/mounts", nil)
		req.Header.Set("X-Vault-Token", testToken)
		req.Header.Set(h.key, h.val)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Errors []string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || len(body.Errors) != 1 || !strings.Contains(body.Errors[0], h.want) {
			t.Errorf("%s: %d %q, want 400 mentioning %q", h.key, resp.StatusCode, body.Errors, h.want)
		}
	}
}

// A success answer carries every key of Vault's response envelope.
func TestResponseEnvelope(t *testing.T) {
	tv := startVault(t)
	if _, err := tv.client.Logical().Write("aws/roles/env", map[string]any{
		"credential_type": "assumed_role", "role_arns": []string{"arn:aws:iam::111122223333:role/x"},
	}); err != nil {
		t.Fatal(err)
	}
	status, body := tv.raw(t, "GET", "/v1/aws/roles/env", testToken, "")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"auth", "data", "lease_duration", "lease_id", "mount_type", "renewable", "request_id", "warnings", "wrap_info"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if string(m["mount_type"]) != `"aws"` || string(m["wrap_info"]) != "null" || len(m["request_id"]) < 30 {
		t.Errorf("envelope = %s", body)
	}
}

// The documented api client calls work unchanged: health, mounts, token lookup, and the
// engine's role paths (write, read, list, delete).
func TestAPIClient(t *testing.T) {
	tv := startVault(t)
	c := tv.client

	h, err := c.Sys().Health()
	if err != nil {
		t.Fatal(err)
	}
	if !h.Initialized || h.Sealed || h.Standby || h.Version != vaultVersion {
		t.Errorf("health = %+v", h)
	}

	mounts, err := c.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	if m := mounts["aws/"]; m == nil || m.Type != "aws" || m.Accessor == "" || m.RunningVersion != awsPluginVersion {
		t.Errorf("aws/ mount = %+v", m)
	}
	if err := c.Sys().Mount("aws", &api.MountInput{Type: "aws", Description: "broker"}); err != nil {
		t.Errorf("enabling aws/ again: %v", err)
	}
	m, err := c.Sys().GetMount("aws")
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != "aws" || m.Description != "broker" {
		t.Errorf("GetMount(aws) = %+v", m)
	}
	var re *api.ResponseError
	if err := c.Sys().Mount("kv", &api.MountInput{Type: "kv"}); !errors.As(err, &re) || re.StatusCode != 400 {
		t.Errorf("enabling kv: %v, want a 400", err)
	}

	self, err := c.Auth().Token().LookupSelf()
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := self.TokenID(); id != testToken {
		t.Errorf("lookup-self id = %q", id)
	}
	if pol, _ := self.TokenPolicies(); !reflect.DeepEqual(pol, []string{"root"}) {
		t.Errorf("lookup-self policies = %v", pol)
	}

	roles := map[string]map[string]any{
		"ar":  {"credential_type": "assumed_role", "role_arns": "arn:aws:iam::111122223333:role/a", "default_sts_ttl": "15m", "max_sts_ttl": "1h"},
		"fed": {"credential_type": "federation_token", "policy_document": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`},
		"usr": {"credential_type": "iam_user", "policy_arns": []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
	}
	for name, data := range roles {
		if _, err := c.Logical().Write("aws/roles/"+name, data); err != nil {
			t.Fatalf("writing role %s: %v", name, err)
		}
	}
	list, err := c.Logical().List("aws/roles")
	if err != nil {
		t.Fatal(err)
	}
	if got := list.Data["keys"]; !reflect.DeepEqual(got, []any{"ar", "fed", "usr"}) {
		t.Errorf("role list = %v", got)
	}
	ar, err := c.Logical().Read("aws/roles/ar")
	if err != nil {
		t.Fatal(err)
	}
	if ar.Data["default_sts_ttl"] != json.Number("900") || ar.Data["credential_type"] != "assumed_role" {
		t.Errorf("role ar = %v", ar.Data)
	}
	if _, err := c.Logical().Delete("aws/roles/ar"); err != nil {
		t.Fatal(err)
	}
	if gone, err := c.Logical().Read("aws/roles/ar"); err != nil || gone != nil {
		t.Errorf("deleted role reads as %v, %v", gone, err)
	}
	// Query-string data on a read: creds for a role that does not exist is the engine's 400.
	_, err = c.Logical().ReadWithData("aws/creds/none", map[string][]string{"ttl": {"900"}})
	if !errors.As(err, &re) || re.StatusCode != 400 || !strings.Contains(err.Error(), `Role "none" not found`) {
		t.Errorf("creds for a missing role: %v", err)
	}
}
