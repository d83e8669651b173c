package rightsize

import (
	"encoding/json"
	"time"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/usage"
)

// SchemaVersion is the version of the JSON report (docs/rightsizing.md); it changes when a
// field changes meaning or goes away, not when one is added.
const SchemaVersion = 1

// Suggestion is a right-sized policy for one principal and the evidence for it.
type Suggestion struct {
	SchemaVersion int      `json:"schema_version"`
	Principal     string   `json:"principal"`
	Kind          iam.Kind `json:"kind"`
	Window        Window   `json:"window"`
	Sources       []Source `json:"sources"`
	Options       Applied  `json:"options"`
	Granted       Grants   `json:"granted"`
	Summary       Summary  `json:"summary"`

	// Policy is the whole suggested policy, canonical.
	Policy json.RawMessage `json:"policy"`
	// Policies is Policy as it is to be created: one policy when it fits the size limit of
	// its kind, else several managed policies (Summary.Split).
	Policies []SuggestedPolicy `json:"policies"`

	Kept           []KeptAction       `json:"kept"`
	KeptUnobserved []UnobservedAction `json:"kept_unobserved"`
	Removed        []ActionGroup      `json:"removed"`
	// NotEffective are actions the identity policies name that the principal does not
	// have: outside its permissions boundary, or denied on every resource.
	NotEffective []ActionGroup `json:"not_effective"`
	// UsedNotGranted are actions seen used that the policies do not grant (a resource-based
	// policy, or an earlier version of the policies, allowed them): never added.
	UsedNotGranted []UsedAction `json:"used_not_granted"`
	// Denied are actions asked for and refused in the window: never added.
	Denied    []DeniedAction `json:"denied"`
	ByService []ServiceLevel `json:"by_service"`
	Findings  Findings       `json:"findings"`
	Notes     []string       `json:"notes"`
}

// Window is the usage window and the events found in it: the digest's own window, which
// the suggestion reports as it is.
type Window = usage.DigestWindow

// Source is one usage source and what it contributed.
type Source struct {
	Kind       usage.SourceKind `json:"kind"`
	Location   string           `json:"location"`
	Records    int64            `json:"records"`
	Counted    int64            `json:"counted"`
	DataEvents int64            `json:"data_events"`
	// Observations are uses known without a record (Access Advisor last-access times).
	Observations int64    `json:"observations,omitempty"`
	Notes        []string `json:"notes,omitempty"`
}

// Applied are the options the suggestion was made with.
type Applied struct {
	ResourceScoping bool     `json:"resource_scoping"`
	ExactObjectARNs bool     `json:"exact_object_arns"`
	Wildcards       bool     `json:"wildcards"`
	Keep            []string `json:"keep"`
}

// Grants lists the policies read as granted.
type Grants struct {
	Policies []PolicyRef `json:"policies"`
	Boundary *PolicyRef  `json:"permissions_boundary,omitempty"`
}

// PolicyRef names one granted policy.
type PolicyRef struct {
	Ref    string       `json:"ref"`
	Name   string       `json:"name"`
	Source PolicySource `json:"source"`
	ARN    string       `json:"arn,omitempty"`
	Group  string       `json:"group,omitempty"`
}

// Summary counts the classes. Every effectively granted action is in exactly one of
// used, kept unobserved and removed.
type Summary struct {
	GrantedActions        int `json:"granted_actions"`
	UsedActions           int `json:"used_actions"`
	KeptUnobservedActions int `json:"kept_unobserved_actions"`
	RemovedActions        int `json:"removed_actions"`
	DeniedActions         int `json:"denied_actions"`
	UsedNotGranted        int `json:"used_not_granted_actions"`
	// UnusedShare is the share of granted actions not used in the window (kept unobserved
	// ones included), rounded to 4 decimals; 0 when nothing is granted.
	UnusedShare float64 `json:"unused_share"`
	// PolicySize is the size of Policy as IAM counts it; SizeLimit the limit of Kind.
	PolicySize int  `json:"policy_size"`
	SizeLimit  int  `json:"size_limit"`
	Split      bool `json:"split"`
}

