package workflow

import (
	"context"
	"fmt"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/internal/iam"
)

// StandingAccess returns the policies a requester holds without any grant (for
// example their SSO permission set or IAM user's policies), so that a preview shows
// what a grant adds to them. Without one, a preview shows everything the grant allows.
type StandingAccess interface {
	Standing(ctx context.Context, requester string) ([]iam.NamedPolicy, error)
}

// Preview is what approving a request would add: the actions the grant's session policy
// allows beyond the requester's standing access, by access level, and the engine's risk
// findings for standing and granted access together.
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
	var standing []iam.NamedPolicy
	if s.Standing != nil {
		if standing, err = s.Standing.Standing(ctx, r.Requester); err != nil {
			return Preview{}, domain.Unavailable("standing_access", err, "reading the standing access of %s", r.Requester)
		}
	}
	var out Preview
	if r.SessionPolicy == "" {
		out.Note = "the profile has no session policy: the grant carries the role's own permissions, which the broker does not read"
		return out, nil
	}
	granted, err := iam.Parse([]byte(r.SessionPolicy), iam.KindSession)
	if err != nil {
		return Preview{}, fmt.Errorf("request %s: stored session policy: %w", r.ID, err)
	}
	var before []*iam.Policy
	for _, p := range standing {
		before = append(before, p.Policy)
	}
	out.Diff = iam.DiffSets(before, append(append([]*iam.Policy{}, before...), granted))
	out.Findings = iam.Analyze(append(standing, iam.NamedPolicy{Name: "grant " + r.ID, Policy: granted}))
	return out, nil
}
