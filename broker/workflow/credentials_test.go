package workflow

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer/stsissuer"
	"github.com/ciem/ciem/broker/store"
)

func TestCredentialsOnlyForTheRequesterWhileActive(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		pending := h.create(alice, domain.CreateInput{Profile: "readonly"})
		g := h.active("readonly", time.Hour)
		for _, tc := range []struct {
			name string
			who  domain.Identity
			id   string
			want string
		}{
			{"approver of the profile", bob, g.ID, "not_owner"},
			{"administrator", root, g.ID, "not_owner"},
			{"stranger", dave, g.ID, "request_not_found"},
			{"pending request", alice, pending.ID, "not_active"},
			{"missing", alice, "r-nope", "request_not_found"},
		} {
			if _, err := h.svc.Credentials(h.ctx, tc.who, tc.id); code(err) != tc.want {
				t.Errorf("%s: %s (%v), want %s", tc.name, code(err), err, tc.want)
			}
		}
	})
}

// The whole life of a grant on the sandbox: the credentials work during the grant and
// AWS itself refuses them from its end, before the broker has done anything.
func TestGrantEndsAtAWS(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		g := h.active("readonly", 2*time.Minute)
		c, err := h.svc.Credentials(h.ctx, alice, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Expiration.Equal(g.EndsAt) {
			t.Errorf("credential_process expiration %s, want the grant's end %s", c.Expiration, g.EndsAt)
		}
		if code := h.s3Code(c); code != "" {
			t.Fatalf("during the grant: %s", code)
		}
		h.clk.Advance(2 * time.Minute)
		if code := h.s3Code(c); code != "AccessDenied" { // the session itself lasts 15 minutes
			t.Fatalf("after the end, before any expiry run: %q, want AccessDenied", code)
		}
		expired, err := h.svc.ExpireDue(h.ctx, 100)
		if err != nil || len(expired) != 1 || expired[0].ID != g.ID {
			t.Fatalf("ExpireDue: %v %v", expired, err)
		}
		if _, err := h.svc.Credentials(h.ctx, alice, g.ID); code(err) != "not_active" {
			t.Fatalf("credentials after expiry: %v", err)
		}
		// Nothing to take back at AWS: the teardown is done with the expiry.
		if n, err := h.svc.TeardownDue(h.ctx, 100); err != nil || n != 0 {
			t.Fatalf("TeardownDue: %d %v", n, err)
		}
		got := h.get(g.ID)
		if got.State != domain.StateExpired || got.Teardown != domain.TeardownDone {
			t.Fatalf("after teardown: %s / %s", got.State, got.Teardown)
		}
		want := []string{"request.created", "request.approval_added", "request.approved", "grant.activated",
			"grant.credentials_issued", "grant.expired", "grant.teardown_done"}
		if got := h.actions(g.ID); !slices.Equal(got, want) {
			t.Fatalf("events %v\nwant %v", got, want)
		}
	})
}

// Early revocation cuts the grant's live sessions off at once, leaves other grants on
// the same role alone, and the fence goes once no fenced session can still be valid.
func TestRevokeFencesLiveSessions(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		g := h.active("readonly", time.Hour)
		c, err := h.svc.Credentials(h.ctx, alice, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		other := h.create(carol, domain.CreateInput{Profile: "readonly"})
		if _, err := h.svc.Approve(h.ctx, bob, other.ID, ""); err != nil {
			t.Fatal(err)
		}
		oc, err := h.svc.Credentials(h.ctx, carol, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.Revoke(h.ctx, dave, g.ID, ""); code(err) != "request_not_found" {
			t.Fatalf("revoke by a stranger: %v", err)
		}
		r, err := h.svc.Revoke(h.ctx, bob, g.ID, "done with it")
		if err != nil {
			t.Fatal(err)
		}
		if r.State != domain.StateRevoked || r.Teardown != domain.TeardownDone {
			t.Fatalf("after revoke: %s / %s (%s)", r.State, r.Teardown, r.TeardownError)
		}
		if code := h.s3Code(c); code != "AccessDenied" {
			t.Fatalf("revoked grant's session right after the revoke: %q, want AccessDenied", code)
		}
		if code := h.s3Code(oc); code != "" {
			t.Fatalf("other grant on the same role: %q, want allowed", code)
		}
		if _, err := h.svc.Revoke(h.ctx, alice, g.ID, ""); code(err) != "invalid_state" {
			t.Fatalf("revoking twice: %v", err)
		}
		var fences []store.Fence
		_ = h.st.View(h.ctx, func(tx store.Tx) error { fences, err = tx.Fences(h.ctx, g.Target.RoleARN); return err })
		if len(fences) != 1 || !fences[0].Applied || !fences[0].Until.Equal(g.EndsAt.Add(5*time.Minute)) {
			t.Fatalf("fences %+v", fences)
		}
		// The fence stays until the revoked grant's sessions could no longer work...
		h.clk.Advance(time.Hour)
		if n, err := h.svc.LiftFences(h.ctx); err != nil || n != 0 {
			t.Fatalf("LiftFences before its end: %d %v", n, err)
		}
		h.clk.Advance(5 * time.Minute)
		if n, err := h.svc.LiftFences(h.ctx); err != nil || n != 1 {
			t.Fatalf("LiftFences: %d %v", n, err)
		}
		// ...and then the role's fence policy is gone.
		_, err = awsiam.NewFromConfig(h.srv.AdminConfig(h.ctx)).GetRolePolicy(context.Background(),
			&awsiam.GetRolePolicyInput{RoleName: aws.String("Reader"), PolicyName: aws.String(stsissuer.FencePolicyName)})
		if err == nil {
			t.Fatal("the fence policy is still on the role")
		}
		want := []string{"grant.revoked", "grant.fence_applied", "grant.teardown_done", "grant.fence_removed"}
		if got := h.actions(g.ID); !slices.Equal(got[len(got)-4:], want) {
			t.Fatalf("events %v", got)
		}
	})
}

