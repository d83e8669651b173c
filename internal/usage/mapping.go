package usage

import (
	"fmt"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
)

// Mapping is what one (eventSource, eventName) pair means in IAM terms.
type Mapping struct {
	Prefix  string         // IAM service prefix, "" when the source is unknown
	Actions []MappedAction // empty when unmapped
	Reason  UnmappedReason // why Actions is empty
	Detail  string         // e.g. the action name that was looked for
}

// MappedAction is one action an event needs.
type MappedAction struct {
	ID   catalog.ActionID
	Name string // canonical "service:Action"
	// Versioned replaces this action when the request names an object version.
	Versioned    catalog.ActionID
	HasVersioned bool
	// OnCopySource: the action applies to the copy source (x-amz-copy-source), not the target.
	OnCopySource bool
}

// UnmappedReason says why an event maps to no catalog action.
type UnmappedReason string

const (
	ReasonNone          UnmappedReason = ""
	ReasonUnknownSource UnmappedReason = "unknown-event-source"
	ReasonNoAction      UnmappedReason = "no-catalog-action"
	ReasonNotAnAction   UnmappedReason = "not-an-api-call"
	ReasonEmpty         UnmappedReason = "empty-source-or-name"
)

// Mapper maps CloudTrail events to catalog actions. It is immutable and safe for
// concurrent use; the digest keeps a per-worker cache in front of it.
type Mapper struct {
	cat *catalog.Catalog
}

// NewMapper returns a mapper over c (catalog.Default() when nil).
func NewMapper(c *catalog.Catalog) *Mapper {
	if c == nil {
		c = catalog.Default()
	}
	return &Mapper{cat: c}
}

// Catalog is the catalog the mapper checks actions against.
func (m *Mapper) Catalog() *catalog.Catalog { return m.cat }

// ServicePrefix returns the IAM prefix of an eventSource such as "s3.amazonaws.com", and
// whether the catalog knows it.
func (m *Mapper) ServicePrefix(eventSource string) (string, bool) {
	host, ok := strings.CutSuffix(eventSource, ".amazonaws.com")
	if !ok {
		return "", false
	}
	prefix := host
	if p, ok := sourcePrefixes[host]; ok {
		prefix = p
	}
	if m.cat.Service(prefix) == nil {
		return prefix, false
	}
	return prefix, true
}

// Map returns the actions an event with this source and name needs.
func (m *Mapper) Map(eventSource, eventName string) Mapping {
	if eventSource == "" || eventName == "" {
		return Mapping{Reason: ReasonEmpty}
	}
	prefix, ok := m.ServicePrefix(eventSource)
	if !ok {
		return Mapping{Prefix: prefix, Reason: ReasonUnknownSource, Detail: eventSource}
	}
	full := prefix + ":" + eventName
	if why, ok := noActionEvents[full]; ok {
		return Mapping{Prefix: prefix, Reason: ReasonNotAnAction, Detail: why}
	}
	if r, ok := eventRules[full]; ok {
		return m.fromRule(prefix, full, r)
	}
	if id, ok := m.cat.LookupAction(full); ok {
		return Mapping{Prefix: prefix, Actions: []MappedAction{m.action(id)}}
	}
	if prefix == "apigateway" {
		for _, v := range apiGatewayVerbs {
			if strings.HasPrefix(eventName, v.prefix) {
				if id, ok := m.cat.LookupAction("apigateway:" + v.verb); ok {
					return Mapping{Prefix: prefix, Actions: []MappedAction{m.action(id)}}
				}
			}
		}
	}
	if base, ok := stripAPIVersion(eventName); ok {
		return m.Map(eventSource, base)
	}
	if prefix == "signin" {
		return Mapping{Prefix: prefix, Reason: ReasonNotAnAction, Detail: "sign-in event"}
	}
	return Mapping{Prefix: prefix, Reason: ReasonNoAction, Detail: full}
}

func (m *Mapper) action(id catalog.ActionID) MappedAction {
	return MappedAction{ID: id, Name: m.cat.Action(id).FullName()}
}

func (m *Mapper) lookup(name string) (catalog.ActionID, error) {
	id, ok := m.cat.LookupAction(name)
	if !ok {
		return 0, fmt.Errorf("action %s is not in the catalog", name)
	}
	return id, nil
}

func (m *Mapper) fromRule(prefix, full string, r actionRule) Mapping {
	out := Mapping{Prefix: prefix}
	for i, name := range r.Actions {
		id, err := m.lookup(name)
		if err != nil {
			return Mapping{Prefix: prefix, Reason: ReasonNoAction, Detail: full + ": " + err.Error()}
		}
		a := m.action(id)
		if i == 0 && r.VersionAction != "" {
			if v, err := m.lookup(r.VersionAction); err == nil {
				a.Versioned, a.HasVersioned = v, true
			}
		}
		out.Actions = append(out.Actions, a)
	}
	if r.CopySource != "" {
		id, err := m.lookup(r.CopySource)
		if err != nil {
			return Mapping{Prefix: prefix, Reason: ReasonNoAction, Detail: full + ": " + err.Error()}
		}
		a := m.action(id)
		a.OnCopySource = true
		if r.CopyVersion != "" {
			if v, err := m.lookup(r.CopyVersion); err == nil {
				a.Versioned, a.HasVersioned = v, true
			}
		}
		out.Actions = append(out.Actions, a)
	}
	return out
}

// stripAPIVersion removes the API version some services append to CloudTrail event names:
// Lambda's "UpdateFunctionCode20150331v2", CloudFront's "GetDistribution2020_05_31".
func stripAPIVersion(name string) (string, bool) {
	i := len(name)
	// optional "v<digits>"
	j := i
	for j > 0 && isDigit(name[j-1]) {
		j--
	}
	if j < i && j > 0 && name[j-1] == 'v' {
		i = j - 1
	}
	// "YYYYMMDD" or "YYYY_MM_DD"
	switch {
	case i >= 8 && allDigits(name[i-8:i]):
		i -= 8
	case i >= 10 && allDigits(name[i-10:i-6]) && name[i-6] == '_' && allDigits(name[i-5:i-3]) && name[i-3] == '_' && allDigits(name[i-2:i]):
		i -= 10
	default:
		return "", false
	}
	if i == 0 {
		return "", false
	}
	return name[:i], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}
