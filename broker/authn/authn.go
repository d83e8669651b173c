// Package authn turns a request's bearer token into an identity: a hashed static API
// token (automation, the Terraform provider, the CLI in dev) or an OIDC ID/access token
// (people), verified against the issuer's published keys.
package authn

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ciem/ciem/broker/domain"
)

// Authenticator verifies a bearer token.
type Authenticator interface {
	Authenticate(ctx context.Context, bearer string) (domain.Identity, error)
}

// ErrNoToken means the request carried no bearer token.
var ErrNoToken = &domain.Error{Kind: domain.KindUnauthenticated, Code: "no_token", Message: "an Authorization: Bearer token is required"}

func unauthenticated(code, format string, args ...any) *domain.Error {
	e := domain.Invalid(code, format, args...)
	e.Kind = domain.KindUnauthenticated
	return e
}

// Bearer extracts the token from an Authorization header.
func Bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", ErrNoToken
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", unauthenticated("bad_authorization", "the Authorization header must be \"Bearer <token>\"")
	}
	return strings.TrimSpace(token), nil
}

// Chain tries API tokens for "ciem_" tokens and OIDC for anything else.
type Chain struct {
	Tokens *Tokens
	OIDC   *OIDC // nil: OIDC not configured
	// Admins are granted administrator rights whatever their token says.
	Admins domain.Principals
}

// Authenticate implements Authenticator.
func (c Chain) Authenticate(ctx context.Context, bearer string) (domain.Identity, error) {
	var (
		id  domain.Identity
		err error
	)
	switch {
	case strings.HasPrefix(bearer, TokenPrefix):
		if c.Tokens == nil {
			return id, unauthenticated("invalid_token", "API tokens are not enabled")
		}
		id, err = c.Tokens.Authenticate(ctx, bearer)
	case c.OIDC != nil:
		id, err = c.OIDC.Authenticate(ctx, bearer)
	default:
		return id, unauthenticated("invalid_token", "not a ciem API token, and OIDC is not configured")
	}
	if err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			err = domain.Unavailable("authn_failed", err, "checking the token")
		}
		return id, err
	}
	if c.Admins.Includes(id) {
		id.Admin = true
	}
	return id, nil
}
