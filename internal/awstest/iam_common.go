package awstest

import (
	"encoding/base64"
	"encoding/xml"
	"sort"
	"strings"
	"time"
)

// ARNs of IAM entities. IAM puts the path in the ARN of users, groups, roles and
// customer managed policies.
func (s *Server) iamARN(kind, path, name string) string {
	return "arn:aws:iam::" + s.st.Account + ":" + kind + path + name
}

func (s *Server) newUser(name, path string, now time.Time) *user {
	return &user{principalCommon: principalCommon{Name: name, Path: path, ID: newUniqueID(prefixUser),
		ARN: s.iamARN("user", path, name), Created: now, Inline: map[string]string{}}}
}

// findUser returns the user or IAM's NoSuchEntity.
func (s *Server) findUser(name string) (*user, *apiError) {
	if u := s.st.Users[lower(name)]; u != nil {
		return u, nil
	}
	return nil, errNoSuchEntity("The user with name %s cannot be found.", name)
}

func (s *Server) findGroup(name string) (*group, *apiError) {
	if g := s.st.Groups[lower(name)]; g != nil {
		return g, nil
	}
	return nil, errNoSuchEntity("The group with name %s cannot be found.", name)
}

func (s *Server) findRole(name string) (*role, *apiError) {
	if r := s.st.Roles[lower(name)]; r != nil {
		return r, nil
	}
	return nil, errNoSuchEntity("The role with name %s cannot be found.", name)
}

// resourceARN is the ARN IAM authorises an entity operation against: the entity's
// own ARN (with its path) when it exists, else the one it would have at path "/".
func (s *Server) userResource(name string) string {
	if u := s.st.Users[lower(name)]; u != nil {
		return u.ARN
	}
	return s.iamARN("user", "/", name)
}

func (s *Server) groupResource(name string) string {
	if g := s.st.Groups[lower(name)]; g != nil {
		return g.ARN
	}
	return s.iamARN("group", "/", name)
}

func (s *Server) roleResource(name string) string {
	if r := s.st.Roles[lower(name)]; r != nil {
		return r.ARN
	}
	return s.iamARN("role", "/", name)
}

// policyDocument returns the default document of a managed policy (customer or AWS).
func (s *Server) policyDocument(arn string) (string, bool) {
	if p := s.st.Policies[arn]; p != nil {
		return p.defaultDocument(), true
	}
	if ap := s.managed.get(arn); ap != nil {
		return ap.document, true
	}
	return "", false
}

// policyExists reports whether arn names a managed policy that can be attached.
func (s *Server) policyExists(arn string) bool {
	_, ok := s.policyDocument(arn)
	return ok
}

// policyName returns a managed policy's name from its ARN.
func policyNameFromARN(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// sortByName orders entities as IAM lists them.
func sortByName[T any](items []T, name func(T) string) {
	sort.Slice(items, func(i, j int) bool { return lower(name(items[i])) < lower(name(items[j])) })
}

// paginate returns one page of items (sorted by key) starting at marker, the marker
// of the next page, and whether there is one.
func paginate[T any](items []T, key func(T) string, marker string, max int) ([]T, string, bool, *apiError) {
	start := 0
	if marker != "" {
		raw, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", false, errInvalidInput("Invalid Marker.")
		}
		from := string(raw)
		start = sort.Search(len(items), func(i int) bool { return lower(key(items[i])) >= from })
	}
	end := start + max
	if end >= len(items) {
		return items[start:], "", false, nil
	}
	return items[start:end], base64.RawURLEncoding.EncodeToString([]byte(lower(key(items[end])))), true, nil
}

// namedResult is a result whose element names depend on the entity kind (UserName,
// GroupName or RoleName), written in order.
type namedResult []xmlField

func (n namedResult) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, f := range n {
		if err := e.EncodeElement(f.Value, xml.StartElement{Name: xml.Name{Local: f.Name}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// inPath reports whether path is under prefix (a ListX PathPrefix).
func inPath(path, prefix string) bool { return prefix == "" || strings.HasPrefix(path, prefix) }

// checkBoundary validates a permissions boundary ARN: it must be a managed policy.
func (s *Server) checkBoundary(arn string) *apiError {
	if !s.policyExists(arn) {
		return errNoSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}

// usesBoundary counts the entities using a policy as their permissions boundary.
func (s *Server) boundaryUsage(arn string) int {
	n := 0
	for _, u := range s.st.Users {
		if u.Boundary == arn {
			n++
		}
	}
	for _, r := range s.st.Roles {
		if r.Boundary == arn {
			n++
		}
	}
	return n
}

// attachmentCount counts the users, groups and roles a policy is attached to.
func (s *Server) attachmentCount(arn string) int {
	n := 0
	for _, u := range s.st.Users {
		if u.isAttached(arn) {
			n++
		}
	}
	for _, g := range s.st.Groups {
		if g.isAttached(arn) {
			n++
		}
	}
	for _, r := range s.st.Roles {
		if r.isAttached(arn) {
			n++
		}
	}
	return n
}

// groupsOf returns the groups a user belongs to, by name.
func (s *Server) groupsOf(userKey string) []*group {
	var out []*group
	for _, g := range s.st.Groups {
		if g.hasMember(userKey) {
			out = append(out, g)
		}
	}
	sortByName(out, func(g *group) string { return g.Name })
	return out
}
