package iam

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/catalog"
)

// Resource checks: ARN form and fields, and ARNs that no action of the statement can
// apply to.

func (v *validator) checkResources(s *Statement, info *stmtInfo) {
	base := s.Path + ".Resource"
	if s.NotResource {
		base = s.Path + ".NotResource"
	}
	// Resource types are matched only for Action statements whose actions are all known:
	// with NotAction nearly every type is in play, and an unknown action has already been
	// reported and might apply.
	matchTypes := !s.NotResource && !s.NotAction && info.allKnown && !info.actions.IsEmpty()
	var types []*catalog.ResourceType
	for i, r := range s.Resources {
		if r == "*" {
			continue
		}
		path := v.listPath(base, i, len(s.Resources))
		a, err := SplitARN(r)
		if err == nil {
			err = checkARNFields(a)
		}
		if err != nil {
			v.add(CodeMalformedARN, path, "resource %q is not a valid ARN: %v", r, err)
			continue
		}
		if !matchTypes {
			continue
		}
		if types == nil {
			types = resourceTypesOf(info.actions)
		}
		if !anyTypeMatches(types, r) {
			v.add(CodeResourceTypeMismatch, path, "%s", resourceMismatchMessage(r, info.actions, types))
		}
	}
}

// partitions are the AWS partitions an ARN may name.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true,
	"aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// hasWildcardOrVariable reports whether an ARN field holds '*', '?' or a policy variable,
// which can stand for any value and so are not checked further.
func hasWildcardOrVariable(s string) bool {
	return strings.ContainsAny(s, "*?") || strings.Contains(s, "${")
}

// checkARNFields checks the values of an ARN's fields: a known partition, a lower-case
// service, a region of the form us-east-1 (or empty), and an account that is empty, 12
// digits, or a value AWS's own ARN patterns use ("aws" for AWS managed policies).
func checkARNFields(a ARNParts) error {
	if !hasWildcardOrVariable(a.Partition) && !partitions[a.Partition] {
		return fmt.Errorf("unknown partition %q (aws, aws-cn, aws-us-gov, ...)", a.Partition)
	}
	if a.Service != strings.ToLower(a.Service) {
		return fmt.Errorf("the service %q must be in lower case", a.Service)
	}
	if !hasWildcardOrVariable(a.Service) {
		for _, c := range a.Service {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				return fmt.Errorf("the service %q has the character %q", a.Service, c)
			}
		}
	}
	lits := arnLiterals()
	if a.Region != "" && !hasWildcardOrVariable(a.Region) && !regionPattern.MatchString(a.Region) && !lits.regions[a.Region] {
		return fmt.Errorf("the region %q is not a region name such as us-east-1", a.Region)
	}
	if a.Account != "" && !hasWildcardOrVariable(a.Account) && !isTwelveDigits(a.Account) && !lits.accounts[a.Account] {
		return fmt.Errorf("the account %q is not a 12-digit account ID", a.Account)
	}
	return nil
}

// arnFieldLiterals are the literal region and account values in the catalog's ARN
// patterns ("aws" as the account of AWS managed policies, for example).
type arnFieldLiterals struct {
	regions, accounts map[string]bool
}

var arnLiterals = sync.OnceValue(func() arnFieldLiterals {
	lits := arnFieldLiterals{regions: map[string]bool{}, accounts: map[string]bool{}}
	for _, svc := range catalog.Default().Services() {
		for _, rt := range svc.ResourceTypes {
			f := splitARNFields(rt.ARN)
			if len(f) < 6 {
				continue
			}
			if f[3] != "" && !hasWildcardOrVariable(f[3]) {
				lits.regions[f[3]] = true
			}
			if f[4] != "" && !hasWildcardOrVariable(f[4]) {
				lits.accounts[f[4]] = true
			}
		}
	}
	return lits
})

// resourceTypesOf lists the distinct resource types the actions apply to.
func resourceTypesOf(actions catalog.ActionSet) []*catalog.ResourceType {
	cat := catalog.Default()
	seen := map[*catalog.ResourceType]bool{}
	types := []*catalog.ResourceType{}
	actions.Each(func(id catalog.ActionID) bool {
		for _, r := range cat.Action(id).Resources {
			if !seen[r.Type] {
				seen[r.Type] = true
				types = append(types, r.Type)
			}
		}
		return true
	})
	return types
}

func anyTypeMatches(types []*catalog.ResourceType, arn string) bool {
	for _, t := range types {
		if t.MatchARN(arn) {
			return true
		}
	}
	return false
}

// resourceMismatchMessage explains why no action applies to arn, naming the ARN forms the
// actions do take when there are few enough to list.
func resourceMismatchMessage(arn string, actions catalog.ActionSet, types []*catalog.ResourceType) string {
	subject := "none of the statement's actions applies to"
	if actions.Len() == 1 {
		subject = catalog.Default().Names(actions)[0] + " does not apply to"
	}
	switch {
	case len(types) == 0:
		return fmt.Sprintf(`%s %q: the actions take no resource ARN and need "Resource": "*"`, subject, arn)
	case len(types) <= 3:
		forms := make([]string, len(types))
		for i, t := range types {
			forms[i] = t.ARN
		}
		return fmt.Sprintf("%s %q: it matches no resource type of the actions (they take %s)", subject, arn, strings.Join(forms, ", "))
	}
	return fmt.Sprintf("%s %q: it matches no resource type of the actions", subject, arn)
}
