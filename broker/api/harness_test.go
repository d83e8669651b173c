package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/metrics"
	"github.com/ciem/ciem/broker/store/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// harness is the API over a real broker, with an API token for each test identity.
type harness struct {
	*brokertest.Broker
	api    *Server
	tokens map[string]string
	m      *metrics.Metrics
}

func newHarness(t testing.TB, backend string, limits Limits) *harness {
	t.Helper()
	b := brokertest.New(t, backend)
	tk := &authn.Tokens{Store: b.Store, Clock: b.Clock}
	h := &harness{Broker: b, tokens: map[string]string{}}
	for _, id := range []domain.Identity{brokertest.Alice, brokertest.Bob, brokertest.Carol, brokertest.Dave, brokertest.Root} {
		plain, _, err := tk.Create(context.Background(), "test", authn.NewToken{Name: id.Subject, Subject: id.Subject, Groups: id.Groups, Admin: id.Admin})
		if err != nil {
			t.Fatal(err)
		}
		h.tokens[id.Subject] = plain
	}
	h.m = metrics.New(b.Store)
	b.Svc.Metrics = h.m
	h.api = New(Options{Service: b.Svc, Auth: authn.Chain{Tokens: tk}, Metrics: h.m, Limits: limits})
	h.api.SetReady(true)
	return h
}

// do sends a request as user ("" for none) and returns the status and body.
func (h *harness) do(method, path, user, body string) (int, string) {
	h.T.Helper()
	return h.send(method, path, user, body)
}

// send is do without test helpers (fuzz targets may not call the F's).
func (h *harness) send(method, path, user, body string) (int, string) {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if user != "" {
		r.Header.Set("Authorization", "Bearer "+h.tokens[user])
	}
	w := httptest.NewRecorder()
	h.api.Handler().ServeHTTP(w, r)
	return w.Code, strings.TrimSpace(w.Body.String())
}

// doJSON is do that decodes a 2xx JSON answer into v.
func (h *harness) doJSON(method, path, user, body string, wantStatus int, v any) {
	h.T.Helper()
	status, got := h.do(method, path, user, body)
	if status != wantStatus {
		h.T.Fatalf("%s %s as %s: %d %s, want %d", method, path, user, status, got, wantStatus)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(got), v); err != nil {
			h.T.Fatalf("%s %s: %v\n%s", method, path, err, got)
		}
	}
}
