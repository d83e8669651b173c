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
	if err := c.authorizeCreate(s.iamARN("user", path, name), boundary, tags, "iam:TagUser"); err != nil {
		return nil, err
	}
	if err := nameTaken(s.st.Users, "User", name); err != nil {
		return nil, err
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

// authorizedTargetUser authorises the operation on the user targetUser reads, then
// finds the user.
func (c *call) authorizedTargetUser() (*user, *apiError) {
	name, aerr := c.targetUser()
	if aerr != nil {
		return nil, aerr
	}
	return c.authorizedUser(name)
}

func opGetUser(c *call) (any, *apiError) {
	u, aerr := c.authorizedTargetUser()
	if aerr != nil {
		return nil, aerr
	}
	return struct{ User xmlUser }{u.xml()}, nil
}

func opListUsers(c *call) (any, *apiError) {
	users, marker, max, aerr := listUnder(c, "user", c.s.st.Users)
	if aerr != nil {
		return nil, aerr
	}
	list, lr, aerr := userList(users, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Users members[xmlUser]
		listResult
	}{list, lr}, nil
}

// userList is a page of users as ListUsers and GetGroup list them.
func userList(users []*user, marker string, max int) (members[xmlUser], listResult, *apiError) {
	page, lr, aerr := namePage(users, nameOf[*user], marker, max, func(u *user) xmlUser {
		x := u.xml()
		x.Tags, x.PermissionsBoundary = nil, nil // lists leave them out
		return x
	})
	return members[xmlUser]{page}, lr, aerr
}

func opUpdateUser(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	newName := c.optional("NewUserName", ruleUserName, "")
	newPath := c.optional("NewPath", rulePath, "")
	u, aerr := c.authorizedUser(name)
	if aerr != nil {
		return nil, aerr
	}
	s := c.s
	oldKey, newKey, aerr := rename(s, s.st.Users, u, "user", "User", newName, newPath)
	if aerr != nil {
		return nil, aerr
	}
	if newKey != oldKey {
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
	u, aerr := c.authorizedUser(c.required("UserName", ruleUserName))
	if aerr != nil {
		return nil, aerr
	}
	s := c.s
	key := lower(u.Name)
	for _, k := range s.st.AccessKeys {
		if k.UserKey == key {
			return nil, errDeleteConflict("Cannot delete entity, must delete access keys first.")
		}
	}
	if err := u.policiesConflict(); err != nil {
		return nil, err
	}
	if len(s.groupsOf(key)) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must remove users from group first.")
	}
	forget(s, s.st.Users, u)
	return nil, nil
}

func opPutUserPermissionsBoundary(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	arn := c.required("PermissionsBoundary", ruleArn)
	c.setCtx("iam:PermissionsBoundary", arn)
	u, aerr := c.authorizedUser(name)
	if aerr != nil {
		return nil, aerr
	}
	return c.setBoundary(&u.Boundary, arn)
}

func opDeleteUserPermissionsBoundary(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	if u := c.s.st.Users[lower(name)]; u != nil && u.Boundary != "" {
		c.setCtx("iam:PermissionsBoundary", u.Boundary)
	}
	u, aerr := c.authorizedUser(name)
	if aerr != nil {
		return nil, aerr
	}
	return c.setBoundary(&u.Boundary, "")
}
