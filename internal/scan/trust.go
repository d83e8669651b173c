package scan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ciem/ciem/internal/iam"
)

// Trust findings: who outside the role's own principals its trust policy lets in. Only
// Allow statements that allow assuming the role (sts:AssumeRole, AssumeRoleWithSAML,
// AssumeRoleWithWebIdentity) count. Conditions lower the severity (they may restrict the
// trust: an external id, an organization id); the role's own reach raises it (a role that
// is, or can become, administrator hands that to whoever it trusts).

// trustFindings returns the findings of one role's trust policy. powerful marks a role
// that is, or can become, administrator.
func trustFindings(r *Role, account string, powerful bool) []Finding {
	if r.Trust == nil {
		return nil
	}
	type key struct{ typ, rule, who string }
	found := map[key]Finding{}
	put := func(f Finding) {
		k := key{f.Type, f.Rule, f.Resource}
		if cur, ok := found[k]; ok && severityRank(cur.Severity) <= severityRank(f.Severity) {
			return
		}
		found[k] = f
	}
	for i, st := range r.Trust.Statements {
		if st.Effect != iam.Allow || !allowsAssume(st) {
			continue
		}
		conds := conditionKeys(st)
		where := trustName(r.ARN) + " " + statementPath(st, i)
		base := Finding{Principal: r.ARN, Actions: trustActions(st), Policies: []string{trustName(r.ARN)}}
		if st.NotPrincipal != nil {
			f := base
			f.Type, f.Rule, f.Resource, f.Severity = FindingPublicTrust, "trust-not-principal", "*", iam.RiskHigh
			f.Title = "Trust policy allows everyone but the principals it lists (NotPrincipal)"
			f.Detail = where + " allows with NotPrincipal: every other principal of every account may assume the role" + condText(conds)
			put(raise(f, powerful))
			continue
		}
		if st.Principal == nil {
			continue
		}
		if st.Principal.All {
			put(raise(publicTrust(base, where, "*", conds), powerful))
		}
		for _, v := range st.Principal.AWS {
			acct, whole := trustedAccount(v)
			switch {
			case v == "*":
				put(raise(publicTrust(base, where, v, conds), powerful))
			case acct == account && whole && len(conds) == 0:
				f := base
				f.Type, f.Rule, f.Resource, f.Severity = FindingAccountWideTrust, "trust-own-account", v, iam.RiskLow
				f.Title = "Trust policy trusts the whole account"
				f.Detail = where + " trusts account " + acct + " without conditions: every principal of the account whose own policies allow sts:AssumeRole on the role may assume it"
				put(f)
			case acct != "" && acct != account:
				f := base
				f.Type, f.Resource = FindingCrossAccountTrust, v
				if whole {
					f.Rule, f.Severity = "trust-other-account", iam.RiskHigh
					f.Title = "Trust policy trusts another whole account"
					f.Detail = where + " trusts account " + acct + ": every principal there that its administrators allow may assume the role"
				} else {
					f.Rule, f.Severity = "trust-other-account-principal", iam.RiskMedium
					f.Title = "Trust policy trusts a principal of another account"
					f.Detail = where + " trusts " + v + " of account " + acct
				}
				if len(conds) > 0 {
					f.Severity = lowerSeverity(f.Severity)
				} else if whole {
					f.Detail += ", without conditions (no sts:ExternalId, no aws:PrincipalOrgID)"
				}
				f.Detail += condText(conds)
				put(raise(f, powerful))
			}
		}
		for _, fed := range st.Principal.Federated {
			for _, f := range federatedFindings(base, where, fed, st, conds) {
				put(raise(f, powerful))
			}
		}
	}
	out := make([]Finding, 0, len(found))
	for _, f := range found {
		out = append(out, f)
	}
	sortFindings(out)
	return out
}

