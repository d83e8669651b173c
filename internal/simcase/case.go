// Package simcase reads simulation cases in the input shape of the reference simulator
// (@cloud-copilot/iam-simulate's Simulation) and turns them into ciem's engine inputs.
//
// The shape is shared by `ciem policy simulate --batch`, the differential test and the
// benchmarks, so that one case file can be fed to ciem and to the reference unchanged.
// The request context is exactly the case's contextVariables: nothing is derived from the
// principal, as in the reference.
package simcase

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Case is one simulation: the policies in force and the request.
//
// identityPolicies, serviceControlPolicies and resourceControlPolicies are always written
// (as [] when empty) because the reference requires them.
type Case struct {
	IdentityPolicies           []NamedPolicy   `json:"identityPolicies"`
	ServiceControlPolicies     []OrgPolicies   `json:"serviceControlPolicies"`
	ResourceControlPolicies    []OrgPolicies   `json:"resourceControlPolicies"`
	ResourcePolicy             json.RawMessage `json:"resourcePolicy,omitempty"`
	PermissionBoundaryPolicies []NamedPolicy   `json:"permissionBoundaryPolicies,omitempty"`
	SessionPolicy              json.RawMessage `json:"sessionPolicy,omitempty"`
	Request                    Request         `json:"request"`
}

// NamedPolicy is a policy document with the name the result reports it by. Policy holds
// the document as a JSON object or as a JSON string containing the document.
type NamedPolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

// OrgPolicies is the set of policies attached at one level of an AWS Organization (root,
// OU or account). Levels are listed from the root down.
type OrgPolicies struct {
	OrgIdentifier string        `json:"orgIdentifier"`
	Policies      []NamedPolicy `json:"policies"`
}

// Request is the request being simulated.
type Request struct {
	Principal        string                  `json:"principal"`
	Action           string                  `json:"action"`
	Resource         Resource                `json:"resource"`
	ContextVariables map[string]ContextValue `json:"contextVariables"`
}

// Resource is the resource of the request and the account that owns it.
type Resource struct {
	Resource  string `json:"resource"`
	AccountID string `json:"accountId"`
}

// ContextValue is the value of a context key: a JSON string or a JSON array of strings.
// Multi records which form was written so that a case round-trips unchanged.
type ContextValue struct {
	Values []string
	Multi  bool
}

// Single is a one-valued context value written as a JSON string.
func Single(v string) ContextValue { return ContextValue{Values: []string{v}} }

// Multi is a context value written as a JSON array.
func Multi(vs ...string) ContextValue { return ContextValue{Values: vs, Multi: true} }

// MarshalJSON writes a string, or an array when the value is multi-valued.
func (v ContextValue) MarshalJSON() ([]byte, error) {
	if !v.Multi && len(v.Values) == 1 {
		return json.Marshal(v.Values[0])
	}
	if v.Values == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(v.Values)
}

// UnmarshalJSON accepts a string or an array of strings.
func (v *ContextValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var vs []string
		if err := json.Unmarshal(b, &vs); err != nil {
			return errors.New("want a string or an array of strings")
		}
		*v = ContextValue{Values: vs, Multi: true}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want a string or an array of strings")
	}
	*v = ContextValue{Values: []string{s}}
	return nil
}

// Decode reads one case from JSON. Unknown fields are rejected so that a misspelt element
// (say "identityPolicy") is an error rather than a silently empty input.
func Decode(line []byte) (*Case, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var c Case
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decoding case: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decoding case: trailing data after the case object")
	}
	return &c, nil
}

// PolicyBytes returns the policy document's JSON: the raw object, or the contents of a
// JSON string holding the document.
func PolicyBytes(raw json.RawMessage) ([]byte, error) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil, errors.New("policy is missing")
	}
	if b[0] != '"' {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("policy string: %w", err)
	}
	return []byte(s), nil
}
