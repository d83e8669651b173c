// Command brokerbench measures the broker for bench/broker.sh: the expiry lag (from a
// grant's end to its access taken back) with many active grants, and the latency and
// throughput of request -> approve -> credentials through the HTTP API, on SQLite and
// on a throwaway PostgreSQL, with the direct-STS issuer on an in-process sandbox. It
// writes a Markdown fragment and exits 1 when the expiry lag's p99 misses its goal.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/client"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/expiry"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/issuer/stsissuer"
	"github.com/ciem/ciem/broker/store"
	"github.com/ciem/ciem/broker/store/pgtest"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/broker/workflow"
	"github.com/ciem/ciem/internal/awstest"
)

func main() {
	out := flag.String("out", "", "write the Markdown fragment here (default stdout)")
	grants := flag.Int("grants", 10000, "active grants in the expiry-lag run")
	spread := flag.Duration("spread", 50*time.Second, "their ends are spread evenly over this long")
	cycles := flag.Int("cycles", 300, "sequential request -> approve -> credentials cycles")
	rpsFor := flag.Duration("rps-for", 10*time.Second, "how long the create+approve throughput run lasts")
	clients := flag.Int("clients", 8, "concurrent clients in the throughput run")
	goal := flag.Duration("goal", 250*time.Millisecond, "the expiry lag p99 must be under this")
	stores := flag.String("stores", "sqlite,postgres", "stores to measure")
	flag.Parse()
	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
	}
	b := &bench{grants: *grants, spread: *spread, cycles: *cycles, rpsFor: *rpsFor, clients: *clients}
	var rows []row
	for _, kind := range strings.Split(*stores, ",") {
		r, err := b.measure(kind)
		if err != nil {
			pgtest.Stop()
			fail(fmt.Errorf("%s: %w", kind, err))
		}
		rows = append(rows, r)
	}
	pgtest.Stop()
	missed := write(w, b, rows, *goal)
	if missed {
		fmt.Fprintln(os.Stderr, "brokerbench: expiry lag p99 over the goal of", *goal)
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "brokerbench:", err)
	os.Exit(1)
}

type bench struct {
	grants, cycles, clients int
	spread, rpsFor          time.Duration
}

type row struct {
	store     string
	lags      []time.Duration
	latencies []time.Duration
	pairs     int
	pairsFor  time.Duration
}

func dsnFor(kind, dir string) (string, error) {
	switch kind {
	case "sqlite":
		return "sqlite:" + filepath.Join(dir, "broker.db"), nil
	case "postgres":
		c, err := cluster()
		if err != nil {
			return "", err
		}
		return c.NewDatabase(context.Background())
	}
	return "", fmt.Errorf("unknown store %q", kind)
}

var (
	pgOnce    sync.Once
	pgCluster *pgtest.Cluster
	pgErr     error
)

func cluster() (*pgtest.Cluster, error) {
	pgOnce.Do(func() { pgCluster, pgErr = pgtest.Start() })
	return pgCluster, pgErr
}

// lagObserver collects expiry lags.
type lagObserver struct {
	mu   sync.Mutex
	lags []time.Duration
	n    atomic.Int64
}

func (o *lagObserver) TeardownDone(lag time.Duration) {
	o.mu.Lock()
	o.lags = append(o.lags, lag)
	o.mu.Unlock()
	o.n.Add(1)
}
func (o *lagObserver) TeardownFailed(bool) {}
func (o *lagObserver) Transition(string)   {}

