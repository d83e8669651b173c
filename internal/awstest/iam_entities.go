package awstest

import "github.com/ciem/ciem/internal/iam"

// entityKind describes users, groups and roles to the operations they share:
// inline policies and managed policy attachments.
type entityKind struct {
	title       string // User, Group, Role: the middle of the operation names
	param       string // UserName, GroupName, RoleName
	rule        rule
	inlineKind  iam.Kind
	inlineLimit int
	quota       string // PoliciesPerUser, ...
	find        func(c *call, name string) (*principalCommon, *apiError)
}

var (
	userKind = &entityKind{title: "User", param: "UserName", rule: ruleUserName, inlineKind: iam.KindInlineUser,
		inlineLimit: limitInlineUser, quota: "PoliciesPerUser", find: commonOf((*call).authorizedUser)}
	groupKind = &entityKind{title: "Group", param: "GroupName", rule: ruleGroupName, inlineKind: iam.KindInlineGroup,
		inlineLimit: limitInlineGroup, quota: "PoliciesPerGroup", find: commonOf((*call).authorizedGroup)}
	roleKind = &entityKind{title: "Role", param: "RoleName", rule: ruleRoleName, inlineKind: iam.KindInlineRole,
		inlineLimit: limitInlineRole, quota: "PoliciesPerRole", find: commonOf((*call).authorizedRole)}
)

// entity reads the entity name parameter, authorises the operation on the entity and
// finds it.
func (c *call) entity(k *entityKind) (*principalCommon, *apiError) {
	return k.find(c, c.required(k.param, k.rule))
}

func (k *entityKind) lowerTitle() string { return lower(k.title) }

// Inline policies.

func opPutInline(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		pname := c.required("PolicyName", rulePolicyName)
		c.required("PolicyDocument", rulePolicyDoc)
		e, aerr := c.entity(k)
		if aerr != nil {
			return nil, aerr
		}
		doc, _, aerr := c.checkDocument("PolicyDocument", k.inlineKind)
		if aerr != nil {
			return nil, aerr
		}
		if !inlineSizeOK(e.Inline, pname, doc, k.inlineLimit) {
			return nil, errLimitExceeded("Maximum policy size of %d bytes exceeded for %s %s", k.inlineLimit, k.lowerTitle(), e.Name)
		}
		e.Inline[pname] = doc
		c.s.st.touch()
		return nil, nil
	}
}

func opGetInline(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		pname := c.required("PolicyName", rulePolicyName)
		e, aerr := c.entity(k)
		if aerr != nil {
			return nil, aerr
		}
		doc, ok := e.Inline[pname]
		if !ok {
			return nil, errNoSuchEntity("The %s policy with name %s cannot be found.", k.lowerTitle(), pname)
		}
		return namedResult{{k.param, e.Name}, {"PolicyName", pname}, {"PolicyDocument", escapeDocument(doc)}}, nil
	}
}

func opDeleteInline(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		pname := c.required("PolicyName", rulePolicyName)
		e, aerr := c.entity(k)
		if aerr != nil {
			return nil, aerr
		}
		if _, ok := e.Inline[pname]; !ok {
			return nil, errNoSuchEntity("The %s policy with name %s cannot be found.", k.lowerTitle(), pname)
		}
		delete(e.Inline, pname)
		c.s.st.touch()
		return nil, nil
	}
}

func opListInline(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		marker, max := c.paging()
		e, aerr := c.entity(k)
		if aerr != nil {
			return nil, aerr
		}
		page, next, more, aerr := paginate(e.inlineNames(), func(n string) string { return n }, marker, max)
		if aerr != nil {
			return nil, aerr
		}
		return struct {
			PolicyNames members[string]
			listResult
		}{members[string]{page}, listResult{more, next}}, nil
	}
}

// Managed policy attachments.

// attachment reads PolicyArn, failing on it first, then authorises the operation on the
// entity with the policy as iam:PolicyARN and finds the entity.
func (c *call) attachment(k *entityKind) (string, *principalCommon, *apiError) {
	arn := c.required("PolicyArn", ruleArn)
	if err := c.failed(); err != nil {
		return "", nil, err
	}
	c.setCtx("iam:PolicyARN", arn)
	e, aerr := c.entity(k)
	return arn, e, aerr
}

