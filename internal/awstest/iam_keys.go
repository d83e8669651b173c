package awstest

import "sort"

// IAM access keys.

func opCreateAccessKey(c *call) (any, *apiError) {
	u, aerr := c.authorizedTargetUser()
	if aerr != nil {
		return nil, aerr
	}
	s := c.s
	key := lower(u.Name)
	if len(s.keysOf(key)) >= maxAccessKeys {
		return nil, errLimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
	}
	k := &accessKey{ID: newAccessKeyID(prefixAccessKey), Secret: newSecretAccessKey(), UserKey: key, Status: "Active", Created: c.rq.now}
	s.st.AccessKeys[k.ID] = k
	s.st.touch()
	c.respElems = map[string]any{"accessKey": map[string]any{"userName": u.Name, "accessKeyId": k.ID, "status": k.Status, "createDate": cloudTrailDate(k.Created)}}
	return struct{ AccessKey xmlAccessKey }{xmlAccessKey{u.Name, k.ID, k.Status, k.Secret, isoTime(k.Created)}}, nil
}

// keysOf returns a user's access keys, oldest first.
func (s *Server) keysOf(userKey string) []*accessKey {
	var out []*accessKey
	for _, k := range s.st.AccessKeys {
		if k.UserKey == userKey {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func opListAccessKeys(c *call) (any, *apiError) {
	name, aerr := c.targetUser()
	if aerr != nil {
		return nil, aerr
	}
	marker, max := c.paging()
	u, aerr := c.authorizedUser(name)
	if aerr != nil {
		return nil, aerr
	}
	page, lr, aerr := namePage(c.s.keysOf(lower(u.Name)), func(k *accessKey) string { return k.ID }, marker, max,
		func(k *accessKey) xmlAccessKey { return xmlAccessKey{u.Name, k.ID, k.Status, "", isoTime(k.Created)} })
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		AccessKeyMetadata members[xmlAccessKey]
		listResult
	}{members[xmlAccessKey]{page}, lr}, nil
}

// targetKey finds the access key an operation names, checking it belongs to the user.
func (c *call) targetKey() (*accessKey, *apiError) {
	id := c.required("AccessKeyId", ruleAccessKey)
	u, aerr := c.authorizedTargetUser()
	if aerr != nil {
		return nil, aerr
	}
	k := c.s.st.AccessKeys[id]
	if k == nil || k.UserKey != lower(u.Name) {
		return nil, errNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

func opUpdateAccessKey(c *call) (any, *apiError) {
	status := c.enumParam("Status", "", "Active", "Inactive")
	if !c.has("Status") {
		c.problem("Value null at 'status' failed to satisfy constraint: Member must not be null")
	}
	k, aerr := c.targetKey()
	if aerr != nil {
		return nil, aerr
	}
	k.Status = status
	c.s.st.touch()
	return nil, nil
}

func opDeleteAccessKey(c *call) (any, *apiError) {
	k, aerr := c.targetKey()
	if aerr != nil {
		return nil, aerr
	}
	delete(c.s.st.AccessKeys, k.ID)
	c.s.st.touch()
	return nil, nil
}

func opGetAccessKeyLastUsed(c *call) (any, *apiError) {
	id := c.required("AccessKeyId", ruleAccessKey)
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	k := s.st.AccessKeys[id]
	resource := s.iamARN("user", "/", "")
	if k != nil {
		if u := s.st.Users[k.UserKey]; u != nil {
			resource = u.ARN
		}
	}
	if err := c.authorize(resource); err != nil {
		return nil, err
	}
	if k == nil {
		return nil, errNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	u := s.st.Users[k.UserKey]
	last := xmlAccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if k.LastUsed != nil {
		last = xmlAccessKeyLastUsed{LastUsedDate: isoPtr(k.LastUsed), ServiceName: k.LastUsedService, Region: k.LastUsedRegion}
	}
	return struct {
		UserName          string
		AccessKeyLastUsed xmlAccessKeyLastUsed
	}{u.Name, last}, nil
}
