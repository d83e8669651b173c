package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

func TestRequestRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		r := sampleRequest("r-1", domain.StateActive)
		r.BreakGlass, r.ReviewRequired = true, true
		r.DecidedBy, r.DecidedAt, r.DecideReason = "bob", t0.Add(time.Minute), "ok"
		r.StartsAt, r.EndsAt = t0.Add(time.Minute), t0.Add(time.Hour+time.Minute)
		r.Teardown, r.TeardownAttempts, r.TeardownNextAt, r.TeardownError = domain.TeardownFailed, 2, t0.Add(2*time.Hour), "boom"
		r.Target.VaultRole = "vr"
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertRequest(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		var got domain.Request
		if err := s.Update(ctx, func(tx store.Tx) error {
			var err error
			got, err = tx.Request(ctx, "r-1")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, r)
		}
		err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertRequest(ctx, r) })
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second insert: %v, want ErrDuplicate", err)
		}
		r.State, r.RevokedBy = domain.StateRevoked, "carol"
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.UpdateRequest(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		_ = s.View(ctx, func(tx store.Tx) error { got, err = tx.Request(ctx, "r-1"); return err })
		if got.State != domain.StateRevoked || got.RevokedBy != "carol" {
			t.Fatalf("after update: %+v", got)
		}
		err = s.View(ctx, func(tx store.Tx) error { _, err := tx.Request(ctx, "r-nope"); return err })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing request: %v, want ErrNotFound", err)
		}
	})
}

func TestRequestsFilter(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		rows := []struct {
			id, requester, profile string
			state                  domain.State
		}{
			{"r-1", "alice", "readonly", domain.StatePending},
			{"r-2", "alice", "admin", domain.StateActive},
			{"r-3", "bob", "readonly", domain.StateActive},
			{"r-4", "carol", "admin", domain.StateDenied},
		}
		err := s.Update(ctx, func(tx store.Tx) error {
			for _, row := range rows {
				r := sampleRequest(row.id, row.state)
				r.Requester, r.Profile = row.requester, row.profile
				if err := tx.InsertRequest(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    store.Filter
			want []string
		}{
			{"all, newest first", store.Filter{}, []string{"r-4", "r-3", "r-2", "r-1"}},
			{"requester", store.Filter{Requester: "alice"}, []string{"r-2", "r-1"}},
			{"states", store.Filter{States: []domain.State{domain.StateActive}}, []string{"r-3", "r-2"}},
			{"profile", store.Filter{Profile: "admin"}, []string{"r-4", "r-2"}},
			{"viewer sees own", store.Filter{Viewer: "bob"}, []string{"r-3"}},
			{"viewer sees approved profiles", store.Filter{Viewer: "bob", ViewerProfiles: []string{"admin"}}, []string{"r-4", "r-3", "r-2"}},
			{"page", store.Filter{Before: "r-3", Limit: 1}, []string{"r-2"}},
		}
		for _, tc := range tests {
			var got []domain.Request
			if err := s.View(ctx, func(tx store.Tx) error { var err error; got, err = tx.Requests(ctx, tc.f); return err }); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, ids, tc.want)
			}
		}
	})
}

func TestApprovalsCountOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := domain.Approval{RequestID: "r-1", Approver: "bob", Comment: "fine", At: t0}
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertRequest(ctx, sampleRequest("r-1", domain.StatePending)); err != nil {
				return err
			}
			return tx.InsertApproval(ctx, a)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Update(ctx, func(tx store.Tx) error { return tx.InsertApproval(ctx, a) })
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second approval by the same approver: %v, want ErrDuplicate", err)
		}
		var got []domain.Approval
		_ = s.View(ctx, func(tx store.Tx) error { got, err = tx.Approvals(ctx, "r-1"); return err })
		if !reflect.DeepEqual(got, []domain.Approval{a}) {
			t.Fatalf("approvals: %+v", got)
		}
	})
}

func TestProfileRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		p := domain.Profile{
			Name: "readonly", Description: "read S3",
			Target:        domain.Target{Issuer: domain.IssuerVault, RoleARN: "arn:aws:iam::111122223333:role/R", VaultRole: "ro", VaultMount: "aws", CredentialType: domain.CredentialAssumedRole},
			SessionPolicy: `{"Version":"2012-10-17"}`, MaxDuration: 4 * time.Hour, DefaultDuration: time.Hour,
			Requesters:    domain.Principals{Users: []string{"alice"}, Groups: []string{"dev"}},
			Approval:      domain.ApprovalRule{Approvers: domain.Principals{Groups: []string{"leads"}}, Required: 2},
			RequireReason: true, RequireTicket: true, BreakGlass: domain.BreakGlass{Enabled: true, MaxDuration: 30 * time.Minute},
			UpdatedAt: t0, UpdatedBy: "admin",
		}
		var got domain.Profile
		var list []domain.Profile
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.PutProfile(ctx, p); err != nil {
				return err
			}
			p.Description = "changed"
			if err := tx.PutProfile(ctx, p); err != nil {
				return err
			}
			var err error
			if got, err = tx.Profile(ctx, "readonly"); err != nil {
				return err
			}
			list, err = tx.Profiles(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, p) || len(list) != 1 {
			t.Fatalf("profile round trip:\n got %+v\nwant %+v (%d listed)", got, p, len(list))
		}
		err = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.DeleteProfile(ctx, "readonly"); err != nil {
				return err
			}
			_, err := tx.Profile(ctx, "readonly")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted profile: %v, want ErrNotFound", err)
		}
	})
}

