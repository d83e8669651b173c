package usage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// AccessAdvisorAPI is the part of the IAM client the Access Advisor reader uses
// (*iam.Client implements it).
type AccessAdvisorAPI interface {
	GenerateServiceLastAccessedDetails(ctx context.Context, in *iam.GenerateServiceLastAccessedDetailsInput, optFns ...func(*iam.Options)) (*iam.GenerateServiceLastAccessedDetailsOutput, error)
	GetServiceLastAccessedDetails(ctx context.Context, in *iam.GetServiceLastAccessedDetailsInput, optFns ...func(*iam.Options)) (*iam.GetServiceLastAccessedDetailsOutput, error)
}

// AccessAdvisor reads IAM's last-accessed data for principals: a report job per principal
// at action level (AWS tracks actions for some services, services for the rest), polled
// until done. It gives last-access times, not counts.
type AccessAdvisor struct {
	Client     AccessAdvisorAPI
	Principals []string // role, user, group or policy ARNs
	// PollInterval is the first wait between polls (default 1s); it doubles up to 10s.
	PollInterval time.Duration
	// Timeout bounds the wait for one report (default 10 minutes).
	Timeout time.Duration
}

// Kind is access-advisor.
func (a AccessAdvisor) Kind() SourceKind { return SourceAccessAdvisor }

// Location lists the principals.
func (a AccessAdvisor) Location() string { return strings.Join(a.Principals, ",") }

// Collect generates and reads one report per principal.
func (a AccessAdvisor) Collect(ctx context.Context, c *Collector) error {
	if len(a.Principals) == 0 {
		return fmt.Errorf("access-advisor: no principal ARN given")
	}
	run := c.Begin(SourceAccessAdvisor, a.Location())
	run.Note("last-access times only, no counts; action level where AWS tracks actions, service level elsewhere")
	shard := run.NewShard()
	defer run.Merge(shard)
	for _, arn := range a.Principals {
		if err := a.collectOne(ctx, c.Options().Clock, shard, arn); err != nil {
			return err
		}
	}
	return nil
}

func (a AccessAdvisor) collectOne(ctx context.Context, clock Clock, shard *Shard, arn string) error {
	gen, err := a.Client.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{
		Arn: aws.String(arn), Granularity: iamtypes.AccessAdvisorUsageGranularityTypeActionLevel,
	})
	if err != nil {
		return fmt.Errorf("generating the access advisor report for %s: %w", arn, err)
	}
	jobID := aws.ToString(gen.JobId)
	interval := a.PollInterval
	if interval <= 0 {
		interval = time.Second
	}
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	deadline := clock.Now().Add(timeout)
	file := "access-advisor:" + arn
	var idx int64
	var marker *string
	for {
		out, err := a.Client.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobID), Marker: marker})
		if err != nil {
			return fmt.Errorf("reading access advisor job %s for %s: %w", jobID, arn, err)
		}
		switch out.JobStatus {
		case iamtypes.JobStatusTypeInProgress:
			if marker != nil {
				return fmt.Errorf("access advisor job %s for %s: in progress again while paging", jobID, arn)
			}
			if !clock.Now().Add(interval).Before(deadline) {
				return fmt.Errorf("access advisor job %s for %s: not done after %v", jobID, arn, timeout)
			}
			if err := clock.Sleep(ctx, interval); err != nil {
				return err
			}
			interval = min(2*interval, 10*time.Second)
			continue
		case iamtypes.JobStatusTypeFailed:
			msg := "no reason given"
			if out.Error != nil {
				msg = aws.ToString(out.Error.Code) + ": " + aws.ToString(out.Error.Message)
			}
			return fmt.Errorf("access advisor job %s for %s failed: %s", jobID, arn, msg)
		case iamtypes.JobStatusTypeCompleted:
		default:
			return fmt.Errorf("access advisor job %s for %s: unknown status %q", jobID, arn, out.JobStatus)
		}
		for _, s := range out.ServicesLastAccessed {
			ns := aws.ToString(s.ServiceNamespace)
			pos := Position{File: file, Record: idx}
			idx++
			if s.LastAuthenticated != nil {
				shard.Observe(Observation{Principal: arn, Service: ns, Time: *s.LastAuthenticated, Position: pos})
			}
			for _, t := range s.TrackedActionsLastAccessed {
				if t.LastAccessedTime == nil || t.ActionName == nil {
					continue
				}
				action := *t.ActionName
				if !strings.Contains(action, ":") {
					action = ns + ":" + action
				}
				shard.Observe(Observation{Principal: arn, Action: action, Time: *t.LastAccessedTime, Position: pos})
			}
		}
		if !out.IsTruncated || out.Marker == nil {
			return nil
		}
		marker = out.Marker
	}
}
