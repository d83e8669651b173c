// Package trailgen writes synthetic CloudTrail archives for tests and benchmarks: many
// principals (IAM users, roles through assumed-role sessions, federated users, the root
// user, AWS services, another account's auditor), many services, S3 data events, errors
// (access denied, throttling, not found), console sign-ins and service events, in AWS's
// exact record format and S3 layout (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
// <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz). The output depends only on
// the configuration: the same seed gives the same bytes.
package trailgen

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Config says what to generate.
type Config struct {
	Seed    uint64
	Events  int
	Account string    // default 123456789012
	Other   string    // the other account (cross-account callers), default 210987654321
	Start   time.Time // default 2026-06-01T00:00:00Z
	Days    int       // default 30
	Regions []string  // default us-east-1, eu-west-1, us-west-2
	PerFile int       // records per file, default 3000
	// Workers writes files in parallel (default GOMAXPROCS); the output does not depend on it.
	Workers int
	// Level is the gzip level (default gzip.DefaultCompression).
	Level int
}

func (c Config) withDefaults() Config {
	if c.Account == "" {
		c.Account = "123456789012"
	}
	if c.Other == "" {
		c.Other = "210987654321"
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Days <= 0 {
		c.Days = 30
	}
	if len(c.Regions) == 0 {
		c.Regions = []string{"us-east-1", "eu-west-1", "us-west-2"}
	}
	if c.PerFile <= 0 {
		c.PerFile = 3000
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Level == 0 {
		c.Level = gzip.DefaultCompression
	}
	return c
}

// Summary describes what was written.
type Summary struct {
	Files           int
	Events          int
	Bytes           int64 // uncompressed
	CompressedBytes int64
	Paths           []string // relative to the output directory, sorted
	Truth           []TruthRow
	Start, End      time.Time // the events' time range
	Account, Other  string
}

// TruthRow is what the generator wrote, for tests to check a digest against: events of a
// principal (the rolled-up ARN; "aws-service:<invokedBy>", "aws-service-event:<source>" or
// "other-account:<account>" for callers that are not attributed) by eventSource and
// eventName, split by whether access was denied and whether the event is a non-API
// record (a console sign-in).
type TruthRow struct {
	truthKey
	Count int64
}

type truthKey struct {
	Principal   string
	EventSource string
	EventName   string
	Denied      bool
	NonAPI      bool
}

// Generate writes the archive under dir.
func Generate(ctx context.Context, cfg Config, dir string) (Summary, error) {
	cfg = cfg.withDefaults()
	if cfg.Events <= 0 {
		return Summary{}, fmt.Errorf("trailgen: events must be positive, got %d", cfg.Events)
	}
	w := newWorld(cfg.Seed, cfg.Account, cfg.Other)
	nFiles := (cfg.Events + cfg.PerFile - 1) / cfg.PerFile
	results := make([]fileResult, nFiles)
	jobs := make(chan int)
	var wg sync.WaitGroup
	errs := make([]error, cfg.Workers)
	for k := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if errs[k] != nil || ctx.Err() != nil {
					continue
				}
				res, err := writeFile(cfg, w, i, nFiles, dir)
				if err != nil {
					errs[k] = err
					continue
				}
				results[i] = res
			}
		}()
	}
	for i := range nFiles {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	for _, err := range errs {
		if err != nil {
			return Summary{}, err
		}
	}
	sum := Summary{Files: nFiles, Account: cfg.Account, Other: cfg.Other}
	truth := map[truthKey]int64{}
	for i, r := range results {
		sum.Events += r.events
		sum.Bytes += r.bytes
		sum.CompressedBytes += r.compressed
		sum.Paths = append(sum.Paths, r.path)
		for k, n := range r.truth {
			truth[k] += n
		}
		if i == 0 || r.first.Before(sum.Start) {
			sum.Start = r.first
		}
		if r.last.After(sum.End) {
			sum.End = r.last
		}
	}
	slices.Sort(sum.Paths)
	for k, n := range truth {
		sum.Truth = append(sum.Truth, TruthRow{truthKey: k, Count: n})
	}
	slices.SortFunc(sum.Truth, func(a, b TruthRow) int {
		return cmp.Or(cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.EventSource, b.EventSource),
			cmp.Compare(a.EventName, b.EventName), boolCmp(a.Denied, b.Denied), boolCmp(a.NonAPI, b.NonAPI))
	})
	return sum, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

type fileResult struct {
	path              string
	events            int
	bytes, compressed int64
	truth             map[truthKey]int64
	first, last       time.Time
}

// fileGen writes one file.
type fileGen struct {
	r      *rand.Rand
	w      jw
	world  *world
	region string
}

// writeFile generates file i of n: its own random stream (seed, i), its own slice of time.
func writeFile(cfg Config, wd *world, i, n int, dir string) (fileResult, error) {
	r := rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))
	events := min(cfg.PerFile, cfg.Events-i*cfg.PerFile)
	span := time.Duration(cfg.Days) * 24 * time.Hour
	slot := span / time.Duration(n)
	from := cfg.Start.Add(time.Duration(i) * slot)
	region := cfg.Regions[i%len(cfg.Regions)]
	times := make([]time.Time, events)
	for k := range times {
		times[k] = from.Add(time.Duration(r.Int64N(int64(max(slot, time.Second))))).Truncate(time.Second)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	delivered := from.Add(slot + 5*time.Minute).Truncate(time.Minute)
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", cfg.Account, region, delivered.Format("20060102T1504Z"), randAlnum(r, 16))
	rel := filepath.ToSlash(filepath.Join("AWSLogs", cfg.Account, "CloudTrail", region, delivered.Format("2006/01/02"), name))

	g := &fileGen{r: r, world: wd, region: region}
	g.w.b = make([]byte, 0, events*1700+64)
	g.w.b = append(g.w.b, `{"Records":[`...)
	g.w.comma = append(g.w.comma[:0], false)
	truth := map[truthKey]int64{}
	for _, t := range times {
		var k truthKey
		p := wd.pickPrincipal(r)
		switch {
		case r.IntN(2000) == 0:
			k = g.writeServiceEvent(t)
		case p.console && r.IntN(200) == 0:
			k = g.writeSignIn(p, t)
		default:
			k = g.writeRecord(p, p.pickOp(r), t)
		}
		truth[k]++
	}
	g.w.b = append(g.w.b, "]}"...)

	full := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return fileResult{}, fmt.Errorf("trailgen: %w", err)
	}
	f, err := os.Create(full)
	if err != nil {
		return fileResult{}, fmt.Errorf("trailgen: %w", err)
	}
	zw, err := gzip.NewWriterLevel(f, cfg.Level)
	if err != nil {
		f.Close()
		return fileResult{}, fmt.Errorf("trailgen: %w", err)
	}
	if _, err := zw.Write(g.w.b); err != nil {
		f.Close()
		return fileResult{}, fmt.Errorf("trailgen: writing %s: %w", full, err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return fileResult{}, fmt.Errorf("trailgen: writing %s: %w", full, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fileResult{}, fmt.Errorf("trailgen: %w", err)
	}
	if err := f.Close(); err != nil {
		return fileResult{}, fmt.Errorf("trailgen: writing %s: %w", full, err)
	}
	res := fileResult{path: rel, events: events, bytes: int64(len(g.w.b)), compressed: st.Size(), truth: truth}
	if events > 0 {
		res.first, res.last = times[0], times[len(times)-1]
	}
	return res, nil
}

func randAlnum(r *rand.Rand, n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}