// SuggestedPolicy is one policy to create.
type SuggestedPolicy struct {
	Name   string          `json:"name"`
	Size   int             `json:"size"`
	Policy json.RawMessage `json:"policy"`
}

// KeptAction is a used action and its evidence.
type KeptAction struct {
	Action      string             `json:"action"`
	AccessLevel string             `json:"access_level"`
	Count       int64              `json:"count"`
	FirstSeen   time.Time          `json:"first_seen,omitzero"`
	LastSeen    time.Time          `json:"last_seen,omitzero"`
	Sources     []usage.SourceKind `json:"sources"`
	// UsedOn are the resources the events named (a bounded sample: see the digest).
	UsedOn []string `json:"used_on,omitempty"`
	// Resources are what the suggestion allows the action on; NotResources, when set,
	// are the exceptions of a NotResource grant kept as it was.
	Resources    []string `json:"resources"`
	NotResources []string `json:"not_resources,omitempty"`
	// Scoped: Resources come from usage, not from the granting statements.
	Scoped bool `json:"scoped"`
	// Conditional: kept under the conditions of the statement that granted it.
	Conditional bool   `json:"conditional,omitempty"`
	Note        string `json:"note,omitempty"`
}

// UnobservedAction is an action kept without evidence of use, and why.
type UnobservedAction struct {
	Action       string           `json:"action"`
	AccessLevel  string           `json:"access_level"`
	Reason       UnobservedReason `json:"reason"`
	Detail       string           `json:"detail"`
	Resources    []string         `json:"resources"`
	NotResources []string         `json:"not_resources,omitempty"`
	Conditional  bool             `json:"conditional,omitempty"`
}

// ActionGroup is a service's actions that share a fate.
type ActionGroup struct {
	Service string   `json:"service"`
	Reason  string   `json:"reason"`
	Actions []string `json:"actions"`
}

// Removal and non-effect reasons.
const (
	ReasonUnused           = "unused"                       // no source shows a call in the window
	ReasonOutsideBoundary  = "outside-permissions-boundary" // the boundary does not allow it
	ReasonDeniedEverywhere = "denied-on-every-resource"     // an unconditional Deny on every resource
)

// UsedAction is a used action the policies do not grant.
type UsedAction struct {
	Action    string             `json:"action"`
	Count     int64              `json:"count"`
	FirstSeen time.Time          `json:"first_seen,omitzero"`
	LastSeen  time.Time          `json:"last_seen,omitzero"`
	Sources   []usage.SourceKind `json:"sources"`
	Detail    string             `json:"detail"`
}

// DeniedAction is an action asked for and refused.
type DeniedAction struct {
	Action      string    `json:"action"`
	AccessLevel string    `json:"access_level"`
	Count       int64     `json:"count"`
	FirstSeen   time.Time `json:"first_seen,omitzero"`
	LastSeen    time.Time `json:"last_seen,omitzero"`
	// Granted: the action is granted today (the refusal came from a resource, a
	// condition, a Deny, or an earlier version of the policies).
	Granted bool   `json:"granted"`
	Detail  string `json:"detail"`
}

// ServiceLevel counts one service's granted actions of one access level by class.
type ServiceLevel struct {
	Service        string `json:"service"`
	AccessLevel    string `json:"access_level"`
	Granted        int    `json:"granted"`
	Used           int    `json:"used"`
	KeptUnobserved int    `json:"kept_unobserved"`
	Removed        int    `json:"removed"`
}

// Findings are the engine's risk findings for the granted policies and the suggestion.
type Findings struct {
	Before []iam.RiskFinding `json:"before"`
	After  []iam.RiskFinding `json:"after"`
}
