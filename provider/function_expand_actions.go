package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

var _ function.Function = &ExpandActionsFunction{}

// ExpandActionsFunction is provider::ciem::expand_actions.
type ExpandActionsFunction struct{}

// NewExpandActionsFunction returns the expand_actions function.
func NewExpandActionsFunction() function.Function { return &ExpandActionsFunction{} }

func (f *ExpandActionsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "expand_actions"
}

func (f *ExpandActionsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Expands an IAM action pattern to the actions it matches",
		MarkdownDescription: "Returns every action in ciem's embedded AWS catalog that an IAM action pattern matches, " +
			"case-insensitively as IAM matches them (`*` any run of characters, `?` one), in canonical casing and sorted. " +
			"`s3:Get*` gives `s3:GetObject`, `s3:GetBucketPolicy`, ...; a pattern that matches nothing gives an empty list.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "pattern",
				MarkdownDescription: "An action or action pattern: `service:Action`, `service:Prefix*`, or `*`.",
			},
		},
		Return: function.ListReturn{ElementType: types.StringType},
	}
}

func (f *ExpandActionsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var pattern string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &pattern))
	if resp.Error != nil {
		return
	}
	if pattern != "*" && !strings.Contains(pattern, ":") {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("%q is not an action pattern: want service:Action (s3:GetObject, s3:Get*) or *", pattern))
		return
	}
	names := catalog.Default().Names(iam.ExpandActions(pattern))
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, nonNil(names)))
}
