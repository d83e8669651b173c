package awstest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// Seed declares a starting state: managed policies, groups, users, roles, buckets.
// Documents may be JSON objects or strings. It is applied to an empty sandbox, with
// IAM's own validation, and leaves no CloudTrail events.
type Seed struct {
	Policies []SeedPolicy `json:"policies"`
	Groups   []SeedGroup  `json:"groups"`
	Users    []SeedUser   `json:"users"`
	Roles    []SeedRole   `json:"roles"`
	Buckets  []SeedBucket `json:"buckets"`
}

// SeedPolicy is a customer managed policy.
type SeedPolicy struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	Description string            `json:"description"`
	Document    json.RawMessage   `json:"document"`
	Tags        map[string]string `json:"tags"`
}

// SeedGroup is a group with its policies.
type SeedGroup struct {
	Name     string                     `json:"name"`
	Path     string                     `json:"path"`
	Policies map[string]json.RawMessage `json:"policies"` // inline, by name
	Attach   []string                   `json:"attach"`   // managed policy ARNs (or names of seeded policies)
}

// SeedUser is a user with its policies, groups and access keys.
type SeedUser struct {
	Name       string                     `json:"name"`
	Path       string                     `json:"path"`
	Tags       map[string]string          `json:"tags"`
	Policies   map[string]json.RawMessage `json:"policies"`
	Attach     []string                   `json:"attach"`
	Groups     []string                   `json:"groups"`
	Boundary   string                     `json:"boundary"`
	AccessKeys []SeedAccessKey            `json:"accessKeys"`
}

// SeedAccessKey is an access key with a fixed ID and secret.
type SeedAccessKey struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// SeedRole is a role with its trust policy and policies.
type SeedRole struct {
	Name               string                     `json:"name"`
	Path               string                     `json:"path"`
	Description        string                     `json:"description"`
	Trust              json.RawMessage            `json:"trust"`
	MaxSessionDuration int                        `json:"maxSessionDuration"`
	Tags               map[string]string          `json:"tags"`
	Policies           map[string]json.RawMessage `json:"policies"`
	Attach             []string                   `json:"attach"`
	Boundary           string                     `json:"boundary"`
}

// SeedBucket is a bucket with objects (key -> content).
type SeedBucket struct {
	Name    string            `json:"name"`
	Objects map[string]string `json:"objects"`
}

// LoadSeed reads a seed file.
func LoadSeed(path string) (*Seed, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var sd Seed
	if err := dec.Decode(&sd); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return &sd, nil
}

// docText turns a seeded document (object or string) into the text IAM stores.
func docText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", fmt.Errorf("document missing")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", err
	}
	return b.String(), nil
}

