package cli

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/rightsize"
)

// importPolicyTokens writes a policy document as the HCL object expression jsonencode
// takes, in the canonical form's order (Version, Statement; Sid, Effect, Action, Resource,
// Condition) so that it reads like the policy. rightsize.PolicyTokens keeps IAM policy
// variables such as ${aws:username} literal.
func importPolicyTokens(doc []byte) (hclwrite.Tokens, error) {
	if c, err := iam.CanonicalJSON(doc, iam.KindManaged); err == nil {
		doc = c
	}
	toks, err := rightsize.PolicyTokens(doc)
	if err != nil {
		return nil, fmt.Errorf("reading the document: %w", err)
	}
	return toks, nil
}
