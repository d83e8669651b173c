package main

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/sdk/logical"
)

// rootToken is vaultdev's only token: a root token, as a Vault dev server starts with.
type rootToken struct {
	id       string
	accessor string
	created  int64 // unix seconds
}

// tokenFrom reads the client token as Vault does: X-Vault-Token, else an Authorization bearer.
func tokenFrom(r *http.Request) string {
	if t := r.Header.Get("X-Vault-Token"); t != "" {
		return t
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func (t rootToken) matches(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(t.id)) == 1
}

// lookupSelf answers auth/token/lookup-self (GET or POST) for the root token, in Vault's shape.
func (s *Server) lookupSelf(req *logical.Request) (*logical.Response, error) {
	if req.Operation != logical.ReadOperation && req.Operation != logical.UpdateOperation {
		return nil, errUnsupportedOperation
	}
	return &logical.Response{Data: map[string]any{
		"accessor":         s.token.accessor,
		"creation_time":    s.token.created,
		"creation_ttl":     0,
		"display_name":     "root",
		"entity_id":        "",
		"expire_time":      nil,
		"explicit_max_ttl": 0,
		"id":               s.token.id,
		"meta":             nil,
		"num_uses":         0,
		"orphan":           true,
		"path":             "auth/token/root",
		"policies":         []string{"root"},
		"ttl":              0,
		"type":             "service",
	}}, nil
}
