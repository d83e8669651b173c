package scan

import "time"

// SchemaVersion names the JSON report's schema (docs/scan-report.md). It changes only when
// a field changes meaning or goes away; new fields may be added within a version.
const SchemaVersion = "ciem.scan/v1"

// Report is a scan's result: what every output format shows.
type Report struct {
	Schema    string `json:"schema"`
	Account   string `json:"account"`
	Partition string `json:"partition"`
	// AsOf is the time credential ages and usage windows are measured at, set only when
	// the scan read the credential report or usage (RFC 3339, UTC).
	AsOf   string `json:"as_of,omitempty"`
	Inputs Inputs `json:"inputs"`

	Summary         Summary           `json:"summary"`
	Principals      []PrincipalReport `json:"principals"`
	AccountFindings []Finding         `json:"account_findings"`
	EscalationEdges []GraphEdge       `json:"escalation_edges"`
	CIS             CISReport         `json:"cis"`
	Problems        []Problem         `json:"problems"`
	// Baseline is what changed since an earlier scan, when one was given.
	Baseline *BaselineDiff `json:"baseline,omitempty"`
}

// Inputs says what the scan read.
type Inputs struct {
	AuthDetails      string     `json:"auth_details"` // "aws" (read live) or "file"
	CredentialReport bool       `json:"credential_report"`
	Usage            *UsageInfo `json:"usage"`
}

// UsageInfo describes the usage the scan read.
type UsageInfo struct {
	Since   string   `json:"since,omitempty"`
	Until   string   `json:"until,omitempty"`
	Sources []string `json:"sources"`
	Events  int64    `json:"events"`
}

// Summary counts what the scan found.
type Summary struct {
	Users                   int            `json:"users"`
	Roles                   int            `json:"roles"`
	Groups                  int            `json:"groups"`
	ManagedPolicies         int            `json:"managed_policies"`
	CustomerManagedPolicies int            `json:"customer_managed_policies"`
	Admins                  int            `json:"admins"`
	AdminReachable          int            `json:"admin_reachable"` // principals that are not administrators but can become one
	PrincipalsByRisk        SeverityCounts `json:"principals_by_risk"`
	FindingsBySeverity      FindingCounts  `json:"findings_by_severity"`
	FindingsByType          map[string]int `json:"findings_by_type"`
	EscalationEdges         int            `json:"escalation_edges"`
	// UnusedRatio is the share of granted actions not used, over every principal with
	// usage; null without usage.
	UnusedRatio *float64 `json:"unused_ratio"`
}

// FindingCounts counts findings by severity.
type FindingCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
}

func (c *FindingCounts) add(sev string) {
	switch sev {
	case "critical":
		c.Critical++
	case "high":
		c.High++
	case "medium":
		c.Medium++
	case "low":
		c.Low++
	}
}

// SeverityCounts counts principals by their highest finding severity; None counts
// principals without findings.
type SeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	None     int `json:"none"`
}

func (c *SeverityCounts) add(sev string) {
	switch sev {
	case "critical":
		c.Critical++
	case "high":
		c.High++
	case "medium":
		c.Medium++
	case "low":
		c.Low++
	default:
		c.None++
	}
}

// PrincipalReport is one user or role.
type PrincipalReport struct {
	ARN      string      `json:"arn"`
	Name     string      `json:"name"`
	Type     string      `json:"type"` // "user" or "role"
	Path     string      `json:"path"`
	Created  string      `json:"created,omitempty"`
	Groups   []string    `json:"groups"`
	Boundary string      `json:"boundary,omitempty"`
	Policies []PolicyRef `json:"policies"`

	IsAdmin        bool   `json:"is_admin"`
	AdminReachable bool   `json:"admin_reachable"`
	AdminSteps     int    `json:"admin_steps"`
	AdminVia       string `json:"admin_via,omitempty"`
	AdminPath      []Step `json:"admin_path"`

	Risk        string      `json:"risk"` // the highest severity of its findings, "none" without
	Permissions Permissions `json:"permissions"`
	// UnusedRatio is the share of its granted actions not seen in use; null without usage.
	UnusedRatio  *float64  `json:"unused_ratio"`
	LastActivity string    `json:"last_activity,omitempty"`
	LastUsed     string    `json:"role_last_used,omitempty"` // RoleLastUsed from IAM, roles only
	Findings     []Finding `json:"findings"`
}

// CISReport is the benchmark's controls with their results.
type CISReport struct {
	Benchmark string       `json:"benchmark"`
	Controls  []CISControl `json:"controls"`
}

// allFindings returns every finding of the report: the principals' and the account's.
func (r *Report) allFindings() []Finding {
	var out []Finding
	for _, p := range r.Principals {
		out = append(out, p.Findings...)
	}
	out = append(out, r.AccountFindings...)
	return out
}

func isoOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
