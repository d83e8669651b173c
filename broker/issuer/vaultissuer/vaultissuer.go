// Package vaultissuer issues credentials through HashiCorp Vault's AWS secrets engine,
// with documented github.com/hashicorp/vault/api calls only, so it works with any
// Vault (1.13.2 or later) as with tools/vaultdev in tests.
//
// Vault takes a session policy from a role's policy_document, not from the request,
// so every grant gets a role of its own, "ciem-<grant id>", written from the profile's
// vault_role (a template: its user_path and permissions_boundary_arn are kept; its
// policy_arns and iam_groups are not, since they could outlive the grant) with the
// profile's session policy bounded to the grant's end (aws:CurrentTime). Then:
//
//   - assumed_role: POST <mount>/sts/ciem-<id> with ttl clamped to the time left (at
//     least AWS's 15 minutes; the policy ends access at the grant's end) and the grant
//     id as session name (fences match it). Revoking its lease does nothing at AWS; the
//     broker's fence does.
//   - iam_user: GET <mount>/creds/ciem-<id>. The user's inline policy stops working at
//     the grant's end even if nothing else happens; revoking the lease deletes the user.
//
// Revoke revokes the grant's leases (sys/leases/revoke) and deletes its role. The
// broker's Vault token needs: update on <mount>/sts/ciem-*, read on <mount>/creds/ciem-*,
// create/update/delete on <mount>/roles/ciem-*, read on <mount>/roles/<templates>, and
// update on sys/leases/revoke.
package vaultissuer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/issuer"
)

// AWS limits on assumed_role durations.
const (
	minSTSTTL = 15 * time.Minute
	maxSTSTTL = 12 * time.Hour
)

// Issuer issues through Vault.
type Issuer struct {
	client *vault.Client
	clock  clock.Clock
}

var _ issuer.Issuer = (*Issuer)(nil)

// New returns an issuer for the Vault at addr, authenticating with token.
func New(addr, token string, clk clock.Clock) (*Issuer, error) {
	cfg := vault.DefaultConfig()
	cfg.Address = addr
	cfg.Timeout = 30 * time.Second
	c, err := vault.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault client for %s: %w", addr, err)
	}
	c.SetToken(token)
	return &Issuer{client: c, clock: clk}, nil
}

// RoleName is the Vault role of one grant.
func RoleName(grantID string) string { return "ciem-" + grantID }

func mountOf(g issuer.Grant) string {
	if g.VaultMount == "" {
		return "aws"
	}
	return strings.Trim(g.VaultMount, "/")
}

// Issue writes the grant's role and reads credentials from it.
func (i *Issuer) Issue(ctx context.Context, g issuer.Grant) (issuer.Issued, error) {
	now := i.clock.Now()
	left := g.EndsAt.Sub(now)
	if left <= 0 {
		return issuer.Issued{}, fmt.Errorf("grant %s ended at %s", g.ID, g.EndsAt.Format(time.RFC3339))
	}
	mount, role := mountOf(g), RoleName(g.ID)
	if err := i.writeRole(ctx, g); err != nil {
		return issuer.Issued{}, err
	}
	var (
		s   *vault.Secret
		err error
	)
	switch g.CredentialType {
	case domain.CredentialAssumedRole:
		ttl := max(minSTSTTL, min(left.Round(time.Second)+time.Second, maxSTSTTL))
		s, err = i.client.Logical().WriteWithContext(ctx, mount+"/sts/"+role, map[string]any{
			"ttl": int(ttl / time.Second), "role_session_name": g.ID, "role_arn": g.RoleARN})
	case domain.CredentialIAMUser:
		s, err = i.client.Logical().ReadWithContext(ctx, mount+"/creds/"+role)
	default:
		return issuer.Issued{}, fmt.Errorf("grant %s: credential type %q is not one the broker issues through Vault", g.ID, g.CredentialType)
	}
	if err != nil {
		return issuer.Issued{}, fmt.Errorf("vault %s/%s for grant %s: %w", mount, role, g.ID, err)
	}
	if s == nil || s.Data == nil {
		return issuer.Issued{}, fmt.Errorf("vault %s/%s for grant %s: no credentials in the answer", mount, role, g.ID)
	}
	str := func(k string) string { v, _ := s.Data[k].(string); return v }
	c := issuer.Credentials{AccessKeyID: str("access_key"), SecretAccessKey: str("secret_key"), SessionToken: str("session_token")}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return issuer.Issued{}, fmt.Errorf("vault %s/%s for grant %s: the answer has no access key", mount, role, g.ID)
	}
	expires := now.Add(time.Duration(s.LeaseDuration) * time.Second)
	c.Expiration = expires
	if s.LeaseDuration == 0 || expires.After(g.EndsAt) {
		c.Expiration = g.EndsAt
	}
	return issuer.Issued{Credentials: c, LeaseID: s.LeaseID, Expires: expires}, nil
}

