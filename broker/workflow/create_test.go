package workflow

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/domain"
)

func TestCreateRefusals(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		strict := profile("strict")
		strict.RequireReason, strict.RequireTicket = true, true
		strict.BreakGlass = domain.BreakGlass{Enabled: true, MaxDuration: 30 * time.Minute}
		h.putProfile(strict)
		other := h.active("readonly", time.Hour)
		carolsGrant := h.create(carol, domain.CreateInput{Profile: "readonly", Reason: "x"})

		tests := []struct {
			name string
			who  domain.Identity
			in   domain.CreateInput
			want string
		}{
			{"ineligible requester", dave, domain.CreateInput{Profile: "readonly"}, "not_eligible"},
			{"unknown profile", alice, domain.CreateInput{Profile: "nope"}, "profile_not_found"},
			{"duration over max", alice, domain.CreateInput{Profile: "readonly", Duration: 5 * time.Hour}, "duration_too_long"},
			{"duration under a minute", alice, domain.CreateInput{Profile: "readonly", Duration: time.Second}, "duration_too_short"},
			{"reason required", alice, domain.CreateInput{Profile: "strict", Ticket: "T-1"}, "reason_required"},
			{"ticket required", alice, domain.CreateInput{Profile: "strict", Reason: "r"}, "ticket_required"},
			{"reason too long", alice, domain.CreateInput{Profile: "readonly", Reason: strings.Repeat("x", 1001)}, "reason_too_long"},
			{"break-glass not allowed", alice, domain.CreateInput{Profile: "readonly", BreakGlass: true, Reason: "fire"}, "break_glass_disabled"},
			{"break-glass needs a reason", alice, domain.CreateInput{Profile: "strict", BreakGlass: true, Ticket: "T"}, "reason_required"},
			{"break-glass over its max", alice, domain.CreateInput{Profile: "strict", BreakGlass: true, Reason: "fire", Ticket: "T", Duration: time.Hour}, "duration_too_long"},
			{"extending another's grant", carol, domain.CreateInput{Profile: "readonly", Extends: other.ID, Reason: "x"}, "not_owner"},
			{"extending a pending request", carol, domain.CreateInput{Profile: "readonly", Extends: carolsGrant.ID}, "not_active"},
			{"extending a missing grant", alice, domain.CreateInput{Profile: "readonly", Extends: "r-00000000000000000000000000"}, "request_not_found"},
		}
		for _, tc := range tests {
			_, err := h.svc.Create(h.ctx, tc.who, tc.in)
			if got := code(err); got != tc.want {
				t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
			}
		}
	})
}

func TestCreatePendingThenAudit(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		r := h.create(alice, domain.CreateInput{Profile: "readonly", Reason: "  look at logs  ", Ticket: "INC-1"})
		if r.State != domain.StatePending || r.Duration != time.Hour || r.Reason != "look at logs" || !domain.ValidRequestID(r.ID) {
			t.Fatalf("created %+v", r)
		}
		if r.SessionPolicy == "" || r.Target.RoleARN == "" {
			t.Fatal("the request does not carry the profile's target and policy")
		}
		if got := h.actions(r.ID); !slices.Equal(got, []string{"request.created"}) {
			t.Fatalf("events %v", got)
		}
	})
}

func TestAutoApprovalActivatesAtOnce(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		p := profile("auto")
		p.Approval = domain.ApprovalRule{Auto: true}
		h.putProfile(p)
		r := h.create(alice, domain.CreateInput{Profile: "auto", Duration: 30 * time.Minute})
		if r.State != domain.StateActive || r.DecidedBy != domain.System.Subject || !r.EndsAt.Equal(h.svc.now().Add(30*time.Minute)) {
			t.Fatalf("auto-approved request: %+v", r)
		}
		if got := h.actions(r.ID); !slices.Equal(got, []string{"request.created", "request.approved", "grant.activated"}) {
			t.Fatalf("events %v", got)
		}
	})
}

func TestBreakGlass(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		p := profile("glass")
		p.BreakGlass = domain.BreakGlass{Enabled: true, MaxDuration: 30 * time.Minute}
		h.putProfile(p)
		r := h.create(alice, domain.CreateInput{Profile: "glass", BreakGlass: true, Reason: "prod down", Duration: 20 * time.Minute})
		if r.State != domain.StateActive || r.DecidedBy != "alice" || !r.ReviewRequired || !r.BreakGlass {
			t.Fatalf("break-glass request: %+v", r)
		}
		if got := h.actions(r.ID); !slices.Equal(got, []string{"request.created", "request.approved", "grant.activated"}) {
			t.Fatalf("events %v", got)
		}
	})
}