func publicTrust(base Finding, where, who string, conds []string) Finding {
	f := base
	f.Type, f.Rule, f.Resource = FindingPublicTrust, "trust-everyone", who
	f.Title = "Trust policy trusts everyone"
	if len(conds) == 0 {
		f.Severity = iam.RiskCritical
		f.Detail = where + " allows any principal of any AWS account to assume the role, without conditions"
	} else {
		f.Severity = iam.RiskMedium
		f.Detail = where + " allows any principal of any AWS account to assume the role, limited only by conditions" + condText(conds)
	}
	return f
}

// federatedFindings checks a federated principal's statement for the conditions that
// limit who the identity provider vouches for: the audience (<provider>:aud, SAML:aud),
// and for GitHub Actions the subject (the repository).
func federatedFindings(base Finding, where, fed string, st *iam.Statement, conds []string) []Finding {
	provider := fed
	if i := strings.Index(fed, ":oidc-provider/"); i >= 0 {
		provider = fed[i+len(":oidc-provider/"):]
	}
	saml := strings.Contains(fed, ":saml-provider/")
	audKey := strings.ToLower(provider) + ":aud"
	if saml {
		audKey = "saml:aud"
	}
	has := func(suffixKey string) bool {
		for _, c := range conds {
			if strings.EqualFold(c, suffixKey) {
				return true
			}
		}
		return false
	}
	var out []Finding
	if !has(audKey) {
		f := base
		f.Type, f.Rule, f.Resource, f.Severity = FindingFederatedNoAudience, "federated-trust-without-audience", fed, iam.RiskHigh
		f.Title = "Federated trust without an audience condition"
		f.Detail = where + " trusts " + fed + " without a condition on " + audKey + ": tokens issued for any audience of the provider are accepted" + condText(conds)
		out = append(out, f)
	}
	if strings.EqualFold(provider, "token.actions.githubusercontent.com") && !has(strings.ToLower(provider)+":sub") {
		f := base
		f.Type, f.Rule, f.Resource, f.Severity = FindingFederatedNoAudience, "federated-trust-without-subject", fed, iam.RiskCritical
		f.Title = "GitHub Actions trust without a subject condition"
		f.Detail = where + " trusts GitHub Actions without a condition on token.actions.githubusercontent.com:sub: a workflow of any repository on GitHub may assume the role"
		out = append(out, f)
	}
	return out
}

// raise makes a trust finding one severity higher when the role is, or can become,
// administrator.
func raise(f Finding, powerful bool) Finding {
	if !powerful {
		return f
	}
	if i := severityRank(f.Severity); i > 0 && i < len(iam.RiskSeverities) {
		f.Severity = iam.RiskSeverities[i-1]
	}
	f.Detail += "; the role is, or can become, an administrator"
	return f
}

func lowerSeverity(s string) string {
	if i := severityRank(s); i < len(iam.RiskSeverities)-1 {
		return iam.RiskSeverities[i+1]
	}
	return s
}

// trustedAccount returns the account a principal value names and whether it names the
// whole account (an account id or its root).
func trustedAccount(v string) (string, bool) {
	if isAccountID(v) {
		return v, true
	}
	_, acct, ok := arnParts(v)
	if !ok {
		return "", false
	}
	return acct, strings.HasSuffix(v, ":root")
}

// allowsAssume reports whether the statement allows one of the ways to assume a role.
func allowsAssume(st *iam.Statement) bool {
	set := st.ActionSet()
	for _, id := range assumeActions() {
		if set.Has(id) {
			return true
		}
	}
	return false
}

func trustActions(st *iam.Statement) []string {
	set := st.ActionSet()
	var out []string
	for _, id := range assumeActions() {
		if set.Has(id) {
			out = append(out, actionName(id))
		}
	}
	return out
}

func conditionKeys(st *iam.Statement) []string {
	var out []string
	for _, c := range st.Conditions {
		out = append(out, c.Key)
	}
	sort.Strings(out)
	return out
}

func condText(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " (conditions on " + strings.Join(sortedUnique(append([]string(nil), conds...)), ", ") + ")"
}

func statementPath(st *iam.Statement, i int) string {
	if st.Path != "" {
		return st.Path
	}
	return "$.Statement[" + strconv.Itoa(i) + "]"
}
