// Package awsx holds thin aws-sdk-go-v2 wrappers for the IAM reads and writes that the
// provider and `ciem import` share: finding a principal by ARN, customer managed policies
// with their versions (pruned within IAM's five-version limit), attaching and detaching
// them, and reading everything attached to a principal.
//
// The wrappers add no policy logic: documents go in and come out as JSON bytes, decoded
// from the URL encoding IAM returns them in. Callers canonicalise with internal/iam.
package awsx
