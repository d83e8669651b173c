package expiry

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/store"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/broker/workflow"
)

// countingIssuer is the real STS issuer, counting the revocations it is asked for.
type countingIssuer struct {
	issuer.Issuer
	mu      sync.Mutex
	revokes map[string]int
}

func (c *countingIssuer) Revoke(ctx context.Context, g issuer.Grant, leases []string) error {
	c.mu.Lock()
	c.revokes[g.ID]++
	c.mu.Unlock()
	return c.Issuer.Revoke(ctx, g, leases)
}

// Two brokers share one PostgreSQL database: 1,000 grants ending at the same moment
// (and 50 revoked ones with live sessions to fence) are each expired, torn down and
// fenced exactly once.
func TestTwoBrokersOnePostgres(t *testing.T) {
	b := brokertest.New(t, "postgres")
	ctx := b.Ctx
	const grants, revoked = 1000, 50
	end := b.Clock.Now().Add(time.Hour)
	err := b.Store.Update(ctx, func(tx store.Tx) error {
		for i := range grants + revoked {
			r := domain.Request{
				ID: fmt.Sprintf("r-%026d", i), Profile: "readonly", Target: domain.Target{Issuer: domain.IssuerSTS, RoleARN: brokertest.RoleARN},
				SessionPolicy: brokertest.ReadPolicy, Requester: "alice", Duration: time.Hour, State: domain.StateActive,
				CreatedAt: b.Clock.Now(), UpdatedAt: b.Clock.Now(), StartsAt: b.Clock.Now(), EndsAt: end,
			}
			if i >= grants {
				r.State, r.RevokedBy, r.RevokedAt = domain.StateRevoked, "bob", b.Clock.Now()
				r.Teardown, r.TeardownNextAt = domain.TeardownPending, b.Clock.Now()
			}
			if err := tx.InsertRequest(ctx, r); err != nil {
				return err
			}
			if i >= grants {
				if err := tx.InsertIssue(ctx, store.Issue{ID: "c" + r.ID, RequestID: r.ID, IssuedAt: b.Clock.Now(), ValidUntil: end, State: store.IssueIssued}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingIssuer{Issuer: b.STS, revokes: map[string]int{}}
	var recons []*Reconciler
	for i := range 2 {
		st, err := sqlstore.Open(ctx, b.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svc := workflow.New(st, b.Clock, map[string]issuer.Issuer{domain.IssuerSTS: counter}, b.STS, nil,
			workflow.Config{Owner: fmt.Sprintf("broker-%d", i)})
		recons = append(recons, New(svc, nil, Options{Batch: 100, Workers: 4}))
	}
	// Both brokers work at once: first the revoked grants' fences, then the expiry.
	run := func() {
		var wg sync.WaitGroup
		for _, r := range recons {
			wg.Go(func() {
				if err := r.CatchUp(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	run()
	b.Clock.Set(end)
	run()

	var all []domain.Request
	_ = b.Store.View(ctx, func(tx store.Tx) error {
		all, err = tx.Requests(ctx, store.Filter{Limit: 1000})
		if err != nil {
			return err
		}
		more, err := tx.Requests(ctx, store.Filter{Limit: 1000, Before: all[len(all)-1].ID})
		all = append(all, more...)
		return err
	})
	if len(all) != grants+revoked {
		t.Fatalf("%d requests", len(all))
	}
	for _, r := range all {
		// Expired STS grants have nothing to take back (their sessions end by policy);
		// each revoked one goes through its issuer and its fence exactly once.
		want := 0
		if r.State == domain.StateRevoked {
			want = 1
		}
		if r.Teardown != domain.TeardownDone || counter.revokes[r.ID] != want {
			t.Fatalf("%s: %s, teardown %s, revoked %d times", r.ID, r.State, r.Teardown, counter.revokes[r.ID])
		}
	}
	events := map[string]int{}
	for e, err := range b.Store.AuditEvents(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		events[e.Action]++
	}
	if events["grant.expired"] != grants || events["grant.teardown_done"] != grants+revoked || events["grant.fence_applied"] != revoked {
		t.Fatalf("events %v", events)
	}
	// The role's fence names every revoked grant: no broker overwrote another's.
	var fences []store.Fence
	_ = b.Store.View(ctx, func(tx store.Tx) error { fences, err = tx.Fences(ctx, brokertest.RoleARN); return err })
	if len(fences) != revoked {
		t.Fatalf("%d fences", len(fences))
	}
	for i := grants; i < grants+revoked; i++ {
		if code := fenced(t, b, fmt.Sprintf("r-%026d", i)); !code {
			t.Fatalf("grant %d is not in the role's fence policy", i)
		}
	}
}

// fenced reports whether the role's fence policy at AWS names grant id.
func fenced(t *testing.T, b *brokertest.Broker, id string) bool {
	t.Helper()
	doc := brokertest.RoleInlinePolicy(t, b.AWS, "Reader", "ciem-revoked-grants")
	return containsQuoted(doc, id)
}

func containsQuoted(doc, id string) bool { return strings.Contains(doc, `"*:`+id+`"`) }
