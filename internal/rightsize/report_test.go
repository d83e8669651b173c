package rightsize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/ciem/ciem/internal/iam"
)

// The HCL is valid, and each resource's jsonencode(...) evaluates (as Terraform would) to
// its policy, with policy variables kept literal.
func TestWriteHCL(t *testing.T) {
	docs := []string{allow("s3:GetObject", "arn:aws:s3:::data/${aws:username}/*")}
	calls := []call{s3Call("GetObject", "data", "alice/a.json")}
	opts := DefaultOptions()
	opts.ResourceScoping = false
	cases := map[string]*Suggestion{"one policy": suggest(t, grantedOf(t, docs...), digestOf(t, calls...), opts)}
	var many []call
	for i := range 130 {
		many = append(many, s3Call("GetObject", fmt.Sprintf("bucket-with-a-rather-long-name-%03d", i), "k"))
	}
	cases["split"] = suggest(t, grantedOf(t, allow("s3:GetObject", "*")), digestWith(t, 200, many...), DefaultOptions())
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := s.WriteHCL(&b); err != nil {
				t.Fatal(err)
			}
			f, diags := hclsyntax.ParseConfig(b.Bytes(), "rightsized.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("%v\n%s", diags, b.String())
			}
			ctx := &hcl.EvalContext{Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc}}
			blocks := f.Body.(*hclsyntax.Body).Blocks
			if len(blocks) != len(s.Policies) {
				t.Fatalf("%d blocks for %d policies", len(blocks), len(s.Policies))
			}
			for i, blk := range blocks {
				if blk.Type != "resource" || blk.Labels[0] != "ciem_entitlement" {
					t.Errorf("block %s %v", blk.Type, blk.Labels)
				}
				attrs := blk.Body.Attributes
				for _, a := range []string{"principal_arn", "name", "description", "policy"} {
					if attrs[a] == nil {
						t.Fatalf("no %s", a)
					}
				}
				name, _ := attrs["name"].Expr.Value(ctx)
				if name.AsString() != s.Policies[i].Name {
					t.Errorf("name %s, want %s", name.AsString(), s.Policies[i].Name)
				}
				v, diags := attrs["policy"].Expr.Value(ctx)
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				if !iam.EqualJSON([]byte(v.AsString()), s.Policies[i].Policy, iam.KindManaged) {
					t.Errorf("policy %s evaluates to %s", s.Policies[i].Policy, v.AsString())
				}
			}
			if name == "one policy" && !strings.Contains(b.String(), `"arn:aws:s3:::data/$${aws:username}/*"`) {
				t.Errorf("policy variable not escaped:\n%s", b.String())
			}
		})
	}
}

// The JSON report carries every documented top-level field, with lists never null.
func TestJSONSchema(t *testing.T) {
	s := goldenSuggestion(t, 1)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(jsonOf(t, s), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "principal", "kind", "window", "sources", "options", "granted", "summary", "policy",
		"policies", "kept", "kept_unobserved", "removed", "not_effective", "used_not_granted", "denied", "by_service", "findings", "notes"} {
		v, ok := m[k]
		if !ok || string(v) == "null" {
			t.Errorf("field %s: %s", k, v)
		}
	}
	var f struct{ Before, After []json.RawMessage }
	if err := json.Unmarshal(m["findings"], &f); err != nil || f.Before == nil || f.After == nil {
		t.Errorf("findings %s", m["findings"])
	}
}
