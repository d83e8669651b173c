package usage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// cloudTrailServer speaks CloudTrail's JSON 1.1 protocol for LookupEvents, paging events
// (newest first, as AWS returns them) and noting when each request arrived on the clock.
type cloudTrailServer struct {
	clock  *fakeClock
	events []string // CloudTrailEvent JSON, newest first
	page   int

	mu       sync.Mutex
	arrivals []time.Time
	bodies   []map[string]any
}

func (s *cloudTrailServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasSuffix(target, "CloudTrail_20131101.LookupEvents") ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"target %s"}`, target)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.arrivals = append(s.arrivals, s.clock.Now())
	s.bodies = append(s.bodies, in)
	s.mu.Unlock()
	start := 0
	if tok, ok := in["NextToken"].(string); ok {
		start, _ = strconv.Atoi(tok)
	}
	end := min(start+s.page, len(s.events))
	type event struct {
		EventId         string
		EventName       string
		EventTime       float64
		EventSource     string
		CloudTrailEvent string
	}
	out := struct {
		Events    []event
		NextToken *string `json:",omitempty"`
	}{Events: []event{}}
	for i := start; i < end; i++ {
		out.Events = append(out.Events, event{EventId: fmt.Sprintf("ev-%d", i), EventName: "x", EventTime: float64(1780000000 - i), CloudTrailEvent: s.events[i]})
	}
	if end < len(s.events) {
		tok := strconv.Itoa(end)
		out.NextToken = &tok
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func TestLookupEvents(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	var events []string
	for i := range 7 {
		events = append(events, rec(idRole, "iam.amazonaws.com", "GetRole", fmt.Sprintf("2026-06-2%dT10:00:00Z", i), `"requestParameters":{"roleName":"x"}`))
	}
	events = append(events, `{"eventTime":"2026-06-20T10:00:00Z","eventSource":`) // cut short
	events = append(events, rec(idUser, "s3.amazonaws.com", "ListBuckets", "2026-06-20T10:00:00Z"))
	srv := &cloudTrailServer{clock: clock, events: events, page: 2}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := cloudtrail.NewFromConfig(testAWSConfig(), func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	var progress strings.Builder
	src := LookupEvents{Client: client, Region: "us-east-1", Progress: &progress}
	d, err := Collect(context.Background(), Options{Account: acct, Clock: clock, Window: Window{Since: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}}, src)
	if err != nil {
		t.Fatal(err)
	}
	// 9 events, 2 a page: 5 requests, at most two a second.
	if len(srv.arrivals) != 5 {
		t.Fatalf("%d requests, want 5", len(srv.arrivals))
	}
	for i := 1; i < len(srv.arrivals); i++ {
		if gap := srv.arrivals[i].Sub(srv.arrivals[i-1]); gap < 500*time.Millisecond {
			t.Errorf("request %d came %v after the previous one: faster than 2 per second", i, gap)
		}
	}
	if total := srv.arrivals[4].Sub(srv.arrivals[0]); total != 2*time.Second {
		t.Errorf("5 requests took %v on the clock, want exactly 2s (no more waiting than needed)", total)
	}
	// The window went to the API.
	if st, ok := srv.bodies[0]["StartTime"].(float64); !ok || int64(st) != time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("StartTime %v", srv.bodies[0]["StartTime"])
	}
	if mr := srv.bodies[0]["MaxResults"]; mr != float64(50) {
		t.Errorf("MaxResults %v", mr)
	}
	a := mustAction(t, d, roleARN, "iam:GetRole")
	if a.Count != 7 || a.Sources[0] != SourceLookupEvents || a.Resources[0] != "arn:aws:iam::123456789012:role/x" {
		t.Errorf("GetRole %+v", a)
	}
	if mustAction(t, d, "arn:aws:iam::123456789012:user/alice", "s3:ListAllMyBuckets").Count != 1 {
		t.Error("ListBuckets not counted")
	}
	if len(d.Problems.Items) != 1 || d.Problems.Items[0].Kind != ProblemMalformed || d.Problems.Items[0].File != "lookup-events:us-east-1" || d.Problems.Items[0].Record != 7 {
		t.Errorf("problems %+v", d.Problems)
	}
	out := progress.String()
	if !strings.Contains(out, "\rlookup-events us-east-1: 5 requests, 9 events") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress %q", out)
	}
	if len(d.Sources[0].Notes) == 0 || !strings.Contains(d.Sources[0].Notes[0], "management events only") {
		t.Errorf("notes %q", d.Sources[0].Notes)
	}
}

func TestLookupEventsFailure(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"InvalidTimeRangeException","message":"bad range"}`)
	}))
	defer ts.Close()
	client := cloudtrail.NewFromConfig(testAWSConfig(), func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	_, err := Collect(context.Background(), Options{Clock: &fakeClock{now: time.Now()}}, LookupEvents{Client: client, Region: "eu-west-1"})
	if err == nil || !strings.Contains(err.Error(), "InvalidTimeRangeException") || !strings.Contains(err.Error(), "lookup-events=eu-west-1") {
		t.Errorf("error %v", err)
	}
}
