package scan

import "slices"

// CIS AWS Foundations Benchmark v3.0.0, section 1 (Identity and Access Management): the
// controls the scan checks, with the finding types that break each. The ids are the same
// in v4.0.1. Controls that need data the scan does not read (the password policy, support
// cases, Access Analyzer, certificates) are not listed.

// CISBenchmark names the benchmark the ids refer to.
const CISBenchmark = "CIS AWS Foundations Benchmark v3.0.0"

// cisControl is one control and what breaks it.
type cisControl struct {
	ID, Title string
	Types     []string // finding types that break it
	// NeedsCredentialReport: without the credential report the control is not evaluated.
	NeedsCredentialReport bool
}

var cisControls = []cisControl{
	{ID: "1.4", Title: "Ensure no 'root' user account access key exists", Types: []string{FindingRootAccessKey}, NeedsCredentialReport: true},
	{ID: "1.5", Title: "Ensure MFA is enabled for the 'root' user account", Types: []string{FindingRootWithoutMFA}, NeedsCredentialReport: true},
	{ID: "1.10", Title: "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password", Types: []string{FindingConsoleWithoutMFA}, NeedsCredentialReport: true},
	{ID: "1.11", Title: "Do not setup access keys during initial user setup for all IAM users that have a console password", Types: []string{FindingKeyAtSetup}, NeedsCredentialReport: true},
	{ID: "1.12", Title: "Ensure credentials unused for 45 days or greater are disabled", Types: []string{FindingUnusedCredentials}, NeedsCredentialReport: true},
	{ID: "1.13", Title: "Ensure there is only one active access key available for any single IAM user", Types: []string{FindingMultipleActiveKeys}, NeedsCredentialReport: true},
	{ID: "1.14", Title: "Ensure access keys are rotated every 90 days or less", Types: []string{FindingKeyNotRotated}, NeedsCredentialReport: true},
	{ID: "1.15", Title: "Ensure IAM Users Receive Permissions Only Through Groups", Types: []string{FindingUserAttachedPolicies}},
	{ID: "1.16", Title: "Ensure IAM policies that allow full \"*:*\" administrative privileges are not attached", Types: []string{FindingAdminPolicy, FindingWildcardAdmin}},
	{ID: "1.17", Title: "Ensure a support role has been created to manage incidents with AWS Support", Types: []string{FindingNoSupportRole}},
	{ID: "1.22", Title: "Ensure access to AWSCloudShellFullAccess is restricted", Types: []string{FindingCloudShellFullAccess}},
}

// CISControl is a control's result in a report.
type CISControl struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"` // "pass", "fail" or "not_evaluated"
	Findings int    `json:"findings"`
	Note     string `json:"note,omitempty"`
}

// cisOf returns the ids of the controls a finding type breaks.
func cisOf(typ string) []string {
	out := []string{}
	for _, c := range cisControls {
		if slices.Contains(c.Types, typ) {
			out = append(out, c.ID)
		}
	}
	return out
}

// cisResults evaluates every control over the findings.
func cisResults(all []Finding, haveCredReport bool) []CISControl {
	out := make([]CISControl, 0, len(cisControls))
	for _, c := range cisControls {
		r := CISControl{ID: c.ID, Title: c.Title}
		for _, f := range all {
			if slices.Contains(f.CIS, c.ID) {
				r.Findings++
			}
		}
		switch {
		case c.NeedsCredentialReport && !haveCredReport:
			r.Status, r.Note = "not_evaluated", "needs the credential report (--credential-report)"
		case r.Findings > 0:
			r.Status = "fail"
		default:
			r.Status = "pass"
		}
		out = append(out, r)
	}
	return out
}
