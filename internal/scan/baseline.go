package scan

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/ciem/ciem/internal/iam"
)

// The baseline diff: what a scan finds that an earlier scan of the same account did not,
// for a daily job that fails (exit code 2) when something new and severe appears.

// BaselineDiff is what changed since the baseline scan.
type BaselineDiff struct {
	BaselineAccount   string   `json:"baseline_account"`
	NewPrincipals     []string `json:"new_principals"`
	RemovedPrincipals []string `json:"removed_principals"`
	// NewFindings are findings the baseline did not have (by type, rule, principal and
	// resource); ResolvedFindings the reverse.
	NewFindings      []Finding `json:"new_findings"`
	ResolvedFindings []Finding `json:"resolved_findings"`
	// NewAdminPaths are principals that can now become administrator and could not
	// before, or now by a different path.
	NewAdminPaths []AdminPathChange `json:"new_admin_paths"`
	// Gate is true when a new finding is high or critical, or a new admin path appeared:
	// `ciem scan --baseline` then exits with code 2.
	Gate bool `json:"gate"`
}

// AdminPathChange is a principal's new path to administrator.
type AdminPathChange struct {
	Principal   string `json:"principal"`
	Steps       int    `json:"steps"`
	BeforeSteps *int   `json:"before_steps"` // null when it had no path before
	Path        []Step `json:"path"`
}

// ReadBaseline reads an earlier scan's JSON report.
func ReadBaseline(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, jsonError(path, data, err))
	}
	if !strings.HasPrefix(r.Schema, "ciem.scan/") {
		return nil, fmt.Errorf("baseline %s: not a ciem scan report (schema %q): write one with ciem scan --format json", path, r.Schema)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("baseline %s: schema %s, this ciem reads %s", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}

// CompareBaseline sets r.Baseline to what changed since old and returns it.
func CompareBaseline(r, old *Report) *BaselineDiff {
	d := &BaselineDiff{BaselineAccount: old.Account, NewPrincipals: []string{}, RemovedPrincipals: []string{},
		NewFindings: []Finding{}, ResolvedFindings: []Finding{}, NewAdminPaths: []AdminPathChange{}}
	before := map[string]*PrincipalReport{}
	for i := range old.Principals {
		before[old.Principals[i].ARN] = &old.Principals[i]
	}
	now := map[string]bool{}
	for i := range r.Principals {
		p := &r.Principals[i]
		now[p.ARN] = true
		b, existed := before[p.ARN]
		if !existed {
			d.NewPrincipals = append(d.NewPrincipals, p.ARN)
		}
		if !p.AdminReachable || p.IsAdmin {
			continue
		}
		if existed && (b.AdminReachable && !b.IsAdmin) && pathSignature(b.AdminPath) == pathSignature(p.AdminPath) {
			continue
		}
		c := AdminPathChange{Principal: p.ARN, Steps: p.AdminSteps, Path: p.AdminPath}
		if existed && b.AdminReachable && !b.IsAdmin {
			n := b.AdminSteps
			c.BeforeSteps = &n
		}
		d.NewAdminPaths = append(d.NewAdminPaths, c)
	}
	for _, p := range old.Principals {
		if !now[p.ARN] {
			d.RemovedPrincipals = append(d.RemovedPrincipals, p.ARN)
		}
	}
	oldKeys, newKeys := map[string]bool{}, map[string]bool{}
	for _, f := range old.allFindings() {
		oldKeys[f.key()] = true
	}
	for _, f := range r.allFindings() {
		newKeys[f.key()] = true
		if !oldKeys[f.key()] {
			d.NewFindings = append(d.NewFindings, f)
			if f.Severity == iam.RiskCritical || f.Severity == iam.RiskHigh {
				d.Gate = true
			}
		}
	}
	for _, f := range old.allFindings() {
		if !newKeys[f.key()] {
			d.ResolvedFindings = append(d.ResolvedFindings, f)
		}
	}
	if len(d.NewAdminPaths) > 0 {
		d.Gate = true
	}
	sort.Strings(d.NewPrincipals)
	sort.Strings(d.RemovedPrincipals)
	sortFindings(d.NewFindings)
	sortFindings(d.ResolvedFindings)
	r.Baseline = d
	return d
}

// pathSignature is a path's steps without their wording.
func pathSignature(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.From + ">" + s.Kind + ">" + s.Target + ">" + s.To + ";")
	}
	return b.String()
}