func opAttach(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		arn, e, aerr := c.attachment(k)
		if aerr != nil {
			return nil, aerr
		}
		if !c.s.policyExists(arn) {
			return nil, errNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
		}
		if e.isAttached(arn) {
			return nil, nil
		}
		if len(e.Attached) >= maxAttached {
			return nil, errLimitExceeded("Cannot exceed quota for %s: %d", k.quota, maxAttached)
		}
		e.Attached = append(e.Attached, arn)
		c.s.st.touch()
		return nil, nil
	}
}

func opDetach(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		arn, e, aerr := c.attachment(k)
		if aerr != nil {
			return nil, aerr
		}
		if !e.detach(arn) {
			return nil, errNoSuchEntity("Policy %s was not found.", arn)
		}
		c.s.st.touch()
		return nil, nil
	}
}

func opListAttached(k *entityKind) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		prefix := c.optional("PathPrefix", rulePathPrefix, "/")
		marker, max := c.paging()
		e, aerr := c.entity(k)
		if aerr != nil {
			return nil, aerr
		}
		var list []xmlAttachedPolicy
		for _, arn := range e.Attached {
			if inPath(c.s.policyPath(arn), prefix) {
				list = append(list, xmlAttachedPolicy{policyNameFromARN(arn), arn})
			}
		}
		sortByName(list, func(a xmlAttachedPolicy) string { return a.PolicyName })
		page, next, more, aerr := paginate(list, func(a xmlAttachedPolicy) string { return a.PolicyName }, marker, max)
		if aerr != nil {
			return nil, aerr
		}
		return struct {
			AttachedPolicies members[xmlAttachedPolicy]
			listResult
		}{members[xmlAttachedPolicy]{page}, listResult{more, next}}, nil
	}
}

// policyPath returns a managed policy's path.
func (s *Server) policyPath(arn string) string {
	if p := s.st.Policies[arn]; p != nil {
		return p.Path
	}
	if ap := s.managed.get(arn); ap != nil {
		return ap.path
	}
	return "/"
}

func opListEntitiesForPolicy(c *call) (any, *apiError) {
	filter := c.enumParam("EntityFilter", "", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
	prefix := c.optional("PathPrefix", rulePathPrefix, "/")
	usage := c.enumParam("PolicyUsageFilter", "", "PermissionsPolicy", "PermissionsBoundary")
	marker, max := c.paging()
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	s := c.s
	if !s.policyExists(arn) {
		return nil, errNoSuchEntity("Policy %s was not found.", arn)
	}
	matches := func(attached bool, boundary string) bool {
		switch usage {
		case "PermissionsPolicy":
			return attached
		case "PermissionsBoundary":
			return boundary == arn
		}
		return attached || boundary == arn
	}
	type entry struct{ kind, name, id string }
	var users, groups, roles []entry
	if filter == "" || filter == "User" {
		for _, u := range s.st.Users {
			if inPath(u.Path, prefix) && matches(u.isAttached(arn), u.Boundary) {
				users = append(users, entry{"User", u.Name, u.ID})
			}
		}
	}
	if filter == "" || filter == "Group" {
		for _, g := range s.st.Groups {
			if inPath(g.Path, prefix) && matches(g.isAttached(arn), "") {
				groups = append(groups, entry{"Group", g.Name, g.ID})
			}
		}
	}
	if filter == "" || filter == "Role" {
		for _, r := range s.st.Roles {
			if inPath(r.Path, prefix) && matches(r.isAttached(arn), r.Boundary) {
				roles = append(roles, entry{"Role", r.Name, r.ID})
			}
		}
	}
	byName := func(e entry) string { return e.name }
	sortByName(users, byName)
	sortByName(groups, byName)
	sortByName(roles, byName)
	all := append(append(groups, users...), roles...)
	// Pages run through groups, then users, then roles; the marker is a position.
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	page, next, more, aerr := paginate(idx, func(i int) string { return sprintf("%06d", i) }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		PolicyGroups members[struct{ GroupName, GroupId string }]
		PolicyUsers  members[struct{ UserName, UserId string }]
		PolicyRoles  members[struct{ RoleName, RoleId string }]
		listResult
	}{listResult: listResult{more, next}}
	for _, i := range page {
		orig := all[i]
		switch orig.kind {
		case "Group":
			out.PolicyGroups.Member = append(out.PolicyGroups.Member, struct{ GroupName, GroupId string }{orig.name, orig.id})
		case "User":
			out.PolicyUsers.Member = append(out.PolicyUsers.Member, struct{ UserName, UserId string }{orig.name, orig.id})
		case "Role":
			out.PolicyRoles.Member = append(out.PolicyRoles.Member, struct{ RoleName, RoleId string }{orig.name, orig.id})
		}
	}
	return out, nil
}
