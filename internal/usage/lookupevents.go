package usage

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// LookupEventsAPI is the part of the CloudTrail client the reader uses (*cloudtrail.Client
// implements it).
type LookupEventsAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// LookupEventsRate is CloudTrail's limit for LookupEvents: two requests per second per
// account and region.
const LookupEventsRate = 2

// lookupEventsHistory is how far back LookupEvents reaches.
const lookupEventsHistory = 90 * 24 * time.Hour

// LookupEvents reads management events through CloudTrail's LookupEvents API, one region
// per source, respecting the API's rate limit. It sees no data events.
type LookupEvents struct {
	Client LookupEventsAPI
	Region string // names the source in reports; the client decides the region called
	// Progress, when set (a terminal), gets a progress line rewritten in place.
	Progress io.Writer
}

// Kind is lookup-events.
func (l LookupEvents) Kind() SourceKind { return SourceLookupEvents }

// Location is the region.
func (l LookupEvents) Location() string { return l.Region }

// Collect pages through the window's events (at most the last 90 days).
func (l LookupEvents) Collect(ctx context.Context, c *Collector) error {
	opts := c.Options()
	clock := opts.Clock
	run := c.Begin(SourceLookupEvents, l.Region)
	run.Note("management events only: data events (S3 objects, Lambda invocations, DynamoDB items, ...) are not available through LookupEvents")
	shard := run.NewShard()
	defer run.Merge(shard)
	now := clock.Now()
	start, end := opts.Window.Since, opts.Window.Until
	if start.IsZero() || start.Before(now.Add(-lookupEventsHistory)) {
		start = now.Add(-lookupEventsHistory)
	}
	if end.IsZero() || end.After(now) {
		end = now
	}
	interval := time.Second / LookupEventsRate
	file := "lookup-events:" + l.Region
	var (
		token    *string
		last     time.Time
		requests int
		idx      int64
		oldest   time.Time
	)
	sc := &scanner{}
	rec := &Record{}
	defer l.progressDone()
	for {
		if !last.IsZero() {
			if wait := last.Add(interval).Sub(clock.Now()); wait > 0 {
				if err := clock.Sleep(ctx, wait); err != nil {
					return err
				}
			}
		}
		last = clock.Now()
		requests++
		out, err := l.Client.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
			StartTime: aws.Time(start), EndTime: aws.Time(end), MaxResults: aws.Int32(50), NextToken: token,
		})
		if err != nil {
			return fmt.Errorf("calling LookupEvents in %s (request %d): %w", l.Region, requests, err)
		}
		for _, e := range out.Events {
			pos := Position{File: file, Record: idx}
			idx++
			if e.EventTime != nil && (oldest.IsZero() || e.EventTime.Before(oldest)) {
				oldest = *e.EventTime
			}
			raw := aws.ToString(e.CloudTrailEvent)
			sc.b, sc.i, sc.scratch = []byte(raw), 0, sc.scratch[:0]
			err := sc.parseRecord(rec)
			if err == errShort {
				err = fmt.Errorf("record ends early")
			}
			if err != nil {
				shard.Problem(ProblemMalformed, pos, "event %s: CloudTrailEvent is not a valid record: %v", aws.ToString(e.EventId), err)
				continue
			}
			shard.AddRecord(rec, pos)
		}
		l.progress(requests, idx, oldest)
		if out.NextToken == nil || *out.NextToken == "" {
			return nil
		}
		token = out.NextToken
	}
}

func (l LookupEvents) progress(requests int, events int64, oldest time.Time) {
	if l.Progress == nil {
		return
	}
	back := ""
	if !oldest.IsZero() {
		back = ", back to " + oldest.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(l.Progress, "\rlookup-events %s: %d requests, %d events%s\x1b[K", l.Region, requests, events, back)
}

func (l LookupEvents) progressDone() {
	if l.Progress != nil {
		fmt.Fprintln(l.Progress)
	}
}
