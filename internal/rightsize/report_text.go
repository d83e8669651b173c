package rightsize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/usage"
)

// removedNamesShown is how many removed actions the text report names per service (the
// JSON report names them all).
const removedNamesShown = 8

// WriteText writes a report for people: granted against used by service and access level,
// the evidence for what is kept, what is removed and why, denied requests, findings before
// and after, and the suggested policy.
func (s *Suggestion) WriteText(out io.Writer) error {
	w := bufio.NewWriter(out)
	sm := s.Summary
	fmt.Fprintf(w, "Right-sizing %s\n", s.Principal)
	fmt.Fprintf(w, "Window: %s to %s", textTime(s.Window.Since, "the beginning"), textTime(s.Window.Until, "now"))
	if !s.Window.FirstEvent.IsZero() {
		fmt.Fprintf(w, " (events from %s to %s)", textTime(s.Window.FirstEvent, ""), textTime(s.Window.LastEvent, ""))
	}
	fmt.Fprintln(w)
	for _, src := range s.Sources {
		fmt.Fprintf(w, "Source: %s %s: %d records, %d counted, %d data events", src.Kind, src.Location, src.Records, src.Counted, src.DataEvents)
		if src.Observations > 0 {
			fmt.Fprintf(w, ", %d observations", src.Observations)
		}
		fmt.Fprintln(w)
	}
	for _, p := range s.Granted.Policies {
		fmt.Fprintf(w, "Granted: %s (%s)\n", p.Ref, p.Source)
	}
	if b := s.Granted.Boundary; b != nil {
		fmt.Fprintf(w, "Permissions boundary: %s\n", b.Ref)
	}
	fmt.Fprintf(w, "\n%d actions granted: %d used, %d kept without evidence of use, %d removed (%.1f%% of the granted actions unused).\n",
		sm.GrantedActions, sm.UsedActions, sm.KeptUnobservedActions, sm.RemovedActions, sm.UnusedShare*100)
	fmt.Fprintf(w, "Suggested: %d %s polic%s, %d characters (limit %d per policy).\n", len(s.Policies), s.Kind, plural(len(s.Policies), "y", "ies"), sm.PolicySize, sm.SizeLimit)
	if sm.DeniedActions > 0 || sm.UsedNotGranted > 0 {
		fmt.Fprintf(w, "Asked for and denied: %d action%s; used but not granted: %d. Neither is added.\n", sm.DeniedActions, plural(sm.DeniedActions, "", "s"), sm.UsedNotGranted)
	}

	section(w, "Granted against used, by service and access level")
	tw := table(w)
	fmt.Fprintln(tw, "SERVICE\tACCESS LEVEL\tGRANTED\tUSED\tKEPT UNOBSERVED\tREMOVED")
	for _, l := range s.ByService {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", l.Service, l.AccessLevel, l.Granted, l.Used, l.KeptUnobserved, l.Removed)
	}
	tw.Flush()

	section(w, "Kept: used in the window")
	if len(s.Kept) == 0 {
		fmt.Fprintln(w, "  (none)")
	} else {
		tw = table(w)
		fmt.Fprintln(tw, "ACTION\tCOUNT\tFIRST SEEN\tLAST SEEN\tSOURCES\tRESOURCES")
		for _, k := range s.Kept {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", k.Action, k.Count, textTime(k.FirstSeen, "-"), textTime(k.LastSeen, "-"),
				sourceList(k.Sources), resourceText(k.Resources, k.NotResources, k.Scoped, k.Conditional))
		}
		tw.Flush()
		for _, k := range s.Kept {
			if k.Note != "" {
				fmt.Fprintf(w, "  %s: %s\n", k.Action, k.Note)
			}
		}
	}

	if len(s.KeptUnobserved) > 0 {
		section(w, "Kept without evidence: no log can show their use")
		tw = table(w)
		fmt.Fprintln(tw, "ACTION\tREASON\tRESOURCES")
		for _, u := range s.KeptUnobserved {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Action, u.Reason, resourceText(u.Resources, u.NotResources, false, u.Conditional))
		}
		tw.Flush()
		details := map[string]bool{}
		for _, u := range s.KeptUnobserved {
			if key := string(u.Reason) + u.Detail; !details[key] {
				details[key] = true
				fmt.Fprintf(w, "  %s: %s\n", u.Reason, u.Detail)
			}
		}
	}

	section(w, "Removed: unused in the window")
	if len(s.Removed) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, g := range s.Removed {
		fmt.Fprintf(w, "  %s (%d): %s\n", g.Service, len(g.Actions), nameSample(g.Actions))
	}
	if len(s.NotEffective) > 0 {
		section(w, "Named by the policies but not granted")
		for _, g := range s.NotEffective {
			fmt.Fprintf(w, "  %s, %s (%d): %s\n", g.Service, g.Reason, len(g.Actions), nameSample(g.Actions))
		}
	}
	if len(s.Denied) > 0 {
		section(w, "Asked for and denied: not added")
		tw = table(w)
		fmt.Fprintln(tw, "ACTION\tDENIED\tFIRST\tLAST\tWHY")
		for _, d := range s.Denied {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", d.Action, d.Count, textTime(d.FirstSeen, "-"), textTime(d.LastSeen, "-"), d.Detail)
		}
		tw.Flush()
	}
	if len(s.UsedNotGranted) > 0 {
		section(w, "Used but not granted by these policies: not added")
		for _, u := range s.UsedNotGranted {
			fmt.Fprintf(w, "  %s (%d, last %s): %s\n", u.Action, u.Count, textTime(u.LastSeen, "-"), u.Detail)
		}
	}

	section(w, "Findings")
	writeFindings(w, "before", s.Findings.Before)
	writeFindings(w, "after", s.Findings.After)
	if len(s.Notes) > 0 {
		section(w, "Notes")
		for _, n := range s.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	for _, p := range s.Policies {
		section(w, fmt.Sprintf("Suggested policy %s (%d characters)", p.Name, p.Size))
		var buf bytes.Buffer
		if err := json.Indent(&buf, p.Policy, "", "  "); err != nil {
			return fmt.Errorf("writing policy %s: %w", p.Name, err)
		}
		buf.WriteByte('\n')
		w.Write(buf.Bytes())
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("-", len(title)))
}

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func textTime(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format(time.RFC3339)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sourceList(ks []usage.SourceKind) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k)
	}
	return strings.Join(parts, ",")
}

func resourceText(res, notRes []string, scoped, conditional bool) string {
	var s string
	if len(notRes) > 0 {
		s = "* except " + strings.Join(notRes, ", ")
	} else {
		s = strings.Join(res, ", ")
	}
	if scoped {
		s += " (scoped)"
	}
	if conditional {
		s += " (with conditions)"
	}
	return s
}

func nameSample(names []string) string {
	if len(names) <= removedNamesShown {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:removedNamesShown], ", ") + fmt.Sprintf(", and %d more", len(names)-removedNamesShown)
}

func writeFindings(w io.Writer, when string, fs []iam.RiskFinding) {
	if len(fs) == 0 {
		fmt.Fprintf(w, "  %s: none\n", when)
		return
	}
	fmt.Fprintf(w, "  %s:\n", when)
	for _, f := range fs {
		fmt.Fprintf(w, "    %-8s %s: %s (%s)\n", f.Severity, f.Rule, f.Title, strings.Join(f.Actions, ", "))
	}
}
