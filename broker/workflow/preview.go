package workflow

import (
	"context"
	"fmt"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/internal/iam"
)

// StandingAccess returns the policies a requester holds without any grant (for
// example their IAM user's policies), so that a preview shows what a grant adds to them.
// Without one, a preview shows everything the grant allows. broker/standing implements it.
type StandingAccess interface {
	Standing(ctx context.Context, subject string, groups []string) ([]iam.NamedPolicy, error)
}

// Preview is what approving a request would add to the requester's standing access: the
// actions the grant's session policy allows that standing access does not, by access
// level, and the engine's risk findings for standing and granted access together that
// standing access alone does not have.
type Preview struct {
	Diff     iam.PolicyDiff    `json:"diff"`
	Findings []iam.RiskFinding `json:"findings"`
	Note     string            `json:"note,omitempty"`
}

// Preview computes the preview of a request the caller may see.
func (s *Service) Preview(ctx context.Context, who domain.Identity, id string) (Preview, error) {
	d, err := s.Get(ctx, who, id)
	if err != nil {
		return Preview{}, err
	}
	r := d.Request
	var out Preview
	if r.SessionPolicy == "" {
		out.Note = "the profile has no session policy: the grant carries the role's own permissions, which the broker does not read"
		return out, nil
	}
	granted, err := iam.Parse([]byte(r.SessionPolicy), iam.KindSession)
	if err != nil {
		return Preview{}, fmt.Errorf("request %s: stored session policy: %w", r.ID, err)
	}
	var standing []iam.NamedPolicy
	if s.Standing != nil {
		if standing, err = s.Standing.Standing(ctx, r.Requester, r.RequesterGroups); err != nil {
			return Preview{}, domain.Unavailable("standing_access", err, "reading the standing access of %s", r.Requester)
		}
	}
	out.Diff, out.Findings = previewOf(standing, iam.NamedPolicy{Name: "grant " + r.ID, Policy: granted})
	return out, nil
}

// previewOf compares standing access with a grant. The grant's credentials are a session
// of their own, so each side is read on its own: a Deny of the standing policies does not
// take away what the grant allows (and the reverse). The diff lists only what the grant
// adds; what standing access has beyond the grant is not taken away by approving it.
// Findings are those of the combination (both sides' policies taken together, and the
// grant alone) that standing access alone does not have.
func previewOf(standing []iam.NamedPolicy, grant iam.NamedPolicy) (iam.PolicyDiff, []iam.RiskFinding) {
	before := make([]*iam.Policy, 0, len(standing))
	for _, p := range standing {
		before = append(before, p.Policy)
	}
	diff := iam.DiffSets(before, []*iam.Policy{grant.Policy})
	diff.Removed = []iam.ResourceActions{}
	levels := []iam.AccessLevelChange{}
	for _, l := range diff.ByAccessLevel {
		if len(l.Added) > 0 {
			levels = append(levels, iam.AccessLevelChange{Level: l.Level, Added: l.Added})
		}
	}
	diff.ByAccessLevel = levels

	type key struct {
		rule, target string
		conditional  bool
	}
	had := map[key]bool{}
	for _, f := range iam.Analyze(standing) {
		had[key{f.Rule, f.Target, f.Conditional}] = true
		if !f.Conditional {
			// An unconditional finding covers the conditional form of the same risk.
			had[key{f.Rule, f.Target, true}] = true
		}
	}
	findings := []iam.RiskFinding{}
	seen := map[key]bool{}
	combined := iam.Analyze(append(append([]iam.NamedPolicy{}, standing...), grant))
	for _, f := range append(combined, iam.Analyze([]iam.NamedPolicy{grant})...) {
		k := key{f.Rule, f.Target, f.Conditional}
		if had[k] || seen[k] || (f.Conditional && seen[key{f.Rule, f.Target, false}]) {
			continue
		}
		seen[k] = true
		findings = append(findings, f)
	}
	return diff, findings
}
