package domain

import (
	"regexp"
	"time"
)

// Issuer kinds: how a profile's credentials are made.
const (
	IssuerSTS   = "sts"   // the broker's own AWS identity calls sts:AssumeRole
	IssuerVault = "vault" // HashiCorp Vault's AWS secrets engine
)

// Vault credential types.
const (
	CredentialAssumedRole = "assumed_role" // aws/sts/<role>
	CredentialIAMUser     = "iam_user"     // aws/creds/<role>; revoking the lease deletes the user
)

// Profile says what may be requested, by whom, for how long, approved by whom.
type Profile struct {
	Name        string
	Description string
	Target      Target
	// SessionPolicy is the JSON session policy applied to every credential the profile
	// issues (canonical form once validated). Empty means the role's own permissions.
	SessionPolicy   string
	MaxDuration     time.Duration
	DefaultDuration time.Duration
	Requesters      Principals
	Approval        ApprovalRule
	RequireReason   bool
	RequireTicket   bool
	BreakGlass      BreakGlass

	UpdatedAt time.Time
	UpdatedBy string
}

// Target is where credentials come from.
type Target struct {
	Issuer  string // IssuerSTS or IssuerVault
	RoleARN string // the AWS role the credentials act as
	// VaultRole is the role of Vault's AWS secrets engine (IssuerVault), and VaultMount
	// its mount path (default "aws").
	VaultRole  string
	VaultMount string
	// CredentialType for Vault: "assumed_role" (aws/sts/<role>) or "iam_user"
	// (aws/creds/<role>).
	CredentialType string
}

// ApprovalRule is who approves and how many approvals a request needs.
type ApprovalRule struct {
	Approvers Principals
	// Required distinct approvals (N of the approvers). At least 1 unless Auto.
	Required int
	// Auto approves every eligible request at once.
	Auto bool
}

// BreakGlass lets a requester approve their own request in an emergency: a reason is
// required, the duration is capped at MaxDuration, every approver is notified and the
// grant is flagged for review.
type BreakGlass struct {
	Enabled     bool
	MaxDuration time.Duration
}

// Limits that hold for every profile.
const (
	MinDuration          = time.Minute
	MaxProfileDuration   = 12 * time.Hour // the longest an AWS role session can last
	DefaultBreakGlassMax = time.Hour
	MaxReasonLength      = 1000
	MaxTicketLength      = 200
	MaxDescriptionLength = 1000
)

var (
	profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	roleARNRE     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

// ValidateProfile checks a profile's own fields. The session policy is checked by the
// caller with the IAM engine (this package does not depend on it).
func ValidateProfile(p Profile) error {
	switch {
	case !profileNameRE.MatchString(p.Name):
		return Invalid("invalid_profile", "profile name %q: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit", p.Name)
	case len(p.Description) > MaxDescriptionLength:
		return Invalid("invalid_profile", "profile %s: description longer than %d characters", p.Name, MaxDescriptionLength)
	case p.Target.Issuer != IssuerSTS && p.Target.Issuer != IssuerVault:
		return Invalid("invalid_profile", "profile %s: issuer %q: must be %q or %q", p.Name, p.Target.Issuer, IssuerSTS, IssuerVault)
	case p.Target.Issuer == IssuerSTS && !roleARNRE.MatchString(p.Target.RoleARN):
		return Invalid("invalid_profile", "profile %s: role_arn %q is not an IAM role ARN", p.Name, p.Target.RoleARN)
	case p.Target.Issuer == IssuerVault && p.Target.VaultRole == "":
		return Invalid("invalid_profile", "profile %s: vault_role is required with the vault issuer", p.Name)
	case p.Target.Issuer == IssuerVault && p.Target.CredentialType != CredentialAssumedRole && p.Target.CredentialType != CredentialIAMUser:
		return Invalid("invalid_profile", "profile %s: credential_type %q: must be %s or %s", p.Name, p.Target.CredentialType, CredentialAssumedRole, CredentialIAMUser)
	case p.Target.Issuer == IssuerVault && p.Target.CredentialType == CredentialAssumedRole && !roleARNRE.MatchString(p.Target.RoleARN):
		// The broker fences early revocations on the role itself, so it must know it.
		return Invalid("invalid_profile", "profile %s: role_arn %q is not an IAM role ARN (the role Vault's role assumes)", p.Name, p.Target.RoleARN)
	case p.MaxDuration < MinDuration || p.MaxDuration > MaxProfileDuration:
		return Invalid("invalid_profile", "profile %s: max_duration %s: must be between %s and %s", p.Name, p.MaxDuration, MinDuration, MaxProfileDuration)
	case p.DefaultDuration < MinDuration || p.DefaultDuration > p.MaxDuration:
		return Invalid("invalid_profile", "profile %s: default_duration %s: must be between %s and max_duration %s", p.Name, p.DefaultDuration, MinDuration, p.MaxDuration)
	case p.Requesters.Empty():
		return Invalid("invalid_profile", "profile %s: requesters: name at least one user or group", p.Name)
	case !p.Approval.Auto && p.Approval.Required < 1:
		return Invalid("invalid_profile", "profile %s: approval.required %d: must be at least 1 (or set approval.auto)", p.Name, p.Approval.Required)
	case !p.Approval.Auto && p.Approval.Approvers.Empty():
		return Invalid("invalid_profile", "profile %s: approval.approvers: name at least one user or group (or set approval.auto)", p.Name)
	case !p.Approval.Auto && len(p.Approval.Approvers.Groups) == 0 && p.Approval.Required > len(p.Approval.Approvers.Users):
		return Invalid("invalid_profile", "profile %s: approval.required %d is more than the %d approvers named", p.Name, p.Approval.Required, len(p.Approval.Approvers.Users))
	case p.BreakGlass.Enabled && (p.BreakGlass.MaxDuration < MinDuration || p.BreakGlass.MaxDuration > p.MaxDuration):
		return Invalid("invalid_profile", "profile %s: break_glass.max_duration %s: must be between %s and max_duration %s", p.Name, p.BreakGlass.MaxDuration, MinDuration, p.MaxDuration)
	}
	return nil
}

// CanApprove reports whether id is one of the profile's approvers.
func (p Profile) CanApprove(id Identity) bool { return p.Approval.Approvers.Includes(id) }
