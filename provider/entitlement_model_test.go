package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestEntitlementCodecMatchesFramework checks the reflection-free codec against the
// framework's own Get and Set: the same model gives the same raw value, and back.
func TestEntitlementCodecMatchesFramework(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&EntitlementResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	st := entitlementSchemaTypes()
	stmtType := st.attrs["statement"].(types.ListType).ElemType
	findingsList, diags := findingsValue([]finding{{Category: "privilege_escalation", Severity: "high", Code: "r", Path: "$.Statement[0]", Message: "m", Actions: []string{"iam:PassRole"}}})
	if diags.HasError() {
		t.Fatal(diags)
	}
	full := func() entitlementModel {
		return entitlementModel{
			PrincipalARN: types.StringValue("arn:aws:iam::111122223333:role/app"),
			Name:         types.StringValue("p"),
			Path:         types.StringValue("/"),
			Description:  types.StringNull(),
			Policy:       NewPolicyDocument(`{"Version":"2012-10-17","Statement":[]}`),
			Statement:    types.ListNull(stmtType),
			DenyFindings: types.SetValueMust(types.StringType, []attr.Value{types.StringValue("wildcard_admin")}),
			PolicyARN:    types.StringUnknown(),
			VersionID:    types.StringValue("v1"),
			Findings:     findingsList,
		}
	}
	unknownPolicy := full()
	unknownPolicy.Policy = PolicyDocument{StringValue: types.StringUnknown()}
	unknownPolicy.Findings = types.ListUnknown(findingObjectType)
	unknownPolicy.DenyFindings = types.SetNull(types.StringType)
	for name, m := range map[string]entitlementModel{"known": full(), "unknown policy": unknownPolicy} {
		t.Run(name, func(t *testing.T) {
			want := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(st.tf, nil)}
			if d := want.Set(ctx, &m); d.HasError() {
				t.Fatal(d)
			}
			got, d := entitlementValue(ctx, m)
			if d.HasError() {
				t.Fatal(d)
			}
			if !got.Equal(want.Raw) {
				t.Fatalf("entitlementValue:\n got %v\nwant %v", got, want.Raw)
			}
			var viaFramework entitlementModel
			if d := want.Get(ctx, &viaFramework); d.HasError() {
				t.Fatal(d)
			}
			back, d := readEntitlement(ctx, got)
			if d.HasError() {
				t.Fatal(d)
			}
			again, d := entitlementValue(ctx, back)
			if d.HasError() {
				t.Fatal(d)
			}
			fw, d := entitlementValue(ctx, viaFramework)
			if d.HasError() {
				t.Fatal(d)
			}
			if !again.Equal(fw) || !back.Policy.Equal(viaFramework.Policy) || !back.Findings.Equal(viaFramework.Findings) {
				t.Fatalf("readEntitlement differs from the framework's Get:\n got %v\nwant %v", again, fw)
			}
		})
	}
}

func TestReadEntitlementRejectsAWrongValue(t *testing.T) {
	_, d := readEntitlement(context.Background(), tftypes.NewValue(tftypes.String, "x"))
	if !d.HasError() {
		t.Fatal("a string read as ciem_entitlement: want an error")
	}
}
