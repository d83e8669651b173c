package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/domain"
)

// receiver records webhook calls and fails the first failFirst of them.
type receiver struct {
	mu        sync.Mutex
	failFirst int
	calls     int
	bodies    []string
	sigs      []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls++
	if rc.calls <= rc.failFirst {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	rc.bodies = append(rc.bodies, string(body))
	rc.sigs = append(rc.sigs, r.Header.Get("X-Ciem-Signature"))
}

func (rc *receiver) got() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

func TestDeliveryRetriedAndResumed(t *testing.T) {
	b := brokertest.New(t, "sqlite")
	slack := &receiver{failFirst: 2}
	hooks := &receiver{}
	slackSrv, hookSrv := httptest.NewServer(slack), httptest.NewServer(hooks)
	defer slackSrv.Close()
	defer hookSrv.Close()
	webhooks := []Webhook{
		{Name: "slack", URL: slackSrv.URL, Format: FormatSlack},
		{Name: "siem", URL: hookSrv.URL, Events: []string{"grant.*"}, Secret: "s3cret"},
	}
	d := New(b.Store, b.Clock, webhooks, nil, Options{})
	g := b.Active("readonly", time.Hour)

	// Slack fails twice: the first pass stops at its first event, retries back off.
	if _, err := d.DeliverOnce(b.Ctx); err != nil {
		t.Fatal(err)
	}
	if len(slack.got()) != 0 || len(hooks.got()) != 1 {
		t.Fatalf("first pass: slack %d, siem %d", len(slack.got()), len(hooks.got()))
	}
	if n, _ := d.DeliverOnce(b.Ctx); n != 0 {
		t.Fatalf("delivered %d before the retry time", n)
	}
	for range 2 {
		b.Clock.Advance(5 * time.Second)
		if _, err := d.DeliverOnce(b.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		`{"text":"root updated profile readonly"}`,
		`{"text":"alice requests readonly for 1h0m0s: test (` + g.ID + `)"}`,
		`{"text":"bob approved ` + g.ID + ` (1 of 1)"}`,
		`{"text":"` + g.ID + ` is approved (bob)"}`,
	}
	got := slack.got()
	if len(got) != 5 || strings.Join(got[:4], "\n") != strings.Join(want, "\n") || !strings.HasPrefix(got[4], `{"text":"`+g.ID+` is active until `) {
		t.Fatalf("slack got:\n%s", strings.Join(got, "\n"))
	}
	// The JSON webhook got only grant events, signed.
	var ev struct {
		Event struct{ Action, Subject string }
		Text  string
	}
	body := hooks.got()[0]
	if err := json.Unmarshal([]byte(body), &ev); err != nil || ev.Event.Action != "grant.activated" || ev.Event.Subject != g.ID {
		t.Fatalf("siem got %s", body)
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(body))
	if hooks.sigs[0] != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("signature %s", hooks.sigs[0])
	}
	// A new dispatcher (a restart) resumes from the stored cursors: nothing twice.
	d2 := New(b.Store, b.Clock, webhooks, nil, Options{Owner: "other"})
	b.Clock.Advance(2 * time.Minute) // the first dispatcher's lease runs out
	if _, err := b.Svc.Revoke(b.Ctx, brokertest.Alice, g.ID, "done"); err != nil {
		t.Fatal(err)
	}
	if _, err := d2.DeliverOnce(b.Ctx); err != nil {
		t.Fatal(err)
	}
	if got := slack.got(); len(got) != 7 || got[5] != `{"text":"alice revoked `+g.ID+`: done"}` {
		t.Fatalf("after restart: %v", got[5:])
	}
}

func TestGiveUpAfterMaxAttempts(t *testing.T) {
	b := brokertest.New(t, "sqlite")
	dead := &receiver{failFirst: 1 << 30}
	srv := httptest.NewServer(dead)
	defer srv.Close()
	d := New(b.Store, b.Clock, []Webhook{{Name: "dead", URL: srv.URL, Events: []string{"profile.put"}}}, nil, Options{MaxAttempts: 3})
	for range 10 {
		if _, err := d.DeliverOnce(b.Ctx); err != nil {
			t.Fatal(err)
		}
		b.Clock.Advance(10 * time.Minute)
	}
	if dead.calls != 3 {
		t.Fatalf("%d attempts, want 3 then give up", dead.calls)
	}
}

func TestBreakGlassNotifiesApprovers(t *testing.T) {
	b := brokertest.New(t, "sqlite")
	p := brokertest.Profile("glass")
	p.Approval.Approvers.Users = []string{"bob"}
	p.BreakGlass = domain.BreakGlass{Enabled: true, MaxDuration: 30 * time.Minute}
	b.PutProfile(p)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	d := New(b.Store, b.Clock, []Webhook{{Name: "s", URL: srv.URL, Format: FormatSlack, Events: []string{"request.approved"}}}, nil, Options{})
	r, err := b.Svc.Create(b.Ctx, brokertest.Alice, domain.CreateInput{Profile: "glass", BreakGlass: true, Reason: "prod down"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverOnce(b.Ctx); err != nil {
		t.Fatal(err)
	}
	want := `{"text":":rotating_light: BREAK-GLASS: alice approved their own request ` + r.ID + ` for glass. Approvers: bob, group leads"}`
	if got := rc.got(); len(got) != 1 || got[0] != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}
}

func TestWants(t *testing.T) {
	for _, tc := range []struct {
		events []string
		action string
		want   bool
	}{
		{nil, "grant.revoked", true},
		{nil, "grant.credentials_issued", false},
		{nil, "token.created", false},
		{[]string{"grant.*"}, "grant.expired", true},
		{[]string{"grant.*"}, "request.created", false},
		{[]string{"request.denied"}, "request.denied", true},
		{[]string{"*"}, "token.created", true},
	} {
		if got := (Webhook{Events: tc.events}).wants(tc.action); got != tc.want {
			t.Errorf("%v wants %s = %v", tc.events, tc.action, got)
		}
	}
}
