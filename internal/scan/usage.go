package scan

import (
	"math"
	"sort"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/usage"
)

// Usage: which granted actions each principal was seen using in the usage window (the
// digest of `ciem usage digest`), the share left unused, and principals with no activity.

// unusedFindingRatio is the share of granted actions left unused above which the scan
// reports it.
const unusedFindingRatio = 0.9

type usageResult struct {
	granted, unused int
	ratio           *float64
	last            string
	usedBy          map[string]int // service prefix -> granted actions used
	findings        []Finding
}

func usageOf(d *usage.Digest, ps []*principal, sets []grantSets, paths []PathResult) []usageResult {
	cat := catalog.Default()
	out := make([]usageResult, len(ps))
	for i, p := range ps {
		granted := sets[i].effective
		used := cat.NewSet()
		u := usageResult{usedBy: map[string]int{}, granted: granted.Len()}
		pu := d.Principal(p.arn)
		if pu != nil {
			for _, au := range pu.Actions {
				if au.Used() {
					used.Add(au.ID)
				}
			}
			u.last = isoOrEmpty(pu.Last)
		}
		inUse := used.Intersect(granted)
		inUse.Each(func(id catalog.ActionID) bool {
			u.usedBy[cat.Action(id).Service.Prefix]++
			return true
		})
		u.unused = u.granted - inUse.Len()
		if u.granted > 0 {
			v := round4(float64(u.unused) / float64(u.granted))
			u.ratio = &v
		}
		switch {
		case pu == nil || pu.Count == 0:
			sev := iam.RiskLow
			if paths[i].Reachable {
				sev = iam.RiskMedium
			}
			u.findings = append(u.findings, Finding{Type: FindingInactivePrincipal, Rule: "inactive-principal", Severity: sev, Principal: p.arn,
				Title: "No activity in the usage window", Actions: []string{}, Policies: []string{},
				Detail: "no call of the principal was seen in the usage window; remove it, or its permissions, if it is not needed"})
		case u.ratio != nil && *u.ratio >= unusedFindingRatio && u.granted >= 10:
			u.findings = append(u.findings, Finding{Type: FindingUnusedPermissions, Rule: "unused-permissions", Severity: iam.RiskLow, Principal: p.arn,
				Title: "Most granted actions unused", Actions: []string{}, Policies: []string{},
				Detail: itoa(u.unused) + " of " + itoa(u.granted) + " granted actions were not used in the usage window (ciem rightsize suggests a smaller policy)"})
		}
		out[i] = u
	}
	return out
}

func usageInfo(d *usage.Digest) *UsageInfo {
	ui := &UsageInfo{Since: isoOrEmpty(d.Window.Since), Until: isoOrEmpty(d.Window.Until), Sources: []string{}, Events: d.Totals.Counted}
	for _, s := range d.Sources {
		ui.Sources = append(ui.Sources, string(s.Kind)+"="+s.Location)
	}
	sort.Strings(ui.Sources)
	return ui
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }
