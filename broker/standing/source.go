package standing

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/rightsize"
)

// Source reads standing access from IAM; it implements workflow.StandingAccess.
type Source struct {
	cfg   Config
	iam   *awsx.IAM
	clock clock.Clock

	mu    sync.Mutex
	cache map[string]cached // by principal ARN
}

type cached struct {
	policies []iam.NamedPolicy
	at       time.Time
}

// New builds a source that reads IAM with awsCfg (the broker's own identity, which needs
// the IAM read actions listed in broker/README.md).
func New(cfg Config, awsCfg aws.Config, clk clock.Clock) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	return &Source{cfg: cfg, iam: awsx.NewIAM(awsCfg), clock: clk, cache: map[string]cached{}}, nil
}

// Standing returns the policies of every principal the person maps to. A principal
// that does not exist in IAM gives nothing; any other AWS error is returned.
func (s *Source) Standing(ctx context.Context, subject string, groups []string) ([]iam.NamedPolicy, error) {
	var out []iam.NamedPolicy
	for _, arn := range s.cfg.Principals(subject, groups) {
		ps, err := s.principal(ctx, arn)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// principal returns the policies of one principal, from the cache when fresh enough.
func (s *Source) principal(ctx context.Context, arn string) ([]iam.NamedPolicy, error) {
	now := s.clock.Now()
	s.mu.Lock()
	c, ok := s.cache[arn]
	s.mu.Unlock()
	if ok && s.cfg.CacheTTL > 0 && now.Sub(c.at) < s.cfg.CacheTTL {
		return c.policies, nil
	}
	ps, err := readPrincipal(ctx, s.iam, arn)
	if err != nil {
		return nil, err
	}
	if s.cfg.CacheTTL > 0 {
		s.mu.Lock()
		s.cache[arn] = cached{policies: ps, at: now}
		s.mu.Unlock()
	}
	return ps, nil
}

// readPrincipal reads a user's or role's policies (with its groups' and its boundary) as
// rightsize does, or a group's own policies. Policy names are prefixed with the ARN so
// that findings say whose policy grants what.
func readPrincipal(ctx context.Context, x *awsx.IAM, arn string) ([]iam.NamedPolicy, error) {
	p, err := x.FindPrincipal(ctx, arn)
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("standing access: %w", err)
	}
	if p.Kind == awsx.KindGroup {
		return readGroup(ctx, x, p)
	}
	gr, err := rightsize.ReadGrantedAWS(ctx, x, p.ARN)
	if awsx.IsNotFound(err) {
		return nil, nil // deleted while being read
	}
	if err != nil {
		return nil, fmt.Errorf("standing access: %w", err)
	}
	var out []iam.NamedPolicy
	for i := range gr.Policies {
		g := &gr.Policies[i]
		out = append(out, iam.NamedPolicy{Name: p.ARN + " " + g.Ref(), Policy: g.Policy()})
	}
	if gr.Boundary != nil {
		deny, err := boundaryDeny(gr.Boundary.Policy())
		if err != nil {
			return nil, fmt.Errorf("standing access: permissions boundary of %s: %w", p.ARN, err)
		}
		if deny != nil {
			out = append(out, iam.NamedPolicy{Name: p.ARN + " boundary " + gr.Boundary.Ref(), Policy: deny})
		}
	}
	return out, nil
}

// readGroup reads an IAM group's managed and inline policies.
func readGroup(ctx context.Context, x *awsx.IAM, p awsx.Principal) ([]iam.NamedPolicy, error) {
	pp, err := x.ReadPrincipalPolicies(ctx, p)
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("standing access: reading the policies of %s: %w", p.ARN, err)
	}
	var out []iam.NamedPolicy
	for _, mp := range pp.Managed {
		pol, err := iam.Parse(mp.Document, iam.KindManaged)
		if err != nil {
			return nil, fmt.Errorf("standing access: policy %s of %s: %w", mp.ARN, p.ARN, err)
		}
		out = append(out, iam.NamedPolicy{Name: p.ARN + " " + mp.ARN, Policy: pol})
	}
	for _, ip := range pp.Inline {
		pol, err := iam.Parse(ip.Document, iam.KindInlineGroup)
		if err != nil {
			return nil, fmt.Errorf("standing access: inline policy %s of %s: %w", ip.Name, p.ARN, err)
		}
		out = append(out, iam.NamedPolicy{Name: p.ARN + " inline:" + ip.Name, Policy: pol})
	}
	return out, nil
}
