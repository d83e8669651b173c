package usage

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/ciem/ciem/internal/catalog"
)

// Digest is usage per principal and action over a window, from one or more sources, with
// everything that was not attributed accounted for. The same input gives the same Digest,
// and the same JSON bytes.
type Digest struct {
	Window  DigestWindow   `json:"window"`
	Account string         `json:"account,omitempty"`
	Sources []SourceReport `json:"sources"`
	// Totals sums the sources' statistics.
	Totals     Stats            `json:"totals"`
	Principals []PrincipalUsage `json:"principals"`
	// AWSServiceEvents are calls made by AWS services themselves (userIdentity.type
	// AWSService, or eventType AwsServiceEvent), by invokedBy: counted, not attributed.
	AWSServiceEvents []Tally `json:"aws_service_events"`
	// OtherAccounts are events of accounts other than Account, excluded.
	OtherAccounts []Tally `json:"other_accounts"`
	// Unattributed are events whose caller is no IAM principal, by identity type.
	Unattributed []Tally `json:"unattributed"`
	// NonAPIEvents are records that are not API calls (sign-ins, Insights), by eventType.
	NonAPIEvents []Tally `json:"non_api_events"`
	// Unmapped are events whose eventSource/eventName maps to no catalog action.
	Unmapped []UnmappedEvent `json:"unmapped"`
	// DataEventSources counts data events by eventSource: where the trail logs data events.
	DataEventSources []Tally  `json:"data_event_sources"`
	Problems         Problems `json:"problems"`
}

// DigestWindow is the window the digest covers.
type DigestWindow struct {
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// FirstEvent and LastEvent are the times of the first and last events seen in it.
	FirstEvent time.Time `json:"first_event,omitzero"`
	LastEvent  time.Time `json:"last_event,omitzero"`
}

// SourceReport says what one source read.
type SourceReport struct {
	Kind       SourceKind `json:"kind"`
	Location   string     `json:"location"`
	Stats      Stats      `json:"stats"`
	FirstEvent time.Time  `json:"first_event,omitzero"`
	LastEvent  time.Time  `json:"last_event,omitzero"`
	Notes      []string   `json:"notes,omitempty"`
}

// PrincipalUsage is one principal's usage.
type PrincipalUsage struct {
	ARN  string        `json:"arn"`
	Type PrincipalType `json:"type"`
	// Via lists the identity types its events came through (AssumedRole, IAMUser, ...).
	Via    []string  `json:"via,omitempty"`
	Count  int64     `json:"count"`
	Denied int64     `json:"denied"`
	First  time.Time `json:"first,omitzero"`
	Last   time.Time `json:"last,omitzero"`
	// Actions in catalog order.
	Actions []ActionUsage `json:"actions"`
	// Services holds service-level observations (Access Advisor) by service prefix.
	Services []ServiceUsage `json:"services,omitempty"`
}

// ActionUsage is one principal's use of one action.
type ActionUsage struct {
	ID     catalog.ActionID `json:"-"`
	Action string           `json:"action"`
	// Count is the number of authorised calls (calls that failed for reasons other than
	// authorisation count: the permission was used).
	Count int64     `json:"count"`
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
	// Denied counts calls refused for lack of permission: asked for but not granted.
	Denied      int64        `json:"denied,omitempty"`
	DeniedFirst time.Time    `json:"denied_first,omitzero"`
	DeniedLast  time.Time    `json:"denied_last,omitzero"`
	Sources     []SourceKind `json:"sources"`
	// Resources is a bounded set of the resource ARNs used (see ResourcesCollapsed and
	// ResourcesTruncated); empty when the events named none the action takes.
	Resources []string `json:"resources,omitempty"`
	// ResourcesCollapsed: there were more ARNs than the bound, and S3 object ARNs were
	// widened to their bucket ("arn:aws:s3:::bucket/*").
	ResourcesCollapsed bool `json:"resources_collapsed,omitempty"`
	// ResourcesTruncated: even collapsed there were more; Resources is only a sample.
	ResourcesTruncated bool `json:"resources_truncated,omitempty"`
}

// Used reports whether the action was used (counted, or last accessed per a source that
// does not count) in the window.
func (a *ActionUsage) Used() bool { return a.Count > 0 || !a.Last.IsZero() }

// ServiceUsage is a service-level observation: the service was last used at Last.
type ServiceUsage struct {
	Service string       `json:"service"`
	Last    time.Time    `json:"last"`
	Sources []SourceKind `json:"sources"`
}

// UnmappedEvent is an eventSource/eventName that maps to no catalog action.
type UnmappedEvent struct {
	EventSource string         `json:"event_source"`
	EventName   string         `json:"event_name"`
	Reason      UnmappedReason `json:"reason"`
	Detail      string         `json:"detail,omitempty"`
	Count       int64          `json:"count"`
	First       *Position      `json:"first_seen_at,omitempty"`
}

