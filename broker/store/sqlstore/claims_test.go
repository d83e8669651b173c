package sqlstore

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

func insertAll(t *testing.T, s *Store, rs ...domain.Request) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.InsertRequest(ctx, r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func ids(rs []domain.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	sort.Strings(out)
	return out
}

func TestClaimDue(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		active := func(id string, ends time.Time) domain.Request {
			r := sampleRequest(id, domain.StateActive)
			r.StartsAt, r.EndsAt = t0, ends
			return r
		}
		approved := sampleRequest("r-approved", domain.StateApproved)
		ext := sampleRequest("r-ext", domain.StateApproved)
		ext.Extends = "r-a"
		pendingOld := sampleRequest("r-pending-old", domain.StatePending)
		pendingNew := sampleRequest("r-pending-new", domain.StatePending)
		pendingNew.CreatedAt = t0.Add(time.Hour)
		insertAll(t, s, active("r-a", t0.Add(time.Minute)), active("r-b", t0.Add(2*time.Minute)), active("r-c", t0.Add(time.Hour)),
			approved, ext, pendingOld, pendingNew)

		claim := func(kind store.Due, now time.Time) []string {
			var got []domain.Request
			if err := s.Update(ctx, func(tx store.Tx) error {
				var err error
				got, err = tx.ClaimDue(ctx, kind, now, 100)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ids(got)
		}
		tests := []struct {
			kind store.Due
			now  time.Time
			want string
		}{
			{store.DueExpiry, t0, ""},
			{store.DueExpiry, t0.Add(2 * time.Minute), "r-a r-b"},
			{store.DueActivation, t0, "r-approved"}, // not the extension
			{store.DueTimeout, t0, "r-pending-old"},
			{store.DueTimeout, t0.Add(time.Hour), "r-pending-new r-pending-old"},
		}
		for _, tc := range tests {
			if got := strings.Join(claim(tc.kind, tc.now), " "); got != tc.want {
				t.Errorf("ClaimDue(%s, %s) = %q, want %q", tc.kind, tc.now.Sub(t0), got, tc.want)
			}
		}

		deadline, ok, err := s.NextDeadline(ctx, 3*time.Hour)
		if err != nil || !ok || !deadline.Equal(t0) { // the approved grant is due now (updated_at)
			t.Errorf("NextDeadline = %s %v %v, want %s", deadline, ok, err, t0)
		}
	})
}

// Two transactions claiming at once on PostgreSQL take disjoint rows.
func TestClaimDueSkipsLockedRows(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		if s.Dialect() != "postgres" {
			t.Skip("SQLite has one writer at a time; there is nothing to skip")
		}
		ctx := context.Background()
		for i := range 10 {
			r := sampleRequest("r-"+string(rune('a'+i)), domain.StateActive)
			r.EndsAt = t0
			insertAll(t, s, r)
		}
		first := make(chan []domain.Request)
		release := make(chan struct{})
		go func() {
			_ = s.Update(ctx, func(tx store.Tx) error {
				got, err := tx.ClaimDue(ctx, store.DueExpiry, t0, 4)
				if err != nil {
					t.Error(err)
				}
				first <- got
				<-release
				return nil
			})
		}()
		a := <-first
		var b []domain.Request
		if err := s.Update(ctx, func(tx store.Tx) error {
			var err error
			b, err = tx.ClaimDue(ctx, store.DueExpiry, t0, 100)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		close(release)
		if len(a) != 4 || len(b) != 6 {
			t.Fatalf("claimed %d and %d, want 4 and 6", len(a), len(b))
		}
		seen := map[string]bool{}
		for _, r := range append(a, b...) {
			if seen[r.ID] {
				t.Fatalf("%s claimed twice", r.ID)
			}
			seen[r.ID] = true
		}
	})
}

func TestClaimTeardowns(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		due := sampleRequest("r-due", domain.StateRevoked)
		due.Teardown, due.TeardownNextAt = domain.TeardownPending, t0
		later := sampleRequest("r-later", domain.StateExpired)
		later.Teardown, later.TeardownNextAt = domain.TeardownFailed, t0.Add(time.Minute)
		done := sampleRequest("r-done", domain.StateExpired)
		done.Teardown = domain.TeardownDone
		insertAll(t, s, due, later, done)

		got, err := s.ClaimTeardowns(ctx, "broker-1", t0, 30*time.Second, 10)
		if err != nil || strings.Join(ids(got), " ") != "r-due" {
			t.Fatalf("first claim: %v %v", ids(got), err)
		}
		// Leased: nobody else gets it until the lease runs out.
		if got, _ := s.ClaimTeardowns(ctx, "broker-2", t0.Add(10*time.Second), 30*time.Second, 10); len(got) != 0 {
			t.Fatalf("claimed a leased teardown: %v", ids(got))
		}
		// The deadline accounts for the lease.
		if d, ok, _ := s.NextDeadline(ctx, time.Hour); !ok || !d.Equal(t0.Add(30*time.Second)) {
			t.Errorf("NextDeadline = %s, want the lease end %s", d, t0.Add(30*time.Second))
		}
		got, _ = s.ClaimTeardowns(ctx, "broker-2", t0.Add(time.Minute), 30*time.Second, 10)
		if strings.Join(ids(got), " ") != "r-due r-later" {
			t.Fatalf("claim after the lease ran out: %v", ids(got))
		}
		var held1, held2 bool
		if err := s.Update(ctx, func(tx store.Tx) error {
			var err error
			if held1, err = tx.ReleaseTeardown(ctx, "r-due", "broker-1"); err != nil {
				return err
			}
			held2, err = tx.ReleaseTeardown(ctx, "r-due", "broker-2")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if held1 || !held2 {
			t.Fatalf("release: broker-1 held=%v (want false), broker-2 held=%v (want true)", held1, held2)
		}
	})
}

func TestSQLiteOneProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.db")
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSQLite(context.Background(), path); err == nil || !strings.Contains(err.Error(), "held by another broker") {
		t.Fatalf("second open: %v", err)
	}
	s.Close()
	s, err = OpenSQLite(context.Background(), path) // migrations are idempotent
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestOpenDSN(t *testing.T) {
	for _, dsn := range []string{"mysql://x", "/tmp/x.db"} {
		if _, err := Open(context.Background(), dsn); err == nil || !strings.Contains(err.Error(), "use sqlite:PATH") {
			t.Errorf("Open(%q) = %v", dsn, err)
		}
	}
	if got := redact("postgres://u:secret@h/db"); got != "postgres://u:***@h/db" {
		t.Errorf("redact = %s", got)
	}
}

func TestLockRoleSerialises(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		unlock, err := s.LockRole(ctx, "arn:aws:iam::1:role/R")
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan struct{})
		go func() {
			u, err := s.LockRole(ctx, "arn:aws:iam::1:role/R")
			if err != nil {
				t.Error(err)
				close(got)
				return
			}
			close(got)
			u()
		}()
		// Another role is not blocked.
		u2, err := s.LockRole(ctx, "arn:aws:iam::1:role/Other")
		if err != nil {
			t.Fatal(err)
		}
		u2()
		select {
		case <-got:
			t.Fatal("second lock on the same role did not wait")
		case <-time.After(100 * time.Millisecond):
		}
		unlock()
		<-got
	})
}

