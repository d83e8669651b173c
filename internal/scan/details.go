package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// The shape of GetAccountAuthorizationDetails as the AWS CLI prints it (and as the API
// returns it, once XML is read): both readers fill these and build the Account from them.
// Policy documents are json.RawMessage because the CLI prints them as JSON objects while
// the API returns URL-encoded strings; docText accepts both.

type rawDetails struct {
	UserDetailList  []rawUser   `json:"UserDetailList"`
	GroupDetailList []rawGroup  `json:"GroupDetailList"`
	RoleDetailList  []rawRole   `json:"RoleDetailList"`
	Policies        []rawPolicy `json:"Policies"`
	IsTruncated     bool        `json:"IsTruncated"`
	Marker          string      `json:"Marker"`
}

type rawInline struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

type rawAttached struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type rawBoundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

type rawTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type rawUser struct {
	Path                    string        `json:"Path"`
	UserName                string        `json:"UserName"`
	UserID                  string        `json:"UserId"`
	Arn                     string        `json:"Arn"`
	CreateDate              string        `json:"CreateDate"`
	UserPolicyList          []rawInline   `json:"UserPolicyList"`
	GroupList               []string      `json:"GroupList"`
	AttachedManagedPolicies []rawAttached `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *rawBoundary  `json:"PermissionsBoundary"`
	Tags                    []rawTag      `json:"Tags"`
}

type rawGroup struct {
	Path                    string        `json:"Path"`
	GroupName               string        `json:"GroupName"`
	GroupID                 string        `json:"GroupId"`
	Arn                     string        `json:"Arn"`
	CreateDate              string        `json:"CreateDate"`
	GroupPolicyList         []rawInline   `json:"GroupPolicyList"`
	AttachedManagedPolicies []rawAttached `json:"AttachedManagedPolicies"`
}

type rawInstanceProfile struct {
	InstanceProfileName string `json:"InstanceProfileName"`
	Arn                 string `json:"Arn"`
}

type rawRoleLastUsed struct {
	LastUsedDate string `json:"LastUsedDate"`
	Region       string `json:"Region"`
}

type rawRole struct {
	Path                     string               `json:"Path"`
	RoleName                 string               `json:"RoleName"`
	RoleID                   string               `json:"RoleId"`
	Arn                      string               `json:"Arn"`
	CreateDate               string               `json:"CreateDate"`
	AssumeRolePolicyDocument json.RawMessage      `json:"AssumeRolePolicyDocument"`
	InstanceProfileList      []rawInstanceProfile `json:"InstanceProfileList"`
	RolePolicyList           []rawInline          `json:"RolePolicyList"`
	AttachedManagedPolicies  []rawAttached        `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *rawBoundary         `json:"PermissionsBoundary"`
	Tags                     []rawTag             `json:"Tags"`
	RoleLastUsed             *rawRoleLastUsed     `json:"RoleLastUsed"`
}

type rawPolicyVersion struct {
	Document         json.RawMessage `json:"Document"`
	VersionID        string          `json:"VersionId"`
	IsDefaultVersion bool            `json:"IsDefaultVersion"`
	CreateDate       string          `json:"CreateDate"`
}

