package awstest

import (
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// STS: AssumeRole, GetCallerIdentity, GetSessionToken, GetFederationToken,
// GetAccessKeyInfo.

const (
	chainedMaxSeconds    = 3600
	defaultRoleSeconds   = 3600
	minSessionSeconds    = 900
	maxRoleSeconds       = 43200
	defaultTokenSeconds  = 43200
	maxTokenSeconds      = 129600
	maxSessionPolicyARNs = 10
)

type xmlCredentials struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      isoTime
}

func credentialsXML(ss *session) xmlCredentials {
	return xmlCredentials{ss.AccessKeyID, ss.Secret, ss.Token, isoTime(ss.Expires)}
}

// issue stores new temporary credentials.
func (s *Server) issue(ss *session, now time.Time, seconds int) *session {
	ss.AccessKeyID = newAccessKeyID(prefixSessionKey)
	ss.Secret = newSecretAccessKey()
	ss.Token = newSessionToken()
	ss.Issued = now
	ss.Expires = now.Add(time.Duration(seconds) * time.Second)
	s.pruneSessions(now)
	s.st.Sessions[ss.AccessKeyID] = ss
	return ss
}

// pruneSessions forgets credentials that expired more than a day ago: they can only
// ever fail with ExpiredToken, and InvalidClientTokenId is what AWS says by then.
func (s *Server) pruneSessions(now time.Time) {
	for id, ss := range s.st.Sessions {
		if now.Sub(ss.Expires) > 24*time.Hour {
			delete(s.st.Sessions, id)
		}
	}
}

