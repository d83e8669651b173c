package awstest

// Helpers over users, groups and roles: the lookups, listings, renames and deletions
// their operations share.

// principal is a user, group or role.
type principal interface{ common() *principalCommon }

func (p *principalCommon) common() *principalCommon { return p }

func nameOf[T principal](e T) string { return e.common().Name }

// commonOf turns a lookup of one kind into one of what all kinds share.
func commonOf[T principal](find func(*call, string) (T, *apiError)) func(*call, string) (*principalCommon, *apiError) {
	return func(c *call, name string) (*principalCommon, *apiError) {
		e, aerr := find(c, name)
		if aerr != nil {
			return nil, aerr
		}
		return e.common(), nil
	}
}

// authorizedFind fails on the parameter problems found so far, then authorises the
// operation on the named entity and finds it: AWS authorises before it looks the
// entity up, so a caller without access learns nothing of whether it exists.
func authorizedFind[T any](c *call, name string, resource func(*Server, string) string, find func(*Server, string) (T, *apiError)) (T, *apiError) {
	var none T
	if err := c.failed(); err != nil {
		return none, err
	}
	if err := c.authorize(resource(c.s, name)); err != nil {
		return none, err
	}
	return find(c.s, name)
}

func (c *call) authorizedUser(name string) (*user, *apiError) {
	return authorizedFind(c, name, (*Server).userResource, (*Server).findUser)
}

func (c *call) authorizedGroup(name string) (*group, *apiError) {
	return authorizedFind(c, name, (*Server).groupResource, (*Server).findGroup)
}

func (c *call) authorizedRole(name string) (*role, *apiError) {
	return authorizedFind(c, name, (*Server).roleResource, (*Server).findRole)
}

// authorizeCreate authorises creating a user or role at arn. The tags and permissions
// boundary sent with it are condition keys, and tags need tagAction (iam:TagUser,
// iam:TagRole) on the new entity as well.
func (c *call) authorizeCreate(arn, boundary string, tags []Tag, tagAction string) *apiError {
	if boundary != "" {
		c.setCtx("iam:PermissionsBoundary", boundary)
	}
	c.setTagCtx(tags)
	if err := c.authorize(arn); err != nil {
		return err
	}
	if len(tags) > 0 {
		return c.authorizeAction(tagAction, arn)
	}
	return nil
}

// setBoundary sets a user's or role's permissions boundary to arn, a managed policy,
// or removes it when arn is empty.
func (c *call) setBoundary(boundary *string, arn string) (any, *apiError) {
	if arn != "" {
		if err := c.s.checkBoundary(arn); err != nil {
			return nil, err
		}
	}
	*boundary = arn
	c.s.st.touch()
	return nil, nil
}

// nameTaken is IAM's EntityAlreadyExists when all holds an entity named name (title:
// User, Group, Role).
func nameTaken[T any](all map[string]T, title, name string) *apiError {
	if _, ok := all[lower(name)]; ok {
		return errEntityExists("%s with name %s already exists.", title, name)
	}
	return nil
}

// listUnder reads a ListUsers, ListGroups or ListRoles request (PathPrefix and paging),
// authorises it on the kind's path and returns the entities under the prefix.
func listUnder[T principal](c *call, kind string, all map[string]T) (items []T, marker string, max int, aerr *apiError) {
	prefix := c.optional("PathPrefix", rulePathPrefix, "/")
	marker, max = c.paging()
	if err := c.failed(); err != nil {
		return nil, "", 0, err
	}
	if err := c.authorize(c.s.iamARN(kind, prefix, "")); err != nil {
		return nil, "", 0, err
	}
	for _, e := range all {
		if inPath(e.common().Path, prefix) {
			items = append(items, e)
		}
	}
	return items, marker, max, nil
}

// namePage sorts items as IAM lists them and returns the page that starts at marker,
// each item as view renders it, with the list result that tells of the next page.
func namePage[T, X any](items []T, name func(T) string, marker string, max int, view func(T) X) ([]X, listResult, *apiError) {
	sortByName(items, name)
	page, next, more, aerr := paginate(items, name, marker, max)
	if aerr != nil {
		return nil, listResult{}, aerr
	}
	var out []X
	for _, e := range page {
		out = append(out, view(e))
	}
	return out, listResult{more, next}, nil
}

// rename applies an update's new name and new path (each optional) to e, which all
// holds under its lower-cased name, and the new ARN that follows (kind: user, group).
// It returns the old and the new key.
func rename[T principal](s *Server, all map[string]T, e T, kind, title, newName, newPath string) (oldKey, newKey string, aerr *apiError) {
	p := e.common()
	oldKey = lower(p.Name)
	if newName != "" && lower(newName) != oldKey {
		if err := nameTaken(all, title, newName); err != nil {
			return "", "", err
		}
	}
	if newPath != "" {
		p.Path = newPath
	}
	if newName != "" {
		p.Name = newName
	}
	p.ARN = s.iamARN(kind, p.Path, p.Name)
	newKey = lower(p.Name)
	if newKey != oldKey {
		delete(all, oldKey)
		all[newKey] = e
	}
	return oldKey, newKey, nil
}

// policiesConflict is IAM's DeleteConflict for an entity that still has inline or
// attached policies.
func (p *principalCommon) policiesConflict() *apiError {
	switch {
	case len(p.Inline) > 0:
		return errDeleteConflict("Cannot delete entity, must delete policies first.")
	case len(p.Attached) > 0:
		return errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

// forget deletes e from all and drops its recorded usage.
func forget[T principal](s *Server, all map[string]T, e T) {
	p := e.common()
	delete(all, lower(p.Name))
	delete(s.st.Usage, p.ARN)
	s.st.touch()
}
