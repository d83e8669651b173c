// Package iam is ciem's AWS IAM policy engine: the policy model, parsing, canonical JSON,
// validation, action expansion, evaluation, diff, minimisation and risk findings.
//
// It depends only on internal/catalog. Every other part of ciem (provider, broker, sandbox,
// right-sizing, scan) reaches IAM semantics through this package, so that they all agree.
package iam

// Kind says where a policy document is used; it decides which elements are required or
// allowed and which size limit applies.
type Kind string

const (
	KindManaged     Kind = "managed"      // customer managed identity policy
	KindInlineUser  Kind = "inline-user"  // inline identity policy of a user
	KindInlineGroup Kind = "inline-group" // inline identity policy of a group
	KindInlineRole  Kind = "inline-role"  // inline identity policy of a role
	KindSCP         Kind = "scp"          // AWS Organizations service control policy
	KindSession     Kind = "session"      // session policy passed to AssumeRole / GetFederationToken
	KindResource    Kind = "resource"     // resource-based policy (S3 bucket, KMS key, ...)
	KindTrust       Kind = "trust"        // role trust policy (a resource policy on sts:AssumeRole*)
	KindBoundary    Kind = "boundary"     // permissions boundary (a managed identity policy)
)

// Kinds lists every kind, in the order the CLI documents them.
var Kinds = []Kind{KindManaged, KindInlineUser, KindInlineGroup, KindInlineRole, KindSCP, KindSession, KindResource, KindTrust, KindBoundary}

// IsIdentity reports whether documents of this kind attach to an identity and so must not
// name a Principal.
func (k Kind) IsIdentity() bool {
	switch k {
	case KindManaged, KindInlineUser, KindInlineGroup, KindInlineRole, KindSCP, KindSession, KindBoundary:
		return true
	}
	return false
}

// Policy versions AWS accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is a statement's effect.
type Effect uint8

const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Invalid"
}

// Policy is a parsed policy document. Values keep the text as written (action and key case
// included); Canonical produces the normalised form.
type Policy struct {
	Version    string // "" when the document has no Version element
	ID         string
	Statements []*Statement
}

// Statement is one element of a policy's Statement list.
//
// Action and NotAction are held in one list with a flag, as are Resource and NotResource:
// a statement has exactly one of each pair (Resource may be absent in trust and resource
// policies, which Resources == nil && !NotResource records).
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal // nil when the statement has no Principal element
	NotPrincipal *Principal // nil when the statement has no NotPrincipal element
	Actions      []string   // values of Action, or of NotAction when NotAction is set
	NotAction    bool
	Resources    []string // values of Resource, or of NotResource when NotResource is set
	NotResource  bool
	Conditions   []Condition

	// Path is the statement's JSON path in its source document ("$.Statement[2]"), used
	// by findings and errors to point at it.
	Path string
}

// HasResource reports whether the statement has a Resource or NotResource element.
func (s *Statement) HasResource() bool { return s.Resources != nil || s.NotResource }

// Principal is the value of a Principal or NotPrincipal element. The bare string "*" sets
// All; the object form fills the typed lists ({"AWS": "*"} is AWS: ["*"], not All).
type Principal struct {
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// SetQualifier is the ForAllValues / ForAnyValue prefix of a condition operator.
type SetQualifier uint8

const (
	SingleValued SetQualifier = iota
	ForAllValues
	ForAnyValue
)

// Condition is one (operator, key, values) triple of a statement's Condition block.
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // condition key as written; keys compare case-insensitively
	Values   []string // JSON strings, numbers and booleans, as strings (AWS compares text)

	// Parsed parts of Operator.
	Base     string // base operator in AWS's casing, e.g. "StringLike"
	Set      SetQualifier
	IfExists bool
}
