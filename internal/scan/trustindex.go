package scan

import (
	"slices"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// trustIndex indexes the roles' trust policies by the principals their Allow statements
// name for sts:AssumeRole, so that the scan asks the engine about a (caller, role) pair
// only when the trust policy can allow it, instead of about every pair.
type trustIndex struct {
	byARN     map[string][]int // principal ARN (a role ARN also stands for its sessions) -> role indexes
	byAccount map[string][]int // account id -> roles that trust the whole account
	byService map[string][]int // service principal -> roles
	anyone    []int            // roles whose trust allows "*" (or uses NotPrincipal)
}

// assumeAction is the action a trust statement must cover to let a principal assume the
// role with its own credentials.
var assumeAction = sync.OnceValue(func() catalog.ActionID {
	id, _ := catalog.Default().LookupAction("sts:AssumeRole")
	return id
})

// assumeActions are the ways to assume a role: with AWS credentials, a SAML assertion or a
// web identity token.
var assumeActions = sync.OnceValue(func() []catalog.ActionID {
	var out []catalog.ActionID
	for _, n := range []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"} {
		id, _ := catalog.Default().LookupAction(n)
		out = append(out, id)
	}
	return out
})

func newTrustIndex(roles []*Role) *trustIndex {
	x := &trustIndex{byARN: map[string][]int{}, byAccount: map[string][]int{}, byService: map[string][]int{}}
	aid := assumeAction()
	for i, r := range roles {
		if r.Trust == nil {
			continue
		}
		arns, accts, svcs, anyone := map[string]bool{}, map[string]bool{}, map[string]bool{}, false
		for _, st := range r.Trust.Statements {
			if st.Effect != iam.Allow || !st.ActionSet().Has(aid) {
				continue
			}
			if st.NotPrincipal != nil {
				anyone = true
				continue
			}
			if st.Principal == nil {
				continue
			}
			if st.Principal.All {
				anyone = true
			}
			for _, v := range st.Principal.AWS {
				if v == "*" {
					anyone = true
					continue
				}
				acct, whole := trustedAccount(v)
				switch {
				case whole:
					accts[acct] = true
				case strings.HasPrefix(v, "arn:") && strings.HasSuffix(v, ":root"):
					// A root ARN that does not parse is not indexed: it names no account,
					// and no user's or role's ARN ends in ":root".
				default:
					arns[v] = true
				}
			}
			for _, v := range st.Principal.Service {
				svcs[v] = true
			}
		}
		for k := range arns {
			x.byARN[k] = append(x.byARN[k], i)
		}
		for k := range accts {
			x.byAccount[k] = append(x.byAccount[k], i)
		}
		for k := range svcs {
			x.byService[k] = append(x.byService[k], i)
		}
		if anyone {
			x.anyone = append(x.anyone, i)
		}
	}
	return x
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// candidates returns the roles whose trust policy may let the principal assume them, in
// role order: those naming it, those trusting its whole account (only when its own
// policies may allow sts:AssumeRole: a trust naming the account delegates to them), and
// those trusting everyone.
func (x *trustIndex) candidates(p *principal, mayAssume bool) []int {
	seen := map[int]bool{}
	var out []int
	add := func(list []int) {
		for _, i := range list {
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	add(x.byARN[p.arn])
	if mayAssume {
		add(x.byAccount[p.account])
	}
	add(x.anyone)
	slices.Sort(out)
	return out
}
