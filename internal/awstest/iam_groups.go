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
	if s.st.Groups[lower(name)] != nil {
		return nil, errEntityExists("Group with name %s already exists.", name)
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
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.groupResource(name)); err != nil {
		return nil, err
	}
	g, aerr := s.findGroup(name)
	if aerr != nil {
		return nil, aerr
	}
	var users []*user
	for _, m := range g.Members {
		if u := s.st.Users[m]; u != nil {
			users = append(users, u)
		}
	}
	sortByName(users, func(u *user) string { return u.Name })
	page, next, more, aerr := paginate(users, func(u *user) string { return u.Name }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		Group xmlGroup
		Users members[xmlUser]
		listResult
	}{Group: g.xml(), listResult: listResult{more, next}}
	for _, u := range page {
		x := u.xml()
		x.Tags, x.PermissionsBoundary = nil, nil
		out.Users.Member = append(out.Users.Member, x)
	}
	return out, nil
}

func opListGroups(c *call) (any, *apiError) {
	prefix := c.optional("PathPrefix", rulePathPrefix, "/")
	marker, max := c.paging()
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize(c.s.iamARN("group", prefix, "")); err != nil {
		return nil, err
	}
	var groups []*group
	for _, g := range c.s.st.Groups {
		if inPath(g.Path, prefix) {
			groups = append(groups, g)
		}
	}
	return groupList(groups, marker, max)
}

func groupList(groups []*group, marker string, max int) (any, *apiError) {
	sortByName(groups, func(g *group) string { return g.Name })
	page, next, more, aerr := paginate(groups, func(g *group) string { return g.Name }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		Groups members[xmlGroup]
		listResult
	}{listResult: listResult{more, next}}
	for _, g := range page {
		out.Groups.Member = append(out.Groups.Member, g.xml())
	}
	return out, nil
}

func opListGroupsForUser(c *call) (any, *apiError) {
	name := c.required("UserName", ruleUserName)
	marker, max := c.paging()
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
	return groupList(s.groupsOf(lower(u.Name)), marker, max)
}

func opUpdateGroup(c *call) (any, *apiError) {
	name := c.required("GroupName", ruleGroupName)
	newName := c.optional("NewGroupName", ruleGroupName, "")
	newPath := c.optional("NewPath", rulePath, "")
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.groupResource(name)); err != nil {
		return nil, err
	}
	g, aerr := s.findGroup(name)
	if aerr != nil {
		return nil, aerr
	}
	oldKey := lower(g.Name)
	if newName != "" && lower(newName) != oldKey && s.st.Groups[lower(newName)] != nil {
		return nil, errEntityExists("Group with name %s already exists.", newName)
	}
	if newPath != "" {
		g.Path = newPath
	}
	if newName != "" {
		g.Name = newName
	}
	g.ARN = s.iamARN("group", g.Path, g.Name)
	delete(s.st.Groups, oldKey)
	s.st.Groups[lower(g.Name)] = g
	s.st.touch()
	return nil, nil
}

func opDeleteGroup(c *call) (any, *apiError) {
	name := c.required("GroupName", ruleGroupName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.groupResource(name)); err != nil {
		return nil, err
	}
	g, aerr := s.findGroup(name)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case len(g.Members) > 0:
		return nil, errDeleteConflict("Cannot delete entity, must remove users from group first.")
	case len(g.Inline) > 0:
		return nil, errDeleteConflict("Cannot delete entity, must delete policies first.")
	case len(g.Attached) > 0:
		return nil, errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	delete(s.st.Groups, lower(g.Name))
	delete(s.st.Usage, g.ARN)
	s.st.touch()
	return nil, nil
}

func opAddUserToGroup(c *call) (any, *apiError) {
	gname := c.required("GroupName", ruleGroupName)
	uname := c.required("UserName", ruleUserName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.groupResource(gname)); err != nil {
		return nil, err
	}
	g, aerr := s.findGroup(gname)
	if aerr != nil {
		return nil, aerr
	}
	u, aerr := s.findUser(uname)
	if aerr != nil {
		return nil, aerr
	}
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
	gname := c.required("GroupName", ruleGroupName)
	uname := c.required("UserName", ruleUserName)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.groupResource(gname)); err != nil {
		return nil, err
	}
	g, aerr := s.findGroup(gname)
	if aerr != nil {
		return nil, aerr
	}
	u, aerr := s.findUser(uname)
	if aerr != nil {
		return nil, aerr
	}
	key := lower(u.Name)
	for i, m := range g.Members {
		if m == key {
			g.Members = append(g.Members[:i:i], g.Members[i+1:]...)
			s.st.touch()
			return nil, nil
		}
	}
	return nil, errNoSuchEntity("The user with name %s cannot be found in group %s.", u.Name, g.Name)
}
