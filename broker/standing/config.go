// Package standing reads what a broker identity may do without any grant: the policies of
// the IAM principals (users, roles, groups) that configuration maps the person to. The
// workflow's preview subtracts it, so an approver sees what a grant adds.
package standing

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/awsx"
)

// SubjectPlaceholder is replaced by the requester's subject in Config.UserPattern.
const SubjectPlaceholder = "{subject}"

// DefaultCacheTTL is how long a principal's policies are reused between previews.
const DefaultCacheTTL = time.Minute

// Config maps broker identities to IAM principal ARNs. A person's standing access is
// the union of the principals of their subject (Users, or else UserPattern) and of each
// of their groups (Groups).
type Config struct {
	// Users maps a subject to principal ARNs (users, roles or groups).
	Users map[string][]string
	// Groups maps a broker group to principal ARNs; every member holds their policies.
	Groups map[string][]string
	// UserPattern names the principal of a subject that Users does not list, e.g.
	// "arn:aws:iam::111122223333:user/{subject}". Empty: only listed subjects map.
	UserPattern string
	// CacheTTL is how long read policies are reused (DefaultCacheTTL when zero; negative: no cache).
	CacheTTL time.Duration
}

// Validate checks every ARN and the pattern; errors name the entry.
func (c Config) Validate() error {
	for _, m := range []struct {
		what string
		m    map[string][]string
	}{{"users", c.Users}, {"groups", c.Groups}} {
		keys := make([]string, 0, len(m.m))
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(m.m[k]) == 0 {
				return fmt.Errorf("standing_access.%s[%q]: no principal ARN", m.what, k)
			}
			for _, arn := range m.m[k] {
				if _, err := awsx.ParsePrincipalARN(arn); err != nil {
					return fmt.Errorf("standing_access.%s[%q]: %w", m.what, k, err)
				}
			}
		}
	}
	if c.UserPattern != "" {
		if !strings.Contains(c.UserPattern, SubjectPlaceholder) {
			return fmt.Errorf("standing_access.user_pattern %q: must contain %s", c.UserPattern, SubjectPlaceholder)
		}
		if _, err := awsx.ParsePrincipalARN(strings.ReplaceAll(c.UserPattern, SubjectPlaceholder, "name")); err != nil {
			return fmt.Errorf("standing_access.user_pattern: %w", err)
		}
	}
	return nil
}

// Principals returns the ARNs a person maps to, sorted and without duplicates. An ARN the
// pattern makes from a subject that cannot be an IAM name is left out: no such principal
// can exist.
func (c Config) Principals(subject string, groups []string) []string {
	set := map[string]bool{}
	if arns, ok := c.Users[subject]; ok {
		for _, a := range arns {
			set[a] = true
		}
	} else if c.UserPattern != "" && subject != "" {
		arn := strings.ReplaceAll(c.UserPattern, SubjectPlaceholder, subject)
		if _, err := awsx.ParsePrincipalARN(arn); err == nil && validIAMName(subject) {
			set[arn] = true
		}
	}
	for _, g := range groups {
		for _, a := range c.Groups[g] {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// validIAMName reports whether s can be an IAM user or role name (alphanumerics and
// +=,.@_-, up to 64 characters).
func validIAMName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r)) {
			return false
		}
	}
	return true
}
