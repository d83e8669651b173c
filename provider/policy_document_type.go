package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ciem/ciem/internal/iam"
)

// PolicyDocumentType is a string holding an identity policy's JSON. Two values are
// semantically equal when ciem's engine reads them as the same policy (iam.EqualJSON):
// key order, whitespace, action case, a string for a one-element list, statement order
// and duplicates make no difference, so such changes never show in a plan.
type PolicyDocumentType struct {
	basetypes.StringType
}

var _ basetypes.StringTypable = PolicyDocumentType{}

func (t PolicyDocumentType) Equal(o attr.Type) bool {
	other, ok := o.(PolicyDocumentType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t PolicyDocumentType) String() string { return "PolicyDocumentType" }

func (t PolicyDocumentType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return PolicyDocument{StringValue: in}, nil
}

func (t PolicyDocumentType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return PolicyDocument{StringValue: s}, nil
}

func (t PolicyDocumentType) ValueType(context.Context) attr.Value { return PolicyDocument{} }

// PolicyDocument is a value of PolicyDocumentType.
type PolicyDocument struct {
	basetypes.StringValue
}

var _ basetypes.StringValuableWithSemanticEquals = PolicyDocument{}

// NewPolicyDocument returns a known policy document value.
func NewPolicyDocument(doc string) PolicyDocument {
	return PolicyDocument{StringValue: basetypes.NewStringValue(doc)}
}

func (v PolicyDocument) Type(context.Context) attr.Type { return PolicyDocumentType{} }

func (v PolicyDocument) Equal(o attr.Value) bool {
	other, ok := o.(PolicyDocument)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether two documents mean the same policy.
func (v PolicyDocument) StringSemanticEquals(_ context.Context, nv basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := nv.(PolicyDocument)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected a PolicyDocument, got %T. This is a bug in the ciem provider; please report it.", nv))
		return false, diags
	}
	return semanticallyEqual(v, other), diags
}

// semanticallyEqual is StringSemanticEquals for known values.
func semanticallyEqual(a, b PolicyDocument) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return false
	}
	if a.ValueString() == b.ValueString() {
		// The same text is the same policy; this spares parsing both when a refresh
		// reads back what state holds, the usual case.
		return true
	}
	return iam.EqualJSON([]byte(a.ValueString()), []byte(b.ValueString()), iam.KindManaged)
}