func seedTags(m map[string]string) []Tag {
	var out []Tag
	for k, v := range m {
		out = append(out, Tag{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func checkName(what, name string, r rule) error {
	if !r.pattern.MatchString(name) || len(name) < r.min || len(name) > r.max {
		return fmt.Errorf("%s %q: must be %d to %d characters matching %s", what, name, r.min, r.max, r.text)
	}
	return nil
}

func pathOr(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if !pathPattern.MatchString(p) {
		return "", fmt.Errorf("path %q must begin and end with /", p)
	}
	return p, nil
}

// seedDoc validates a document as IAM would for kind and limit.
func (s *Server) seedDoc(raw json.RawMessage, kind iam.Kind, limit int) (string, error) {
	doc, err := docText(raw)
	if err != nil {
		return "", err
	}
	if _, aerr := s.parsePolicy(doc, kind); aerr != nil {
		return "", aerr
	}
	if limit > 0 && policySize(doc) > limit {
		return "", fmt.Errorf("LimitExceeded: %d characters (without whitespace), the limit is %d", policySize(doc), limit)
	}
	return doc, nil
}

// resolvePolicyRef accepts a policy ARN or the name of a seeded customer policy.
func (s *Server) resolvePolicyRef(ref string) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		if !s.policyExists(ref) {
			return "", fmt.Errorf("policy %s does not exist", ref)
		}
		return ref, nil
	}
	for _, p := range s.st.Policies {
		if p.Name == ref {
			return p.ARN, nil
		}
	}
	if s.managed.get(awsManagedARN(ref)) != nil {
		return awsManagedARN(ref), nil
	}
	return "", fmt.Errorf("policy %q is neither an ARN, a seeded policy nor an AWS managed policy", ref)
}

func (s *Server) seedInline(p *principalCommon, docs map[string]json.RawMessage, kind iam.Kind, limit int) error {
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := checkName("policy name", n, rulePolicyName); err != nil {
			return fmt.Errorf("policies: %w", err)
		}
		doc, err := s.seedDoc(docs[n], kind, 0)
		if err != nil {
			return fmt.Errorf("policies.%s: %w", n, err)
		}
		if !inlineSizeOK(p.Inline, n, doc, limit) {
			return fmt.Errorf("policies.%s: LimitExceeded: inline policies together exceed %d characters", n, limit)
		}
		p.Inline[n] = doc
	}
	return nil
}

func (s *Server) seedAttach(p *principalCommon, refs []string) error {
	for _, ref := range refs {
		arn, err := s.resolvePolicyRef(ref)
		if err != nil {
			return fmt.Errorf("attach: %w", err)
		}
		if !p.isAttached(arn) {
			p.Attached = append(p.Attached, arn)
		}
	}
	if len(p.Attached) > maxAttached {
		return fmt.Errorf("attach: %d managed policies, the limit is %d", len(p.Attached), maxAttached)
	}
	return nil
}

// applySeed builds the seeded state. The caller holds no lock (New runs before Serve).
func (s *Server) applySeed(sd *Seed) error {
	now := s.clock.Now()
	for i, sp := range sd.Policies {
		where := fmt.Sprintf("policies[%d] (%s)", i, sp.Name)
		if err := checkName("name", sp.Name, rulePolicyName); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		path, err := pathOr(sp.Path)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		doc, err := s.seedDoc(sp.Document, iam.KindManaged, limitManagedPolicy)
		if err != nil {
			return fmt.Errorf("%s: document: %w", where, err)
		}
		arn := s.iamARN("policy", path, sp.Name)
		if s.st.Policies[arn] != nil {
			return fmt.Errorf("%s: declared twice", where)
		}
		s.st.Policies[arn] = &managedPolicy{Name: sp.Name, Path: path, ID: newUniqueID(prefixPolicy), ARN: arn, Description: sp.Description,
			Created: now, Updated: now, DefaultVersion: "v1", NextVersion: 2, Tags: seedTags(sp.Tags),
			Versions: []policyVersion{{ID: "v1", Document: doc, Created: now}}}
	}
	for i, sg := range sd.Groups {
		where := fmt.Sprintf("groups[%d] (%s)", i, sg.Name)
		if err := checkName("name", sg.Name, ruleGroupName); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		path, err := pathOr(sg.Path)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if s.st.Groups[lower(sg.Name)] != nil {
			return fmt.Errorf("%s: declared twice", where)
		}
		g := &group{principalCommon: principalCommon{Name: sg.Name, Path: path, ID: newUniqueID(prefixGroup), ARN: s.iamARN("group", path, sg.Name),
			Created: now, Inline: map[string]string{}}}
		if err := s.seedInline(&g.principalCommon, sg.Policies, iam.KindInlineGroup, limitInlineGroup); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if err := s.seedAttach(&g.principalCommon, sg.Attach); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		s.st.Groups[lower(g.Name)] = g
	}
	for i, su := range sd.Users {
		where := fmt.Sprintf("users[%d] (%s)", i, su.Name)
		if err := s.seedUser(su, now); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	for i, sr := range sd.Roles {
		where := fmt.Sprintf("roles[%d] (%s)", i, sr.Name)
		if err := s.seedRole(sr, now); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	for i, sb := range sd.Buckets {
		if !bucketNamePattern.MatchString(sb.Name) {
			return fmt.Errorf("buckets[%d] (%s): not a valid bucket name", i, sb.Name)
		}
		b := &bucket{Name: sb.Name, Created: now, Region: s.opts.Region, Objects: map[string]*object{}}
		for k, v := range sb.Objects {
			sum := md5.Sum([]byte(v))
			b.Objects[k] = &object{Key: k, Data: []byte(v), ETag: `"` + hex.EncodeToString(sum[:]) + `"`, ContentType: "binary/octet-stream",
				LastModified: now, Metadata: map[string]string{}}
		}
		s.st.Buckets[sb.Name] = b
	}
	s.st.touch()
	return nil
}

func (s *Server) seedUser(su SeedUser, now time.Time) error {
	if err := checkName("name", su.Name, ruleUserName); err != nil {
		return err
	}
	path, err := pathOr(su.Path)
	if err != nil {
		return err
	}
	if s.st.Users[lower(su.Name)] != nil {
		return fmt.Errorf("declared twice (or named like the admin user)")
	}
	u := s.newUser(su.Name, path, now)
	u.Tags = seedTags(su.Tags)
	if err := s.seedInline(&u.principalCommon, su.Policies, iam.KindInlineUser, limitInlineUser); err != nil {
		return err
	}
	if err := s.seedAttach(&u.principalCommon, su.Attach); err != nil {
		return err
	}
	if su.Boundary != "" {
		arn, err := s.resolvePolicyRef(su.Boundary)
		if err != nil {
			return fmt.Errorf("boundary: %w", err)
		}
		u.Boundary = arn
	}
	key := lower(u.Name)
	for _, gname := range su.Groups {
		g := s.st.Groups[lower(gname)]
		if g == nil {
			return fmt.Errorf("groups: group %q is not declared", gname)
		}
		if !g.hasMember(key) {
			g.Members = append(g.Members, key)
		}
	}
	if len(su.AccessKeys) > maxAccessKeys {
		return fmt.Errorf("accessKeys: %d keys, the limit is %d", len(su.AccessKeys), maxAccessKeys)
	}
	for _, k := range su.AccessKeys {
		if len(k.ID) < 16 || !accessKeyPattern.MatchString(k.ID) || k.Secret == "" {
			return fmt.Errorf("accessKeys: id %q must be 16+ word characters and the secret must be set", k.ID)
		}
		if s.st.AccessKeys[k.ID] != nil {
			return fmt.Errorf("accessKeys: %s is already in use", k.ID)
		}
		s.st.AccessKeys[k.ID] = &accessKey{ID: k.ID, Secret: k.Secret, UserKey: key, Status: "Active", Created: now}
	}
	s.st.Users[key] = u
	return nil
}

func (s *Server) seedRole(sr SeedRole, now time.Time) error {
	if err := checkName("name", sr.Name, ruleRoleName); err != nil {
		return err
	}
	path, err := pathOr(sr.Path)
	if err != nil {
		return err
	}
	if s.st.Roles[lower(sr.Name)] != nil {
		return fmt.Errorf("declared twice")
	}
	trust, err := s.seedDoc(sr.Trust, iam.KindTrust, limitTrustPolicy)
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	tp, _ := s.parsePolicy(trust, iam.KindTrust)
	if aerr := s.checkTrustPrincipals(tp); aerr != nil {
		return fmt.Errorf("trust: %w", aerr)
	}
	maxSession := sr.MaxSessionDuration
	if maxSession == 0 {
		maxSession = defaultMaxSession
	}
	if maxSession < minMaxSession || maxSession > maxMaxSession {
		return fmt.Errorf("maxSessionDuration %d: must be %d to %d seconds", maxSession, minMaxSession, maxMaxSession)
	}
	r := &role{principalCommon: principalCommon{Name: sr.Name, Path: path, ID: newUniqueID(prefixRole), ARN: s.iamARN("role", path, sr.Name),
		Created: now, Inline: map[string]string{}}, Trust: trust, Description: sr.Description, MaxSessionDuration: maxSession, Tags: seedTags(sr.Tags)}
	if err := s.seedInline(&r.principalCommon, sr.Policies, iam.KindInlineRole, limitInlineRole); err != nil {
		return err
	}
	if err := s.seedAttach(&r.principalCommon, sr.Attach); err != nil {
		return err
	}
	if sr.Boundary != "" {
		arn, err := s.resolvePolicyRef(sr.Boundary)
		if err != nil {
			return fmt.Errorf("boundary: %w", err)
		}
		r.Boundary = arn
	}
	s.st.Roles[lower(r.Name)] = r
	return nil
}
