// Package expiry keeps grants to their time: a reconciler that activates approved
// grants, expires grants whose end has come, times out pending requests, runs due
// teardowns (with their retries) and lifts fences that are no longer needed.
//
// Three things run it, after Vault's expiration manager: robfig/cron (with seconds)
// every second as the backstop; a timer set to the next deadline in the store, so a
// grant ends on time rather than up to a second late; and a catch-up before the broker
// serves, so nothing missed while it was down stays missed. Every pass is idempotent
// and every row it changes is claimed, so several brokers on PostgreSQL can run it.
package expiry

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/workflow"
)

// Options tune a Reconciler.
type Options struct {
	// Batch is how many rows one step claims at a time (default 500).
	Batch int
	// Workers run teardowns in parallel (default 8).
	Workers int
	// Schedule is the backstop's cron spec, with seconds (default every second).
	Schedule string
}

// Reconciler runs passes over the store.
type Reconciler struct {
	svc   *workflow.Service
	clock clock.Clock
	log   *slog.Logger
	opts  Options

	kick chan struct{}
	cron *cron.Cron

	mu     sync.Mutex
	timer  clock.Timer
	at     time.Time
	stop   context.CancelFunc
	done   chan struct{}
	passes int

	// AfterPass, when set, is called after every pass (tests and metrics).
	AfterPass func(Pass, error)
}

// Pass counts what one pass did.
type Pass struct {
	Activated, Expired, TimedOut, Claimed, TornDown, FencesLifted int
}

// Progress reports whether the pass changed anything.
func (p Pass) Progress() bool {
	return p.Activated+p.Expired+p.TimedOut+p.Claimed+p.FencesLifted > 0
}

// New returns a reconciler for svc; it wakes when svc reports a new deadline.
func New(svc *workflow.Service, log *slog.Logger, opts Options) *Reconciler {
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.Schedule == "" {
		opts.Schedule = "* * * * * *"
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reconciler{svc: svc, clock: svc.Clock(), log: log, opts: opts, kick: make(chan struct{}, 1)}
	svc.SetWake(r.Kick)
	return r
}

// Kick asks for a pass soon (at most one is queued).
func (r *Reconciler) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// RunOnce runs one pass: each step that has work due runs, and repeats while it fills
// whole batches.
func (r *Reconciler) RunOnce(ctx context.Context) (Pass, error) {
	var p Pass
	now := r.clock.Now()
	due, err := r.svc.Store().Due(ctx, now, now.Add(-r.svc.Config().PendingTimeout))
	if err != nil {
		return p, err
	}
	var errs []error
	step := func(f func() (int, error)) int {
		total := 0
		for {
			n, err := f()
			total += n
			if err != nil {
				errs = append(errs, err)
				return total
			}
			if n < r.opts.Batch || ctx.Err() != nil {
				return total
			}
		}
	}
	if due.Activation {
		p.Activated = step(func() (int, error) { return r.svc.ActivateDue(ctx, r.opts.Batch) })
	}
	if due.Expiry {
		p.Expired = step(func() (int, error) {
			ex, err := r.svc.ExpireDue(ctx, r.opts.Batch)
			return len(ex), err
		})
	}
	if due.Timeout {
		p.TimedOut = step(func() (int, error) { return r.svc.TimeOutDue(ctx, r.opts.Batch) })
	}
	if due.Expiry || due.Teardown { // expiring schedules teardowns
		p.Claimed = step(func() (int, error) {
			claimed, done, err := r.svc.TeardownDueParallel(ctx, r.opts.Batch, r.opts.Workers)
			p.TornDown += done
			return claimed, err
		})
	}
	if due.Fences {
		n, err := r.svc.LiftFences(ctx)
		p.FencesLifted = n
		errs = append(errs, err)
	}
	return p, errors.Join(errs...)
}

// CatchUp runs passes until one changes nothing: call it before serving, so grants
// that ended while the broker was down are taken back first.
func (r *Reconciler) CatchUp(ctx context.Context) error {
	for {
		p, err := r.RunOnce(ctx)
		if err != nil {
			return err
		}
		if !p.Progress() {
			return r.reschedule(ctx)
		}
	}
}

// Start runs the reconciler in the background until ctx ends or Stop is called.
func (r *Reconciler) Start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	r.cron = cron.New(cron.WithSeconds(), cron.WithLocation(time.UTC))
	if _, err := r.cron.AddFunc(r.opts.Schedule, r.Kick); err != nil {
		cancel()
		return err
	}
	r.mu.Lock()
	r.stop, r.done = cancel, make(chan struct{})
	r.mu.Unlock()
	r.cron.Start()
	go r.loop(ctx)
	r.Kick()
	return nil
}

// Stop stops the cron, the timer and the loop, and waits for a running pass to end.
func (r *Reconciler) Stop() {
	r.mu.Lock()
	stop, done := r.stop, r.done
	if r.timer != nil {
		r.timer.Stop()
	}
	r.mu.Unlock()
	if r.cron != nil {
		<-r.cron.Stop().Done()
	}
	if stop != nil {
		stop()
		<-done
	}
}

// Passes reports how many passes the background loop has run.
func (r *Reconciler) Passes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.passes
}

func (r *Reconciler) loop(ctx context.Context) {
	defer close(r.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		}
		p, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return // stopping: the pass was cut short, the next start catches up
		}
		if err != nil {
			r.log.Error("expiry pass failed", "err", err)
		}
		if p.Progress() {
			r.log.Debug("expiry pass", "activated", p.Activated, "expired", p.Expired, "timed_out", p.TimedOut,
				"torn_down", p.TornDown, "fences_lifted", p.FencesLifted)
		}
		if err := r.reschedule(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("finding the next deadline", "err", err)
		}
		r.mu.Lock()
		r.passes++
		r.mu.Unlock()
		if r.AfterPass != nil {
			r.AfterPass(p, err)
		}
		if p.Progress() && err == nil {
			r.Kick() // more may be due already; a pass that changes nothing ends the burst
		}
	}
}

// reschedule sets the timer to the store's next deadline (a due deadline is left to
// the next kick or the backstop, so a deadline that cannot be met does not spin).
func (r *Reconciler) reschedule(ctx context.Context) error {
	next, ok, err := r.svc.Store().NextDeadline(ctx, r.svc.Config().PendingTimeout)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok || (r.timer != nil && r.at.Equal(next)) {
		return nil
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	d := next.Sub(r.clock.Now())
	if d <= 0 {
		r.timer = nil
		return nil
	}
	r.at = next
	r.timer = r.clock.AfterFunc(d, r.Kick)
	return nil
}

// NextWake is the time the timer is set for (zero when none).
func (r *Reconciler) NextWake() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer == nil {
		return time.Time{}
	}
	return r.at
}
