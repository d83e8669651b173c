package usage

import (
	"context"
	"io"
	"sync"
)

// fileJob is one trail file to read.
type fileJob struct {
	name string // position label: relative path or s3:// URL
	open func(ctx context.Context) (io.ReadCloser, error)
}

// readFiles reads the files from jobs with n workers, each with its own shard, merged into
// run as each worker finishes. It returns when jobs is closed and drained (or ctx is done).
func readFiles(ctx context.Context, run *SourceRun, n int, jobs <-chan fileJob) {
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shard := run.NewShard()
			tr := newTrailReader(shard)
			for job := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				shard.stats.Files++
				rc, err := job.open(ctx)
				if err != nil {
					shard.Problem(ProblemUnreadable, Position{File: job.name}, "%v", err)
					continue
				}
				tr.readFile(ctx, job.name, rc)
				if err := rc.Close(); err != nil {
					shard.Problem(ProblemUnreadable, Position{File: job.name}, "closing: %v", err)
				}
			}
			run.Merge(shard)
		}()
	}
	wg.Wait()
}
