package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/ciem/ciem/internal/iam"
)

var _ function.Function = &CanonicalPolicyFunction{}

// CanonicalPolicyFunction is provider::ciem::canonical_policy.
type CanonicalPolicyFunction struct{}

// NewCanonicalPolicyFunction returns the canonical_policy function.
func NewCanonicalPolicyFunction() function.Function { return &CanonicalPolicyFunction{} }

func (f *CanonicalPolicyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "canonical_policy"
}

func (f *CanonicalPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Rewrites a policy document in ciem's canonical JSON",
		MarkdownDescription: "Returns the canonical form of an IAM policy document: compact JSON with elements in " +
			"AWS's order, actions in the catalog's casing, values deduplicated and sorted, a one-element list written " +
			"as a string, and statements sorted. Two documents that mean the same give the same string, which is also " +
			"how `ciem_entitlement` stores an imported policy. Identity policies and policies with a `Principal` " +
			"(resource and trust policies) are both accepted.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "policy", MarkdownDescription: "The policy document as JSON."},
		},
		Return: function.StringReturn{},
	}
}

func (f *CanonicalPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var doc string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &doc))
	if resp.Error != nil {
		return
	}
	p, err := parseAnyPolicy([]byte(doc))
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("not a policy document: %v", err))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, string(iam.Canonical(p))))
}

// parseAnyPolicy reads an identity policy, or failing that a policy with a Principal (a
// resource or trust policy); the error is the identity reading's, the common case.
func parseAnyPolicy(doc []byte) (*iam.Policy, error) {
	p, err := iam.Parse(doc, iam.KindManaged)
	if err == nil {
		return p, nil
	}
	if iam.IsSyntaxError(err) {
		return nil, err
	}
	if rp, rerr := iam.Parse(doc, iam.KindResource); rerr == nil {
		return rp, nil
	}
	return nil, err
}
