package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ciem/ciem/broker/api"
)

// CreateToken creates an API token (administrators only). The answer carries the
// token's secret, which the broker never shows again.
func (c *Client) CreateToken(ctx context.Context, in api.CreateToken) (api.CreatedToken, error) {
	var out api.CreatedToken
	return out, c.do(ctx, http.MethodPost, "/v1/tokens", in, &out)
}

// Tokens lists API tokens, without their secrets (administrators only).
func (c *Client) Tokens(ctx context.Context) ([]api.TokenView, error) {
	var out struct {
		Tokens []api.TokenView `json:"tokens"`
	}
	return out.Tokens, c.do(ctx, http.MethodGet, "/v1/tokens", nil, &out)
}

// RevokeToken revokes the API token with id (administrators only) and returns it.
func (c *Client) RevokeToken(ctx context.Context, id string) (api.TokenView, error) {
	var out api.TokenView
	return out, c.do(ctx, http.MethodDelete, "/v1/tokens/"+url.PathEscape(id), nil, &out)
}
