package main

import (
	"fmt"
	"strings"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

// mountSchema is the part of Vault's sys/mounts/<path> input vaultdev looks at.
var mountSchema = map[string]*framework.FieldSchema{
	"type":        {Type: framework.TypeString},
	"description": {Type: framework.TypeString},
	"config":      {Type: framework.TypeMap},
	"local":       {Type: framework.TypeBool},
	"seal_wrap":   {Type: framework.TypeBool},
	"options":     {Type: framework.TypeKVPairs},
}

// sysMounts serves GET sys/mounts (the mount table), GET sys/mounts/<path> (one mount) and
// POST sys/mounts/<path> (enable; accepted idempotently for the AWS engine at aws/).
func (s *Server) sysMounts(req *logical.Request) (*logical.Response, error) {
	if req.Path == "sys/mounts" {
		if req.Operation != logical.ReadOperation {
			return nil, errUnsupportedOperation
		}
		return &logical.Response{Data: map[string]any{
			mountPath: s.awsMountInfo(),
			"sys/":    sysMountInfo(s.sysAccessor),
		}}, nil
	}
	p := strings.TrimPrefix(req.Path, "sys/mounts/")
	p = strings.Trim(p, "/") + "/"
	switch req.Operation {
	case logical.ReadOperation:
		switch p {
		case mountPath:
			return &logical.Response{Data: s.awsMountInfo()}, nil
		case "sys/":
			return &logical.Response{Data: sysMountInfo(s.sysAccessor)}, nil
		}
		return logical.ErrorResponse("No secret engine mount at %s", p), nil
	case logical.UpdateOperation:
		return s.enableMount(p, req.Data)
	case logical.DeleteOperation:
		return logical.ErrorResponse("vaultdev cannot disable %s: it serves exactly one mount, Vault's AWS secrets engine at %s", p, mountPath), nil
	}
	return nil, errUnsupportedOperation
}

// enableMount accepts enabling the AWS engine at aws/ (already mounted) and refuses anything
// vaultdev cannot do, saying why. A real Vault answers 400 "path is already in use" to a second
// enable; vaultdev's one mount exists from the start, so enabling it again is a no-op here.
func (s *Server) enableMount(p string, data map[string]any) (*logical.Response, error) {
	d := &framework.FieldData{Raw: data, Schema: mountSchema}
	if err := d.Validate(); err != nil {
		return logical.ErrorResponse("Field validation failed: %s", err.Error()), nil
	}
	typ := d.Get("type").(string)
	if p != mountPath || typ != mountType {
		return logical.ErrorResponse("vaultdev serves only Vault's AWS secrets engine at %s; cannot enable type %q at %s", mountPath, typ, p), nil
	}
	for k, v := range d.Get("config").(map[string]any) {
		if !zeroConfigValue(v) {
			return logical.ErrorResponse("vaultdev does not support mount config %s=%v (lease TTLs are set with the -default-lease-ttl and -max-lease-ttl flags)", k, v), nil
		}
	}
	if d.Get("local").(bool) || d.Get("seal_wrap").(bool) || len(d.Get("options").(map[string]string)) > 0 {
		return logical.ErrorResponse("vaultdev does not support local, seal_wrap or options on %s", mountPath), nil
	}
	if desc := d.Get("description").(string); desc != "" {
		s.mu.Lock()
		s.description = desc
		s.mu.Unlock()
	}
	return nil, nil
}

// zeroConfigValue is true for the empty values the api client sends for unset config fields.
func zeroConfigValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == "" || x == "0" || x == "system"
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	default:
		return fmt.Sprint(x) == "0"
	}
}

func (s *Server) awsMountInfo() map[string]any {
	s.mu.Lock()
	desc := s.description
	s.mu.Unlock()
	return map[string]any{
		"type":                    mountType,
		"description":             desc,
		"accessor":                s.eng.accessor,
		"uuid":                    s.eng.uuid,
		"local":                   false,
		"seal_wrap":               false,
		"external_entropy_access": false,
		"options":                 nil,
		"plugin_version":          "",
		"running_plugin_version":  awsPluginVersion,
		"running_sha256":          "",
		"deprecation_status":      "supported",
		"config": map[string]any{
			"default_lease_ttl": 0,
			"max_lease_ttl":     0,
			"force_no_cache":    false,
		},
	}
}

func sysMountInfo(accessor string) map[string]any {
	return map[string]any{
		"type":                    sysMountType,
		"description":             "system endpoints used for control, policy and debugging",
		"accessor":                accessor,
		"uuid":                    "",
		"local":                   false,
		"seal_wrap":               true,
		"external_entropy_access": false,
		"options":                 nil,
		"plugin_version":          "",
		"running_plugin_version":  awsPluginVersion,
		"running_sha256":          "",
		"config": map[string]any{
			"default_lease_ttl":           0,
			"max_lease_ttl":               0,
			"force_no_cache":              false,
			"passthrough_request_headers": []string{"Accept"},
		},
	}
}
