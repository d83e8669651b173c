package awstest

import "github.com/ciem/ciem/internal/iam"

// IAM roles.

const (
	defaultMaxSession = 3600
	minMaxSession     = 3600
	maxMaxSession     = 43200
)

// checkTrust validates a trust policy document parameter.
func (c *call) checkTrust(param string) (string, *apiError) {
	doc, p, aerr := c.checkDocument(param, iam.KindTrust)
	if aerr != nil {
		return "", aerr
	}
	if policySize(doc) > limitTrustPolicy {
		return "", errLimitExceeded("Cannot exceed quota for ACLSizePerRole: %d", limitTrustPolicy)
	}
	if aerr := c.s.checkTrustPrincipals(p); aerr != nil {
		return "", aerr
	}
	return doc, nil
}

func opCreateRole(c *call) (any, *apiError) {
	name := c.required("RoleName", ruleRoleName)
	path := c.optional("Path", rulePath, "/")
	desc := c.optional("Description", ruleDesc, "")
	maxSession := c.intParam("MaxSessionDuration", minMaxSession, maxMaxSession, defaultMaxSession)
	boundary := c.optional("PermissionsBoundary", ruleArn, "")
	c.required("AssumeRolePolicyDocument", rulePolicyDoc)
	tags, aerr := c.tagsParam("Tags")
	if aerr != nil {
		return nil, aerr
	}
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	arn := s.iamARN("role", path, name)
	if err := c.authorizeCreate(arn, boundary, tags, "iam:TagRole"); err != nil {
		return nil, err
	}
	trust, aerr := c.checkTrust("AssumeRolePolicyDocument")
	if aerr != nil {
		return nil, aerr
	}
	if err := nameTaken(s.st.Roles, "Role", name); err != nil {
		return nil, err
	}
	if boundary != "" {
		if err := s.checkBoundary(boundary); err != nil {
			return nil, err
		}
	}
	r := &role{principalCommon: principalCommon{Name: name, Path: path, ID: newUniqueID(prefixRole), ARN: arn,
		Created: c.rq.now, Inline: map[string]string{}},
		Trust: trust, Description: desc, MaxSessionDuration: maxSession, Tags: tags, Boundary: boundary}
	s.st.Roles[lower(name)] = r
	s.st.touch()
	c.respElems = map[string]any{"role": map[string]any{"path": r.Path, "roleName": r.Name, "roleId": r.ID, "arn": r.ARN,
		"createDate": cloudTrailDate(r.Created), "assumeRolePolicyDocument": escapeDocument(r.Trust)}}
	x := r.xml(false)
	x.Tags, x.PermissionsBoundary = xmlTags(r.Tags), boundaryXML(r.Boundary)
	return struct{ Role xmlRole }{x}, nil
}

func opGetRole(c *call) (any, *apiError) {
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	return struct{ Role xmlRole }{r.xml(true)}, nil
}

func opListRoles(c *call) (any, *apiError) {
	roles, marker, max, aerr := listUnder(c, "role", c.s.st.Roles)
	if aerr != nil {
		return nil, aerr
	}
	page, lr, aerr := namePage(roles, nameOf[*role], marker, max, func(r *role) xmlRole { return r.xml(false) })
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Roles members[xmlRole]
		listResult
	}{members[xmlRole]{page}, lr}, nil
}

// targetRole finds the role the operation's RoleName names, after authorising it.
func (c *call) targetRole() (*role, *apiError) {
	return c.authorizedRole(c.required("RoleName", ruleRoleName))
}

func opUpdateRole(c *call) (any, *apiError) {
	desc := c.optional("Description", ruleDesc, "")
	hasDesc := c.has("Description")
	maxSession := c.intParam("MaxSessionDuration", minMaxSession, maxMaxSession, 0)
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	if hasDesc {
		r.Description = desc
	}
	if maxSession > 0 {
		r.MaxSessionDuration = maxSession
	}
	c.s.st.touch()
	return struct{}{}, nil
}

func opUpdateRoleDescription(c *call) (any, *apiError) {
	desc := c.required("Description", ruleDesc)
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	r.Description = desc
	c.s.st.touch()
	return struct{ Role xmlRole }{r.xml(true)}, nil
}

func opUpdateAssumeRolePolicy(c *call) (any, *apiError) {
	c.required("PolicyDocument", rulePolicyDoc)
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	trust, aerr := c.checkTrust("PolicyDocument")
	if aerr != nil {
		return nil, aerr
	}
	r.Trust = trust
	c.s.st.touch()
	return nil, nil
}

func opDeleteRole(c *call) (any, *apiError) {
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	if err := r.policiesConflict(); err != nil {
		return nil, err
	}
	forget(c.s, c.s.st.Roles, r)
	return nil, nil
}

func opPutRolePermissionsBoundary(c *call) (any, *apiError) {
	arn := c.required("PermissionsBoundary", ruleArn)
	c.setCtx("iam:PermissionsBoundary", arn)
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	return c.setBoundary(&r.Boundary, arn)
}

func opDeleteRolePermissionsBoundary(c *call) (any, *apiError) {
	if r := c.s.st.Roles[lower(c.str("RoleName"))]; r != nil && r.Boundary != "" {
		c.setCtx("iam:PermissionsBoundary", r.Boundary)
	}
	r, aerr := c.targetRole()
	if aerr != nil {
		return nil, aerr
	}
	return c.setBoundary(&r.Boundary, "")
}
