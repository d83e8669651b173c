package awstest

import (
	"sort"
	"strings"
	"time"
)

// state is everything the sandbox remembers. It is guarded by Server.mu and persisted
// as JSON, so every field that must survive a restart is exported.
type state struct {
	Version    int                       `json:"version"`
	Account    string                    `json:"account"`
	Region     string                    `json:"region"`
	AdminKeyID string                    `json:"adminKeyId"`
	Users      map[string]*user          `json:"users"`  // by lower-case name: IAM names are case-insensitive
	Groups     map[string]*group         `json:"groups"` // by lower-case name
	Roles      map[string]*role          `json:"roles"`  // by lower-case name
	Policies   map[string]*managedPolicy `json:"policies"`
	AccessKeys map[string]*accessKey     `json:"accessKeys"` // by access key ID
	Sessions   map[string]*session       `json:"sessions"`   // STS credentials by access key ID
	Buckets    map[string]*bucket        `json:"buckets"`
	Trails     map[string]*trail         `json:"trails"` // by name
	Jobs       map[string]*advisorJob    `json:"jobs"`   // Access Advisor jobs by ID
	Usage      map[string]*usage         `json:"usage"`  // Access Advisor data by principal ARN
	// AWSPolicyDefaults records SetDefaultPolicyVersion-like state for AWS managed
	// policies: none (they are read-only), kept so the file format can grow.
	Serial uint64 `json:"serial"` // bumped on every IAM change; invalidates compiled policies
}

const stateVersion = 1

func newState(account, region string) *state {
	return &state{
		Version:    stateVersion,
		Account:    account,
		Region:     region,
		Users:      map[string]*user{},
		Groups:     map[string]*group{},
		Roles:      map[string]*role{},
		Policies:   map[string]*managedPolicy{},
		AccessKeys: map[string]*accessKey{},
		Sessions:   map[string]*session{},
		Buckets:    map[string]*bucket{},
		Trails:     map[string]*trail{},
		Jobs:       map[string]*advisorJob{},
		Usage:      map[string]*usage{},
	}
}

// fill makes the maps of a loaded state non-nil.
func (st *state) fill() {
	if st.Users == nil {
		st.Users = map[string]*user{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*group{}
	}
	if st.Roles == nil {
		st.Roles = map[string]*role{}
	}
	if st.Policies == nil {
		st.Policies = map[string]*managedPolicy{}
	}
	if st.AccessKeys == nil {
		st.AccessKeys = map[string]*accessKey{}
	}
	if st.Sessions == nil {
		st.Sessions = map[string]*session{}
	}
	if st.Buckets == nil {
		st.Buckets = map[string]*bucket{}
	}
	if st.Trails == nil {
		st.Trails = map[string]*trail{}
	}
	if st.Jobs == nil {
		st.Jobs = map[string]*advisorJob{}
	}
	if st.Usage == nil {
		st.Usage = map[string]*usage{}
	}
	for _, u := range st.Users {
		if u.Inline == nil {
			u.Inline = map[string]string{}
		}
	}
	for _, g := range st.Groups {
		if g.Inline == nil {
			g.Inline = map[string]string{}
		}
	}
	for _, r := range st.Roles {
		if r.Inline == nil {
			r.Inline = map[string]string{}
		}
	}
	for _, b := range st.Buckets {
		if b.Objects == nil {
			b.Objects = map[string]*object{}
		}
	}
}

// touch records an IAM change.
func (st *state) touch() { st.Serial++ }

// Tag is an IAM or STS tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// principalCommon holds what users, groups and roles share.
type principalCommon struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	ARN      string            `json:"arn"`
	Created  time.Time         `json:"created"`
	Inline   map[string]string `json:"inline"`   // policy name -> document as submitted
	Attached []string          `json:"attached"` // managed policy ARNs, in attach order
}

