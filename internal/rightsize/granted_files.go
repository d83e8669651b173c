package rightsize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/scan"
)

// ReadGrantedFiles reads a principal's granted policies from files, for offline analysis.
// Each spec is a path, or "boundary=PATH" for a plain document that is the permissions
// boundary. A file holds one of:
//
//   - a policy document ({"Version": ..., "Statement": ...}): an identity policy named by
//     its path;
//   - a bundle as Granted.WriteJSON writes it ({"principal", "policies", "permissions_boundary"});
//   - the output of `aws iam get-account-authorization-details`: the principal's attached
//     and inline policies, its groups' (for a user) and its boundary are taken from it.
func ReadGrantedFiles(principal string, specs []string) (*Granted, error) {
	p, err := awsx.ParsePrincipalARN(principal)
	if err != nil {
		return nil, err
	}
	gr := &Granted{Principal: principal}
	for _, spec := range specs {
		path, boundary := spec, false
		if rest, ok := strings.CutPrefix(spec, "boundary="); ok {
			path, boundary = rest, true
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--granted: %w", err)
		}
		var add *Granted
		if boundary {
			doc, err := plainDocument(data, path)
			if err != nil {
				return nil, err
			}
			add = &Granted{Boundary: &GrantedPolicy{Name: path, Source: SourceBoundary, Document: doc}}
		} else if add, err = readGrantedFile(p, path, data); err != nil {
			return nil, err
		}
		gr.Policies = append(gr.Policies, add.Policies...)
		if add.Boundary != nil {
			if gr.Boundary != nil {
				return nil, fmt.Errorf("--granted %s: a second permissions boundary (the first is %s); a principal has at most one", path, gr.Boundary.Ref())
			}
			gr.Boundary = add.Boundary
		}
	}
	if err := gr.Parse(); err != nil {
		return nil, err
	}
	return gr, nil
}

// readGrantedFile reads one file of any of the three forms.
func readGrantedFile(p awsx.Principal, path string, data []byte) (*Granted, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		// Not one JSON object: authorization details saved as several pages, or bad JSON.
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) || bytes.Count(data, []byte("DetailList")) > 0 {
			return grantedFromAuthDetails(p, path, data)
		}
		return nil, fmt.Errorf("--granted %s: %w", path, jsonErr(err, data))
	}
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("Statement"):
		doc, err := plainDocument(data, path)
		if err != nil {
			return nil, err
		}
		return &Granted{Policies: []GrantedPolicy{{Name: path, Source: SourceFile, Document: doc}}}, nil
	case has("UserDetailList") || has("RoleDetailList") || has("GroupDetailList"):
		return grantedFromAuthDetails(p, path, data)
	case has("policies") || has("permissions_boundary"):
		return grantedFromBundle(p, path, data)
	}
	return nil, fmt.Errorf("--granted %s: not a policy document (no Statement), a granted-policies bundle (no policies) or the output of aws iam get-account-authorization-details", path)
}

func plainDocument(data []byte, path string) (json.RawMessage, error) {
	if !json.Valid(data) {
		var v any
		return nil, fmt.Errorf("--granted %s: %w", path, jsonErr(json.Unmarshal(data, &v), data))
	}
	return json.RawMessage(bytes.TrimSpace(data)), nil
}