type rawPolicy struct {
	PolicyName                    string             `json:"PolicyName"`
	PolicyID                      string             `json:"PolicyId"`
	Arn                           string             `json:"Arn"`
	Path                          string             `json:"Path"`
	DefaultVersionID              string             `json:"DefaultVersionId"`
	AttachmentCount               int                `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                `json:"PermissionsBoundaryUsageCount"`
	CreateDate                    string             `json:"CreateDate"`
	UpdateDate                    string             `json:"UpdateDate"`
	PolicyVersionList             []rawPolicyVersion `json:"PolicyVersionList"`
}

// docText returns a policy document's JSON text from what the input holds: a JSON object
// (the AWS CLI decodes documents), a string holding JSON, or a string holding URL-encoded
// JSON (the API's own form, RFC 3986).
func docText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", fmt.Errorf("document missing")
	}
	switch raw[0] {
	case '{':
		return string(raw), nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("document: %w", err)
		}
		return decodeDocString(s)
	}
	return "", fmt.Errorf("document is neither a JSON object nor a string")
}

// decodeDocString decodes a document given as a string: JSON as is, or URL-encoded JSON.
func decodeDocString(s string) (string, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") {
		return t, nil
	}
	dec, err := url.PathUnescape(t)
	if err != nil {
		return "", fmt.Errorf("document is not URL-encoded JSON: %w", err)
	}
	dec = strings.TrimSpace(dec)
	if !strings.HasPrefix(dec, "{") {
		return "", fmt.Errorf("document is not a JSON object once URL-decoded")
	}
	return dec, nil
}

// parseTime reads the ISO 8601 times AWS prints; "" is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not ISO 8601", s)
}

// builder turns raw details into an Account, parsing each distinct document once.
type builder struct {
	acct   *Account
	parsed map[string]*iam.Policy // kind + "\x00" + text
	failed map[string]string      // same key -> parse error
}

func newBuilder() *builder {
	return &builder{acct: &Account{}, parsed: map[string]*iam.Policy{}, failed: map[string]string{}}
}

// parse parses a document once per distinct text and kind: equal documents share one
// *iam.Policy, which the engine compiles once.
func (b *builder) parse(where string, raw json.RawMessage, kind iam.Kind) (string, *iam.Policy) {
	text, err := docText(raw)
	if err != nil {
		b.acct.problem(where, "%v", err)
		return "", nil
	}
	key := string(kind) + "\x00" + text
	if p, ok := b.parsed[key]; ok {
		return text, p
	}
	if msg, ok := b.failed[key]; ok {
		b.acct.problem(where, "%s", msg)
		return text, nil
	}
	p, err := iam.Parse([]byte(text), kind)
	if err != nil {
		msg := "policy document does not parse, its permissions are not counted: " + err.Error()
		b.failed[key] = msg
		b.acct.problem(where, "%s", msg)
		return text, nil
	}
	b.parsed[key] = p
	return text, p
}

func (b *builder) time(where, field, s string) time.Time {
	t, err := parseTime(s)
	if err != nil {
		b.acct.problem(where, "%s: %v", field, err)
	}
	return t
}

func (b *builder) inline(where string, list []rawInline, kind iam.Kind) []InlinePolicy {
	out := make([]InlinePolicy, 0, len(list))
	for i, ip := range list {
		w := fmt.Sprintf("%s inline policy %q", where, ip.PolicyName)
		if ip.PolicyName == "" {
			w = fmt.Sprintf("%s inline policy [%d]", where, i)
		}
		text, p := b.parse(w, ip.PolicyDocument, kind)
		out = append(out, InlinePolicy{Name: ip.PolicyName, Document: text, Policy: p})
	}
	return out
}

func attached(list []rawAttached) []AttachedPolicy {
	out := make([]AttachedPolicy, 0, len(list))
	for _, ap := range list {
		out = append(out, AttachedPolicy{Name: ap.PolicyName, ARN: ap.PolicyArn})
	}
	return out
}

func tags(list []rawTag) []Tag {
	out := make([]Tag, 0, len(list))
	for _, t := range list {
		out = append(out, Tag(t))
	}
	return out
}

func boundaryARN(b *rawBoundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}

// add merges one page. Entities that appear twice (overlapping pages) are kept once.
func (b *builder) add(page *rawDetails, seen map[string]bool) {
	a := b.acct
	first := func(kind, arn string) bool {
		if arn == "" {
			a.problem(kind, "an entry without an Arn is skipped")
			return false
		}
		if seen[arn] {
			return false
		}
		seen[arn] = true
		return true
	}
	for _, ru := range page.UserDetailList {
		if !first("UserDetailList", ru.Arn) {
			continue
		}
		where := "user " + ru.Arn
		a.Users = append(a.Users, &User{Name: ru.UserName, Path: ru.Path, ID: ru.UserID, ARN: ru.Arn,
			Created: b.time(where, "CreateDate", ru.CreateDate), Inline: b.inline(where, ru.UserPolicyList, iam.KindInlineUser),
			Attached: attached(ru.AttachedManagedPolicies), Groups: append([]string(nil), ru.GroupList...),
			Boundary: boundaryARN(ru.PermissionsBoundary), Tags: tags(ru.Tags)})
	}
	for _, rg := range page.GroupDetailList {
		if !first("GroupDetailList", rg.Arn) {
			continue
		}
		where := "group " + rg.Arn
		a.Groups = append(a.Groups, &Group{Name: rg.GroupName, Path: rg.Path, ID: rg.GroupID, ARN: rg.Arn,
			Created: b.time(where, "CreateDate", rg.CreateDate), Inline: b.inline(where, rg.GroupPolicyList, iam.KindInlineGroup),
			Attached: attached(rg.AttachedManagedPolicies)})
	}
	for _, rr := range page.RoleDetailList {
		if !first("RoleDetailList", rr.Arn) {
			continue
		}
		where := "role " + rr.Arn
		r := &Role{Name: rr.RoleName, Path: rr.Path, ID: rr.RoleID, ARN: rr.Arn, Created: b.time(where, "CreateDate", rr.CreateDate),
			Inline: b.inline(where, rr.RolePolicyList, iam.KindInlineRole), Attached: attached(rr.AttachedManagedPolicies),
			Boundary: boundaryARN(rr.PermissionsBoundary), Tags: tags(rr.Tags)}
		r.TrustDocument, r.Trust = b.parse(where+" trust policy", rr.AssumeRolePolicyDocument, iam.KindTrust)
		for _, ip := range rr.InstanceProfileList {
			r.InstanceProfiles = append(r.InstanceProfiles, ip.Arn)
		}
		if rr.RoleLastUsed != nil {
			r.LastUsed = b.time(where, "RoleLastUsed.LastUsedDate", rr.RoleLastUsed.LastUsedDate)
			r.LastUsedRegion = rr.RoleLastUsed.Region
		}
		a.Roles = append(a.Roles, r)
	}
	for _, rp := range page.Policies {
		if !first("Policies", rp.Arn) {
			continue
		}
		where := "policy " + rp.Arn
		_, acct, _ := arnParts(rp.Arn)
		p := &ManagedPolicy{Name: rp.PolicyName, Path: rp.Path, ID: rp.PolicyID, ARN: rp.Arn, AWSManaged: acct == "aws",
			DefaultVersionID: rp.DefaultVersionID, AttachmentCount: rp.AttachmentCount, BoundaryUsageCount: rp.PermissionsBoundaryUsageCount,
			Created: b.time(where, "CreateDate", rp.CreateDate), Updated: b.time(where, "UpdateDate", rp.UpdateDate)}
		hasDefault := false
		for _, rv := range rp.PolicyVersionList {
			def := rv.IsDefaultVersion || (rv.VersionID != "" && rv.VersionID == rp.DefaultVersionID)
			if def && hasDefault {
				def = false
			}
			hasDefault = hasDefault || def
			text, pol := b.parse(fmt.Sprintf("%s version %s", where, rv.VersionID), rv.Document, iam.KindManaged)
			p.Versions = append(p.Versions, PolicyVersion{ID: rv.VersionID, Default: def, Created: b.time(where, "PolicyVersionList.CreateDate", rv.CreateDate),
				Document: text, Policy: pol})
		}
		if !hasDefault {
			a.problem(where, "no default version in the input: the policy grants nothing here")
		}
		a.Policies = append(a.Policies, p)
	}
}

// finish completes the Account once every page is added.
func (b *builder) finish() *Account {
	b.acct.setAccount()
	b.acct.index()
	return b.acct
}
