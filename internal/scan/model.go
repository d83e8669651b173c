// Package scan is ciem's account-wide scan: an inventory of every user, group, role and
// managed policy of an account (GetAccountAuthorizationDetails, live or exported), each
// principal's effective permissions computed with the policy engine, an escalation graph
// across principals with the shortest path to administrator for each, trust findings,
// credential hygiene from the IAM credential report, CIS AWS Foundations Benchmark mapping,
// and reports (JSON with a stable schema, self-contained HTML, text), with a diff against
// an earlier scan.
package scan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// Account is one account's IAM configuration as GetAccountAuthorizationDetails reports it,
// with every policy document decoded and parsed.
type Account struct {
	ID        string // the 12-digit account id, from the ARNs in the input
	Partition string // "aws" unless the ARNs say otherwise

	Users    []*User          // sorted by ARN
	Groups   []*Group         // sorted by ARN
	Roles    []*Role          // sorted by ARN
	Policies []*ManagedPolicy // sorted by ARN

	// Problems are parts of the input that could not be used (a document that does not
	// parse, an attachment to a policy the input does not hold); the scan goes on without
	// them and reports them.
	Problems []Problem

	policyByARN map[string]*ManagedPolicy
	groupByName map[string]*Group
	userByARN   map[string]*User
	roleByARN   map[string]*Role
}

// Problem is one part of the input the scan could not use, and where it is.
type Problem struct {
	Where   string `json:"where"`
	Message string `json:"message"`
}

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// InlinePolicy is an inline policy of a user, group or role.
type InlinePolicy struct {
	Name     string
	Document string      // decoded JSON text
	Policy   *iam.Policy // nil when the document does not parse (see Account.Problems)
}

// AttachedPolicy is a managed policy attached to a user, group or role.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// User is an IAM user.
type User struct {
	Name, Path, ID, ARN string
	Created             time.Time
	Inline              []InlinePolicy
	Attached            []AttachedPolicy
	Groups              []string // group names
	Boundary            string   // permissions boundary policy ARN, "" if none
	Tags                []Tag
}

// Group is an IAM group.
type Group struct {
	Name, Path, ID, ARN string
	Created             time.Time
	Inline              []InlinePolicy
	Attached            []AttachedPolicy
	Members             []string // user ARNs, sorted
}

// Role is an IAM role.
type Role struct {
	Name, Path, ID, ARN string
	Created             time.Time
	TrustDocument       string
	Trust               *iam.Policy // nil when the trust policy does not parse
	Inline              []InlinePolicy
	Attached            []AttachedPolicy
	Boundary            string
	Tags                []Tag
	InstanceProfiles    []string // instance profile ARNs the role is in
	LastUsed            time.Time
	LastUsedRegion      string
}

// ManagedPolicy is a managed policy (customer managed or AWS managed) with its versions.
type ManagedPolicy struct {
	Name, Path, ID, ARN string
	AWSManaged          bool
	DefaultVersionID    string
	AttachmentCount     int
	BoundaryUsageCount  int
	Created, Updated    time.Time
	Versions            []PolicyVersion // as listed; the default one has Default set
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string
	Default  bool
	Created  time.Time
	Document string
	Policy   *iam.Policy // nil when the document does not parse
}

// DefaultPolicy returns the parsed default version, nil when there is none or it does not
// parse.
func (p *ManagedPolicy) DefaultPolicy() *iam.Policy {
	for i := range p.Versions {
		if p.Versions[i].Default {
			return p.Versions[i].Policy
		}
	}
	return nil
}

// Policy returns the managed policy with the ARN, nil when the input does not hold it.
func (a *Account) Policy(arn string) *ManagedPolicy { return a.policyByARN[arn] }

// Group returns the group with the name, nil when there is none.
func (a *Account) Group(name string) *Group { return a.groupByName[name] }

// User returns the user with the ARN, nil when there is none.
func (a *Account) User(arn string) *User { return a.userByARN[arn] }

