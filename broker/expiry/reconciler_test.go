package expiry

import (
	"os"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
	"github.com/ciem/ciem/broker/store/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// passes returns a channel that receives every background pass.
func passes(r *Reconciler) chan Pass {
	ch := make(chan Pass, 100)
	r.AfterPass = func(p Pass, err error) {
		if err != nil {
			panic(err)
		}
		ch <- p
	}
	return ch
}

// waitFor waits for a pass that satisfies ok (failing after 10s of wall time, which
// only a broken reconciler takes).
func waitFor(t *testing.T, ch chan Pass, what string, ok func(Pass) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case p := <-ch:
			if ok(p) {
				return
			}
		case <-timeout:
			t.Fatalf("no pass %s", what)
		}
	}
}

// The timer set to the next deadline ends a grant at its end, without the cron.
func TestTimerWakesAtTheGrantsEnd(t *testing.T) {
	brokertest.Each(t, func(t *testing.T, b *brokertest.Broker) {
		r := New(b.Svc, nil, Options{Schedule: "0 0 0 1 1 *"}) // the backstop out of the way
		ch := passes(r)
		if err := r.Start(b.Ctx); err != nil {
			t.Fatal(err)
		}
		defer r.Stop()
		waitFor(t, ch, "at start", func(Pass) bool { return true })

		g := b.Active("readonly", 2*time.Minute)
		c, err := b.Svc.Credentials(b.Ctx, brokertest.Alice, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Activation kicks a pass that sets the timer to the grant's end.
		waitFor(t, ch, "after activation", func(Pass) bool { return r.NextWake().Equal(g.EndsAt) })
		b.Clock.Advance(2 * time.Minute)
		waitFor(t, ch, "expiring the grant", func(p Pass) bool { return p.Expired == 1 })
		got := b.Get(g.ID)
		if got.State != domain.StateExpired || got.Teardown != domain.TeardownDone {
			t.Fatalf("after the timer: %s / %s", got.State, got.Teardown)
		}
		if code := b.S3Code(c); code != "AccessDenied" {
			t.Fatalf("credentials after the end: %q", code)
		}
	})
}

// Pending requests time out through the reconciler too.
func TestTimerTimesOutPendingRequests(t *testing.T) {
	brokertest.Each(t, func(t *testing.T, b *brokertest.Broker) {
		req, err := b.Svc.Create(b.Ctx, brokertest.Alice, domain.CreateInput{Profile: "readonly"})
		if err != nil {
			t.Fatal(err)
		}
		r := New(b.Svc, nil, Options{Schedule: "0 0 0 1 1 *"})
		ch := passes(r)
		if err := r.Start(b.Ctx); err != nil {
			t.Fatal(err)
		}
		defer r.Stop()
		waitFor(t, ch, "at start", func(Pass) bool { return r.NextWake().Equal(req.CreatedAt.Add(3 * time.Hour)) })
		b.Clock.Advance(3 * time.Hour)
		waitFor(t, ch, "timing out", func(p Pass) bool { return p.TimedOut == 1 })
		if got := b.Get(req.ID); got.State != domain.StateTimedOut {
			t.Fatalf("state %s", got.State)
		}
	})
}

// The cron backstop runs passes on its own (every second of wall time).
func TestCronBackstop(t *testing.T) {
	b := brokertest.New(t, "sqlite")
	r := New(b.Svc, nil, Options{})
	ch := passes(r)
	if err := r.Start(b.Ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	waitFor(t, ch, "at start", func(Pass) bool { return true })
	start := r.Passes()
	waitFor(t, ch, "from the cron", func(Pass) bool { return r.Passes() >= start+2 })
}

// After downtime, catch-up finishes everything that came due: grants left approved
// by a crash are activated, ended grants expired and torn down, stale requests timed
// out, and fences no longer needed lifted.
func TestCatchUpAfterDowntime(t *testing.T) {
	brokertest.Each(t, func(t *testing.T, b *brokertest.Broker) {
		var ended []string
		for range 3 {
			ended = append(ended, b.Active("readonly", time.Minute).ID)
		}
		revoked := b.Active("readonly", time.Hour)
		if _, err := b.Svc.Credentials(b.Ctx, brokertest.Alice, revoked.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Svc.Revoke(b.Ctx, brokertest.Alice, revoked.ID, ""); err != nil {
			t.Fatal(err)
		}
		pending, err := b.Svc.Create(b.Ctx, brokertest.Alice, domain.CreateInput{Profile: "readonly"})
		if err != nil {
			t.Fatal(err)
		}
		// A crash between approval and activation leaves an approved grant.
		approved, err := b.Svc.Create(b.Ctx, brokertest.Alice, domain.CreateInput{Profile: "readonly", Duration: 2 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		err = b.Store.Update(b.Ctx, func(tx store.Tx) error {
			r, err := tx.Request(b.Ctx, approved.ID)
			if err != nil {
				return err
			}
			r.State = domain.StateApproved
			return tx.UpdateRequest(b.Ctx, r)
		})
		if err != nil {
			t.Fatal(err)
		}

		b.Clock.Advance(4 * time.Hour)          // the broker was down
		r := New(b.Svc, nil, Options{Batch: 2}) // small batches: steps must repeat
		if err := r.CatchUp(b.Ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range ended {
			if got := b.Get(id); got.State != domain.StateExpired || got.Teardown != domain.TeardownDone {
				t.Errorf("%s: %s / %s", id, got.State, got.Teardown)
			}
		}
		if got := b.Get(pending.ID); got.State != domain.StateTimedOut {
			t.Errorf("pending: %s", got.State)
		}
		// Activated at catch-up, it runs its full two hours from then.
		if got := b.Get(approved.ID); got.State != domain.StateActive || !got.EndsAt.Equal(b.Svc.Clock().Now().Add(2*time.Hour)) {
			t.Errorf("approved: %s until %s", got.State, got.EndsAt)
		}
		var fences []store.Fence
		_ = b.Store.View(b.Ctx, func(tx store.Tx) error { fences, err = tx.Fences(b.Ctx, brokertest.RoleARN); return err })
		if len(fences) != 0 {
			t.Errorf("fences left: %+v", fences)
		}
		if !r.NextWake().Equal(b.Get(approved.ID).EndsAt) {
			t.Errorf("next wake %s", r.NextWake())
		}
	})
}
