package awstest

import (
	"errors"
	"strings"
	"unicode"

	"github.com/ciem/ciem/internal/iam"
)

// IAM's size limits, in characters not counting whitespace.
const (
	limitManagedPolicy = 6144
	limitInlineUser    = 2048
	limitInlineGroup   = 5120
	limitInlineRole    = 10240
	limitTrustPolicy   = 2048
	limitSessionPolicy = 2048
	maxAttached        = 10 // managed policies per user, group or role
	maxVersions        = 5
	maxGroupsPerUser   = 10
	maxAccessKeys      = 2
)

// policySize counts a document as IAM does for its quotas: whitespace is free.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// escapeDocument URL-encodes a policy document the way IAM returns documents.
func escapeDocument(doc string) string { return awsEscape(doc, true) }

// checkDocument validates a policy document parameter: the service model's pattern,
// then the policy grammar (MalformedPolicyDocument in AWS's words). It returns the
// parsed policy.
func (c *call) checkDocument(param string, kind iam.Kind) (string, *iam.Policy, *apiError) {
	doc := c.required(param, rulePolicyDoc)
	if err := c.failed(); err != nil {
		return "", nil, err
	}
	p, aerr := c.s.parsePolicy(doc, kind)
	return doc, p, aerr
}

// parsePolicy parses a document and applies the checks IAM makes beyond the grammar.
func (s *Server) parsePolicy(doc string, kind iam.Kind) (*iam.Policy, *apiError) {
	p, err := iam.Parse([]byte(doc), kind)
	if err != nil {
		s.log.Debug("malformed policy document", "kind", kind, "err", err)
		return nil, errMalformedPolicy("%s", malformedMessage(err))
	}
	sids := map[string]bool{}
	for _, st := range p.Statements {
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, errMalformedPolicy("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[st.Sid] = true
		}
		for _, a := range st.Actions {
			if a == "*" {
				continue
			}
			vendor, name, ok := strings.Cut(a, ":")
			if !ok || vendor == "" || name == "" {
				return nil, errMalformedPolicy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			if kind == iam.KindTrust && lower(vendor) != "sts" {
				return nil, errMalformedPolicy("AssumeRole policy may only specify STS AssumeRole actions.")
			}
		}
		if kind.IsIdentity() {
			for _, r := range st.Resources {
				if r != "*" && !strings.HasPrefix(r, "arn:") {
					return nil, errMalformedPolicy("Resource %s must be in ARN format or \"*\".", r)
				}
				if strings.HasPrefix(r, "arn:") && strings.Count(r, ":") < 5 {
					return nil, errMalformedPolicy("Resource %s must be in ARN format or \"*\".", r)
				}
			}
		}
	}
	return p, nil
}

// malformedMessage words a parse failure as IAM does.
func malformedMessage(err error) string {
	if iam.IsSyntaxError(err) {
		return "Syntax errors in policy."
	}
	var pes iam.ParseErrors
	if !errors.As(err, &pes) || len(pes) == 0 {
		return "Syntax errors in policy."
	}
	msg := pes[0].Msg
	switch {
	case strings.Contains(msg, "must not name a Principal"):
		return "Policy document should not specify a principal."
	case strings.Contains(msg, "must name a Principal"):
		return "Missing required field Principal"
	case strings.Contains(msg, "has no Effect"):
		return "Missing required field Effect"
	case strings.Contains(msg, "neither Action nor NotAction"):
		return "Missing required field Action"
	case strings.Contains(msg, "neither Resource nor NotResource"):
		return "Policy statement must contain resources."
	case strings.HasPrefix(pes[0].Path, "$.Version"):
		return "The policy failed legacy parsing"
	}
	return "Syntax errors in policy."
}

// checkTrustPrincipals rejects principals in this account that do not exist, as IAM
// does ("Invalid principal in policy").
func (s *Server) checkTrustPrincipals(p *iam.Policy) *apiError {
	acct := s.st.Account
	for _, st := range p.Statements {
		for _, pr := range []*iam.Principal{st.Principal, st.NotPrincipal} {
			if pr == nil {
				continue
			}
			for _, a := range pr.AWS {
				if a == "*" || a == acct || !strings.HasPrefix(a, "arn:") {
					if a != "*" && !strings.HasPrefix(a, "arn:") && !validAccountID(a) {
						return errMalformedPolicy("Invalid principal in policy: \"AWS\":\"%s\"", a)
					}
					continue
				}
				parts := strings.SplitN(a, ":", 6)
				if len(parts) != 6 || parts[4] == "" {
					return errMalformedPolicy("Invalid principal in policy: \"AWS\":\"%s\"", a)
				}
				if parts[4] != acct {
					continue // other accounts are not checked here
				}
				res := parts[5]
				switch {
				case res == "root":
				case strings.HasPrefix(res, "user/"):
					if s.st.Users[lower(res[strings.LastIndexByte(res, '/')+1:])] == nil {
						return errMalformedPolicy("Invalid principal in policy: \"AWS\":\"%s\"", a)
					}
				case strings.HasPrefix(res, "role/"):
					if s.st.Roles[lower(res[strings.LastIndexByte(res, '/')+1:])] == nil {
						return errMalformedPolicy("Invalid principal in policy: \"AWS\":\"%s\"", a)
					}
				case strings.HasPrefix(res, "assumed-role/"), strings.HasPrefix(res, "federated-user/"):
				default:
					return errMalformedPolicy("Invalid principal in policy: \"AWS\":\"%s\"", a)
				}
			}
		}
	}
	return nil
}

// inlineSizeOK reports whether a principal's inline policies stay within limit once
// name holds doc.
func inlineSizeOK(existing map[string]string, name, doc string, limit int) bool {
	total := policySize(doc)
	for n, d := range existing {
		if n != name {
			total += policySize(d)
		}
	}
	return total <= limit
}
