package scan

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// Finding types the scan reports (docs/scan-report.md lists them with their meaning).
const (
	FindingPrivilegeEscalation   = iam.RiskPrivilegeEscalation
	FindingWildcardAdmin         = iam.RiskWildcardAdmin
	FindingCrossAccountTrust     = "cross_account_trust"
	FindingPublicTrust           = "public_trust"
	FindingAccountWideTrust      = "account_wide_trust"
	FindingFederatedNoAudience   = "federated_trust_without_audience"
	FindingUnusedCredentials     = "unused_credentials"
	FindingKeyNotRotated         = "access_key_not_rotated"
	FindingConsoleWithoutMFA     = "console_without_mfa"
	FindingMultipleActiveKeys    = "multiple_active_access_keys"
	FindingKeyAtSetup            = "access_key_created_at_setup"
	FindingRootAccessKey         = "root_access_key"
	FindingRootWithoutMFA        = "root_without_mfa"
	FindingUserAttachedPolicies  = "user_attached_policies"
	FindingAdminPolicy           = "admin_policy"
	FindingNoSupportRole         = "no_support_role"
	FindingCloudShellFullAccess  = "cloudshell_full_access"
	FindingUnusedPermissions     = "unused_permissions"
	FindingInactivePrincipal     = "inactive_principal"
	RuleAdminPath                = "admin-path"
	awsSupportAccessPolicySuffix = ":iam::aws:policy/AWSSupportAccess"
	cloudShellFullAccessSuffix   = ":iam::aws:policy/AWSCloudShellFullAccess"
)

// Finding is one thing the scan found about a principal or the account.
type Finding struct {
	Type     string `json:"type"`
	Rule     string `json:"rule"` // the engine's risk rule, or the scan's own check
	Severity string `json:"severity"`
	Title    string `json:"title"`
	// Principal is the user or role the finding is about ("" for the account itself).
	Principal string `json:"principal,omitempty"`
	// Resource is what else the finding is about: a policy, a credential, a trusted
	// principal ("" when only the principal).
	Resource string   `json:"resource,omitempty"`
	Actions  []string `json:"actions"`
	Policies []string `json:"policies"`
	Detail   string   `json:"detail"`
	CIS      []string `json:"cis"` // the CIS AWS Foundations Benchmark controls it breaks
}

// key identifies a finding across scans (for the baseline diff).
func (f Finding) key() string {
	return f.Type + "|" + f.Rule + "|" + f.Principal + "|" + f.Resource
}

// analyzer runs the engine's risk analysis once per distinct set of policies.
type analyzer struct {
	mu    sync.Mutex
	cache map[string][]iam.RiskFinding
}

func newAnalyzer() *analyzer { return &analyzer{cache: map[string][]iam.RiskFinding{}} }

// policySetKey identifies a list of named policies by names and documents.
func policySetKey(ps []iam.NamedPolicy) string {
	var b strings.Builder
	for _, np := range ps {
		b.WriteString(np.Name)
		b.WriteByte(0)
		fmt.Fprintf(&b, "%p", np.Policy)
		b.WriteByte(0)
	}
	return b.String()
}

// analyze runs iam.Analyze on the policies that can take part in a risk rule. The others
// cannot change its result: an Allow statement counts for a rule only when its actions
// meet one of the rule's groups (and, for a rule on broad resources, only when its
// resource is broad), and a policy without Deny statements takes nothing away. Whether
// every action is granted on every resource (wildcard-admin) is the one rule that any
// broad statement can take part in: when the broad statements together do not grant every
// action, it cannot be met. Skipping the other policies makes most principals free.
func (z *analyzer) analyze(sums *summaries, all []iam.NamedPolicy) []iam.RiskFinding {
	cat := catalog.Default()
	wild := cat.NewSet()
	for _, np := range all {
		sums.get(np.Policy).allowWild.addTo(&wild)
	}
	everything := wild.ContainsAll(cat.AllActions())
	var identity []iam.NamedPolicy
	grants := false
	for _, np := range all {
		ps := sums.get(np.Policy)
		allows := ps.riskRelevant || everything && !ps.allowWild.isEmpty()
		grants = grants || allows
		if allows || ps.hasDeny {
			identity = append(identity, np)
		}
	}
	if !grants {
		return nil // Deny statements alone meet no rule
	}
	k := policySetKey(identity)
	z.mu.Lock()
	fs, ok := z.cache[k]
	z.mu.Unlock()
	if ok {
		return fs
	}
	fs = iam.Analyze(identity)
	z.mu.Lock()
	z.cache[k] = fs
	z.mu.Unlock()
	return fs
}

