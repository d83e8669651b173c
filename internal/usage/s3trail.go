package usage

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of the S3 client the archive reader uses (*s3.Client implements it).
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3Trail reads a CloudTrail archive in S3. Under Prefix it finds the
// AWSLogs/<account>/CloudTrail/<region>/ folders (also of organization trails), lists each
// region's date folders from the window's start (with a day's margin) to its end, and reads
// the files in parallel as they are listed. A prefix without that layout is read whole.
type S3Trail struct {
	Client S3API
	Bucket string
	Prefix string
}

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q: want s3://bucket[/prefix]", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q: no bucket name", u)
	}
	return bucket, prefix, nil
}

// Kind is cloudtrail-s3.
func (t S3Trail) Kind() SourceKind { return SourceCloudTrailS3 }

// Location is the s3:// URL.
func (t S3Trail) Location() string { return "s3://" + t.Bucket + "/" + t.Prefix }

// maxDiscoveryLists bounds the listing calls spent looking for the AWS layout.
const maxDiscoveryLists = 2000

// Collect lists and reads the archive.
func (t S3Trail) Collect(ctx context.Context, c *Collector) error {
	opts := c.Options()
	run := c.Begin(SourceCloudTrailS3, t.Location())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan fileJob, 64)
	var listErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		listErr = t.list(ctx, run, opts.Window, jobs)
		if listErr != nil {
			cancel()
		}
	}()
	readFiles(ctx, run, opts.Workers, jobs)
	wg.Wait()
	if listErr != nil {
		return listErr
	}
	return ctx.Err()
}

func (t S3Trail) job(key string) fileJob {
	return fileJob{
		name: "s3://" + t.Bucket + "/" + key,
		open: func(ctx context.Context) (io.ReadCloser, error) {
			out, err := t.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)},
				func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
			if err != nil {
				return nil, fmt.Errorf("getting s3://%s/%s: %w", t.Bucket, key, err)
			}
			return out.Body, nil
		},
	}
}

func (t S3Trail) list(ctx context.Context, run *SourceRun, w Window, jobs chan<- fileJob) error {
	prefix := t.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") && !isTrailFileName(prefix) {
		prefix += "/"
	}
	regions, found, err := t.discover(ctx, prefix)
	if err != nil {
		return err
	}
	if !found {
		run.Note("no AWSLogs/<account>/CloudTrail/<region>/ layout under the prefix: every .json and .json.gz file is read, filtered by eventTime only")
		return t.listKeys(ctx, prefix, "", "", jobs)
	}
	lo, hi := folderDays(w)
	for _, region := range regions {
		startAfter, stopAt := "", ""
		if !lo.IsZero() {
			startAfter = region + lo.Format("2006/01/02")
		}
		if !hi.IsZero() {
			stopAt = region + hi.Format("2006/01/02")
		}
		if err := t.listKeys(ctx, region, startAfter, stopAt, jobs); err != nil {
			return err
		}
	}
	if !lo.IsZero() || !hi.IsZero() {
		run.Note("date folders listed: %s", folderRangeText(lo, hi))
	}
	return nil
}

// discover finds the region folders .../CloudTrail/<region>/ under prefix.
func (t S3Trail) discover(ctx context.Context, prefix string) (regions []string, found bool, err error) {
	if i := strings.LastIndex(prefix, "/CloudTrail/"); i >= 0 || strings.HasPrefix(prefix, "CloudTrail/") {
		rest := prefix[strings.LastIndex(prefix, "CloudTrail/")+len("CloudTrail/"):]
		if rest == "" { // at the CloudTrail folder: its children are regions
			regions, err := t.commonPrefixes(ctx, prefix)
			return regions, err == nil, err
		}
		if strings.Count(rest, "/") == 1 { // at a region folder
			return []string{prefix}, true, nil
		}
		return nil, false, nil // inside a region's date folders: read it whole
	}
	frontier := []string{prefix}
	lists := 0
	for depth := 0; depth < 5 && len(frontier) > 0; depth++ {
		var next []string
		for _, p := range frontier {
			if lists++; lists > maxDiscoveryLists {
				return nil, false, fmt.Errorf("looking for AWSLogs/<account>/CloudTrail/ under s3://%s/%s: more than %d folders; give a narrower prefix", t.Bucket, prefix, maxDiscoveryLists)
			}
			subs, err := t.commonPrefixes(ctx, p)
			if err != nil {
				return nil, false, err
			}
			for _, s := range subs {
				name := lastSegment(s)
				switch {
				case name == "CloudTrail":
					rs, err := t.commonPrefixes(ctx, s)
					if err != nil {
						return nil, false, err
					}
					regions = append(regions, rs...)
					found = true
				case name == "CloudTrail-Digest" || name == "CloudTrail-Insight":
				case depth == 0 || name == "AWSLogs" || accountRe.MatchString(name) || strings.HasPrefix(name, "o-"):
					next = append(next, s)
				}
			}
		}
		frontier = next
	}
	return regions, found, nil
}

func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

func (t S3Trail) commonPrefixes(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	var token *string
	for {
		res, err := t.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String(t.Bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"), ContinuationToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", t.Bucket, prefix, err)
		}
		for _, cp := range res.CommonPrefixes {
			if cp.Prefix != nil {
				out = append(out, *cp.Prefix)
			}
		}
		if !aws.ToBool(res.IsTruncated) || res.NextContinuationToken == nil {
			return out, nil
		}
		token = res.NextContinuationToken
	}
}

// listKeys sends the trail files under prefix, after startAfter and before stopAt (when
// set), to jobs.
func (t S3Trail) listKeys(ctx context.Context, prefix, startAfter, stopAt string, jobs chan<- fileJob) error {
	var token *string
	for {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(t.Bucket), Prefix: aws.String(prefix), ContinuationToken: token}
		if startAfter != "" && token == nil {
			in.StartAfter = aws.String(startAfter)
		}
		res, err := t.Client.ListObjectsV2(ctx, in)
		if err != nil {
			return fmt.Errorf("listing s3://%s/%s: %w", t.Bucket, prefix, err)
		}
		for _, obj := range res.Contents {
			key := aws.ToString(obj.Key)
			if stopAt != "" && key >= stopAt {
				return nil // keys are listed in order: the rest are later still
			}
			if !isTrailFileName(key) || strings.Contains(key, "/CloudTrail-Digest/") {
				continue
			}
			select {
			case jobs <- t.job(key):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if !aws.ToBool(res.IsTruncated) || res.NextContinuationToken == nil {
			return nil
		}
		token = res.NextContinuationToken
	}
}
