package awstest

// IAM users.

func opCreateUser(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	path := c.optional("Path", rulePath, "/")
	boundary := c.optional("PermissionsBoundary", ruleArn, "")
	tags, aerr := c.tagsParam("Tags")
	if aerr != nil {
		return nil, aerr
	}
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	arn := s.iamARN("user", path, name)
	if boundary != "" {
		c.setCtx("iam:PermissionsBoundary", boundary)
	}
	c.setTagCtx(tags)
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := c.authorizeAction("iam:TagUser", arn); err != nil {
			return nil, err
		}
	}
	if s.st.Users[lower(name)] != nil {
		return nil, errEntityExists("User with name %s already exists.", name)
	}
	if boundary != "" {
		if err := s.checkBoundary(boundary); err != nil {
			return nil, err
		}
	}
	u := s.newUser(name, path, c.rq.now)
	u.Tags, u.Boundary = tags, boundary
	s.st.Users[lower(name)] = u
	s.st.touch()
	c.respElems = map[string]any{"user": userEvent(u)}
	return struct{ User xmlUser }{u.xml()}, nil
}

func userEvent(u *user) map[string]any {
	return map[string]any{"path": u.Path, "userName": u.Name, "userId": u.ID, "arn": u.ARN, "createDate": cloudTrailDate(u.Created)}
}

// targetUser reads an optional UserName; without one the operation applies to the
// calling IAM user, as IAM does for GetUser, CreateAccessKey and friends.
func (c *call) targetUser() (string, *apiError) {
	if c.has("UserName") {
		return c.required("UserName", ruleUserName), nil
	}
	if c.caller.kind == sessionUser && c.caller.user != nil {
		return c.caller.user.Name, nil
	}
	return "", errValidation("Must specify userName when calling with non-User credentials")
}

func opGetUser(c *call) (any, *apiError) {
	name, aerr := c.targetUser()
	if aerr != nil {
		return nil, aerr
	}
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize(c.s.userResource(name)); err != nil {
		return nil, err
	}
	u, aerr := c.s.findUser(name)
	if aerr != nil {
		return nil, aerr
	}
	return struct{ User xmlUser }{u.xml()}, nil
}

func opListUsers(c *call) (any, *apiError) {
	prefix := c.optional("PathPrefix", rulePathPrefix, "/")
	marker, max := c.paging()
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize(c.s.iamARN("user", prefix, "")); err != nil {
		return nil, err
	}
	var users []*user
	for _, u := range c.s.st.Users {
		if inPath(u.Path, prefix) {
			users = append(users, u)
		}
	}
	sortByName(users, func(u *user) string { return u.Name })
	page, next, more, aerr := paginate(users, func(u *user) string { return u.Name }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		Users members[xmlUser]
		listResult
	}{listResult: listResult{more, next}}
	for _, u := range page {
		x := u.xml()
		x.Tags, x.PermissionsBoundary = nil, nil // ListUsers leaves them out
		out.Users.Member = append(out.Users.Member, x)
	}
	return out, nil
}

func opUpdateUser(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	newName := c.optional("NewUserName", ruleUserName, "")
	newPath := c.optional("NewPath", rulePath, "")
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.userResource(name)); err != nil {
		return nil, err
	}
	u, aerr := s.findUser(name)
	if aerr != nil {
		return nil, aerr
	}
	oldKey := lower(u.Name)
	if newName != "" && lower(newName) != oldKey && s.st.Users[lower(newName)] != nil {
		return nil, errEntityExists("User with name %s already exists.", newName)
	}
	if newPath != "" {
		u.Path = newPath
	}
	if newName != "" {
		u.Name = newName
	}
	u.ARN = s.iamARN("user", u.Path, u.Name)
	if newKey := lower(u.Name); newKey != oldKey {
		delete(s.st.Users, oldKey)
		s.st.Users[newKey] = u
		for _, k := range s.st.AccessKeys {
			if k.UserKey == oldKey {
				k.UserKey = newKey
			}
		}
		for _, g := range s.st.Groups {
			for i, m := range g.Members {
				if m == oldKey {
					g.Members[i] = newKey
				}
			}
		}
	}
	s.st.touch()
	return nil, nil
}

func opDeleteUser(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.userResource(name)); err != nil {
		return nil, err
	}
	u, aerr := s.findUser(name)
	if aerr != nil {
		return nil, aerr
	}
	key := lower(u.Name)
	for _, k := range s.st.AccessKeys {
		if k.UserKey == key {
			return nil, errDeleteConflict("Cannot delete entity, must delete access keys first.")
		}
	}
	if len(u.Inline) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must delete policies first.")
	}
	if len(u.Attached) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	if len(s.groupsOf(key)) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must remove users from group first.")
	}
	delete(s.st.Users, key)
	delete(s.st.Usage, u.ARN)
	s.st.touch()
	return nil, nil
}

func opPutUserPermissionsBoundary(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	arn := c.required("PermissionsBoundary", ruleArn)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	c.setCtx("iam:PermissionsBoundary", arn)
	if err := c.authorize(s.userResource(name)); err != nil {
		return nil, err
	}
	u, aerr := s.findUser(name)
	if aerr != nil {
		return nil, aerr
	}
	if err := s.checkBoundary(arn); err != nil {
		return nil, err
	}
	u.Boundary = arn
	s.st.touch()
	return nil, nil
}

func opDeleteUserPermissionsBoundary(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if u := s.st.Users[lower(name)]; u != nil && u.Boundary != "" {
		c.setCtx("iam:PermissionsBoundary", u.Boundary)
	}
	if err := c.authorize(s.userResource(name)); err != nil {
		return nil, err
	}
	u, aerr := s.findUser(name)
	if aerr != nil {
		return nil, aerr
	}
	u.Boundary = ""
	s.st.touch()
	return nil, nil
}
