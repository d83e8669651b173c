package usage

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/ciem/ciem/internal/catalog"
)

// SourceKind names a kind of usage source.
type SourceKind string

const (
	SourceCloudTrailDir SourceKind = "cloudtrail-dir"
	SourceCloudTrailS3  SourceKind = "cloudtrail-s3"
	SourceLookupEvents  SourceKind = "lookup-events"
	SourceAccessAdvisor SourceKind = "access-advisor"
	SourceGrants        SourceKind = "grants"
)

// sourceKinds fixes the bit of each kind in an action's source set.
var sourceKinds = []SourceKind{SourceCloudTrailDir, SourceCloudTrailS3, SourceLookupEvents, SourceAccessAdvisor, SourceGrants}

func (k SourceKind) bit() uint8 {
	for i, s := range sourceKinds {
		if s == k {
			return 1 << i
		}
	}
	return 0
}

func kindsOf(bits uint8) []SourceKind {
	out := []SourceKind{}
	for i, s := range sourceKinds {
		if bits&(1<<i) != 0 {
			out = append(out, s)
		}
	}
	return out
}

// Source is one place usage is read from. Collect reads the events or observations in the
// collector's window into the collector; it returns an error only when the source as a
// whole cannot be read (bad input inside it is reported as Problems instead).
type Source interface {
	Kind() SourceKind
	// Location says where the source reads from (a path, an s3:// URL, a region, an ARN).
	Location() string
	Collect(ctx context.Context, c *Collector) error
}

// Window is the time range of usage considered: Since inclusive, Until exclusive; a zero
// bound is open.
type Window struct {
	Since, Until time.Time
}

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool {
	return (w.Since.IsZero() || !t.Before(w.Since)) && (w.Until.IsZero() || t.Before(w.Until))
}

func (w Window) unix() (since, until int64) {
	since, until = -1<<62, 1<<62
	if !w.Since.IsZero() {
		since = w.Since.Unix()
	}
	if !w.Until.IsZero() {
		until = w.Until.Unix()
	}
	return since, until
}

// Options configure a digest.
type Options struct {
	Window Window
	// Account is the account whose principals are digested; events of other accounts are
	// counted and reported, not attributed. Empty: no account filter.
	Account string
	// MaxResources bounds the resource ARNs kept per principal and action (default 16).
	MaxResources int
	// Workers is the number of files read in parallel (default GOMAXPROCS).
	Workers int
	// Catalog checks mapped actions (default catalog.Default()).
	Catalog *catalog.Catalog
	// Clock for the readers that wait (default the system clock).
	Clock Clock
	// Logger for progress and diagnostics (default slog.Default()).
	Logger *slog.Logger
}

const defaultMaxResources = 16

func (o Options) withDefaults() Options {
	if o.MaxResources <= 0 {
		o.MaxResources = defaultMaxResources
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Catalog == nil {
		o.Catalog = catalog.Default()
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Collect reads every source in turn and returns their digest.
func Collect(ctx context.Context, opts Options, sources ...Source) (*Digest, error) {
	c := NewCollector(opts)
	for _, s := range sources {
		if err := s.Collect(ctx, c); err != nil {
			return nil, fmt.Errorf("usage source %s=%s: %w", s.Kind(), s.Location(), err)
		}
	}
	return c.Digest(), nil
}

// Collector gathers usage from sources into one aggregate. Sources read in parallel
// through shards (one per worker) that are merged when a worker is done.
type Collector struct {
	opts   Options
	mapper *Mapper
	since  int64
	until  int64

	mu   sync.Mutex
	agg  *aggregate
	runs []*SourceRun
}

// NewCollector returns an empty collector.
func NewCollector(opts Options) *Collector {
	opts = opts.withDefaults()
	c := &Collector{opts: opts, mapper: NewMapper(opts.Catalog), agg: newAggregate()}
	c.since, c.until = opts.Window.unix()
	return c
}

// Options returns the collector's options, defaults filled in.
func (c *Collector) Options() Options { return c.opts }

// Begin starts reading one source.
func (c *Collector) Begin(kind SourceKind, location string) *SourceRun {
	r := &SourceRun{c: c, report: SourceReport{Kind: kind, Location: location}}
	c.mu.Lock()
	c.runs = append(c.runs, r)
	c.mu.Unlock()
	return r
}

// SourceRun is one source being read.
type SourceRun struct {
	c      *Collector
	report SourceReport
}

// NewShard returns a worker's private aggregate for this source. Merge it when done.
func (r *SourceRun) NewShard() *Shard { return newShard(r) }

// Merge adds a worker's shard into the collector. Safe for concurrent use.
func (r *SourceRun) Merge(s *Shard) {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.report.Stats.add(&s.stats)
	r.c.agg.merge(s.agg, r.c.opts.MaxResources)
}

// Note adds a remark to the source's report (e.g. "management events only").
func (r *SourceRun) Note(format string, args ...any) {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.report.Notes = append(r.report.Notes, fmt.Sprintf(format, args...))
}

// AddFiles counts files read (or listed and skipped by date).
func (r *SourceRun) AddFiles(read, pruned int64) {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.report.Stats.Files += read
	r.report.Stats.FilesPruned += pruned
}