// ruleGroups holds each risk rule's groups as action sets, as Analyze reads them.
var ruleGroups = sync.OnceValue(func() map[string]iam.RiskRule {
	out := map[string]iam.RiskRule{}
	for _, r := range iam.RiskRules() {
		out[r.ID] = r
	}
	return out
})

var ruleSets sync.Map // rule id -> []catalog.ActionSet

// riskActions are the actions of every risk rule but wildcard-admin: those of rules that
// count grants on any resource (narrow) and of rules that count only grants on broad
// resources (broad).
var riskActions = sync.OnceValues(func() (narrow, broad catalog.ActionSet) {
	narrow, broad = catalog.Default().NewSet(), catalog.Default().NewSet()
	for _, r := range iam.RiskRules() {
		if r.ID == "wildcard-admin" {
			continue
		}
		for _, g := range groupsOf(r) {
			if r.Broad {
				broad.UnionWith(g)
			} else {
				narrow.UnionWith(g)
			}
		}
	}
	return narrow, broad
})

func groupsOf(r iam.RiskRule) []catalog.ActionSet {
	if v, ok := ruleSets.Load(r.ID); ok {
		return v.([]catalog.ActionSet)
	}
	var out []catalog.ActionSet
	for _, g := range r.Requires {
		set := iam.ExpandActions(g...)
		if r.Level != 0 {
			set.IntersectWith(catalog.Default().ByAccessLevel(r.Level))
		}
		out = append(out, set)
	}
	ruleSets.Store(r.ID, out)
	return out
}

// riskFindings are the engine's findings for a principal's identity policies, with three
// changes: an administrator gets only the wildcard-admin finding, escalation rules the
// graph models are left to the graph (which reports a path only when every step is
// allowed), and with a permissions boundary a rule the boundary does not let through is
// dropped.
//
// A rule that ignores grants on the caller itself (NotSelf: creating one's own access key)
// is also checked with the engine: verify reports whether one of its actions is allowed on
// another user of the account, so that a Deny that keeps the grant to the caller's own
// user (NotResource ".../user/${aws:username}") is honoured.
func riskFindings(z *analyzer, sums *summaries, p *principal, sets grantSets, verify func(iam.RiskRule, iam.RiskFinding) bool) []Finding {
	var out []Finding
	for _, rf := range z.analyze(sums, p.identity) {
		if sets.admin && rf.Type != iam.RiskWildcardAdmin {
			continue // an administrator can do all of it: the one finding says so
		}
		if rf.Type == iam.RiskPrivilegeEscalation && !isUnmodelled(rf.Rule) {
			continue
		}
		if len(p.boundary) > 0 && !metWithin(rf, sets.effective) {
			continue
		}
		if r := ruleGroups()[rf.Rule]; r.NotSelf && verify != nil && !verify(r, rf) {
			continue
		}
		f := Finding{Type: rf.Type, Rule: rf.Rule, Severity: rf.Severity, Title: rf.Title, Principal: p.arn,
			Actions: nonNil(rf.Actions), Detail: rf.Detail}
		for _, s := range rf.Statements {
			f.Policies = append(f.Policies, s.Policy)
		}
		f.Policies = sortedUnique(f.Policies)
		if rf.Type == iam.RiskPrivilegeEscalation {
			f.Detail += "; the account's IAM data does not say which existing compute runs with which role, so no path is drawn"
		}
		out = append(out, f)
	}
	return out
}

// metWithin reports whether the rule behind a finding is still met by the actions the
// finding names once limited to the effective set.
func metWithin(rf iam.RiskFinding, effective catalog.ActionSet) bool {
	r, ok := ruleGroups()[rf.Rule]
	if !ok {
		return true
	}
	granted := iam.ExpandActions(rf.Actions...)
	granted.IntersectWith(effective)
	for _, g := range groupsOf(r) {
		if r.AllOf && !granted.ContainsAll(g) || !r.AllOf && !granted.Intersects(g) {
			return false
		}
	}
	return true
}