func (b *bench) measure(kind string) (row, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "brokerbench-")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	r := row{store: kind}
	aws, err := awstest.New(awstest.Options{Seed: brokertest.Seed()})
	if err != nil {
		return r, err
	}
	if err := aws.Listen("127.0.0.1:0"); err != nil {
		return r, err
	}
	defer aws.Close()
	awsCfg := aws.ConfigFor(awstest.Credentials{AccessKeyID: brokertest.BrokerKeyID, SecretAccessKey: brokertest.BrokerSecret})

	// Expiry lag.
	dsn, err := dsnFor(kind, dir)
	if err != nil {
		return r, err
	}
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return r, err
	}
	sts := stsissuer.New(awsCfg, clock.Real{})
	svc := workflow.New(st, clock.Real{}, map[string]issuer.Issuer{domain.IssuerSTS: sts}, sts, nil, workflow.Config{})
	obs := &lagObserver{}
	svc.Metrics = obs
	first := time.Now().UTC().Add(15 * time.Second).Truncate(time.Millisecond)
	if err := insertActive(ctx, st, b.grants, first, b.spread); err != nil {
		return r, err
	}
	rec := expiry.New(svc, nil, expiry.Options{})
	if err := rec.Start(ctx); err != nil {
		return r, err
	}
	deadline := first.Add(b.spread + time.Minute)
	for obs.n.Load() < int64(b.grants) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	rec.Stop()
	if got := obs.n.Load(); got < int64(b.grants) {
		st.Close()
		return r, fmt.Errorf("only %d of %d grants torn down a minute after the last end", got, b.grants)
	}
	r.lags = obs.lags
	st.Close()

	// Request -> approve -> credentials through the API.
	dsn, err = dsnFor(kind, dir+"/api")
	if err != nil {
		return r, err
	}
	if err := os.MkdirAll(dir+"/api", 0o700); err != nil {
		return r, err
	}
	if st, err = sqlstore.Open(ctx, dsn); err != nil {
		return r, err
	}
	defer st.Close()
	svc = workflow.New(st, clock.Real{}, map[string]issuer.Issuer{domain.IssuerSTS: sts}, sts, nil, workflow.Config{})
	p := brokertest.Profile("readonly")
	if _, err := svc.PutProfile(ctx, brokertest.Root, p); err != nil {
		return r, err
	}
	tokens := &authn.Tokens{Store: st, Clock: clock.Real{}}
	srv := api.New(api.Options{Service: svc, Auth: authn.Chain{Tokens: tokens},
		Limits: api.Limits{PerSecond: 1e6, Burst: 1e6, PerIPPerSecond: 1e6, PerIPBurst: 1e6}})
	srv.SetReady(true)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return r, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(l) }()
	defer hs.Close()
	url := "http://" + l.Addr().String()
	mk := func(id domain.Identity) (*client.Client, error) {
		plain, _, err := tokens.Create(ctx, "bench", authn.NewToken{Name: id.Subject, Subject: id.Subject, Groups: id.Groups})
		if err != nil {
			return nil, err
		}
		return client.New(url, plain)
	}
	alice, err := mk(brokertest.Alice)
	if err != nil {
		return r, err
	}
	bob, err := mk(brokertest.Bob)
	if err != nil {
		return r, err
	}
	for range b.cycles {
		start := time.Now()
		req, err := alice.Create(ctx, api.CreateRequest{Profile: "readonly", Duration: "15m", Reason: "bench"})
		if err != nil {
			return r, err
		}
		if _, err := bob.Approve(ctx, req.ID, ""); err != nil {
			return r, err
		}
		if _, err := alice.Credentials(ctx, req.ID); err != nil {
			return r, err
		}
		r.latencies = append(r.latencies, time.Since(start))
	}
	var pairs atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Pointer[error]
	start := time.Now()
	stop := start.Add(b.rpsFor)
	for range b.clients {
		wg.Go(func() {
			for time.Now().Before(stop) {
				req, err := alice.Create(ctx, api.CreateRequest{Profile: "readonly", Duration: "15m"})
				if err == nil {
					_, err = bob.Approve(ctx, req.ID, "")
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				pairs.Add(1)
			}
		})
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return r, errors.Join(errors.New("throughput run"), *e)
	}
	r.pairs, r.pairsFor = int(pairs.Load()), time.Since(start)
	return r, nil
}

// insertActive stores n active grants whose ends are spread evenly over spread from first.
func insertActive(ctx context.Context, st *sqlstore.Store, n int, first time.Time, spread time.Duration) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	for lo := 0; lo < n; lo += 500 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := lo; i < min(lo+500, n); i++ {
				end := first.Add(time.Duration(int64(spread) * int64(i) / int64(n))).Truncate(time.Millisecond)
				r := domain.Request{ID: fmt.Sprintf("r-%026d", i), Profile: "readonly",
					Target: domain.Target{Issuer: domain.IssuerSTS, RoleARN: brokertest.RoleARN}, SessionPolicy: brokertest.ReadPolicy,
					Requester: "alice", Duration: end.Sub(now), State: domain.StateActive, CreatedAt: now, UpdatedAt: now, StartsAt: now, EndsAt: end}
				if err := tx.InsertRequest(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p * float64(len(s)-1))
	return s[i]
}

func msText(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

var storeNames = map[string]string{"sqlite": "SQLite (WAL)", "postgres": "PostgreSQL 15 (local, fsync off)"}

func write(w io.Writer, b *bench, rows []row, goal time.Duration) (missed bool) {
	fmt.Fprintf(w, "## Broker\n\n")
	fmt.Fprintf(w, "Expiry lag: from a grant's end to its access taken back (state `expired`, teardown done), with %s active grants whose ends are spread evenly over %s (%d a second), direct-STS issuer on an in-process sandbox. The reconciler's timer wakes at each next deadline; robfig/cron runs it every second as a backstop. Goal: p99 under %s.\n\n",
		thousands(b.grants), b.spread, int(float64(b.grants)/b.spread.Seconds()), goal)
	fmt.Fprintln(w, "| store | grants | p50 | p99 | max | goal |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|")
	for _, r := range rows {
		ok := "met"
		if pct(r.lags, 0.99) >= goal {
			ok, missed = "**missed**", true
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", storeNames[r.store], thousands(len(r.lags)), msText(pct(r.lags, 0.5)), msText(pct(r.lags, 0.99)), msText(pct(r.lags, 1)), ok)
	}
	fmt.Fprintf(w, "\nRequest to credentials through the HTTP API: `POST /v1/requests` (alice), `POST /v1/requests/{id}/approve` (bob), `GET /v1/grants/{id}/credentials` (alice, an `sts:AssumeRole` on the sandbox), %d cycles one after another; and create + approve pairs per second from %d concurrent clients for %s.\n\n", b.cycles, b.clients, b.rpsFor)
	fmt.Fprintln(w, "| store | request → credentials p50 | p99 | create + approve per second |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %.0f |\n", storeNames[r.store], msText(pct(r.latencies, 0.5)), msText(pct(r.latencies, 0.99)), float64(r.pairs)/r.pairsFor.Seconds())
	}
	fmt.Fprintf(w, "\nCommand: `go run ./bench/cmd/brokerbench` (bench/broker.sh).\n\n")
	return missed
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
