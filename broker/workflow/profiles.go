package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
	"github.com/ciem/ciem/internal/iam"
)

// PutProfile creates or replaces a profile (administrators only). The session policy
// must be a valid session policy with no ERROR findings; it is stored canonical.
func (s *Service) PutProfile(ctx context.Context, who domain.Identity, p domain.Profile) (domain.Profile, error) {
	if !who.Admin {
		return p, domain.ErrNotAdmin
	}
	p, err := NormaliseProfile(p)
	if err != nil {
		return p, err
	}
	now := s.now()
	p.UpdatedAt, p.UpdatedBy = now, who.Subject
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutProfile(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, tx, now, who.Subject, audit.ActionProfilePut, p.Name, profileData(p))
	})
	return p, err
}

// NormaliseProfile validates a profile and puts its session policy in canonical form.
func NormaliseProfile(p domain.Profile) (domain.Profile, error) {
	if p.Target.Issuer == domain.IssuerVault && p.Target.VaultMount == "" {
		p.Target.VaultMount = "aws"
	}
	if p.Target.Issuer == domain.IssuerSTS && p.Target.CredentialType == "" {
		p.Target.CredentialType = domain.CredentialAssumedRole
	}
	if err := domain.ValidateProfile(p); err != nil {
		return p, err
	}
	if strings.TrimSpace(p.SessionPolicy) == "" {
		p.SessionPolicy = ""
		return p, nil
	}
	var problems []string
	for _, f := range iam.Validate([]byte(p.SessionPolicy), iam.KindSession) {
		if f.Severity == iam.SeverityError {
			problems = append(problems, f.String())
		}
	}
	if len(problems) > 0 {
		return p, domain.Invalid("invalid_session_policy", "profile %s: session_policy: %s", p.Name, strings.Join(problems, "; "))
	}
	canon, err := iam.CanonicalJSON([]byte(p.SessionPolicy), iam.KindSession)
	if err != nil {
		return p, domain.Invalid("invalid_session_policy", "profile %s: session_policy: %v", p.Name, err)
	}
	p.SessionPolicy = string(canon)
	return p, nil
}

func profileData(p domain.Profile) map[string]any {
	return map[string]any{
		"description": p.Description, "issuer": p.Target.Issuer, "role_arn": p.Target.RoleARN, "vault_role": p.Target.VaultRole,
		"credential_type": p.Target.CredentialType, "session_policy": p.SessionPolicy,
		"max_duration": p.MaxDuration.String(), "default_duration": p.DefaultDuration.String(),
		"requesters": p.Requesters, "approvers": p.Approval.Approvers, "required": p.Approval.Required, "auto": p.Approval.Auto,
		"require_reason": p.RequireReason, "require_ticket": p.RequireTicket,
		"break_glass": p.BreakGlass.Enabled, "break_glass_max": p.BreakGlass.MaxDuration.String(),
	}
}

// DeleteProfile removes a profile (administrators only). Grants made from it keep
// running to their end: each request carries its own copy of the target and policy.
func (s *Service) DeleteProfile(ctx context.Context, who domain.Identity, name string) error {
	if !who.Admin {
		return domain.ErrNotAdmin
	}
	now := s.now()
	return s.store.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteProfile(ctx, name); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return profileNotFound(name)
			}
			return err
		}
		return s.record(ctx, tx, now, who.Subject, audit.ActionProfileDeleted, name, nil)
	})
}

// Profile returns one profile; everyone authenticated may read profiles, to know what
// they can request.
func (s *Service) Profile(ctx context.Context, name string) (domain.Profile, error) {
	var p domain.Profile
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = requireProfile(ctx, tx, name)
		return err
	})
	return p, err
}

// Profiles lists every profile.
func (s *Service) Profiles(ctx context.Context) ([]domain.Profile, error) {
	var ps []domain.Profile
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		ps, err = tx.Profiles(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	return ps, nil
}
