package scan

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
)

// textFindingsShown is how many critical and high findings the text summary lists.
const textFindingsShown = 40

// WriteText writes a terminal summary: counts, every path to administrator, the most
// severe findings, the CIS controls and what changed since the baseline.
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	s := r.Summary
	fmt.Fprintf(bw, "Account %s: %s, %s, %s, %s (%d customer managed)\n", r.Account, plural(s.Users, "user"), plural(s.Roles, "role"),
		plural(s.Groups, "group"), plural(s.ManagedPolicies, "managed policy"), s.CustomerManagedPolicies)
	fmt.Fprintf(bw, "Administrators: %d. Can become administrator: %d. Escalation edges: %d.\n", s.Admins, s.AdminReachable, s.EscalationEdges)
	fs := s.FindingsBySeverity
	fmt.Fprintf(bw, "Findings: %d critical, %d high, %d medium, %d low.\n", fs.Critical, fs.High, fs.Medium, fs.Low)
	if s.UnusedRatio != nil {
		fmt.Fprintf(bw, "Granted actions unused in the usage window: %.1f%%.\n", *s.UnusedRatio*100)
	}

	var paths []PrincipalReport
	for _, p := range r.Principals {
		if p.AdminReachable && !p.IsAdmin {
			paths = append(paths, p)
		}
	}
	if len(paths) > 0 {
		fmt.Fprintf(bw, "\nPaths to administrator (shortest for each principal):\n")
		for _, p := range paths {
			fmt.Fprintf(bw, "  %s: %s\n", displayName(p.ARN), plural(p.AdminSteps, "step"))
			for i, st := range p.AdminPath {
				fmt.Fprintf(bw, "    %d. %s, %s: %s\n", i+1, displayName(st.From), st.Kind, st.Detail)
			}
			if p.AdminVia != p.ARN {
				fmt.Fprintf(bw, "    => %s is an administrator\n", displayName(p.AdminVia))
			} else {
				fmt.Fprintf(bw, "    => %s is then an administrator\n", displayName(p.ARN))
			}
		}
	}

	all := r.allFindings()
	sortFindings(all)
	var severe []Finding
	for _, f := range all {
		if f.Severity == "critical" || f.Severity == "high" {
			severe = append(severe, f)
		}
	}
	if len(severe) > 0 {
		fmt.Fprintf(bw, "\nCritical and high findings:\n")
		for i, f := range severe {
			if i == textFindingsShown {
				fmt.Fprintf(bw, "  ... and %d more (see --format json or html)\n", len(severe)-i)
				break
			}
			who := "account"
			if f.Principal != "" {
				who = displayName(f.Principal)
			}
			fmt.Fprintf(bw, "  %-8s %-30s %-28s %s\n", strings.ToUpper(f.Severity), f.Type, who, f.Title)
		}
	}

	fmt.Fprintf(bw, "\n%s:\n", r.CIS.Benchmark)
	for _, c := range r.CIS.Controls {
		status := strings.ToUpper(c.Status)
		if c.Status == "fail" {
			status = fmt.Sprintf("FAIL (%d)", c.Findings)
		} else if c.Status == "not_evaluated" {
			status = "not evaluated"
		}
		fmt.Fprintf(bw, "  %-5s %-14s %s\n", c.ID, status, c.Title)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(bw, "\nProblems in the input (%d), scanned without them:\n", len(r.Problems))
		for i, p := range r.Problems {
			if i == 20 {
				fmt.Fprintf(bw, "  ... and %d more\n", len(r.Problems)-i)
				break
			}
			fmt.Fprintf(bw, "  %s: %s\n", p.Where, p.Message)
		}
	}
	if d := r.Baseline; d != nil {
		fmt.Fprintf(bw, "\nSince the baseline: %s, %d removed, %s, %d resolved, %s to administrator.\n",
			plural(len(d.NewPrincipals), "new principal"), len(d.RemovedPrincipals), plural(len(d.NewFindings), "new finding"),
			len(d.ResolvedFindings), plural(len(d.NewAdminPaths), "new path"))
		for _, c := range d.NewAdminPaths {
			fmt.Fprintf(bw, "  new path: %s (%s)\n", displayName(c.Principal), plural(c.Steps, "step"))
		}
		for _, f := range d.NewFindings {
			if f.Severity == "critical" || f.Severity == "high" {
				who := "account"
				if f.Principal != "" {
					who = displayName(f.Principal)
				}
				fmt.Fprintf(bw, "  new %s: %s %s: %s\n", f.Severity, who, f.Type, f.Title)
			}
		}
		if d.Gate {
			fmt.Fprintf(bw, "New high or critical findings since the baseline.\n")
		}
	}
	return bw.Flush()
}

// ProgressLine draws a one-line progress display on a terminal: each call rewrites the
// line; Done clears it.
type ProgressLine struct {
	mu   sync.Mutex
	w    io.Writer
	last string
}

// NewProgressLine returns a progress line on w (a terminal).
func NewProgressLine(w io.Writer) *ProgressLine { return &ProgressLine{w: w} }

// Read shows the live reader's progress.
func (p *ProgressLine) Read(pr ReadProgress) {
	p.show(fmt.Sprintf("reading the account: page %d, %d users, %d groups, %d roles, %d policies", pr.Pages, pr.Users, pr.Groups, pr.Roles, pr.Policies))
}

// Scan shows the scan's progress.
func (p *ProgressLine) Scan(pr Progress) {
	p.show(fmt.Sprintf("scanning: %s %d/%d", pr.Stage, pr.Done, pr.Total))
}

func (p *ProgressLine) show(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s == p.last {
		return
	}
	p.last = s
	fmt.Fprintf(p.w, "\r\033[K%s", s)
}

// Done clears the line.
func (p *ProgressLine) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last != "" {
		fmt.Fprint(p.w, "\r\033[K")
		p.last = ""
	}
}
