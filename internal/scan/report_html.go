package scan

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// The HTML report: one self-contained file (inline CSS, inline script, inline SVG; a
// Content-Security-Policy that forbids loading anything), readable offline.

//go:embed report.html.tmpl
var reportHTML string

// htmlFindingsShown bounds the findings table: every critical and high finding, then
// medium and low ones up to this many rows in all.
const htmlFindingsShown = 5000

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"short":   displayName,
	"join":    strings.Join,
	"plural":  plural,
	"sevrank": severityRank,
	"pct": func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f*100, 'f', 1, 64) + "%"
	},
	"ratio": func(f *float64) string {
		if f == nil {
			return "-1"
		}
		return strconv.FormatFloat(*f, 'f', 4, 64)
	},
	"steps": func(p PrincipalReport) int {
		switch {
		case p.IsAdmin:
			return 0
		case p.AdminReachable:
			return p.AdminSteps
		}
		return 1 << 20
	},
	"cisnum": func(id string) string {
		// "1.4" sorts before "1.10": pad the minor number.
		major, minor, _ := strings.Cut(id, ".")
		n, _ := strconv.Atoi(minor)
		return fmt.Sprintf("%s.%03d", major, n)
	},
}).Parse(reportHTML))

type htmlView struct {
	R               *Report
	RiskChart       template.HTML
	ServiceChart    template.HTML
	PathGraph       template.HTML
	PathsOmitted    int
	Paths           []PrincipalReport
	Findings        []Finding
	FindingsTotal   int
	FindingsOmitted int
	CISFailed       int
}

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{R: r, RiskChart: riskChart(r.Summary.PrincipalsByRisk), ServiceChart: serviceChart(r)}
	v.PathGraph, v.PathsOmitted = pathGraph(r)
	for _, p := range r.Principals {
		if p.AdminReachable && !p.IsAdmin {
			v.Paths = append(v.Paths, p)
		}
	}
	all := r.allFindings()
	sortFindings(all)
	v.FindingsTotal = len(all)
	for _, f := range all {
		if len(v.Findings) >= htmlFindingsShown && f.Severity != "critical" && f.Severity != "high" {
			v.FindingsOmitted++
			continue
		}
		v.Findings = append(v.Findings, f)
	}
	for _, c := range r.CIS.Controls {
		if c.Status == "fail" {
			v.CISFailed++
		}
	}
	if err := reportTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}