// A revoked grant without issued credentials needs no fence.
func TestRevokeWithoutSessions(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		g := h.active("readonly", time.Hour)
		r, err := h.svc.Revoke(h.ctx, alice, g.ID, "")
		if err != nil || r.Teardown != domain.TeardownDone {
			t.Fatalf("revoke: %v %+v", err, r)
		}
		if got := h.actions(g.ID); slices.Contains(got, "grant.fence_applied") {
			t.Fatalf("fenced a grant with no sessions: %v", got)
		}
	})
}

// When AWS refuses the fence, the teardown is retried with backoff, becomes
// irrevocable after six attempts (retried daily), and completes once AWS accepts.
func TestTeardownRetriesThenIrrevocable(t *testing.T) {
	eachWith(t, harnessOpts{noFencePermission: true}, func(t *testing.T, h *harness) {
		g := h.active("readonly", time.Hour)
		if _, err := h.svc.Credentials(h.ctx, alice, g.ID); err != nil {
			t.Fatal(err)
		}
		r, err := h.svc.Revoke(h.ctx, alice, g.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if r.State != domain.StateRevoked || r.Teardown != domain.TeardownFailed || r.TeardownAttempts != 1 {
			t.Fatalf("after the first failure: %s %s %d", r.State, r.Teardown, r.TeardownAttempts)
		}
		// Delays with the jitter source at 0.5 (no spread): 10s, 20s, 40s, 80s, 160s, then daily.
		for i, d := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second} {
			cur := h.get(g.ID)
			if got := cur.TeardownNextAt.Sub(h.svc.now()); got != d {
				t.Fatalf("after failure %d: next in %s, want %s", i+1, got, d)
			}
			h.clk.Advance(d - time.Millisecond)
			if n, _ := h.svc.TeardownDue(h.ctx, 10); n != 0 || h.get(g.ID).TeardownAttempts != i+1 {
				t.Fatalf("retried before its time")
			}
			h.clk.Advance(time.Millisecond)
			if _, err := h.svc.TeardownDue(h.ctx, 10); err != nil {
				t.Fatal(err)
			}
		}
		cur := h.get(g.ID)
		if cur.Teardown != domain.TeardownIrrevocable || cur.TeardownAttempts != 6 || cur.TeardownNextAt.Sub(h.svc.now()) != 24*time.Hour {
			t.Fatalf("after six failures: %s, %d attempts, next in %s", cur.Teardown, cur.TeardownAttempts, cur.TeardownNextAt.Sub(h.svc.now()))
		}
		events := h.actions(g.ID)
		if slices.Index(events, "grant.irrevocable") < 0 {
			t.Fatalf("no irrevocable event: %v", events)
		}
		// Grant the broker the permission it lacked; the daily retry then succeeds.
		_, err = awsiam.NewFromConfig(h.srv.AdminConfig(h.ctx)).PutUserPolicy(h.ctx, &awsiam.PutUserPolicyInput{
			UserName: aws.String("broker"), PolicyName: aws.String("fence"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + brokerFence + `]}`)})
		if err != nil {
			t.Fatal(err)
		}
		h.clk.Advance(24 * time.Hour)
		if n, err := h.svc.TeardownDue(h.ctx, 10); err != nil || n != 1 {
			t.Fatalf("daily retry: %d %v", n, err)
		}
		if cur := h.get(g.ID); cur.Teardown != domain.TeardownDone || cur.TeardownAttempts != 7 {
			t.Fatalf("after the daily retry: %s %d", cur.Teardown, cur.TeardownAttempts)
		}
	})
}

func TestRetryDelayJitter(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	for _, tc := range []struct {
		failures int
		r        float64
		want     time.Duration
	}{
		{1, 0, 5 * time.Second}, {1, 0.5, 10 * time.Second}, {1, 0.999999, 15 * time.Second},
		{3, 0.5, 40 * time.Second}, {5, 0.5, 160 * time.Second}, {6, 0.5, 24 * time.Hour},
	} {
		if got := p.Delay(tc.failures, tc.r).Round(time.Second); got != tc.want {
			t.Errorf("Delay(%d, %v) = %s, want %s", tc.failures, tc.r, got, tc.want)
		}
	}
	capped := RetryPolicy{Base: time.Minute, Max: 2 * time.Minute, Jitter: -1, Attempts: 10}.withDefaults()
	if got := capped.Delay(8, 0.9); got != 2*time.Minute {
		t.Errorf("capped delay %s", got)
	}
}
