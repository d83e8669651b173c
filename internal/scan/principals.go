package scan

import (
	"sort"
	"strings"

	"github.com/ciem/ciem/internal/iam"
)

// Principal types.
const (
	TypeUser = "user"
	TypeRole = "role"
)

// scanSession is the session name the scan gives a role acting as itself: a role's calls
// are made by an assumed-role session of it.
const scanSession = "ciem-scan"

// principal is a user or role with every policy that applies to it, named for reports:
// managed policies by ARN, inline ones as "inline/NAME", a group's as "group/GROUP/...".
type principal struct {
	arn, name, typ, path string
	user                 *User
	role                 *Role

	actingARN string // the caller's ARN in requests: the user, or a session of the role
	account   string
	identity  []iam.NamedPolicy
	boundary  []iam.NamedPolicy // zero or one
	refs      []PolicyRef       // the identity policies, as reports list them
	groups    []*Group
	// managed are the customer managed policies attached to the principal directly or
	// through its groups, sorted: a new version of one changes the principal's permissions.
	managed []*ManagedPolicy
	ctx     *iam.Context
}

// PolicyRef is one policy that applies to a principal.
type PolicyRef struct {
	Name string `json:"name"`          // as findings name it: an ARN, "inline/NAME" or "group/GROUP/inline/NAME"
	Kind string `json:"kind"`          // "managed", "aws-managed" or "inline"
	Via  string `json:"via,omitempty"` // the group it comes through, "" when attached to the principal
}

// inlineName is how an inline policy is named in reports.
func inlineName(group, name string) string {
	if group != "" {
		return "group/" + group + "/inline/" + name
	}
	return "inline/" + name
}

// buildPrincipals turns the account's users and roles into principals, users first, each
// list in ARN order.
func buildPrincipals(a *Account) []*principal {
	var out []*principal
	for _, u := range a.Users {
		p := &principal{arn: u.ARN, name: u.Name, typ: TypeUser, path: u.Path, user: u, actingARN: u.ARN, account: accountOf(u.ARN, a.ID)}
		managed := map[string]*ManagedPolicy{}
		p.addPolicies(a, "", u.Attached, u.Inline, managed)
		for _, gname := range u.Groups {
			g := a.Group(gname)
			if g == nil {
				continue // reported by Account.index
			}
			p.groups = append(p.groups, g)
			p.addPolicies(a, g.Name, g.Attached, g.Inline, managed)
		}
		p.setBoundary(a, u.Boundary)
		p.setManaged(managed)
		p.ctx = principalContext(p, u.ID, u.Tags)
		out = append(out, p)
	}
	for _, r := range a.Roles {
		p := &principal{arn: r.ARN, name: r.Name, typ: TypeRole, path: r.Path, role: r, account: accountOf(r.ARN, a.ID)}
		p.actingARN = sessionARN(r.ARN, r.Name)
		managed := map[string]*ManagedPolicy{}
		p.addPolicies(a, "", r.Attached, r.Inline, managed)
		p.setBoundary(a, r.Boundary)
		p.setManaged(managed)
		p.ctx = principalContext(p, r.ID, r.Tags)
		out = append(out, p)
	}
	return out
}

func accountOf(arn, def string) string {
	if _, acct, ok := arnParts(arn); ok && acct != "" {
		return acct
	}
	return def
}

// sessionARN is the ARN of an assumed-role session of the role.
func sessionARN(roleARN, name string) string {
	part, acct, _ := arnParts(roleARN)
	return "arn:" + part + ":sts::" + acct + ":assumed-role/" + name + "/" + scanSession
}

func (p *principal) addPolicies(a *Account, group string, att []AttachedPolicy, inline []InlinePolicy, managed map[string]*ManagedPolicy) {
	for _, ap := range att {
		mp := a.Policy(ap.ARN)
		if mp == nil {
			continue // reported by Account.index
		}
		kind := "managed"
		if mp.AWSManaged {
			kind = "aws-managed"
		} else {
			managed[mp.ARN] = mp
		}
		p.refs = append(p.refs, PolicyRef{Name: mp.ARN, Kind: kind, Via: group})
		if pol := mp.DefaultPolicy(); pol != nil {
			p.identity = append(p.identity, iam.NamedPolicy{Name: mp.ARN, Policy: pol})
		}
	}
	for _, ip := range inline {
		name := inlineName(group, ip.Name)
		p.refs = append(p.refs, PolicyRef{Name: name, Kind: "inline", Via: group})
		if ip.Policy != nil {
			p.identity = append(p.identity, iam.NamedPolicy{Name: name, Policy: ip.Policy})
		}
	}
}

func (p *principal) setBoundary(a *Account, arn string) {
	if arn == "" {
		return
	}
	mp := a.Policy(arn)
	if mp == nil || mp.DefaultPolicy() == nil {
		return // reported by Account.index
	}
	p.boundary = []iam.NamedPolicy{{Name: mp.ARN, Policy: mp.DefaultPolicy()}}
}

func (p *principal) setManaged(m map[string]*ManagedPolicy) {
	for _, mp := range m {
		p.managed = append(p.managed, mp)
	}
	sort.Slice(p.managed, func(i, j int) bool { return p.managed[i].ARN < p.managed[j].ARN })
}

// principalContext is the request context every call of the principal carries: what AWS
// sets from the caller's identity. Keys that depend on the request (source IP, MFA,
// region, time) are left out, so conditions on them are not met: a path that needs them
// is not reported.
func principalContext(p *principal, id string, tags []Tag) *iam.Context {
	c := iam.NewContext()
	c.Set("aws:PrincipalArn", p.arn)
	c.Set("aws:PrincipalAccount", p.account)
	c.Set("aws:SecureTransport", "true")
	c.Set("aws:ViaAWSService", "false")
	c.Set("aws:PrincipalIsAWSService", "false")
	switch p.typ {
	case TypeUser:
		c.Set("aws:PrincipalType", "User")
		c.Set("aws:username", p.name)
		if id != "" {
			c.Set("aws:userid", id)
		}
	case TypeRole:
		c.Set("aws:PrincipalType", "AssumedRole")
		if id != "" {
			c.Set("aws:userid", id+":"+scanSession)
		}
	}
	for _, t := range tags {
		c.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	return c
}

// displayName is a short name for text and HTML: "user/alice", "role/admin".
func displayName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return arn
	}
	res := parts[5]
	kind, rest, ok := strings.Cut(res, "/")
	if !ok {
		return res
	}
	return kind + "/" + rest[strings.LastIndexByte(rest, '/')+1:]
}
