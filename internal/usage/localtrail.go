package usage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LocalTrail reads CloudTrail files from a local directory: the AWS layout
// (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz), any directory of .json and
// .json.gz trail files, or a single file.
type LocalTrail struct {
	Path string
}

// Kind is cloudtrail-dir.
func (l LocalTrail) Kind() SourceKind { return SourceCloudTrailDir }

// Location is the path.
func (l LocalTrail) Location() string { return l.Path }

// Collect reads the trail files in parallel. Date folders outside the window are not read.
func (l LocalTrail) Collect(ctx context.Context, c *Collector) error {
	opts := c.Options()
	files, pruned, ignored, err := listLocalTrail(l.Path, opts.Window)
	if err != nil {
		return err
	}
	run := c.Begin(SourceCloudTrailDir, l.Path)
	run.AddFiles(0, pruned)
	if ignored > 0 {
		run.Note("%d files that are not .json or .json.gz ignored", ignored)
	}
	opts.Logger.Debug("reading local trail", "path", l.Path, "files", len(files), "pruned", pruned)
	jobs := make(chan fileJob, 64)
	go func() {
		defer close(jobs)
		for _, f := range files {
			full := f.full
			select {
			case jobs <- fileJob{name: f.rel, open: func(context.Context) (io.ReadCloser, error) { return os.Open(full) }}:
			case <-ctx.Done():
				return
			}
		}
	}()
	readFiles(ctx, run, opts.Workers, jobs)
	return ctx.Err()
}

type localFile struct{ rel, full string }

// listLocalTrail lists the trail files under root in lexical order, pruning date folders
// of the AWS layout that lie outside the window (with a day's margin: a file is delivered
// to the folder of its delivery date, minutes after its events).
func listLocalTrail(root string, w Window) (files []localFile, pruned int64, ignored int, err error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("reading trail: %w", err)
	}
	if !info.IsDir() {
		return []localFile{{rel: filepath.Base(root), full: root}}, 0, 0, nil
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == "CloudTrail-Digest" {
				return fs.SkipDir // digest files hold hashes, not events
			}
			if rel != "." && !dateFolderInWindow(rel, w) {
				pruned += countFiles(path)
				return fs.SkipDir
			}
			return nil
		}
		if !isTrailFileName(d.Name()) {
			ignored++
			return nil
		}
		files = append(files, localFile{rel: rel, full: path})
		return nil
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("listing trail files under %s: %w", root, err)
	}
	return files, pruned, ignored, nil
}

func isTrailFileName(name string) bool {
	return strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".json")
}

func countFiles(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isTrailFileName(d.Name()) {
			n++
		}
		return nil
	})
	return n
}

// dateFolderInWindow reports whether a folder path (slash-separated) may hold events of
// the window: false only for .../CloudTrail/<region>/YYYY[/MM[/DD]] folders wholly
// outside the folder days of the window.
func dateFolderInWindow(path string, w Window) bool {
	from, to, ok := dateFolderRange(path)
	if !ok {
		return true
	}
	lo, hi := folderDays(w)
	return (lo.IsZero() || to.After(lo)) && (hi.IsZero() || from.Before(hi))
}

// folderDays is the range [lo, hi) of date folders that may hold events of the window. A
// file lands in the folder of its delivery date, minutes (rarely hours) after its events,
// so a day's margin is kept on each side. Zero bounds are open.
func folderDays(w Window) (lo, hi time.Time) {
	if !w.Since.IsZero() {
		s := w.Since.UTC()
		lo = time.Date(s.Year(), s.Month(), s.Day()-1, 0, 0, 0, 0, time.UTC)
	}
	if !w.Until.IsZero() {
		u := w.Until.UTC().Add(24 * time.Hour)
		hi = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
		if hi.Before(u) {
			hi = hi.AddDate(0, 0, 1)
		}
	}
	return lo, hi
}

func folderRangeText(lo, hi time.Time) string {
	from, to := "the start", "the end"
	if !lo.IsZero() {
		from = lo.Format("2006/01/02")
	}
	if !hi.IsZero() {
		to = hi.AddDate(0, 0, -1).Format("2006/01/02")
	}
	return from + " to " + to
}

var (
	yearRe  = regexp.MustCompile(`^\d{4}$`)
	monthRe = regexp.MustCompile(`^\d{2}$`)
)

// dateFolderRange returns the days [from, to) that a date folder of the AWS layout covers.
func dateFolderRange(path string) (from, to time.Time, ok bool) {
	segs := strings.Split(path, "/")
	i := slices.Index(segs, "CloudTrail")
	if i < 0 || len(segs) < i+3 {
		return time.Time{}, time.Time{}, false
	}
	date := segs[i+2:]
	if len(date) > 3 || !yearRe.MatchString(date[0]) {
		return time.Time{}, time.Time{}, false
	}
	y, _ := strconv.Atoi(date[0])
	if len(date) == 1 {
		from = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(1, 0, 0), true
	}
	if !monthRe.MatchString(date[1]) {
		return time.Time{}, time.Time{}, false
	}
	m, _ := strconv.Atoi(date[1])
	if len(date) == 2 {
		from = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, 1, 0), true
	}
	if !monthRe.MatchString(date[2]) {
		return time.Time{}, time.Time{}, false
	}
	d, _ := strconv.Atoi(date[2])
	from = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 0, 1), true
}

var accountRe = regexp.MustCompile(`^\d{12}$`)

// InferAccount returns the account of a local trail in the AWS layout when it holds
// exactly one (AWSLogs/<account>/... or, for organization trails, AWSLogs/<org>/<account>/...).
func InferAccount(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("inferring the account of %s: %w", root, err)
	}
	// The path itself may be inside an account folder.
	segs := strings.Split(filepath.ToSlash(abs), "/")
	if i := slices.Index(segs, "AWSLogs"); i >= 0 {
		for _, s := range segs[i+1:] {
			if accountRe.MatchString(s) {
				return s, nil
			}
		}
	}
	seen := map[string]bool{}
	for _, base := range []string{filepath.Join(root, "AWSLogs"), root} {
		entries, err := os.ReadDir(base)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return "", fmt.Errorf("inferring the account of %s: %w", root, err)
		}
		for _, e := range entries {
			switch {
			case !e.IsDir():
			case accountRe.MatchString(e.Name()):
				seen[e.Name()] = true
			case strings.HasPrefix(e.Name(), "o-"):
				sub, _ := os.ReadDir(filepath.Join(base, e.Name()))
				for _, s := range sub {
					if s.IsDir() && accountRe.MatchString(s.Name()) {
						seen[s.Name()] = true
					}
				}
			}
		}
		if len(seen) > 0 {
			break
		}
	}
	if len(seen) != 1 {
		accts := make([]string, 0, len(seen))
		for a := range seen {
			accts = append(accts, a)
		}
		slices.Sort(accts)
		if len(accts) == 0 {
			return "", nil
		}
		return "", fmt.Errorf("the trail under %s holds several accounts (%s): choose one with --account", root, strings.Join(accts, ", "))
	}
	for a := range seen {
		return a, nil
	}
	return "", nil
}