// Principal returns the usage of the principal with this ARN, or nil.
func (d *Digest) Principal(arn string) *PrincipalUsage {
	i := sort.Search(len(d.Principals), func(i int) bool { return d.Principals[i].ARN >= arn })
	if i < len(d.Principals) && d.Principals[i].ARN == arn {
		return &d.Principals[i]
	}
	return nil
}

// Action returns the principal's usage of an action, or nil.
func (p *PrincipalUsage) Action(id catalog.ActionID) *ActionUsage {
	i := sort.Search(len(p.Actions), func(i int) bool { return p.Actions[i].ID >= id })
	if i < len(p.Actions) && p.Actions[i].ID == id {
		return &p.Actions[i]
	}
	return nil
}

// WriteJSON writes the digest as indented JSON.
func (d *Digest) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("writing digest JSON: %w", err)
	}
	return nil
}

func unixTime(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(t, 0).UTC()
}

// Digest builds the digest of everything collected so far.
func (c *Collector) Digest() *Digest {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.agg
	d := &Digest{
		Window:           DigestWindow{Since: c.opts.Window.Since.UTC(), Until: c.opts.Window.Until.UTC()},
		Account:          c.opts.Account,
		Sources:          []SourceReport{},
		Principals:       make([]PrincipalUsage, 0, len(g.principals)),
		AWSServiceEvents: g.awsServices.list(),
		OtherAccounts:    g.otherAccounts.list(),
		Unattributed:     g.unattributed.list(),
		NonAPIEvents:     g.nonAPI.list(),
		DataEventSources: g.dataEvents.list(),
		Unmapped:         []UnmappedEvent{},
		Problems:         g.problems.report(),
	}
	if c.opts.Window.Since.IsZero() {
		d.Window.Since = time.Time{}
	}
	if c.opts.Window.Until.IsZero() {
		d.Window.Until = time.Time{}
	}
	for _, r := range c.runs {
		rep := r.report
		rep.FirstEvent, rep.LastEvent = unixTime(rep.Stats.FirstEvent), unixTime(rep.Stats.LastEvent)
		rep.Notes = slices.Clone(rep.Notes)
		d.Sources = append(d.Sources, rep)
		d.Totals.add(&rep.Stats)
	}
	d.Window.FirstEvent, d.Window.LastEvent = unixTime(d.Totals.FirstEvent), unixTime(d.Totals.LastEvent)
	cat := c.opts.Catalog
	for arn, p := range g.principals {
		pu := PrincipalUsage{
			ARN: arn, Type: principalTypeOf(arn), Count: p.count, Denied: p.denied,
			First: unixTime(p.first), Last: unixTime(p.last),
			Actions: make([]ActionUsage, 0, len(p.actions)),
		}
		for i, name := range viaNames {
			if p.via&(1<<i) != 0 {
				pu.Via = append(pu.Via, name)
			}
		}
		for id, a := range p.actions {
			au := ActionUsage{
				ID: id, Action: cat.Action(id).FullName(), Count: a.count,
				First: unixTime(a.first), Last: unixTime(a.last),
				Denied: a.denied, DeniedFirst: unixTime(a.deniedFirst), DeniedLast: unixTime(a.deniedLast),
				Sources: kindsOf(a.sources),
			}
			if a.res != nil && len(a.res.items) > 0 {
				au.Resources = a.res.sorted()
				au.ResourcesCollapsed = a.res.collapsed
				au.ResourcesTruncated = a.res.truncated
			}
			pu.Actions = append(pu.Actions, au)
		}
		slices.SortFunc(pu.Actions, func(a, b ActionUsage) int { return cmp.Compare(a.ID, b.ID) })
		for svc, s := range p.services {
			pu.Services = append(pu.Services, ServiceUsage{Service: svc, Last: unixTime(s.last), Sources: kindsOf(s.sources)})
		}
		slices.SortFunc(pu.Services, func(a, b ServiceUsage) int { return cmp.Compare(a.Service, b.Service) })
		d.Principals = append(d.Principals, pu)
	}
	slices.SortFunc(d.Principals, func(a, b PrincipalUsage) int { return cmp.Compare(a.ARN, b.ARN) })
	for src, names := range g.unmapped {
		for name, e := range names {
			u := UnmappedEvent{EventSource: src, EventName: name, Reason: e.reason, Detail: e.detail, Count: e.count}
			if e.has {
				p := e.first
				u.First = &p
			}
			d.Unmapped = append(d.Unmapped, u)
		}
	}
	slices.SortFunc(d.Unmapped, func(a, b UnmappedEvent) int {
		if c := cmp.Compare(a.EventSource, b.EventSource); c != 0 {
			return c
		}
		return cmp.Compare(a.EventName, b.EventName)
	})
	return d
}
