package awstest

// IAM groups and group membership.

func opCreateGroup(c *call) (any, *apiError) {
	name := c.required("GroupName", ruleGroupName)
	path := c.optional("Path", rulePath, "/")
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	arn := s.iamARN("group", path, name)
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	if err := nameTaken(s.st.Groups, "Group", name); err != nil {
		return nil, err
	}
	g := &group{principalCommon: principalCommon{Name: name, Path: path, ID: newUniqueID(prefixGroup), ARN: arn,
		Created: c.rq.now, Inline: map[string]string{}}}
	s.st.Groups[lower(name)] = g
	s.st.touch()
	c.respElems = map[string]any{"group": map[string]any{"path": g.Path, "groupName": g.Name, "groupId": g.ID, "arn": g.ARN, "createDate": cloudTrailDate(g.Created)}}
	return struct{ Group xmlGroup }{g.xml()}, nil
}

func opGetGroup(c *call) (any, *apiError) {
	name := c.required("GroupName", ruleGroupName)
	marker, max := c.paging()
	g, aerr := c.authorizedGroup(name)
	if aerr != nil {
		return nil, aerr
	}
	var users []*user
	for _, m := range g.Members {
		if u := c.s.st.Users[m]; u != nil {
			users = append(users, u)
		}
	}
	list, lr, aerr := userList(users, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Group xmlGroup
		Users members[xmlUser]
		listResult
	}{g.xml(), list, lr}, nil
}

func opListGroups(c *call) (any, *apiError) {
	groups, marker, max, aerr := listUnder(c, "group", c.s.st.Groups)
	if aerr != nil {
		return nil, aerr
	}
	return groupList(groups, marker, max)
}

func groupList(groups []*group, marker string, max int) (any, *apiError) {
	page, lr, aerr := namePage(groups, nameOf[*group], marker, max, (*group).xml)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Groups members[xmlGroup]
		listResult
	}{members[xmlGroup]{page}, lr}, nil
}

func opListGroupsForUser(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	marker, max := c.paging()
	u, aerr := c.authorizedUser(name)
	if aerr != nil {
		return nil, aerr
	}
	return groupList(c.s.groupsOf(lower(u.Name)), marker, max)
}

func opUpdateGroup(c *call) (any, *apiError) {
	name := c.required("GroupName", ruleGroupName)
	newName := c.optional("NewGroupName", ruleGroupName, "")
	newPath := c.optional("NewPath", rulePath, "")
	g, aerr := c.authorizedGroup(name)
	if aerr != nil {
		return nil, aerr
	}
	if _, _, aerr := rename(c.s, c.s.st.Groups, g, "group", "Group", newName, newPath); aerr != nil {
		return nil, aerr
	}
	c.s.st.touch()
	return nil, nil
}

func opDeleteGroup(c *call) (any, *apiError) {
	g, aerr := c.authorizedGroup(c.required("GroupName", ruleGroupName))
	if aerr != nil {
		return nil, aerr
	}
	if len(g.Members) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must remove users from group first.")
	}
	if err := g.policiesConflict(); err != nil {
		return nil, err
	}
	forget(c.s, c.s.st.Groups, g)
	return nil, nil
}

// membership authorises a change of membership on the group, then finds the group and
// the user.
func (c *call) membership() (*group, *user, *apiError) {
	gname := c.required("GroupName", ruleGroupName)
	uname := c.required("UserName", ruleUserName)
	g, aerr := c.authorizedGroup(gname)
	if aerr != nil {
		return nil, nil, aerr
	}
	u, aerr := c.s.findUser(uname)
	if aerr != nil {
		return nil, nil, aerr
	}
	return g, u, nil
}

func opAddUserToGroup(c *call) (any, *apiError) {
	g, u, aerr := c.membership()
	if aerr != nil {
		return nil, aerr
	}
	s := c.s
	key := lower(u.Name)
	if g.hasMember(key) {
		return nil, nil
	}
	if len(s.groupsOf(key)) >= maxGroupsPerUser {
		return nil, errLimitExceeded("Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
	}
	g.Members = append(g.Members, key)
	s.st.touch()
	return nil, nil
}

func opRemoveUserFromGroup(c *call) (any, *apiError) {
	g, u, aerr := c.membership()
	if aerr != nil {
		return nil, aerr
	}
	key := lower(u.Name)
	for i, m := range g.Members {
		if m == key {
			g.Members = append(g.Members[:i:i], g.Members[i+1:]...)
			c.s.st.touch()
			return nil, nil
		}
	}
	return nil, errNoSuchEntity("The user with name %s cannot be found in group %s.", u.Name, g.Name)
}
