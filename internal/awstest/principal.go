package awstest

import (
	"strconv"
	"strings"
)

// caller is the principal behind a request, resolved against the current state.
type caller struct {
	kind        string // IAMUser, AssumedRole or FederatedUser (CloudTrail's identity types)
	arn         string
	principalID string
	keyID       string
	user        *user    // IAM users, and the issuer of GetSessionToken/GetFederationToken credentials
	role        *role    // assumed roles (nil when the role was deleted since)
	sess        *session // temporary credentials; nil for long-term keys
	// name is what LookupEvents shows as Username: the user name, the role session
	// name or the federated user name.
	name string
}

// resolveCaller finds the principal behind a credential. The caller of s.mu holds it.
func (s *Server) resolveCaller(cr credential) *caller {
	acct := s.st.Account
	if cr.sess == nil {
		u := s.st.Users[cr.userKey]
		c := &caller{kind: sessionUser, keyID: cr.keyID, user: u}
		if u != nil {
			c.arn, c.principalID, c.name = u.ARN, u.ID, u.Name
		}
		return c
	}
	ss := cr.sess
	c := &caller{kind: ss.Kind, keyID: cr.keyID, sess: ss}
	switch ss.Kind {
	case sessionAssumedRole:
		c.role = s.st.Roles[ss.RoleKey]
		if c.role != nil && c.role.ID != ss.RoleID {
			c.role = nil // a new role with the same name is not the one assumed
		}
		roleName := ss.RoleARN[strings.LastIndexByte(ss.RoleARN, '/')+1:]
		c.arn = "arn:aws:sts::" + acct + ":assumed-role/" + roleName + "/" + ss.SessionName
		c.principalID = ss.RoleID + ":" + ss.SessionName
		c.name = ss.SessionName
	case sessionFederated:
		c.user = s.st.Users[ss.UserKey]
		c.arn = "arn:aws:sts::" + acct + ":federated-user/" + ss.FederatedName
		c.principalID = acct + ":" + ss.FederatedName
		c.name = ss.FederatedName
	default: // GetSessionToken: the user, with temporary keys
		c.user = s.st.Users[ss.UserKey]
		if c.user != nil {
			c.arn, c.principalID, c.name = c.user.ARN, c.user.ID, c.user.Name
		}
	}
	return c
}

// tags returns the caller's principal tags: the user's, or the role's overridden by
// session tags.
func (c *caller) tags() []Tag {
	switch c.kind {
	case sessionAssumedRole:
		var out []Tag
		seen := map[string]bool{}
		for _, t := range c.sess.Tags {
			out = append(out, t)
			seen[lower(t.Key)] = true
		}
		if c.role != nil {
			for _, t := range c.role.Tags {
				if !seen[lower(t.Key)] {
					out = append(out, t)
				}
			}
		}
		return out
	case sessionFederated:
		return c.sess.Tags
	}
	if c.user != nil {
		return c.user.Tags
	}
	return nil
}

// principalARN is aws:PrincipalArn: the role ARN for role sessions.
func (c *caller) principalARN() string {
	if c.kind == sessionAssumedRole {
		return c.sess.RoleARN
	}
	return c.arn
}

// requestContext returns the global condition keys AWS puts in every request context.
func (c *call) requestContext() map[string][]string {
	cl := c.caller
	now := c.rq.now
	ctx := map[string][]string{
		"aws:CurrentTime":           {now.UTC().Format("2006-01-02T15:04:05Z")},
		"aws:EpochTime":             {strconv.FormatInt(now.Unix(), 10)},
		"aws:SourceIp":              {c.rq.sourceIP()},
		"aws:SecureTransport":       {strconv.FormatBool(c.rq.r.TLS != nil)},
		"aws:PrincipalArn":          {cl.principalARN()},
		"aws:PrincipalAccount":      {c.s.st.Account},
		"aws:PrincipalType":         {principalType(cl.kind)},
		"aws:userid":                {cl.principalID},
		"aws:RequestedRegion":       {c.rq.region},
		"aws:ViaAWSService":         {"false"},
		"aws:PrincipalIsAWSService": {"false"},
	}
	if ua := c.rq.userAgent(); ua != "" {
		ctx["aws:UserAgent"] = []string{ua}
	}
	if cl.kind == sessionUser && cl.user != nil {
		ctx["aws:username"] = []string{cl.user.Name}
	}
	if cl.sess != nil {
		ctx["aws:TokenIssueTime"] = []string{cl.sess.Issued.UTC().Format("2006-01-02T15:04:05Z")}
		ctx["aws:MultiFactorAuthPresent"] = []string{strconv.FormatBool(cl.sess.MFA)}
		if cl.sess.SourceIdentity != "" {
			ctx["aws:SourceIdentity"] = []string{cl.sess.SourceIdentity}
		}
	}
	for _, t := range cl.tags() {
		ctx["aws:PrincipalTag/"+t.Key] = []string{t.Value}
	}
	for k, v := range c.authzExtra {
		ctx[k] = v
	}
	return ctx
}

func principalType(kind string) string {
	switch kind {
	case sessionAssumedRole:
		return "AssumedRole"
	case sessionFederated:
		return "FederatedUser"
	}
	return "User"
}

// setCtx adds a request-specific condition key for the next authorize.
func (c *call) setCtx(key string, values ...string) {
	if c.authzExtra == nil {
		c.authzExtra = map[string][]string{}
	}
	c.authzExtra[key] = values
}

// setTagCtx adds aws:RequestTag/* and aws:TagKeys for tags sent with the request.
func (c *call) setTagCtx(tags []Tag) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		c.setCtx("aws:RequestTag/"+t.Key, t.Value)
		keys = append(keys, t.Key)
	}
	c.setCtx("aws:TagKeys", keys...)
}

// setResourceTagCtx adds aws:ResourceTag/* for the resource's existing tags.
func (c *call) setResourceTagCtx(tags []Tag) {
	for _, t := range tags {
		c.setCtx("aws:ResourceTag/"+t.Key, t.Value)
		c.setCtx("iam:ResourceTag/"+t.Key, t.Value)
	}
}