// pathFinding is the escalation graph's finding for a principal that can become
// administrator.
func pathFinding(p *principal, pr PathResult) Finding {
	f := Finding{Type: FindingPrivilegeEscalation, Rule: RuleAdminPath, Severity: iam.RiskCritical, Principal: p.arn, Resource: pr.Via}
	n := len(pr.Steps)
	f.Title = "Can become administrator in " + plural(n, "step")
	var acts, pols, words []string
	for _, s := range pr.Steps {
		acts = append(acts, s.Actions...)
		pols = append(pols, s.Policies...)
		words = append(words, displayName(s.From)+" "+s.Detail)
	}
	f.Actions, f.Policies = sortedUnique(acts), sortedUnique(pols)
	f.Detail = strings.Join(words, "; then ")
	if pr.Via != p.arn {
		f.Detail += "; " + displayName(pr.Via) + " is an administrator"
	} else {
		f.Detail += "; it is then an administrator"
	}
	return f
}

// userAttachedFinding reports policies attached to a user directly (CIS 1.15).
func userAttachedFinding(p *principal) (Finding, bool) {
	if p.user == nil || len(p.user.Attached)+len(p.user.Inline) == 0 {
		return Finding{}, false
	}
	var pols []string
	for _, r := range p.refs {
		if r.Via == "" {
			pols = append(pols, r.Name)
		}
	}
	return Finding{Type: FindingUserAttachedPolicies, Rule: "user-attached-policies", Severity: iam.RiskLow, Principal: p.arn,
		Title: "Policies attached to the user directly", Actions: []string{}, Policies: sortedUnique(pols),
		Detail: "permissions should come through groups: " + plural(len(pols), "policy") + " attached to the user itself"}, true
}

// cloudShellFinding reports AWSCloudShellFullAccess attached to the principal (CIS 1.22).
func cloudShellFinding(p *principal) (Finding, bool) {
	for _, r := range p.refs {
		if strings.HasSuffix(r.Name, cloudShellFullAccessSuffix) {
			return Finding{Type: FindingCloudShellFullAccess, Rule: "cloudshell-full-access", Severity: iam.RiskMedium, Principal: p.arn,
				Title: "AWSCloudShellFullAccess attached", Actions: []string{}, Policies: []string{r.Name},
				Detail: "CloudShell with full access can upload and download files and run any CLI command from the console"}, true
		}
	}
	return Finding{}, false
}

// accountFindings are findings about the account's policies rather than one principal.
func accountFindings(a *Account, sums *summaries, ps []*principal) []Finding {
	var out []Finding
	for _, mp := range a.Policies {
		if mp.AWSManaged || mp.AttachmentCount == 0 {
			continue
		}
		pol := mp.DefaultPolicy()
		if pol == nil || !sums.grants([]iam.NamedPolicy{{Name: mp.ARN, Policy: pol}}, nil).admin {
			continue
		}
		out = append(out, Finding{Type: FindingAdminPolicy, Rule: "admin-policy", Severity: iam.RiskHigh, Resource: mp.ARN,
			Title: "Customer managed policy allows every action on every resource", Actions: []string{"*"}, Policies: []string{mp.ARN},
			Detail: mp.Name + " allows \"*\" on \"*\" and is attached to " + plural(mp.AttachmentCount, "principal")})
	}
	support := false
	for _, p := range ps {
		for _, r := range p.refs {
			if strings.HasSuffix(r.Name, awsSupportAccessPolicySuffix) {
				support = true
			}
		}
	}
	if !support {
		out = append(out, Finding{Type: FindingNoSupportRole, Rule: "no-support-role", Severity: iam.RiskLow,
			Title: "No principal has AWSSupportAccess", Actions: []string{}, Policies: []string{},
			Detail: "no user, group or role has the AWSSupportAccess managed policy to manage incidents with AWS Support"})
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return strconv.Itoa(n) + " " + word[:len(word)-1] + "ies"
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// severityRank orders severities, most severe first; "none" last.
func severityRank(s string) int {
	if i := slices.Index(iam.RiskSeverities, s); i >= 0 {
		return i
	}
	return len(iam.RiskSeverities)
}

// sortFindings orders findings by severity, then type, principal, resource, rule.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Rule < b.Rule
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
