package domain

import "slices"

// Identity is an authenticated caller: a person (OIDC) or an automation token.
type Identity struct {
	// Subject is the user name the broker knows the caller by (an OIDC claim such as
	// email, or the subject written into an API token).
	Subject string
	Groups  []string
	// Admin callers manage profiles and may act on any request.
	Admin bool
	// Via says how the caller authenticated ("oidc", "token:<name>", "system").
	Via string
}

// System is the identity the broker acts as for automatic transitions (expiry,
// timeouts, auto-approval).
var System = Identity{Subject: "ciem-broker", Via: "system"}

// Principals names users and groups.
type Principals struct {
	Users  []string `json:"users,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// Includes reports whether id is one of the users or a member of one of the groups.
func (p Principals) Includes(id Identity) bool {
	if slices.Contains(p.Users, id.Subject) {
		return true
	}
	for _, g := range id.Groups {
		if slices.Contains(p.Groups, g) {
			return true
		}
	}
	return false
}

// Empty reports whether no user or group is named.
func (p Principals) Empty() bool { return len(p.Users) == 0 && len(p.Groups) == 0 }
