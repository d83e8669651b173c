package main

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

// Field schemas of Vault's sys/leases endpoints; the SDK's FieldData parses request data with
// them exactly as Vault does (an increment may be 3600 or "1h", sync may be false or "false").
var (
	leaseIDField = &framework.FieldSchema{Type: framework.TypeString, Description: "lease ID"}
	syncField    = &framework.FieldSchema{Type: framework.TypeBool, Default: true, Description: "revoke before answering"}
	leaseSchema  = map[string]*framework.FieldSchema{
		"lease_id":     leaseIDField,
		"url_lease_id": leaseIDField,
		"increment":    {Type: framework.TypeDurationSecond, Description: "requested TTL extension"},
		"sync":         syncField,
		"prefix":       {Type: framework.TypeString, Description: "lease ID prefix"},
	}
)

// sysLeases serves sys/leases/{lookup,renew,revoke,revoke-prefix,revoke-force}.
func (s *Server) sysLeases(ctx context.Context, req *logical.Request) (*logical.Response, error) {
	rest := strings.TrimPrefix(req.Path, "sys/leases/")
	action, arg, _ := strings.Cut(rest, "/")
	raw := map[string]any{}
	for k, v := range req.Data {
		raw[k] = v
	}
	switch action {
	case "renew", "revoke":
		if arg != "" {
			raw["url_lease_id"] = arg
		}
	case "revoke-prefix", "revoke-force":
		raw["prefix"] = arg
	}
	d := &framework.FieldData{Raw: raw, Schema: leaseSchema}
	if err := d.Validate(); err != nil {
		return logical.ErrorResponse("Field validation failed: %s", err.Error()), nil
	}

	switch {
	case action == "lookup" && req.Operation == logical.ListOperation:
		return s.leaseList(arg), nil
	case action == "lookup" && arg == "" && req.Operation == logical.UpdateOperation:
		return s.leaseLookup(d)
	case action == "renew" && req.Operation == logical.UpdateOperation:
		return s.leaseRenew(ctx, d)
	case action == "revoke" && req.Operation == logical.UpdateOperation:
		return s.leaseRevoke(ctx, req, d)
	case (action == "revoke-prefix" || action == "revoke-force") && req.Operation == logical.UpdateOperation:
		force := action == "revoke-force"
		sync := force || d.Get("sync").(bool)
		if err := s.leases.revokePrefix(ctx, d.Get("prefix").(string), sync, force); err != nil {
			return invalidRequest(err)
		}
		if !sync {
			return accepted(req)
		}
		return nil, nil
	case action == "lookup" || action == "renew" || action == "revoke" || action == "revoke-prefix" || action == "revoke-force":
		return nil, errUnsupportedOperation
	}
	return nil, errUnsupportedPath
}

// leaseLookup answers with the lease's times; ttl is whole seconds left.
func (s *Server) leaseLookup(d *framework.FieldData) (*logical.Response, error) {
	id := d.Get("lease_id").(string)
	if id == "" {
		return logical.ErrorResponse("lease_id must be specified"), logical.ErrInvalidRequest
	}
	lt, ok := s.leases.lookup(id)
	if !ok {
		return logical.ErrorResponse("invalid lease"), logical.ErrInvalidRequest
	}
	data := map[string]any{
		"id":           id,
		"issue_time":   lt.issued,
		"expire_time":  nil,
		"last_renewal": nil,
		"renewable":    lt.renewable,
		"ttl":          int64(0),
	}
	if !lt.lastRenewal.IsZero() {
		data["last_renewal"] = lt.lastRenewal
	}
	if !lt.expires.IsZero() {
		data["expire_time"] = lt.expires
		data["ttl"] = int64(lt.expires.Sub(s.clock.Now().Round(time.Second)).Seconds())
	}
	return &logical.Response{Data: data}, nil
}

func (s *Server) leaseRenew(ctx context.Context, d *framework.FieldData) (*logical.Response, error) {
	id := leaseIDFrom(d)
	if id == "" {
		return logical.ErrorResponse("lease_id must be specified"), logical.ErrInvalidRequest
	}
	increment := time.Duration(d.Get("increment").(int)) * time.Second
	resp, err := s.leases.renew(ctx, id, increment)
	if err != nil {
		s.log.Error("lease renewal failed", "lease_id", id, "err", err)
		return invalidRequest(err)
	}
	return resp, nil
}

func (s *Server) leaseRevoke(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	id := leaseIDFrom(d)
	if id == "" {
		return logical.ErrorResponse("lease_id must be specified"), logical.ErrInvalidRequest
	}
	if !d.Get("sync").(bool) {
		s.leases.revokeLazy(id)
		return accepted(req)
	}
	if err := s.leases.revoke(ctx, id); err != nil {
		s.log.Error("lease revocation failed", "lease_id", id, "err", err)
		return invalidRequest(err)
	}
	return nil, nil
}

// leaseList lists lease IDs one level under a prefix (LIST sys/leases/lookup/<prefix>/).
func (s *Server) leaseList(prefix string) *logical.Response {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return logical.ListResponse(s.leases.list(prefix))
}

func leaseIDFrom(d *framework.FieldData) string {
	if id := d.Get("lease_id").(string); id != "" {
		return id
	}
	return d.Get("url_lease_id").(string)
}

// invalidRequest is how Vault's system backend reports a failed lease operation: the error's
// text with 400 Bad Request.
func invalidRequest(err error) (*logical.Response, error) {
	return logical.ErrorResponse(err.Error()), logical.ErrInvalidRequest
}
