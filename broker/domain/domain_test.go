package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validProfile() Profile {
	return Profile{
		Name: "readonly", Target: Target{Issuer: IssuerSTS, RoleARN: "arn:aws:iam::111122223333:role/path/Reader"},
		MaxDuration: 4 * time.Hour, DefaultDuration: time.Hour,
		Requesters: Principals{Groups: []string{"dev"}},
		Approval:   ApprovalRule{Approvers: Principals{Users: []string{"bob"}}, Required: 1},
	}
}

func TestValidateProfile(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Profile)
		want   string // substring of the error; "" for valid
	}{
		{"valid", func(*Profile) {}, ""},
		{"bad name", func(p *Profile) { p.Name = "Read Only" }, "profile name"},
		{"unknown issuer", func(p *Profile) { p.Target.Issuer = "ldap" }, "issuer \"ldap\""},
		{"not a role ARN", func(p *Profile) { p.Target.RoleARN = "arn:aws:iam::111122223333:user/x" }, "role_arn"},
		{"vault without role", func(p *Profile) { p.Target = Target{Issuer: IssuerVault, CredentialType: CredentialIAMUser} }, "vault_role"},
		{"vault assumed_role needs the role ARN", func(p *Profile) {
			p.Target = Target{Issuer: IssuerVault, VaultRole: "r", CredentialType: CredentialAssumedRole}
		}, "role_arn"},
		{"vault iam_user", func(p *Profile) {
			p.Target = Target{Issuer: IssuerVault, VaultRole: "r", CredentialType: CredentialIAMUser}
		}, ""},
		{"max over 12h", func(p *Profile) { p.MaxDuration = 13 * time.Hour }, "max_duration"},
		{"default over max", func(p *Profile) { p.DefaultDuration = 5 * time.Hour }, "default_duration"},
		{"no requesters", func(p *Profile) { p.Requesters = Principals{} }, "requesters"},
		{"no approvals required", func(p *Profile) { p.Approval.Required = 0 }, "approval.required"},
		{"more approvals than approvers", func(p *Profile) { p.Approval.Required = 2 }, "more than the 1 approvers"},
		{"auto needs no approvers", func(p *Profile) { p.Approval = ApprovalRule{Auto: true} }, ""},
		{"break-glass max over max", func(p *Profile) { p.BreakGlass = BreakGlass{Enabled: true, MaxDuration: 5 * time.Hour} }, "break_glass"},
	}
	for _, tc := range tests {
		p := validProfile()
		tc.change(&p)
		err := ValidateProfile(p)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		case err != nil && KindOf(err) != KindInvalid:
			t.Errorf("%s: kind %s", tc.name, KindOf(err))
		}
	}
}

func TestRequestIDs(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := NewRequestID(at), NewRequestID(at.Add(time.Millisecond))
	if !ValidRequestID(a) || !ValidRequestID(b) || len(a) != 28 {
		t.Fatalf("ids %q %q", a, b)
	}
	if a >= b {
		t.Errorf("ids do not sort by time: %s >= %s", a, b)
	}
	c, d := NewRequestID(at), NewRequestID(at)
	if !(b < c && c < d) {
		t.Errorf("ids made in one millisecond do not count up: %s %s %s", b, c, d)
	}
	for _, bad := range []string{"", "r-", "x-" + a[2:], a + "0", strings.ToUpper(a)} {
		if ValidRequestID(bad) {
			t.Errorf("ValidRequestID(%q) = true", bad)
		}
	}
}

func TestErrorsMatchSentinels(t *testing.T) {
	err := Errorf(ErrSelfApproval, "bob cannot approve r-1")
	if !errors.Is(err, ErrSelfApproval) || errors.Is(err, ErrNotOwner) {
		t.Fatal("errors.Is does not match by code")
	}
	if KindOf(err) != KindForbidden || KindOf(errors.New("x")) != KindUnavailable {
		t.Fatal("KindOf")
	}
	wrapped := Unavailable("db", errors.New("down"), "reading %s", "r-1")
	if wrapped.Error() != "reading r-1: down" {
		t.Fatalf("message %q", wrapped.Error())
	}
}

func TestStates(t *testing.T) {
	final := map[State]bool{StateExpired: true, StateRevoked: true, StateDenied: true, StateCancelled: true, StateTimedOut: true}
	for _, s := range States {
		if s.Final() != final[s] || !s.Valid() {
			t.Errorf("%s: Final %v Valid %v", s, s.Final(), s.Valid())
		}
	}
	if State("nope").Valid() {
		t.Error("unknown state valid")
	}
}

func TestExpireAndTeardown(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r := Request{ID: "r-1", State: StateApproved, Duration: time.Hour}
	r, err := Activate(r, now)
	if err != nil || r.Remaining(now.Add(10*time.Minute)) != 50*time.Minute {
		t.Fatalf("activate: %v %+v", err, r)
	}
	if _, err := Expire(r, now.Add(59*time.Minute)); !errors.Is(err, &Error{Code: "not_due"}) {
		t.Fatalf("early expiry: %v", err)
	}
	r, err = Expire(r, now.Add(time.Hour))
	if err != nil || r.State != StateExpired || r.Teardown != TeardownPending || r.Remaining(now) != 0 {
		t.Fatalf("expire: %v %+v", err, r)
	}
	for i := 1; i <= 3; i++ {
		r = TeardownFailedAt(r, "boom", now, 3, now)
	}
	if r.Teardown != TeardownIrrevocable || r.TeardownAttempts != 3 {
		t.Fatalf("after 3 failures: %s %d", r.Teardown, r.TeardownAttempts)
	}
	if r = TeardownSucceeded(r, now); r.Teardown != TeardownDone || r.TeardownError != "" {
		t.Fatalf("succeeded: %+v", r)
	}
}
