package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/domain"
)

// OIDCConfig configures bearer-token checks against an OpenID Connect provider.
type OIDCConfig struct {
	Issuer   string // e.g. https://login.example.com; discovery is Issuer/.well-known/openid-configuration
	Audience string // the token's aud must contain it (the broker's client id)
	// UsernameClaim names the claim used as the identity's subject (default "email",
	// falling back to "sub" when absent).
	UsernameClaim string
	// GroupsClaim names the claim holding group names (default "groups").
	GroupsClaim string
	HTTPClient  *http.Client
	Clock       clock.Clock
	// Leeway for exp/nbf/iat against clock skew (default 1 minute).
	Leeway time.Duration
}

// OIDC verifies JWTs signed by an OIDC provider. Keys come from the provider's JWKS,
// refetched when a token names a key id not seen yet (providers rotate keys), at most
// once per RefreshEvery.
type OIDC struct {
	cfg     OIDCConfig
	jwksURI string

	mu        sync.Mutex
	keys      jose.JSONWebKeySet
	fetchedAt time.Time
}

// RefreshEvery bounds JWKS refetches prompted by unknown key ids.
const RefreshEvery = time.Minute

var signingAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// NewOIDC reads the provider's discovery document and keys.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("oidc: issuer and audience are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.UsernameClaim == "" {
		cfg.UsernameClaim = "email"
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = time.Minute
	}
	o := &OIDC{cfg: cfg}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	url := strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/openid-configuration"
	if err := o.getJSON(ctx, url, &disc); err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	if disc.Issuer != cfg.Issuer {
		return nil, fmt.Errorf("oidc discovery: %s says its issuer is %q, not %q", url, disc.Issuer, cfg.Issuer)
	}
	if disc.JWKSURI == "" {
		return nil, fmt.Errorf("oidc discovery: %s has no jwks_uri", url)
	}
	o.jwksURI = disc.JWKSURI
	if err := o.refresh(ctx); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *OIDC) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := o.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

func (o *OIDC) refresh(ctx context.Context) error {
	var ks jose.JSONWebKeySet
	if err := o.getJSON(ctx, o.jwksURI, &ks); err != nil {
		return fmt.Errorf("oidc keys: %w", err)
	}
	o.mu.Lock()
	o.keys, o.fetchedAt = ks, o.cfg.Clock.Now()
	o.mu.Unlock()
	return nil
}

// key finds the key for kid, refetching the key set once if it is unknown.
func (o *OIDC) key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	o.mu.Lock()
	keys, fetched := o.keys.Key(kid), o.fetchedAt
	o.mu.Unlock()
	if len(keys) == 0 && o.cfg.Clock.Now().Sub(fetched) >= RefreshEvery {
		if err := o.refresh(ctx); err != nil {
			return nil, err
		}
		o.mu.Lock()
		keys = o.keys.Key(kid)
		o.mu.Unlock()
	}
	if len(keys) == 0 {
		return nil, unauthenticated("invalid_token", "the token's signing key %q is not among the issuer's keys", kid)
	}
	return &keys[0], nil
}

// Authenticate verifies a JWT: signature by one of the issuer's keys, iss, aud, exp
// (required), nbf and iat; then reads the username and groups claims.
func (o *OIDC) Authenticate(ctx context.Context, bearer string) (domain.Identity, error) {
	tok, err := jwt.ParseSigned(bearer, signingAlgs)
	if err != nil {
		return domain.Identity{}, unauthenticated("invalid_token", "not a signed JWT: %v", err)
	}
	if len(tok.Headers) != 1 {
		return domain.Identity{}, unauthenticated("invalid_token", "the JWT must have exactly one signature")
	}
	key, err := o.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return domain.Identity{}, err
	}
	var std jwt.Claims
	var all map[string]any
	if err := tok.Claims(key.Key, &std, &all); err != nil {
		return domain.Identity{}, unauthenticated("invalid_token", "the JWT's signature does not verify: %v", err)
	}
	if std.Expiry == nil {
		return domain.Identity{}, unauthenticated("invalid_token", "the JWT has no exp claim")
	}
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: o.cfg.Issuer, AnyAudience: jwt.Audience{o.cfg.Audience}, Time: o.cfg.Clock.Now()}, o.cfg.Leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return domain.Identity{}, unauthenticated("token_expired", "the token expired at %s", std.Expiry.Time().UTC().Format(time.RFC3339))
	case err != nil:
		return domain.Identity{}, unauthenticated("invalid_token", "%v", err)
	}
	subject, _ := all[o.cfg.UsernameClaim].(string)
	if subject == "" {
		subject = std.Subject
	}
	if subject == "" {
		return domain.Identity{}, unauthenticated("invalid_token", "the token has neither a %s nor a sub claim", o.cfg.UsernameClaim)
	}
	return domain.Identity{Subject: subject, Groups: stringList(all[o.cfg.GroupsClaim]), Via: "oidc"}, nil
}

// stringList reads a claim that is a string or a list of strings.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
