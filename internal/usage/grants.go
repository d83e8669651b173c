package usage

import (
	"context"
	"fmt"
	"time"
)

// GrantHistory is the broker's record of time-boxed grants, as right-sizing reads it. The
// broker's store implements it; nothing here depends on the broker.
type GrantHistory interface {
	// GrantsBetween calls fn for each grant active at some time in [since, until) (a zero
	// bound is open), in a stable order, stopping at fn's first error.
	GrantsBetween(ctx context.Context, since, until time.Time, fn func(Grant) error) error
}

// Grant is one grant of elevated access: the principal whose permissions it extended, what
// it allowed, and when.
type Grant struct {
	ID         string
	Principal  string   // ARN of the principal (the role the credentials were issued for)
	Actions    []string // "service:Action" names
	Resources  []string // resource ARNs, when the grant scoped them
	Start, End time.Time
}

// Grants is the broker's grant history as a usage source: each grant counts once for each
// of its actions, at its start (or the window's start, if it began earlier).
type Grants struct {
	History GrantHistory
	Name    string // names the source in reports, e.g. the broker's URL
}

// Kind is grants.
func (g Grants) Kind() SourceKind { return SourceGrants }

// Location is the name.
func (g Grants) Location() string { return g.Name }

// Collect reads the grants active in the window.
func (g Grants) Collect(ctx context.Context, c *Collector) error {
	w := c.Options().Window
	run := c.Begin(SourceGrants, g.Name)
	run.Note("grants show access asked for and approved, not calls made")
	shard := run.NewShard()
	defer run.Merge(shard)
	var idx int64
	err := g.History.GrantsBetween(ctx, w.Since, w.Until, func(gr Grant) error {
		at := gr.Start
		if !w.Since.IsZero() && at.Before(w.Since) {
			at = w.Since
		}
		pos := Position{File: "grants:" + gr.ID, Record: idx}
		idx++
		for _, a := range gr.Actions {
			shard.Observe(Observation{Principal: gr.Principal, Action: a, Time: at, Count: 1, Resources: gr.Resources, Position: pos})
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("reading grant history: %w", err)
	}
	return nil
}
