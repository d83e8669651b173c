// Package usage digests what AWS principals actually do, for right-sizing: per principal,
// per IAM action, how often, when first and last, on which resources, and what was asked
// for but denied.
//
// Sources (all streaming; memory grows with distinct principals × actions, not events):
// CloudTrail archives on disk (LocalTrail) or in S3 (S3Trail), CloudTrail LookupEvents
// (LookupEvents, management events only, two requests a second), IAM Access Advisor
// (AccessAdvisor, last-access times at action level where AWS tracks actions), and the
// broker's grant history (Grants over a GrantHistory). Collect reads them into a Digest.
//
// Events roll up to the principal that holds the permissions (an assumed-role session to
// its role, a federated user to its issuer); eventSource and eventName map to catalog
// actions through a table of the known exceptions (Mapper). Nothing is dropped silently:
// AWS services' own calls, other accounts' events, events that map to no action, records
// that are not API calls and bad input (truncated or corrupt gzip, malformed records) are
// counted and reported with the file, record index and byte offset where they were found.
// The same input gives the same Digest and the same JSON bytes, however many workers read
// it. Sources that overlap (a trail archive and LookupEvents over the same days) each
// count what they saw, so their counts add up; first and last seen are unaffected.
package usage
