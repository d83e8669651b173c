// Package metrics is the broker's Prometheus instrumentation: HTTP requests, grants by
// state (read from the store at scrape time), the expiry lag (from a grant's end to
// its access being taken back), revocation failures and transitions.
package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ciem/ciem/broker/domain"
)

// Metrics holds the broker's collectors in their own registry.
type Metrics struct {
	Registry *prometheus.Registry

	HTTPRequests       *prometheus.CounterVec
	HTTPDuration       *prometheus.HistogramVec
	ExpiryLag          prometheus.Histogram
	RevocationFailures *prometheus.CounterVec
	Transitions        *prometheus.CounterVec
}

// Counter reads request counts by state.
type Counter interface {
	Counts(ctx context.Context) (map[domain.State]int, error)
}

// New registers the broker's collectors (and Go and process collectors) in a new
// registry; counts feeds the grants-by-state gauge.
func New(counts Counter) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ciem_broker_http_requests_total", Help: "HTTP requests by method, route and status code.",
		}, []string{"method", "route", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ciem_broker_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		ExpiryLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ciem_broker_expiry_lag_seconds", Help: "Time from a grant's end (or revocation) to its access being taken back.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		RevocationFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ciem_broker_revocation_failures_total", Help: "Failed attempts to take a grant's access back (irrevocable=true once retries are exhausted).",
		}, []string{"irrevocable"}),
		Transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ciem_broker_transitions_total", Help: "Audited events by action.",
		}, []string{"action"}),
	}
	m.Registry.MustRegister(m.HTTPRequests, m.HTTPDuration, m.ExpiryLag, m.RevocationFailures, m.Transitions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if counts != nil {
		m.Registry.MustRegister(&grantsCollector{counts: counts})
	}
	return m
}

// TeardownDone observes the expiry lag.
func (m *Metrics) TeardownDone(lag time.Duration) { m.ExpiryLag.Observe(lag.Seconds()) }

// TeardownFailed counts a failed teardown attempt.
func (m *Metrics) TeardownFailed(irrevocable bool) {
	v := "false"
	if irrevocable {
		v = "true"
	}
	m.RevocationFailures.WithLabelValues(v).Inc()
}

// Transition counts an audited event.
func (m *Metrics) Transition(action string) { m.Transitions.WithLabelValues(action).Inc() }

// grantsCollector reads counts from the store at scrape time, so every broker sharing
// a database reports the same, current numbers.
type grantsCollector struct{ counts Counter }

var grantsDesc = prometheus.NewDesc("ciem_broker_requests", "Requests and grants by state.", []string{"state"}, nil)

func (c *grantsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- grantsDesc }

func (c *grantsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.counts.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(grantsDesc, err)
		return
	}
	for _, s := range domain.States {
		ch <- prometheus.MustNewConstMetric(grantsDesc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
}
