// Package issuer defines how the broker hands out credentials for a grant and takes
// them back. Implementations: stsissuer (the broker's own AWS identity calls
// sts:AssumeRole) and, later, a Vault issuer (Vault's AWS secrets engine).
//
// Every issuer enforces the grant's end itself, in AWS or in Vault, so access stops on
// time even if the broker is down: STS sessions carry a session policy condition
// (aws:CurrentTime before the end) and Vault leases a TTL no longer than the time left.
// What cannot be taken back early (STS sessions) is cut off by a Fencer.
package issuer

import (
	"context"
	"time"
)

// Grant is what an issuer needs to know about a grant.
type Grant struct {
	ID string // also the session name and source identity of STS sessions
	// RoleARN is the role the credentials act as (STS, Vault assumed_role).
	RoleARN string
	// SessionPolicy is the profile's session policy (JSON), or "" for none.
	SessionPolicy string
	// EndsAt is when access must stop.
	EndsAt time.Time
	// Vault targets.
	VaultRole      string
	VaultMount     string
	CredentialType string
}

// Credentials are AWS credentials in the shape of credential_process output.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // empty for IAM user keys
	Expiration      time.Time // when the SDK should come back for new ones (at the latest the grant's end)
}

// Issued is the result of Issue: the credentials and what must be kept to revoke them.
type Issued struct {
	Credentials Credentials
	// LeaseID is the Vault lease (empty for direct STS).
	LeaseID string
	// Expires is when the credentials themselves expire at AWS or Vault (for STS at
	// least 15 minutes after issue: the session policy ends access at the grant's end).
	Expires time.Time
}

// Issuer makes and revokes credentials for grants.
type Issuer interface {
	// Issue returns new credentials for an active grant; they stop working at g.EndsAt.
	Issue(ctx context.Context, g Grant) (Issued, error)
	// Revoke takes back what can be taken back for the grant: the given leases (Vault),
	// users and keys. It must be idempotent: a lease already gone is not an error.
	Revoke(ctx context.Context, g Grant, leaseIDs []string) error
}

// Fencer cuts off sessions of a role before their own end: SetFences makes the role's
// fence policy deny exactly the sessions of the given grants issued before until (and
// removes the policy when grants is empty).
type Fencer interface {
	SetFences(ctx context.Context, roleARN string, fences []Fence) error
}

// Fence is one revoked grant whose sessions the role must deny.
type Fence struct {
	GrantID string
	// IssuedBefore: sessions issued before this time are denied (the AWS
	// revoke-older-sessions pattern, on aws:TokenIssueTime).
	IssuedBefore time.Time
}

// ErrNotConfigured names an issuer kind the broker has no configuration for.
type ErrNotConfigured struct{ Kind string }

func (e ErrNotConfigured) Error() string {
	return "issuer " + e.Kind + " is not configured on this broker"
}