func TestIssuesFencesTokensCursors(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		iss := store.Issue{ID: "i-1", RequestID: "r-1", IssuedAt: t0, ValidUntil: t0.Add(time.Hour), State: store.IssueStarted}
		f := store.Fence{RequestID: "r-1", RoleARN: "arn:aws:iam::111122223333:role/R", RevokedAt: t0, Until: t0.Add(time.Hour)}
		tk := store.Token{ID: "tk1", Name: "ci", Hash: "abc", Subject: "ci-bot", Groups: []string{"automation"}, Admin: true, CreatedAt: t0, CreatedBy: "root"}
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertRequest(ctx, sampleRequest("r-1", domain.StateActive)); err != nil {
				return err
			}
			if err := tx.InsertIssue(ctx, iss); err != nil {
				return err
			}
			iss.State, iss.AccessKeyID, iss.Expires = store.IssueIssued, "ASIAX", t0.Add(time.Hour)
			if err := tx.UpdateIssue(ctx, iss); err != nil {
				return err
			}
			if err := tx.PutFence(ctx, f); err != nil {
				return err
			}
			f.Applied = true
			if err := tx.PutFence(ctx, f); err != nil {
				return err
			}
			if err := tx.InsertToken(ctx, tk); err != nil {
				return err
			}
			return tx.SetCursor(ctx, "webhook:a", 7)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.View(ctx, func(tx store.Tx) error {
			issues, err := tx.Issues(ctx, "r-1")
			if err != nil || !reflect.DeepEqual(issues, []store.Issue{iss}) {
				return fmt.Errorf("issues %+v %v", issues, err)
			}
			fences, err := tx.Fences(ctx, f.RoleARN)
			if err != nil || !reflect.DeepEqual(fences, []store.Fence{f}) {
				return fmt.Errorf("fences %+v %v", fences, err)
			}
			for _, at := range []struct {
				now  time.Time
				want int
			}{{t0, 0}, {t0.Add(time.Hour), 1}} {
				due, err := tx.FenceRolesDue(ctx, at.now)
				if err != nil || len(due) != at.want {
					return fmt.Errorf("fence roles due at %s: %v %v", at.now, due, err)
				}
			}
			got, err := tx.Token(ctx, "tk1")
			if err != nil || !reflect.DeepEqual(got, tk) {
				return fmt.Errorf("token %+v %v", got, err)
			}
			seq, err := tx.Cursor(ctx, "webhook:a")
			if err != nil || seq != 7 {
				return fmt.Errorf("cursor %d %v", seq, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Update(ctx, func(tx store.Tx) error { return tx.InsertToken(ctx, store.Token{ID: "tk2", Name: "ci"}) })
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("token with a taken name: %v", err)
		}
	})
}

func TestAuditChainAndTampering(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for i := range 5 {
			err := s.Update(ctx, func(tx store.Tx) error {
				e, err := audit.NewEvent(t0.Add(time.Duration(i)*time.Second), "alice", audit.ActionRequestCreated, fmt.Sprintf("r-%d", i), map[string]any{"n": i, "html": "<b>&"})
				if err != nil {
					return err
				}
				_, err = tx.Append(ctx, e)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := audit.Verify(s.AuditEvents(ctx, 0))
		if err != nil || !rep.OK() || rep.Events != 5 || rep.HeadSeq != 5 {
			t.Fatalf("clean chain: %+v %v", rep, err)
		}
		// An appending transaction that rolls back leaves no trace and no gap.
		boom := errors.New("boom")
		err = s.Update(ctx, func(tx store.Tx) error {
			e, _ := audit.NewEvent(t0, "x", "x", "x", nil)
			if _, err := tx.Append(ctx, e); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if rep, _ := audit.Verify(s.AuditEvents(ctx, 0)); !rep.OK() || rep.Events != 5 {
			t.Fatalf("after a rolled back append: %+v", rep)
		}

		tampers := []struct {
			name  string
			apply []string
			undo  []string
		}{
			{"edited", []string{`UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`}, []string{`UPDATE audit_events SET actor = 'alice' WHERE seq = 3`}},
			{"edited data", []string{`UPDATE audit_events SET data = '{"n":9}' WHERE seq = 2`}, nil},
			{"removed", []string{`DELETE FROM audit_events WHERE seq = 4`}, nil},
			{"reordered", []string{`UPDATE audit_events SET seq = 100 WHERE seq = 2`, `UPDATE audit_events SET seq = 2 WHERE seq = 3`, `UPDATE audit_events SET seq = 3 WHERE seq = 100`}, nil},
		}
		for _, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				snapshot := auditRows(t, s)
				for _, q := range tc.apply {
					if _, err := s.db.ExecContext(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				rep, err := audit.Verify(s.AuditEvents(ctx, 0))
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK() {
					t.Fatalf("tampering (%s) not detected: %+v", tc.name, rep)
				}
				restoreAudit(t, s, snapshot)
				if rep, _ := audit.Verify(s.AuditEvents(ctx, 0)); !rep.OK() {
					t.Fatalf("restore failed: %+v", rep)
				}
			})
		}
	})
}

func auditRows(t *testing.T, s *Store) []audit.Event {
	t.Helper()
	var out []audit.Event
	for e, err := range s.AuditEvents(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func restoreAudit(t *testing.T, s *Store, events []audit.Event) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM audit_events`); err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		data := string(e.Data)
		if data == "" {
			data = "null"
		}
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO audit_events (seq, time_ms, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			e.Seq, ms(e.Time), e.Actor, e.Action, e.Subject, data, e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
	}
}