// writeRole writes the grant's Vault role from the profile's template role.
func (i *Issuer) writeRole(ctx context.Context, g issuer.Grant) error {
	mount := mountOf(g)
	tmpl, err := i.client.Logical().ReadWithContext(ctx, mount+"/roles/"+g.VaultRole)
	if err != nil {
		return fmt.Errorf("reading vault role %s/roles/%s: %w", mount, g.VaultRole, err)
	}
	if tmpl == nil {
		return fmt.Errorf("vault role %s/roles/%s does not exist (the profile's vault_role)", mount, g.VaultRole)
	}
	policy, err := issuer.BoundPolicy(g.SessionPolicy, g.EndsAt)
	if err != nil {
		return fmt.Errorf("grant %s: %w", g.ID, err)
	}
	role := map[string]any{"credential_type": g.CredentialType, "policy_document": policy}
	switch g.CredentialType {
	case domain.CredentialAssumedRole:
		if arns := stringList(tmpl.Data["role_arns"]); len(arns) > 0 && !slices.Contains(arns, g.RoleARN) {
			return fmt.Errorf("vault role %s/roles/%s may not assume %s (its role_arns: %s)", mount, g.VaultRole, g.RoleARN, strings.Join(arns, ", "))
		}
		role["role_arns"] = []string{g.RoleARN}
		role["max_sts_ttl"] = int(maxSTSTTL / time.Second)
	case domain.CredentialIAMUser:
		for _, k := range []string{"user_path", "permissions_boundary_arn"} {
			if v, ok := tmpl.Data[k].(string); ok && v != "" {
				role[k] = v
			}
		}
	}
	if _, err := i.client.Logical().WriteWithContext(ctx, mount+"/roles/"+RoleName(g.ID), role); err != nil {
		return fmt.Errorf("writing vault role %s/roles/%s: %w", mount, RoleName(g.ID), err)
	}
	return nil
}

// Revoke revokes the grant's leases (deleting its IAM users) and its role. Leases and
// roles already gone are not errors.
func (i *Issuer) Revoke(ctx context.Context, g issuer.Grant, leaseIDs []string) error {
	var errs []error
	for _, id := range leaseIDs {
		if err := i.client.Sys().RevokeWithContext(ctx, id); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("revoking vault lease %s: %w", id, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...) // keep the role until its leases are gone
	}
	if g.VaultRole == "" {
		return nil
	}
	path := mountOf(g) + "/roles/" + RoleName(g.ID)
	if _, err := i.client.Logical().DeleteWithContext(ctx, path); err != nil && !gone(err) {
		return fmt.Errorf("deleting vault role %s: %w", path, err)
	}
	return nil
}

// gone reports Vault's answers for a lease or role that no longer exists.
func gone(err error) bool {
	var re *vault.ResponseError
	if errors.As(err, &re) && re.StatusCode == 404 {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "invalid lease") || strings.Contains(msg, "lease not found")
}

func stringList(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = v
	}
	return out
}
