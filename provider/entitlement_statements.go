package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// statementModel is one `statement` block of ciem_entitlement.
type statementModel struct {
	Sid          types.String `tfsdk:"sid"`
	Effect       types.String `tfsdk:"effect"`
	Actions      types.List   `tfsdk:"actions"`
	NotActions   types.List   `tfsdk:"not_actions"`
	Resources    types.List   `tfsdk:"resources"`
	NotResources types.List   `tfsdk:"not_resources"`
	Condition    types.List   `tfsdk:"condition"`
}

// conditionModel is one `condition` block of a statement.
type conditionModel struct {
	Test     types.String `tfsdk:"test"`
	Variable types.String `tfsdk:"variable"`
	Values   types.List   `tfsdk:"values"`
}

// docStatement is a statement as written to the JSON document, elements in AWS's order.
type docStatement struct {
	Sid         string                         `json:"Sid,omitempty"`
	Effect      string                         `json:"Effect"`
	Action      []string                       `json:"Action,omitempty"`
	NotAction   []string                       `json:"NotAction,omitempty"`
	Resource    []string                       `json:"Resource,omitempty"`
	NotResource []string                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string][]string `json:"Condition,omitempty"`
}

// statementDocument is the JSON written from statement blocks, and what is needed to
// point a finding's JSON path back at the block it came from.
type statementDocument struct {
	JSON       []byte
	conditions [][]conditionKey // per statement, per condition block
}

type conditionKey struct{ test, variable string }

// buildStatementDocument writes the policy document the statement blocks describe.
// known is false when some value is not known yet (it comes from another resource).
// Lists are always written as lists, so that a finding's path indexes the same element
// as the block's attribute does.
func buildStatementDocument(ctx context.Context, list types.List) (doc statementDocument, known bool, diags diag.Diagnostics) {
	if list.IsUnknown() {
		return doc, false, diags
	}
	var stmts []statementModel
	diags.Append(list.ElementsAs(ctx, &stmts, false)...)
	if diags.HasError() {
		return doc, false, diags
	}
	known = true
	out := make([]docStatement, 0, len(stmts))
	for i, s := range stmts {
		at := path.Root("statement").AtListIndex(i)
		ds := docStatement{Sid: s.Sid.ValueString(), Effect: s.Effect.ValueString()}
		if s.Sid.IsUnknown() || s.Effect.IsUnknown() {
			known = false
		}
		if ds.Effect == "" {
			ds.Effect = "Allow"
		}
		for _, l := range []struct {
			v   types.List
			dst *[]string
		}{{s.Actions, &ds.Action}, {s.NotActions, &ds.NotAction}, {s.Resources, &ds.Resource}, {s.NotResources, &ds.NotResource}} {
			vals, ok, d := stringList(ctx, l.v)
			diags.Append(d...)
			known = known && ok
			*l.dst = vals
		}
		var conds []conditionModel
		if s.Condition.IsUnknown() {
			known = false
		} else {
			diags.Append(s.Condition.ElementsAs(ctx, &conds, false)...)
		}
		var keys []conditionKey
		for j, c := range conds {
			if c.Test.IsUnknown() || c.Variable.IsUnknown() {
				known = false
				continue
			}
			vals, ok, d := stringList(ctx, c.Values)
			diags.Append(d...)
			known = known && ok
			k := conditionKey{c.Test.ValueString(), c.Variable.ValueString()}
			keys = append(keys, k)
			if ds.Condition == nil {
				ds.Condition = map[string]map[string][]string{}
			}
			if ds.Condition[k.test] == nil {
				ds.Condition[k.test] = map[string][]string{}
			}
			if _, dup := ds.Condition[k.test][k.variable]; dup {
				// Two blocks would become one key whose values are ORed, not ANDed as
				// separate blocks read: say so rather than change the meaning.
				diags.AddAttributeError(at.AtName("condition").AtListIndex(j), "Duplicate condition",
					fmt.Sprintf("Another condition block of this statement already tests %s on %s. IAM ORs the values of one "+
						"test and key: put all the values in one block.", k.test, k.variable))
				continue
			}
			ds.Condition[k.test][k.variable] = nonNil(vals)
		}
		out = append(out, ds)
		doc.conditions = append(doc.conditions, keys)
	}
	if !known || diags.HasError() {
		return doc, known, diags
	}
	b, err := json.Marshal(struct {
		Version   string         `json:"Version"`
		Statement []docStatement `json:"Statement"`
	}{"2012-10-17", out})
	if err != nil {
		diags.AddError("Cannot write the policy", fmt.Sprintf("Encoding the statement blocks as JSON failed: %v", err))
		return doc, false, diags
	}
	doc.JSON = b
	return doc, true, diags
}

// stringList reads a list of strings; ok is false when the list or an element is unknown.
func stringList(ctx context.Context, l types.List) ([]string, bool, diag.Diagnostics) {
	if l.IsNull() {
		return nil, true, nil
	}
	if l.IsUnknown() {
		return nil, false, nil
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return nil, false, nil
		}
	}
	var out []string
	diags := l.ElementsAs(ctx, &out, false)
	return out, true, diags
}

var statementPathRE = regexp.MustCompile(`^\$\.Statement\[(\d+)\](.*)$`)

var elementAttrs = map[string]string{
	"Sid": "sid", "Effect": "effect",
	"Action": "actions", "NotAction": "not_actions",
	"Resource": "resources", "NotResource": "not_resources",
}

// attrPath points a finding's JSON path at the statement block attribute it is about:
// $.Statement[1].Action[2] is statement[1].actions[2]; a condition path is the condition
// block with that test and key. Paths outside any statement are the statement list.
func (d statementDocument) attrPath(jsonPath string) path.Path {
	root := path.Root("statement")
	m := statementPathRE.FindStringSubmatch(jsonPath)
	if m == nil {
		return root
	}
	i, _ := strconv.Atoi(m[1])
	at := root.AtListIndex(i)
	rest := strings.TrimPrefix(m[2], ".")
	if rest == "" {
		return at
	}
	if cond, ok := strings.CutPrefix(rest, "Condition"); ok {
		return d.conditionPath(at, i, strings.TrimPrefix(cond, "."))
	}
	name, idx := rest, ""
	if k := strings.IndexAny(rest, ".["); k >= 0 {
		name, idx = rest[:k], rest[k:]
	}
	a, ok := elementAttrs[name]
	if !ok {
		return at
	}
	p := at.AtName(a)
	if n, ok := listIndex(idx); ok {
		p = p.AtListIndex(n)
	}
	return p
}

func (d statementDocument) conditionPath(at path.Path, stmt int, rest string) path.Path {
	p := at.AtName("condition")
	if stmt >= len(d.conditions) || rest == "" {
		return p
	}
	for j, k := range d.conditions[stmt] {
		if tail, ok := strings.CutPrefix(rest, k.test+"."+k.variable); ok {
			if n, ok := listIndex(tail); ok {
				return p.AtListIndex(j).AtName("values").AtListIndex(n)
			}
			return p.AtListIndex(j)
		}
	}
	for j, k := range d.conditions[stmt] {
		if rest == k.test || strings.HasPrefix(rest, k.test+".") {
			return p.AtListIndex(j).AtName("test")
		}
	}
	return p
}

// listIndex reads "[3]" as 3.
func listIndex(s string) (int, bool) {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, false
	}
	n, err := strconv.Atoi(s[1 : len(s)-1])
	return n, err == nil
}
