package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The framework's Get and Set of a whole struct walk it by reflection and compile a
// regular expression for every field name on every call; with the schema type rebuilt
// each time, that was a third of the provider's CPU time in bench/provider.sh. The model
// is read from and written to the raw Terraform value here instead, with the schema's
// types worked out once per process. The result is the same value the framework makes.

// entitlementTypes are ciem_entitlement's attribute types, their Terraform types, and its
// object's Terraform type.
type entitlementTypes struct {
	attrs   map[string]attr.Type
	tfAttrs map[string]tftypes.Type
	tf      tftypes.Type
}

var entitlementSchemaTypes = sync.OnceValue(func() entitlementTypes {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&EntitlementResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	obj, ok := resp.Schema.Type().(types.ObjectType)
	if !ok {
		panic(fmt.Sprintf("ciem_entitlement schema type is %T, not an object", resp.Schema.Type()))
	}
	tfAttrs := make(map[string]tftypes.Type, len(obj.AttrTypes))
	for name, t := range obj.AttrTypes {
		tfAttrs[name] = t.TerraformType(ctx)
	}
	return entitlementTypes{attrs: obj.AttrTypes, tfAttrs: tfAttrs, tf: obj.TerraformType(ctx)}
})

// readEntitlement decodes a configuration, plan or state value of ciem_entitlement.
func readEntitlement(ctx context.Context, raw tftypes.Value) (entitlementModel, diag.Diagnostics) {
	var m entitlementModel
	var diags diag.Diagnostics
	fail := func(err error) (entitlementModel, diag.Diagnostics) {
		diags.AddError("Value Conversion Error",
			"An unexpected error was encountered reading ciem_entitlement's value. This is a bug in the ciem provider; please report it.\n\n"+err.Error())
		return m, diags
	}
	var vals map[string]tftypes.Value
	if err := raw.As(&vals); err != nil {
		return fail(fmt.Errorf("reading the object: %w", err))
	}
	st := entitlementSchemaTypes()
	get := func(name string) (attr.Value, error) {
		t, ok := st.attrs[name]
		if !ok {
			return nil, fmt.Errorf("no attribute %q in the schema", name)
		}
		v, ok := vals[name]
		if !ok {
			v = tftypes.NewValue(st.tfAttrs[name], nil)
		}
		out, err := t.ValueFromTerraform(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		return out, nil
	}
	str := func(name string, dst *types.String) error {
		v, err := get(name)
		if err != nil {
			return err
		}
		s, ok := v.(basetypes.StringValue)
		if !ok {
			return fmt.Errorf("attribute %q is %T, not a string", name, v)
		}
		*dst = s
		return nil
	}
	list := func(name string, dst *types.List) error {
		v, err := get(name)
		if err != nil {
			return err
		}
		l, ok := v.(basetypes.ListValue)
		if !ok {
			return fmt.Errorf("attribute %q is %T, not a list", name, v)
		}
		*dst = l
		return nil
	}
	for name, dst := range map[string]*types.String{
		"principal_arn": &m.PrincipalARN, "name": &m.Name, "path": &m.Path, "description": &m.Description,
		"policy_arn": &m.PolicyARN, "version_id": &m.VersionID,
	} {
		if err := str(name, dst); err != nil {
			return fail(err)
		}
	}
	if err := list("statement", &m.Statement); err != nil {
		return fail(err)
	}
	if err := list("findings", &m.Findings); err != nil {
		return fail(err)
	}
	v, err := get("policy")
	if err != nil {
		return fail(err)
	}
	p, ok := v.(PolicyDocument)
	if !ok {
		return fail(fmt.Errorf("attribute \"policy\" is %T, not a policy document", v))
	}
	m.Policy = p
	if v, err = get("deny_findings"); err != nil {
		return fail(err)
	}
	s, ok := v.(basetypes.SetValue)
	if !ok {
		return fail(fmt.Errorf("attribute \"deny_findings\" is %T, not a set", v))
	}
	m.DenyFindings = s
	return m, diags
}

// entitlementValue encodes the model as ciem_entitlement's Terraform value.
func entitlementValue(ctx context.Context, m entitlementModel) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	vals := map[string]attr.Value{
		"principal_arn": m.PrincipalARN, "name": m.Name, "path": m.Path, "description": m.Description,
		"policy": m.Policy, "statement": m.Statement, "deny_findings": m.DenyFindings,
		"policy_arn": m.PolicyARN, "version_id": m.VersionID, "findings": m.Findings,
	}
	st := entitlementSchemaTypes()
	out := make(map[string]tftypes.Value, len(vals))
	for name, v := range vals {
		want, ok := st.tfAttrs[name]
		if !ok {
			diags.AddError("Value Conversion Error", fmt.Sprintf("ciem_entitlement has no attribute %q. This is a bug in the ciem provider; please report it.", name))
			return tftypes.Value{}, diags
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Value Conversion Error", fmt.Sprintf("Attribute %q: %v. This is a bug in the ciem provider; please report it.", name, err))
			return tftypes.Value{}, diags
		}
		if !tv.Type().Equal(want) {
			diags.AddError("Value Conversion Error", fmt.Sprintf("Attribute %q is %s, want %s. This is a bug in the ciem provider; please report it.", name, tv.Type(), want))
			return tftypes.Value{}, diags
		}
		out[name] = tv
	}
	return tftypes.NewValue(st.tf, out), diags
}

// setEntitlement writes the model to a plan's or state's raw value; on error the value
// is left as it was.
func setEntitlement(ctx context.Context, raw *tftypes.Value, m entitlementModel) diag.Diagnostics {
	v, diags := entitlementValue(ctx, m)
	if !diags.HasError() {
		*raw = v
	}
	return diags
}