func TestCursorLease(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		seq, ok, err := s.ClaimCursor(ctx, "webhook:a", "b1", t0, time.Minute)
		if err != nil || !ok || seq != 0 {
			t.Fatalf("first claim: %d %v %v", seq, ok, err)
		}
		if moved, err := s.AdvanceCursor(ctx, "webhook:a", "b1", 5); err != nil || !moved {
			t.Fatalf("advance by the owner: %v %v", moved, err)
		}
		if _, ok, _ := s.ClaimCursor(ctx, "webhook:a", "b2", t0.Add(time.Second), time.Minute); ok {
			t.Fatal("claimed a leased cursor")
		}
		seq, ok, err = s.ClaimCursor(ctx, "webhook:a", "b2", t0.Add(time.Minute), time.Minute)
		if err != nil || !ok || seq != 5 {
			t.Fatalf("claim after the lease: %d %v %v", seq, ok, err)
		}
		if moved, _ := s.AdvanceCursor(ctx, "webhook:a", "b1", 9); moved {
			t.Fatal("a former owner moved the cursor")
		}
		if moved, _ := s.AdvanceCursor(ctx, "webhook:a", "b2", 4); moved {
			t.Fatal("the cursor moved backwards")
		}
	})
}

// A SQLite store reopened by a new process drops the leases the old one held.
func TestSQLiteReopenReleasesLeases(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := sampleRequest("r-1", domain.StateExpired)
	r.Teardown, r.TeardownNextAt = domain.TeardownPending, t0
	insertAll(t, s, r)
	if got, _ := s.ClaimTeardowns(ctx, "dead", t0, time.Hour, 10); len(got) != 1 {
		t.Fatal("claim")
	}
	if _, ok, _ := s.ClaimCursor(ctx, "c", "dead", t0, time.Hour); !ok {
		t.Fatal("cursor claim")
	}
	s.Close()
	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.ClaimTeardowns(ctx, "new", t0, time.Minute, 10); len(got) != 1 {
		t.Fatal("the old lease survived the reopen")
	}
	if _, ok, _ := s.ClaimCursor(ctx, "c", "new", t0, time.Minute); !ok {
		t.Fatal("the old cursor lease survived the reopen")
	}
}
