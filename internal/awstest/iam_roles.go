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
	if boundary != "" {
		c.setCtx("iam:PermissionsBoundary", boundary)
	}
	c.setTagCtx(tags)
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := c.authorizeAction("iam:TagRole", arn); err != nil {
			return nil, err
		}
	}
	trust, aerr := c.checkTrust("AssumeRolePolicyDocument")
	if aerr != nil {
		return nil, aerr
	}
	if s.st.Roles[lower(name)] != nil {
		return nil, errEntityExists("Role with name %s already exists.", name)
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
	name := c.required("RoleName", ruleRoleName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.roleResource(name)); err != nil {
		return nil, err
	}
	r, aerr := s.findRole(name)
	if aerr != nil {
		return nil, aerr
	}
	return struct{ Role xmlRole }{r.xml(true)}, nil
}

func opListRoles(c *call) (any, *apiError) {
	prefix := c.optional("PathPrefix", rulePathPrefix, "/")
	marker, max := c.paging()
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize(c.s.iamARN("role", prefix, "")); err != nil {
		return nil, err
	}
	var roles []*role
	for _, r := range c.s.st.Roles {
		if inPath(r.Path, prefix) {
			roles = append(roles, r)
		}
	}
	sortByName(roles, func(r *role) string { return r.Name })
	page, next, more, aerr := paginate(roles, func(r *role) string { return r.Name }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		Roles members[xmlRole]
		listResult
	}{listResult: listResult{more, next}}
	for _, r := range page {
		out.Roles.Member = append(out.Roles.Member, r.xml(false))
	}
	return out, nil
}

// roleUpdate finds the role an update applies to, after authorising it.
func (c *call) roleUpdate() (*role, *apiError) {
	name := c.required("RoleName", ruleRoleName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize(c.s.roleResource(name)); err != nil {
		return nil, err
	}
	return c.s.findRole(name)
}

func opUpdateRole(c *call) (any, *apiError) {
	desc := c.optional("Description", ruleDesc, "")
	hasDesc := c.has("Description")
	maxSession := c.intParam("MaxSessionDuration", minMaxSession, maxMaxSession, 0)
	r, aerr := c.roleUpdate()
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
	r, aerr := c.roleUpdate()
	if aerr != nil {
		return nil, aerr
	}
	r.Description = desc
	c.s.st.touch()
	return struct{ Role xmlRole }{r.xml(true)}, nil
}

func opUpdateAssumeRolePolicy(c *call) (any, *apiError) {
	c.required("PolicyDocument", rulePolicyDoc)
	r, aerr := c.roleUpdate()
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
	r, aerr := c.roleUpdate()
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case len(r.Inline) > 0:
		return nil, errDeleteConflict("Cannot delete entity, must delete policies first.")
	case len(r.Attached) > 0:
		return nil, errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	delete(c.s.st.Roles, lower(r.Name))
	delete(c.s.st.Usage, r.ARN)
	c.s.st.touch()
	return nil, nil
}

func opPutRolePermissionsBoundary(c *call) (any, *apiError) {
	arn := c.required("PermissionsBoundary", ruleArn)
	c.setCtx("iam:PermissionsBoundary", arn)
	r, aerr := c.roleUpdate()
	if aerr != nil {
		return nil, aerr
	}
	if err := c.s.checkBoundary(arn); err != nil {
		return nil, err
	}
	r.Boundary = arn
	c.s.st.touch()
	return nil, nil
}

func opDeleteRolePermissionsBoundary(c *call) (any, *apiError) {
	if r := c.s.st.Roles[lower(c.str("RoleName"))]; r != nil && r.Boundary != "" {
		c.setCtx("iam:PermissionsBoundary", r.Boundary)
	}
	r, aerr := c.roleUpdate()
	if aerr != nil {
		return nil, aerr
	}
	r.Boundary = ""
	c.s.st.touch()
	return nil, nil
}
