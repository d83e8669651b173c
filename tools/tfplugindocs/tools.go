//go:build tools

// Package tools pins the tfplugindocs version built by tools/build.sh tfplugindocs.
package tools

import _ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
