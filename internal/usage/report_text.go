package usage

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the digest as a readable report: per principal, per action counts,
// first and last seen, denied; then what was not attributed and the problems found.
func (d *Digest) WriteText(out io.Writer) error {
	w := &errWriter{w: out}
	acct := d.Account
	if acct == "" {
		acct = "all accounts"
	} else {
		acct = "account " + acct
	}
	w.printf("Usage digest for %s, window %s", acct, windowText(d.Window.Since, d.Window.Until))
	if !d.Window.FirstEvent.IsZero() {
		w.printf(" (events from %s to %s)", d.Window.FirstEvent.Format(time.RFC3339), d.Window.LastEvent.Format(time.RFC3339))
	}
	w.printf("\n\nSources:\n")
	for _, s := range d.Sources {
		w.printf("  %s %s: ", s.Kind, s.Location)
		if s.Stats.Files > 0 || s.Stats.FilesPruned > 0 {
			w.printf("%d files read, %d skipped by date; ", s.Stats.Files, s.Stats.FilesPruned)
		}
		w.printf("%d records", s.Stats.Records)
		if s.Stats.Observations > 0 {
			w.printf(", %d observations", s.Stats.Observations)
		}
		w.printf("\n")
		for _, n := range s.Notes {
			w.printf("    note: %s\n", n)
		}
	}
	t := d.Totals
	w.printf("\nRecords: %d read: %d attributed (%d of them denied), %d by AWS services, %d of other accounts, "+
		"%d unmapped, %d not API calls, %d unattributed, %d invalid, %d outside the window; %d malformed records not read\n",
		t.Records, t.Counted, t.Denied, t.AWSService, t.OtherAccount, t.Unmapped, t.NonAPI, t.Unattributed, t.Invalid, t.OutsideWindow, t.Malformed)
	for _, p := range d.Principals {
		w.printf("\n%s (%s", p.ARN, p.Type)
		if len(p.Via) > 0 {
			w.printf(", via %s", strings.Join(p.Via, ", "))
		}
		w.printf("): %d calls, %d denied", p.Count, p.Denied)
		if !p.First.IsZero() {
			w.printf(", %s to %s", p.First.Format(time.RFC3339), p.Last.Format(time.RFC3339))
		}
		w.printf("\n")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  ACTION\tCOUNT\tFIRST\tLAST\tDENIED\tRESOURCES\t\n")
		for _, a := range p.Actions {
			res := fmt.Sprint(len(a.Resources))
			switch {
			case a.ResourcesTruncated:
				res += " (sample)"
			case a.ResourcesCollapsed:
				res += " (collapsed)"
			}
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%d\t%s\t\n", a.Action, a.Count, timeText(a.First), timeText(a.Last), a.Denied, res)
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		for _, s := range p.Services {
			w.printf("  service %s last used %s (%s)\n", s.Service, timeText(s.Last), kindsText(s.Sources))
		}
	}
	tallies := func(title string, ts []Tally) {
		if len(ts) == 0 {
			return
		}
		w.printf("\n%s:\n", title)
		for _, t := range ts {
			w.printf("  %-40s %10d", t.Key, t.Count)
			if t.First != nil {
				w.printf("  first at %s", positionText(*t.First))
			}
			w.printf("\n")
		}
	}
	if len(d.Unmapped) > 0 {
		w.printf("\nEvents that map to no catalog action (counted, not attributed):\n")
		for _, u := range d.Unmapped {
			w.printf("  %s %s: %d (%s", u.EventSource, u.EventName, u.Count, u.Reason)
			if u.Detail != "" {
				w.printf(": %s", u.Detail)
			}
			w.printf(")")
			if u.First != nil {
				w.printf(", first at %s", positionText(*u.First))
			}
			w.printf("\n")
		}
	}
	tallies("Calls by AWS services (not attributed)", d.AWSServiceEvents)
	tallies("Events of other accounts (excluded)", d.OtherAccounts)
	tallies("Events with no IAM principal, by identity type", d.Unattributed)
	tallies("Records that are not API calls, by event type", d.NonAPIEvents)
	if n := d.Problems.Total(); n > 0 {
		w.printf("\nProblems in the input: %d (%s)\n", n, problemCountsText(d.Problems.Counts))
		for _, p := range d.Problems.Items {
			w.printf("  %s at %s: %s\n", p.Kind, positionText(p.Position), p.Message)
		}
		if d.Problems.ItemsTruncated {
			w.printf("  (only the first %d of each kind are listed)\n", maxProblemItems)
		}
	}
	return w.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("writing the report: %w", err)
	}
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func windowText(since, until time.Time) string {
	switch {
	case since.IsZero() && until.IsZero():
		return "all time"
	case until.IsZero():
		return "since " + since.Format(time.RFC3339)
	case since.IsZero():
		return "until " + until.Format(time.RFC3339)
	}
	return since.Format(time.RFC3339) + " to " + until.Format(time.RFC3339)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func kindsText(ks []SourceKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func positionText(p Position) string {
	if p.Offset == 0 {
		return fmt.Sprintf("%s record %d", p.File, p.Record)
	}
	return fmt.Sprintf("%s record %d (byte %d)", p.File, p.Record, p.Offset)
}

func problemCountsText(counts map[ProblemKind]int64) string {
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, string(k))
	}
	slices.Sort(kinds)
	for i, k := range kinds {
		kinds[i] = fmt.Sprintf("%s %d", k, counts[ProblemKind(k)])
	}
	return strings.Join(kinds, ", ")
}
