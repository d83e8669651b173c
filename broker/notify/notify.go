// Package notify delivers audit events to webhooks: plain JSON, or Slack-compatible
// ({"text": ...}) for Slack and the many tools that accept its incoming-webhook format.
//
// Delivery tails the audit log from a cursor kept in the store, so every transition is
// delivered at least once, across restarts, in order, and by one broker at a time when
// several share a database (the cursor is leased). A failed delivery is retried with
// exponential backoff; an event that still fails after MaxAttempts is skipped and logged.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/store"
)

// Formats.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// Webhook is one destination.
type Webhook struct {
	Name   string
	URL    string
	Format string // FormatJSON (default) or FormatSlack
	// Events are actions ("grant.revoked") or prefixes ("grant.*"); empty: every
	// request, grant and profile event except issued credentials.
	Events []string
	// Secret, when set, signs each JSON body: X-Ciem-Signature: sha256=<hex HMAC>.
	Secret string
}

func (w Webhook) wants(action string) bool {
	if len(w.Events) == 0 {
		return action != audit.ActionCredentialsIssued && !strings.HasPrefix(action, "token.")
	}
	for _, e := range w.Events {
		if e == action || e == "*" || (strings.HasSuffix(e, ".*") && strings.HasPrefix(action, strings.TrimSuffix(e, "*"))) {
			return true
		}
	}
	return false
}

// Options tune a Dispatcher.
type Options struct {
	MaxAttempts int           // per event (default 8)
	Timeout     time.Duration // per delivery (default 10s)
	Lease       time.Duration // cursor lease (default 1m)
	Batch       int           // events read per pass (default 100)
	Owner       string        // this broker's name in cursor leases
}

// Dispatcher delivers events to webhooks.
type Dispatcher struct {
	store store.Store
	clock clock.Clock
	hooks []Webhook
	http  *http.Client
	log   *slog.Logger
	opts  Options

	mu    sync.Mutex
	state map[string]*hookState
	kick  chan struct{}
	stop  context.CancelFunc
	done  chan struct{}
}

type hookState struct {
	attempts int // failed attempts at the event after the cursor
	nextAt   time.Time
}

// New returns a dispatcher for hooks.
func New(st store.Store, clk clock.Clock, hooks []Webhook, log *slog.Logger, opts Options) *Dispatcher {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Owner == "" {
		opts.Owner = fmt.Sprintf("broker-%016x", rand.Uint64())
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{store: st, clock: clk, hooks: hooks, http: &http.Client{Timeout: opts.Timeout}, log: log, opts: opts,
		state: map[string]*hookState{}, kick: make(chan struct{}, 1)}
}

// DeliverOnce delivers what is pending for every webhook whose retry time has come,
// and returns how many events it delivered.
func (d *Dispatcher) DeliverOnce(ctx context.Context) (int, error) {
	total := 0
	for _, h := range d.hooks {
		n, err := d.deliverHook(ctx, h)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (d *Dispatcher) deliverHook(ctx context.Context, h Webhook) (int, error) {
	now := d.clock.Now()
	d.mu.Lock()
	st := d.state[h.Name]
	if st == nil {
		st = &hookState{}
		d.state[h.Name] = st
	}
	waiting := now.Before(st.nextAt)
	d.mu.Unlock()
	if waiting {
		return 0, nil
	}
	cursor := "webhook:" + h.Name
	seq, ok, err := d.store.ClaimCursor(ctx, cursor, d.opts.Owner, now, d.opts.Lease)
	if err != nil || !ok {
		return 0, err // another broker delivers to this webhook
	}
	var events []audit.Event
	for e, err := range d.store.AuditEvents(ctx, seq) {
		if err != nil {
			return 0, err
		}
		events = append(events, e)
		if len(events) == d.opts.Batch {
			break
		}
	}
	delivered := 0
	for _, e := range events {
		if h.wants(e.Action) {
			if err := d.post(ctx, h, e); err != nil {
				if d.failed(h, e, err) {
					return delivered, nil // retry this event later
				}
			} else {
				delivered++
			}
		}
		d.mu.Lock()
		st.attempts = 0
		d.mu.Unlock()
		if moved, err := d.store.AdvanceCursor(ctx, cursor, d.opts.Owner, e.Seq); err != nil || !moved {
			return delivered, err // the lease was lost: the new owner carries on
		}
	}
	return delivered, nil
}

// failed records a failed delivery and reports whether to retry the event (false:
// given up, move past it).
func (d *Dispatcher) failed(h Webhook, e audit.Event, err error) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state[h.Name]
	st.attempts++
	if st.attempts >= d.opts.MaxAttempts {
		d.log.Error("webhook delivery given up", "webhook", h.Name, "seq", e.Seq, "action", e.Action, "attempts", st.attempts, "err", err)
		st.attempts = 0
		return false
	}
	delay := min(time.Second<<(st.attempts-1), 5*time.Minute)
	delay = time.Duration(float64(delay) * (0.75 + 0.5*rand.Float64()))
	st.nextAt = d.clock.Now().Add(delay)
	d.log.Warn("webhook delivery failed; retrying", "webhook", h.Name, "seq", e.Seq, "attempt", st.attempts, "in", delay, "err", err)
	return true
}

func (d *Dispatcher) post(ctx context.Context, h Webhook, e audit.Event) error {
	body, err := d.payload(ctx, h, e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ciem-broker")
	req.Header.Set("X-Ciem-Event", e.Action)
	if h.Secret != "" {
		mac := hmac.New(sha256.New, []byte(h.Secret))
		mac.Write(body)
		req.Header.Set("X-Ciem-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook %s answered %s", h.Name, resp.Status)
	}
	return nil
}

func (d *Dispatcher) payload(ctx context.Context, h Webhook, e audit.Event) ([]byte, error) {
	text := Summary(e, d.approversOf(ctx, e))
	if h.Format == FormatSlack {
		return json.Marshal(map[string]string{"text": text})
	}
	return json.Marshal(map[string]any{"event": e, "text": text})
}

// approversOf names the approvers of a break-glass grant's profile, who must all hear
// of it.
func (d *Dispatcher) approversOf(ctx context.Context, e audit.Event) string {
	if e.Action != audit.ActionRequestApproved && e.Action != audit.ActionRequestCreated {
		return ""
	}
	var data struct {
		Profile    string `json:"profile"`
		BreakGlass bool   `json:"break_glass"`
	}
	if json.Unmarshal(e.Data, &data) != nil || !data.BreakGlass || data.Profile == "" {
		return ""
	}
	var names []string
	_ = d.store.View(ctx, func(tx store.Tx) error {
		p, err := tx.Profile(ctx, data.Profile)
		if err != nil {
			return err
		}
		names = append(names, p.Approval.Approvers.Users...)
		for _, g := range p.Approval.Approvers.Groups {
			names = append(names, "group "+g)
		}
		return nil
	})
	return strings.Join(names, ", ")
}

// Kick asks for a delivery pass soon.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Start delivers in the background, every second and when kicked, until Stop.
func (d *Dispatcher) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	d.stop, d.done = cancel, make(chan struct{})
	go func() {
		defer close(d.done)
		for {
			t := d.clock.AfterFunc(time.Second, d.Kick)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-d.kick:
				t.Stop()
			}
			if _, err := d.DeliverOnce(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("webhook delivery pass failed", "err", err)
			}
		}
	}()
}

// Stop stops background delivery.
func (d *Dispatcher) Stop() {
	if d.stop != nil {
		d.stop()
		<-d.done
	}
}
