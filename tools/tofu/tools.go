//go:build tools

// Package tools pins the OpenTofu version built by `make tools`.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
