package workflow

import (
	"slices"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/domain"
)

func TestNofMApprovals(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		p := profile("two")
		p.Approval.Required = 2
		p.Approval.Approvers = domain.Principals{Users: []string{"alice", "bob"}, Groups: []string{"leads"}}
		h.putProfile(p)
		r := h.create(alice, domain.CreateInput{Profile: "two"})

		steps := []struct {
			who       domain.Identity
			wantErr   string
			wantState domain.State
		}{
			{alice, "self_approval", domain.StatePending},    // an approver, but the requester
			{dave, "request_not_found", domain.StatePending}, // cannot see it
			{root, "not_approver", domain.StatePending},      // sees everything, approves nothing
			{bob, "", domain.StatePending},                   // 1 of 2
			{bob, "already_approved", domain.StatePending},
			{carol, "", domain.StateActive}, // 2 of 2: approved and activated
			{carol, "invalid_state", domain.StateActive},
		}
		for i, s := range steps {
			got, err := h.svc.Approve(h.ctx, s.who, r.ID, "")
			if code(err) != s.wantErr {
				t.Fatalf("step %d (%s): error %s (%v), want %q", i, s.who.Subject, code(err), err, s.wantErr)
			}
			if st := h.get(r.ID).State; st != s.wantState {
				t.Fatalf("step %d (%s): state %s, want %s", i, s.who.Subject, st, s.wantState)
			}
			if err == nil && s.wantState == domain.StateActive && got.State != domain.StateActive {
				t.Fatalf("step %d: returned %s", i, got.State)
			}
		}
		d, err := h.svc.Get(h.ctx, bob, r.ID)
		if err != nil || len(d.Approvals) != 2 {
			t.Fatalf("approvals %+v %v", d.Approvals, err)
		}
		want := []string{"request.created", "request.approval_added", "request.approval_added", "request.approved", "grant.activated"}
		if got := h.actions(r.ID); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}

func TestDeny(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		r := h.create(alice, domain.CreateInput{Profile: "readonly"})
		for _, tc := range []struct {
			who  domain.Identity
			want string
		}{{alice, "self_denial"}, {dave, "request_not_found"}, {root, "not_approver"}, {bob, ""}, {carol, "invalid_state"}} {
			if _, err := h.svc.Deny(h.ctx, tc.who, r.ID, "not now"); code(err) != tc.want {
				t.Errorf("deny by %s: %s (%v), want %q", tc.who.Subject, code(err), err, tc.want)
			}
		}
		got := h.get(r.ID)
		if got.State != domain.StateDenied || got.DecidedBy != "bob" || got.DecideReason != "not now" {
			t.Fatalf("denied request %+v", got)
		}
		if _, err := h.svc.Approve(h.ctx, carol, r.ID, ""); code(err) != "invalid_state" {
			t.Fatalf("approving a denied request: %v", err)
		}
	})
}

func TestCancel(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		r := h.create(alice, domain.CreateInput{Profile: "readonly"})
		for _, tc := range []struct {
			who  domain.Identity
			want string
		}{
			{dave, "request_not_found"}, // someone else's request is invisible
			{bob, "not_owner"},          // an approver sees it but may not cancel it
			{alice, ""},
			{alice, "invalid_state"},
		} {
			if _, err := h.svc.Cancel(h.ctx, tc.who, r.ID); code(err) != tc.want {
				t.Errorf("cancel by %s: %s (%v), want %q", tc.who.Subject, code(err), err, tc.want)
			}
		}
		if got := h.actions(r.ID); !slices.Equal(got, []string{"request.created", "request.cancelled"}) {
			t.Fatalf("events %v", got)
		}
		active := h.active("readonly", time.Hour)
		if _, err := h.svc.Cancel(h.ctx, alice, active.ID); code(err) != "invalid_state" {
			t.Fatalf("cancelling an active grant: %v (revoke it instead)", err)
		}
	})
}

func TestPendingTimeout(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		r := h.create(alice, domain.CreateInput{Profile: "readonly"})
		h.clk.Advance(3*time.Hour - time.Second)
		if n, err := h.svc.TimeOutDue(h.ctx, 100); err != nil || n != 0 {
			t.Fatalf("before the timeout: %d %v", n, err)
		}
		h.clk.Advance(time.Second)
		if n, err := h.svc.TimeOutDue(h.ctx, 100); err != nil || n != 1 {
			t.Fatalf("at the timeout: %d %v", n, err)
		}
		if got := h.get(r.ID); got.State != domain.StateTimedOut {
			t.Fatalf("state %s", got.State)
		}
		if _, err := h.svc.Approve(h.ctx, bob, r.ID, ""); code(err) != "invalid_state" {
			t.Fatalf("approving a timed out request: %v", err)
		}
	})
}

func TestExtension(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		g := h.active("readonly", time.Hour)
		h.clk.Advance(30 * time.Minute)
		ext := h.create(alice, domain.CreateInput{Profile: "readonly", Extends: g.ID, Duration: 2 * time.Hour, Reason: "more"})
		if ext.State != domain.StatePending {
			t.Fatalf("extension %s", ext.State)
		}
		ext, err := h.svc.Approve(h.ctx, bob, ext.ID, "")
		if err != nil || ext.State != domain.StateApproved {
			t.Fatalf("approving the extension: %v %s", err, ext.State)
		}
		if got := h.get(g.ID); !got.EndsAt.Equal(g.EndsAt.Add(2*time.Hour)) || got.State != domain.StateActive {
			t.Fatalf("grant end %s, want %s", got.EndsAt, g.EndsAt.Add(2*time.Hour))
		}
		// A second extension is capped at max_duration (4h) from now.
		ext2 := h.create(alice, domain.CreateInput{Profile: "readonly", Extends: g.ID, Duration: 4 * time.Hour})
		if _, err := h.svc.Approve(h.ctx, bob, ext2.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got, want := h.get(g.ID).EndsAt, h.svc.now().Add(4*time.Hour); !got.Equal(want) {
			t.Fatalf("capped end %s, want %s", got, want)
		}
		// Extensions are not grants of their own: the reconciler never activates them.
		if n, err := h.svc.ActivateDue(h.ctx, 10); err != nil || n != 0 {
			t.Fatalf("ActivateDue %d %v", n, err)
		}
		if got := h.actions(g.ID); !slices.Contains(got, "grant.extended") {
			t.Fatalf("grant events %v", got)
		}
		// An extension of a grant that ended before approval is refused.
		ext3 := h.create(alice, domain.CreateInput{Profile: "readonly", Extends: g.ID, Duration: time.Hour})
		if _, err := h.svc.Revoke(h.ctx, alice, g.ID, "done"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.Approve(h.ctx, bob, ext3.ID, ""); code(err) != "not_active" {
			t.Fatalf("approving an extension of a revoked grant: %v", err)
		}
	})
}
