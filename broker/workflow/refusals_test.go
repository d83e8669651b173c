package workflow

import (
	"errors"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/domain"
)

// TestRefusalMessages pins the kind, code and message of the refusals that name what was
// refused (the API shows them as they are).
func TestRefusalMessages(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		pending := h.create(alice, domain.CreateInput{Profile: "readonly"})
		g := h.active("readonly", time.Hour)
		for _, tc := range []struct {
			name    string
			err     error
			kind    domain.Kind
			code    string
			message string
		}{
			{"get a missing request", get(h, alice, "r-nope"), domain.KindNotFound, "request_not_found", "no request r-nope"},
			{"get someone else's request", get(h, dave, pending.ID), domain.KindNotFound, "request_not_found", "no request " + pending.ID},
			{"cancel someone else's request", second(h.svc.Cancel(h.ctx, dave, pending.ID)), domain.KindNotFound, "request_not_found", "no request " + pending.ID},
			{"revoke someone else's grant", second(h.svc.Revoke(h.ctx, dave, g.ID, "")), domain.KindNotFound, "request_not_found", "no request " + g.ID},
			{"credentials for an approver", second(h.svc.Credentials(h.ctx, bob, g.ID)), domain.KindForbidden, "not_owner",
				"credentials of grant " + g.ID + " go to its requester alice only"},
			{"credentials of a pending request", second(h.svc.Credentials(h.ctx, alice, pending.ID)), domain.KindConflict, "not_active",
				"grant " + pending.ID + " is pending; credentials are issued only while it is active"},
			{"read a missing profile", second(h.svc.Profile(h.ctx, "nope")), domain.KindNotFound, "profile_not_found", "no profile nope"},
			{"delete a missing profile", h.svc.DeleteProfile(h.ctx, root, "nope"), domain.KindNotFound, "profile_not_found", "no profile nope"},
		} {
			var e *domain.Error
			if !errors.As(tc.err, &e) || e.Kind != tc.kind || e.Code != tc.code || e.Message != tc.message || e.Err != nil {
				t.Errorf("%s: %#v, want %s %s %q", tc.name, tc.err, tc.kind, tc.code, tc.message)
			}
		}
	})
}

func get(h *harness, who domain.Identity, id string) error {
	_, err := h.svc.Get(h.ctx, who, id)
	return err
}

func second[T any](_ T, err error) error { return err }
