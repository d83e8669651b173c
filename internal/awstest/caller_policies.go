package awstest

import "github.com/ciem/ciem/internal/iam"

// callerPolicies collects the documents that govern a caller: identity policies
// (inline, attached, and through groups), the permissions boundary, and session
// policies. usable is false when the credentials can do nothing at all.
func (s *Server) callerPolicies(cl *caller) (cp callerPolicies, usable bool) {
	switch cl.kind {
	case sessionAssumedRole:
		if cl.role == nil {
			return cp, false // the role was deleted: its sessions keep nothing
		}
		s.entityPolicies(&cp, "role", &cl.role.principalCommon, iam.KindInlineRole)
		cp.boundary = s.boundaryDocs(cl.role.Boundary)
	default:
		if cl.user == nil {
			return cp, false
		}
		s.userPolicies(&cp, cl.user)
		cp.boundary = s.boundaryDocs(cl.user.Boundary)
	}
	if cl.sess != nil && (cl.sess.HasPolicy || cl.kind == sessionFederated) {
		// A federation token without a session policy has no permissions: an empty
		// session policy set allows nothing.
		cp.sessionApplies = true
		if cl.sess.Policy != "" {
			cp.session = append(cp.session, namedDoc{name: "session policy", doc: cl.sess.Policy, kind: iam.KindSession})
		}
		for _, arn := range cl.sess.PolicyARNs {
			if doc, ok := s.policyDocument(arn); ok {
				cp.session = append(cp.session, namedDoc{name: arn, doc: doc, kind: iam.KindSession})
			}
		}
		if len(cp.session) == 0 {
			return cp, false
		}
	}
	return cp, true
}

func (s *Server) userPolicies(cp *callerPolicies, u *user) {
	s.entityPolicies(cp, "user", &u.principalCommon, iam.KindInlineUser)
	for _, g := range s.groupsOf(lower(u.Name)) {
		s.entityPolicies(cp, "group", &g.principalCommon, iam.KindInlineGroup)
	}
}

func (s *Server) entityPolicies(cp *callerPolicies, kind string, p *principalCommon, inlineKind iam.Kind) {
	for _, n := range p.inlineNames() {
		cp.identity = append(cp.identity, namedDoc{name: kind + "/" + p.Name + "/" + n, doc: p.Inline[n], kind: inlineKind})
	}
	for _, arn := range p.Attached {
		if doc, ok := s.policyDocument(arn); ok {
			cp.identity = append(cp.identity, namedDoc{name: arn, doc: doc, kind: iam.KindManaged})
		}
	}
}

func (s *Server) boundaryDocs(arn string) []namedDoc {
	if arn == "" {
		return nil
	}
	doc, ok := s.policyDocument(arn)
	if !ok {
		return []namedDoc{{name: arn, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, kind: iam.KindBoundary}}
	}
	return []namedDoc{{name: arn, doc: doc, kind: iam.KindBoundary}}
}