// sessionPolicy reads the Policy and PolicyArns parameters of AssumeRole and
// GetFederationToken.
func (c *call) sessionPolicy() (doc string, arns []string, has bool, aerr *apiError) {
	if c.has("Policy") {
		doc = c.optional("Policy", rulePolicyDoc, "")
	}
	for i, m := range c.structList("PolicyArns") {
		arn := m["arn"]
		c.check(sprintf("policyArns.%d.member.arn", i+1), arn, true, true, ruleArn)
		arns = append(arns, arn)
	}
	if len(arns) > maxSessionPolicyARNs {
		c.problem("Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicyARNs)
	}
	if err := c.failed(); err != nil {
		return "", nil, false, err
	}
	if doc != "" {
		if _, aerr := c.s.parsePolicy(doc, iam.KindSession); aerr != nil {
			return "", nil, false, aerr
		}
	}
	return doc, arns, doc != "" || len(arns) > 0, nil
}

// packedSize is STS's PackedPolicySize: the share of the packed-policy allowance the
// session policy and tags use, in percent.
func packedSize(doc string, arns []string, tags []Tag) int {
	n := policySize(doc) + 60*len(arns)
	for _, t := range tags {
		n += len(t.Key) + len(t.Value) + 4
	}
	return (n*100 + limitSessionPolicy - 1) / limitSessionPolicy
}

func opAssumeRole(c *call) (any, *apiError) {
	roleARN := c.required("RoleArn", ruleArn)
	sessName := c.required("RoleSessionName", ruleSession)
	seconds := c.intParam("DurationSeconds", minSessionSeconds, maxRoleSeconds, 0)
	externalID := c.optional("ExternalId", ruleExternalID, "")
	sourceID := c.optional("SourceIdentity", ruleSourceID, "")
	transitive := c.list("TransitiveTagKeys")
	tags, aerr := c.tagsParam("Tags")
	if aerr != nil {
		return nil, aerr
	}
	doc, arns, hasPolicy, aerr := c.sessionPolicy()
	if aerr != nil {
		return nil, aerr
	}
	if c.has("SerialNumber") != c.has("TokenCode") {
		return nil, errValidation("SerialNumber and TokenCode must be given together")
	}
	s, cl := c.s, c.caller
	if cl.kind == sessionFederated {
		return nil, c.accessDenied("sts:AssumeRole", roleARN, "")
	}
	chained := cl.kind == sessionAssumedRole
	if chained && seconds > chainedMaxSeconds {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	// Carry source identity and transitive tags along a role chain.
	if cl.sess != nil && cl.sess.SourceIdentity != "" {
		if sourceID != "" && sourceID != cl.sess.SourceIdentity {
			return nil, c.accessDenied("sts:SetSourceIdentity", roleARN, "")
		}
		sourceID = cl.sess.SourceIdentity
	}
	var inherited []Tag
	if cl.sess != nil {
		for _, k := range cl.sess.TransitiveKeys {
			for _, t := range cl.sess.Tags {
				if lower(t.Key) == lower(k) {
					for _, nt := range tags {
						if lower(nt.Key) == lower(k) {
							return nil, errInvalidParameter("One or more of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
						}
					}
					inherited = append(inherited, t)
				}
			}
		}
	}
	for _, k := range transitive {
		found := false
		for _, t := range tags {
			if lower(t.Key) == lower(k) {
				found = true
			}
		}
		if !found {
			return nil, errInvalidParameter("The specified transitive tag key must be included in the requested tags.")
		}
	}

	c.setCtx("sts:RoleSessionName", sessName)
	if externalID != "" {
		c.setCtx("sts:ExternalId", externalID)
	}
	if sourceID != "" {
		c.setCtx("sts:SourceIdentity", sourceID)
	}
	if len(transitive) > 0 {
		c.setCtx("sts:TransitiveTagKeys", transitive...)
	}
	c.setTagCtx(tags)
	c.authorized = true
	c.resources = []eventResource{{ARN: roleARN, AccountID: s.st.Account, Type: "AWS::IAM::Role"}}

	r := s.roleByARN(roleARN)
	ctx := c.requestContext()
	if r == nil {
		s.recordAccess(c, "sts:AssumeRole", false)
		return nil, c.accessDenied("sts:AssumeRole", roleARN, "")
	}
	trust, err := s.authz.parse(iam.KindTrust, r.Trust)
	allowed := err == nil && s.decideTrust(cl, trust, "sts:AssumeRole", r.ARN, ctx)
	s.recordAccess(c, "sts:AssumeRole", allowed)
	if !allowed {
		return nil, c.accessDenied("sts:AssumeRole", roleARN, "")
	}
	if len(tags) > 0 && !s.decideTrust(cl, trust, "sts:TagSession", r.ARN, ctx) {
		return nil, c.accessDenied("sts:TagSession", roleARN, "")
	}
	if c.str("SourceIdentity") != "" && !s.decideTrust(cl, trust, "sts:SetSourceIdentity", r.ARN, ctx) {
		return nil, c.accessDenied("sts:SetSourceIdentity", roleARN, "")
	}

	if seconds == 0 {
		seconds = defaultRoleSeconds
	}
	if seconds > r.MaxSessionDuration {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	packed := packedSize(doc, arns, append(tags, inherited...))
	if packed > 100 {
		return nil, newError(400, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}

	now := c.rq.now
	ss := &session{Kind: sessionAssumedRole, RoleKey: lower(r.Name), RoleARN: r.ARN, RoleID: r.ID, SessionName: sessName,
		Chained: chained, Policy: doc, PolicyARNs: arns, HasPolicy: hasPolicy, Tags: append(tags, inherited...),
		TransitiveKeys: append(transitive, keysOf(inherited)...), SourceIdentity: sourceID, MFA: c.has("TokenCode") || cl.sess != nil && cl.sess.MFA}
	s.issue(ss, now, seconds)
	r.LastUsed, r.LastUsedRegion = &now, c.rq.region
	s.st.touch()

	arn := "arn:aws:sts::" + s.st.Account + ":assumed-role/" + r.Name + "/" + sessName
	c.respElems = map[string]any{
		"credentials":     map[string]any{"accessKeyId": ss.AccessKeyID, "sessionToken": ss.Token, "expiration": cloudTrailExpiration(ss.Expires)},
		"assumedRoleUser": map[string]any{"assumedRoleId": r.ID + ":" + sessName, "arn": arn},
	}
	if sourceID != "" {
		c.respElems.(map[string]any)["sourceIdentity"] = sourceID
	}
	out := struct {
		Credentials     xmlCredentials
		AssumedRoleUser struct {
			AssumedRoleId string
			Arn           string
		}
		PackedPolicySize        *int   `xml:",omitempty"`
		SourceIdentity          string `xml:",omitempty"`
		SessionTokenSize        int
		SessionTokenUtilization int
	}{Credentials: credentialsXML(ss), SourceIdentity: sourceID, SessionTokenSize: len(ss.Token), SessionTokenUtilization: packed}
	out.AssumedRoleUser.AssumedRoleId, out.AssumedRoleUser.Arn = r.ID+":"+sessName, arn
	if hasPolicy || len(tags) > 0 {
		out.PackedPolicySize = &packed
	}
	return out, nil
}

// SessionTokenSize is the length of the token; SessionTokenUtilization is taken to be
// the packed size of session policies and tags, the part of a token that grows.

func errInvalidParameter(msg string) *apiError {
	return newError(400, "InvalidParameterValue", "%s", msg)
}

func keysOf(tags []Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.Key
	}
	return out
}

// roleByARN finds a role of this account by ARN (path included).
func (s *Server) roleByARN(arn string) *role {
	prefix := "arn:aws:iam::" + s.st.Account + ":role/"
	if !strings.HasPrefix(arn, prefix) {
		return nil
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	r := s.st.Roles[lower(name)]
	if r == nil || r.ARN != arn {
		return nil
	}
	return r
}

func opGetCallerIdentity(c *call) (any, *apiError) {
	cl := c.caller
	return struct {
		UserId  string
		Account string
		Arn     string
	}{cl.principalID, c.s.st.Account, cl.arn}, nil
}

func opGetSessionToken(c *call) (any, *apiError) {
	seconds := c.intParam("DurationSeconds", minSessionSeconds, maxTokenSeconds, defaultTokenSeconds)
	if err := c.failed(); err != nil {
		return nil, err
	}
	cl := c.caller
	c.authorized = true // GetSessionToken needs no permission
	if cl.sess != nil {
		return nil, errAccessDenied("Cannot call GetSessionToken with session credentials")
	}
	if cl.user == nil {
		return nil, errAccessDenied("Cannot call GetSessionToken without an IAM user")
	}
	ss := &session{Kind: sessionUser, UserKey: lower(cl.user.Name), MFA: c.has("SerialNumber") && c.has("TokenCode")}
	c.s.issue(ss, c.rq.now, seconds)
	c.s.st.touch()
	c.respElems = map[string]any{"credentials": map[string]any{"accessKeyId": ss.AccessKeyID, "sessionToken": ss.Token, "expiration": cloudTrailExpiration(ss.Expires)}}
	return struct {
		Credentials             xmlCredentials
		SessionTokenSize        int
		SessionTokenUtilization int
	}{credentialsXML(ss), len(ss.Token), 0}, nil
}

func opGetFederationToken(c *call) (any, *apiError) {
	name := c.required("Name", ruleFedName)
	seconds := c.intParam("DurationSeconds", minSessionSeconds, maxTokenSeconds, defaultTokenSeconds)
	tags, aerr := c.tagsParam("Tags")
	if aerr != nil {
		return nil, aerr
	}
	doc, arns, hasPolicy, aerr := c.sessionPolicy()
	if aerr != nil {
		return nil, aerr
	}
	s, cl := c.s, c.caller
	arn := "arn:aws:sts::" + s.st.Account + ":federated-user/" + name
	if cl.sess != nil {
		c.authorized = true
		return nil, errAccessDenied("Cannot call GetFederationToken with session credentials")
	}
	c.setTagCtx(tags)
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := c.authorizeAction("sts:TagSession", arn); err != nil {
			return nil, err
		}
	}
	packed := packedSize(doc, arns, tags)
	if packed > 100 {
		return nil, newError(400, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}
	ss := &session{Kind: sessionFederated, UserKey: lower(cl.user.Name), FederatedName: name, Policy: doc, PolicyARNs: arns,
		HasPolicy: hasPolicy, Tags: tags}
	s.issue(ss, c.rq.now, seconds)
	s.st.touch()
	c.respElems = map[string]any{
		"credentials":   map[string]any{"accessKeyId": ss.AccessKeyID, "sessionToken": ss.Token, "expiration": cloudTrailExpiration(ss.Expires)},
		"federatedUser": map[string]any{"federatedUserId": s.st.Account + ":" + name, "arn": arn},
	}
	out := struct {
		Credentials   xmlCredentials
		FederatedUser struct {
			FederatedUserId string
			Arn             string
		}
		PackedPolicySize        *int `xml:",omitempty"`
		SessionTokenSize        int
		SessionTokenUtilization int
	}{Credentials: credentialsXML(ss), SessionTokenSize: len(ss.Token), SessionTokenUtilization: packed}
	out.FederatedUser.FederatedUserId, out.FederatedUser.Arn = s.st.Account+":"+name, arn
	if hasPolicy || len(tags) > 0 {
		out.PackedPolicySize = &packed
	}
	return out, nil
}

func opGetAccessKeyInfo(c *call) (any, *apiError) {
	id := c.required("AccessKeyId", ruleAccessKey)
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	_ = id // every key the sandbox issued, and any other, belongs to its one account
	return struct{ Account string }{c.s.st.Account}, nil
}

// stsAllowedFor reports whether temporary credentials of this kind may call op at all
// (AWS restricts STS calls from session and federation credentials).
func stsAllowedFor(cl *caller, op string) bool {
	if cl.sess == nil || op == "GetCallerIdentity" {
		return true
	}
	switch cl.kind {
	case sessionUser:
		return op == "AssumeRole"
	case sessionFederated:
		return false
	}
	return op == "AssumeRole" || op == "GetAccessKeyInfo"
}