// Role returns the role with the ARN, nil when there is none.
func (a *Account) Role(arn string) *Role { return a.roleByARN[arn] }

// index sorts the lists, fills the lookups and group members, and checks references.
func (a *Account) index() {
	sort.Slice(a.Users, func(i, j int) bool { return a.Users[i].ARN < a.Users[j].ARN })
	sort.Slice(a.Groups, func(i, j int) bool { return a.Groups[i].ARN < a.Groups[j].ARN })
	sort.Slice(a.Roles, func(i, j int) bool { return a.Roles[i].ARN < a.Roles[j].ARN })
	sort.Slice(a.Policies, func(i, j int) bool { return a.Policies[i].ARN < a.Policies[j].ARN })
	a.policyByARN = make(map[string]*ManagedPolicy, len(a.Policies))
	for _, p := range a.Policies {
		a.policyByARN[p.ARN] = p
	}
	a.groupByName = make(map[string]*Group, len(a.Groups))
	for _, g := range a.Groups {
		a.groupByName[g.Name] = g
	}
	a.userByARN = make(map[string]*User, len(a.Users))
	for _, u := range a.Users {
		a.userByARN[u.ARN] = u
	}
	a.roleByARN = make(map[string]*Role, len(a.Roles))
	for _, r := range a.Roles {
		a.roleByARN[r.ARN] = r
	}
	checkAttached := func(where string, list []AttachedPolicy) {
		for _, ap := range list {
			if a.policyByARN[ap.ARN] == nil {
				a.problem(where, "attached policy %s is not in the input: its permissions are not counted", ap.ARN)
			}
		}
	}
	checkBoundary := func(where, arn string) {
		if arn != "" && a.policyByARN[arn] == nil {
			a.problem(where, "permissions boundary %s is not in the input: the principal is scanned without it", arn)
		}
	}
	for _, u := range a.Users {
		where := "user " + u.ARN
		checkAttached(where, u.Attached)
		checkBoundary(where, u.Boundary)
		for _, gname := range u.Groups {
			g := a.groupByName[gname]
			if g == nil {
				a.problem(where, "group %q is not in the input: its permissions are not counted", gname)
				continue
			}
			g.Members = append(g.Members, u.ARN)
		}
	}
	for _, g := range a.Groups {
		sort.Strings(g.Members)
		checkAttached("group "+g.ARN, g.Attached)
	}
	for _, r := range a.Roles {
		checkAttached("role "+r.ARN, r.Attached)
		checkBoundary("role "+r.ARN, r.Boundary)
	}
	sort.SliceStable(a.Problems, func(i, j int) bool { return a.Problems[i].Where < a.Problems[j].Where })
}

func (a *Account) problem(where, format string, args ...any) {
	a.Problems = append(a.Problems, Problem{Where: where, Message: fmt.Sprintf(format, args...)})
}

// arnParts splits an IAM ARN into partition and account; ok is false when it is not an ARN.
func arnParts(arn string) (partition, account string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", false
	}
	return parts[1], parts[4], true
}

// setAccount takes the account and partition from the first principal or customer managed
// policy ARN; mixed accounts in one input are a problem worth reporting.
func (a *Account) setAccount() {
	var arns []string
	for _, u := range a.Users {
		arns = append(arns, u.ARN)
	}
	for _, r := range a.Roles {
		arns = append(arns, r.ARN)
	}
	for _, g := range a.Groups {
		arns = append(arns, g.ARN)
	}
	for _, p := range a.Policies {
		if !p.AWSManaged {
			arns = append(arns, p.ARN)
		}
	}
	for _, arn := range arns {
		part, acct, ok := arnParts(arn)
		if !ok || acct == "" {
			continue
		}
		if a.ID == "" {
			a.ID, a.Partition = acct, part
			continue
		}
		if acct != a.ID {
			a.problem(arn, "belongs to account %s, not %s: an input holds one account", acct, a.ID)
		}
	}
	if a.Partition == "" {
		a.Partition = "aws"
	}
}