// jsonErr places a JSON syntax error at its line and column.
func jsonErr(err error, data []byte) error {
	se, ok := err.(*json.SyntaxError)
	if !ok {
		return err
	}
	line, col := 1, 1
	for _, c := range data[:min(int(se.Offset), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

func grantedFromBundle(p awsx.Principal, path string, data []byte) (*Granted, error) {
	var b Granted
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("--granted %s: reading the bundle: %w", path, jsonErr(err, data))
	}
	if b.Principal != "" && b.Principal != p.ARN {
		return nil, fmt.Errorf("--granted %s: the bundle is for %s, not %s", path, b.Principal, p.ARN)
	}
	fix := func(g *GrantedPolicy, where string) error {
		doc, err := documentJSON(g.Document, where)
		if err != nil {
			return fmt.Errorf("--granted %s: %w", path, err)
		}
		g.Document = doc
		switch g.Source {
		case SourceManaged, SourceInline, SourceGroupManaged, SourceGroupInline, SourceFile, SourceBoundary:
		case "":
			g.Source = SourceFile
		default:
			return fmt.Errorf("--granted %s: %s: source %q: want managed, inline, group-managed, group-inline or file", path, where, g.Source)
		}
		if g.Name == "" {
			return fmt.Errorf("--granted %s: %s: no name", path, where)
		}
		return nil
	}
	for i := range b.Policies {
		if err := fix(&b.Policies[i], fmt.Sprintf("policies[%d]", i)); err != nil {
			return nil, err
		}
	}
	if b.Boundary != nil {
		b.Boundary.Source = SourceBoundary
		if err := fix(b.Boundary, "permissions_boundary"); err != nil {
			return nil, err
		}
	}
	return &b, nil
}

// grantedFromAuthDetails takes the principal's policies from the output of
// get-account-authorization-details.
func grantedFromAuthDetails(p awsx.Principal, path string, data []byte) (*Granted, error) {
	acct, err := scan.ReadAuthDetails(data, path)
	if err != nil {
		return nil, fmt.Errorf("--granted: %w", err)
	}
	gr := &Granted{}
	managed := func(src PolicySource, group string, a scan.AttachedPolicy) error {
		mp := acct.Policy(a.ARN)
		if mp == nil {
			return fmt.Errorf("--granted %s: policy %s is attached to %s but the file does not hold it (export with --filter including LocalManagedPolicy and AWSManagedPolicy)", path, a.ARN, p.ARN)
		}
		doc, err := defaultDocument(mp, path)
		if err != nil {
			return err
		}
		gr.Policies = append(gr.Policies, GrantedPolicy{Name: a.Name, Source: src, ARN: a.ARN, Group: group, Document: doc})
		return nil
	}
	inline := func(src PolicySource, group string, ips []scan.InlinePolicy) error {
		for _, ip := range ips {
			doc, err := textDocument(ip.Document, path+": inline policy "+ip.Name)
			if err != nil {
				return err
			}
			gr.Policies = append(gr.Policies, GrantedPolicy{Name: ip.Name, Source: src, Group: group, Document: doc})
		}
		return nil
	}
	own := func(attached []scan.AttachedPolicy, ips []scan.InlinePolicy, boundary string) error {
		for _, a := range attached {
			if err := managed(SourceManaged, "", a); err != nil {
				return err
			}
		}
		if err := inline(SourceInline, "", ips); err != nil {
			return err
		}
		if boundary != "" {
			mp := acct.Policy(boundary)
			if mp == nil {
				return fmt.Errorf("--granted %s: the permissions boundary %s of %s is not in the file", path, boundary, p.ARN)
			}
			doc, err := defaultDocument(mp, path)
			if err != nil {
				return err
			}
			gr.Boundary = &GrantedPolicy{Name: mp.Name, Source: SourceBoundary, ARN: mp.ARN, Document: doc}
		}
		return nil
	}
	switch p.Kind {
	case awsx.KindRole:
		r := acct.Role(p.ARN)
		if r == nil {
			return nil, fmt.Errorf("--granted %s: role %s is not in the file", path, p.ARN)
		}
		if err := own(r.Attached, r.Inline, r.Boundary); err != nil {
			return nil, err
		}
	case awsx.KindUser:
		u := acct.User(p.ARN)
		if u == nil {
			return nil, fmt.Errorf("--granted %s: user %s is not in the file", path, p.ARN)
		}
		if err := own(u.Attached, u.Inline, u.Boundary); err != nil {
			return nil, err
		}
		for _, name := range u.Groups {
			g := acct.Group(name)
			if g == nil {
				return nil, fmt.Errorf("--granted %s: group %s of %s is not in the file", path, name, p.ARN)
			}
			for _, a := range g.Attached {
				if err := managed(SourceGroupManaged, g.Name, a); err != nil {
					return nil, err
				}
			}
			if err := inline(SourceGroupInline, g.Name, g.Inline); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("--granted %s: %s is a %s: right-sizing needs a role or a user", path, p.ARN, p.Kind)
	}
	return gr, nil
}

func defaultDocument(mp *scan.ManagedPolicy, path string) (json.RawMessage, error) {
	for _, v := range mp.Versions {
		if v.Default {
			return textDocument(v.Document, path+": policy "+mp.ARN)
		}
	}
	return nil, fmt.Errorf("--granted %s: policy %s has no default version in the file", path, mp.ARN)
}