// inlineNames returns the inline policy names in the order IAM lists them.
func (p *principalCommon) inlineNames() []string {
	names := make([]string, 0, len(p.Inline))
	for n := range p.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (p *principalCommon) isAttached(arn string) bool {
	for _, a := range p.Attached {
		if a == arn {
			return true
		}
	}
	return false
}

func (p *principalCommon) detach(arn string) bool {
	for i, a := range p.Attached {
		if a == arn {
			p.Attached = append(p.Attached[:i:i], p.Attached[i+1:]...)
			return true
		}
	}
	return false
}

type user struct {
	principalCommon
	Tags     []Tag  `json:"tags,omitempty"`
	Boundary string `json:"boundary,omitempty"` // policy ARN
}

type group struct {
	principalCommon
	Members []string `json:"members"` // lower-case user names, in add order
}

func (g *group) hasMember(userKey string) bool {
	for _, m := range g.Members {
		if m == userKey {
			return true
		}
	}
	return false
}

type role struct {
	principalCommon
	Trust              string     `json:"trust"`
	Description        string     `json:"description,omitempty"`
	MaxSessionDuration int        `json:"maxSessionDuration"`
	Tags               []Tag      `json:"tags,omitempty"`
	Boundary           string     `json:"boundary,omitempty"`
	LastUsed           *time.Time `json:"lastUsed,omitempty"`
	LastUsedRegion     string     `json:"lastUsedRegion,omitempty"`
}

type policyVersion struct {
	ID       string    `json:"id"` // v1, v2, ...
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

type managedPolicy struct {
	Name           string          `json:"name"`
	Path           string          `json:"path"`
	ID             string          `json:"id"`
	ARN            string          `json:"arn"`
	Description    string          `json:"description,omitempty"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
	DefaultVersion string          `json:"defaultVersion"`
	NextVersion    int             `json:"nextVersion"`
	Versions       []policyVersion `json:"versions"`
	Tags           []Tag           `json:"tags,omitempty"`
}

func (p *managedPolicy) version(id string) *policyVersion {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

func (p *managedPolicy) defaultDocument() string {
	if v := p.version(p.DefaultVersion); v != nil {
		return v.Document
	}
	return ""
}

type accessKey struct {
	ID              string     `json:"id"`
	Secret          string     `json:"secret"`
	UserKey         string     `json:"user"` // lower-case user name
	Status          string     `json:"status"`
	Created         time.Time  `json:"created"`
	LastUsed        *time.Time `json:"lastUsed,omitempty"`
	LastUsedService string     `json:"lastUsedService,omitempty"`
	LastUsedRegion  string     `json:"lastUsedRegion,omitempty"`
}

// Session kinds, named as CloudTrail names the identity type.
const (
	sessionAssumedRole = "AssumedRole"
	sessionUser        = "IAMUser" // GetSessionToken
	sessionFederated   = "FederatedUser"
)

// session is a set of temporary credentials STS issued.
type session struct {
	AccessKeyID string    `json:"accessKeyId"`
	Secret      string    `json:"secret"`
	Token       string    `json:"token"`
	Kind        string    `json:"kind"`
	Issued      time.Time `json:"issued"`
	Expires     time.Time `json:"expires"`
	// Assumed roles.
	RoleKey     string `json:"role,omitempty"` // lower-case role name
	RoleARN     string `json:"roleArn,omitempty"`
	RoleID      string `json:"roleId,omitempty"`
	SessionName string `json:"sessionName,omitempty"`
	Chained     bool   `json:"chained,omitempty"`
	// GetSessionToken and GetFederationToken: the IAM user whose keys asked.
	UserKey       string `json:"user,omitempty"`
	FederatedName string `json:"federatedName,omitempty"`
	// Session policies, tags and source identity.
	Policy         string   `json:"policy,omitempty"`
	PolicyARNs     []string `json:"policyArns,omitempty"`
	HasPolicy      bool     `json:"hasPolicy,omitempty"` // a session policy was passed (inline or ARNs)
	Tags           []Tag    `json:"tags,omitempty"`
	TransitiveKeys []string `json:"transitiveKeys,omitempty"`
	SourceIdentity string   `json:"sourceIdentity,omitempty"`
	MFA            bool     `json:"mfa,omitempty"`
}

type object struct {
	Key          string            `json:"key"`
	Data         []byte            `json:"data"`
	ETag         string            `json:"etag"`
	ContentType  string            `json:"contentType,omitempty"`
	LastModified time.Time         `json:"lastModified"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	Checksums    map[string]string `json:"checksums,omitempty"` // x-amz-checksum-* header -> value
}

type bucket struct {
	Name    string             `json:"name"`
	Created time.Time          `json:"created"`
	Region  string             `json:"region"`
	Objects map[string]*object `json:"objects"`
}

// sortedKeys returns the bucket's object keys in S3's (binary) order.
func (b *bucket) sortedKeys() []string {
	keys := make([]string, 0, len(b.Objects))
	for k := range b.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func lower(s string) string { return strings.ToLower(s) }
