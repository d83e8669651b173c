package rightsize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/iam"
)

// PolicySource says how a granted policy reaches the principal.
type PolicySource string

// Policy sources.
const (
	SourceManaged      PolicySource = "managed"       // a managed policy attached to the principal
	SourceInline       PolicySource = "inline"        // an inline policy of the principal
	SourceGroupManaged PolicySource = "group-managed" // a managed policy attached to one of its groups
	SourceGroupInline  PolicySource = "group-inline"  // an inline policy of one of its groups
	SourceFile         PolicySource = "file"          // a policy document read from a file
	SourceBoundary     PolicySource = "boundary"      // the permissions boundary
)

// GrantedPolicy is one policy that applies to the principal.
type GrantedPolicy struct {
	Name   string       `json:"name"`
	Source PolicySource `json:"source"`
	ARN    string       `json:"arn,omitempty"`   // managed policies
	Group  string       `json:"group,omitempty"` // policies of a group: the group's name
	// Document is the policy document as JSON.
	Document json.RawMessage `json:"document"`

	policy *iam.Policy
}

// Ref names the policy uniquely among the principal's policies, as findings and the
// report refer to it.
func (g *GrantedPolicy) Ref() string {
	var s string
	switch g.Source {
	case SourceManaged, SourceBoundary:
		s = g.ARN
		if s == "" {
			s = g.Name
		}
	case SourceInline:
		s = "inline:" + g.Name
	case SourceGroupManaged:
		s = "group/" + g.Group + ":" + g.ARN
	case SourceGroupInline:
		s = "group/" + g.Group + ":inline:" + g.Name
	default:
		s = string(g.Source) + ":" + g.Name
	}
	return s
}

// Policy returns the parsed document (after Granted.Parse).
func (g *GrantedPolicy) Policy() *iam.Policy { return g.policy }

// Granted is everything that grants a principal permissions: its identity-based policies
// and its permissions boundary.
type Granted struct {
	Principal string          `json:"principal"`
	Policies  []GrantedPolicy `json:"policies"`
	// Boundary is the permissions boundary, nil when the principal has none.
	Boundary *GrantedPolicy `json:"permissions_boundary,omitempty"`
}

// kindFor is the kind a granted policy is parsed as.
func (g *GrantedPolicy) kindFor(principal awsx.PrincipalKind) iam.Kind {
	switch g.Source {
	case SourceBoundary:
		return iam.KindBoundary
	case SourceInline:
		switch principal {
		case awsx.KindUser:
			return iam.KindInlineUser
		case awsx.KindGroup:
			return iam.KindInlineGroup
		}
		return iam.KindInlineRole
	case SourceGroupInline:
		return iam.KindInlineGroup
	}
	return iam.KindManaged
}

// Parse parses every document; errors name the policy. It is idempotent.
func (gr *Granted) Parse() error {
	p, err := awsx.ParsePrincipalARN(gr.Principal)
	if err != nil {
		return fmt.Errorf("granted policies: %w", err)
	}
	parse := func(g *GrantedPolicy) error {
		if g.policy != nil {
			return nil
		}
		if len(bytes.TrimSpace(g.Document)) == 0 {
			return fmt.Errorf("granted policy %s: no document", g.Ref())
		}
		pol, err := iam.Parse(g.Document, g.kindFor(p.Kind))
		if err != nil {
			return fmt.Errorf("granted policy %s: %w", g.Ref(), err)
		}
		g.policy = pol
		return nil
	}
	for i := range gr.Policies {
		if err := parse(&gr.Policies[i]); err != nil {
			return err
		}
	}
	if gr.Boundary != nil {
		gr.Boundary.Source = SourceBoundary
		if err := parse(gr.Boundary); err != nil {
			return err
		}
	}
	return nil
}

// Identity returns the identity-based policies, named by Ref, for the engine.
func (gr *Granted) Identity() []iam.NamedPolicy {
	out := make([]iam.NamedPolicy, 0, len(gr.Policies))
	for i := range gr.Policies {
		out = append(out, iam.NamedPolicy{Name: gr.Policies[i].Ref(), Policy: gr.Policies[i].policy})
	}
	return out
}

// WriteJSON writes the granted policies in the bundle form ReadGrantedFiles reads back,
// so that what was read from IAM can be analysed again offline.
func (gr *Granted) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(gr); err != nil {
		return fmt.Errorf("writing granted policies: %w", err)
	}
	return nil
}

// documentJSON turns a policy document as IAM or a file gives it into JSON: a JSON object
// as is, a JSON string holding the document, or that string URL-encoded (as the IAM API
// returns documents).
func documentJSON(raw json.RawMessage, where string) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == '{' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: the document is neither a JSON object nor a string", where)
	}
	return textDocument(s, where)
}

// textDocument reads a document given as text, URL-encoded or not.
func textDocument(s, where string) (json.RawMessage, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		dec, err := url.QueryUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("%s: the document is neither JSON nor URL-encoded JSON: %w", where, err)
		}
		s = strings.TrimSpace(dec)
	}
	return json.RawMessage(s), nil
}
