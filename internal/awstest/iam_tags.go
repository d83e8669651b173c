package awstest

// Tagging of IAM users, roles and customer managed policies.

const maxTags = 50

// taggable finds the tag list of the operation's target and its ARN.
type taggable func(c *call) (tags *[]Tag, arn string, aerr *apiError)

func userTags(c *call) (*[]Tag, string, *apiError) {
	name := c.required("UserName", ruleUserName)
	if err := c.failed(); err != nil {
		return nil, "", err
	}
	u := c.s.st.Users[lower(name)]
	if u == nil {
		return nil, c.s.userResource(name), errNoSuchEntity("The user with name %s cannot be found.", name)
	}
	c.setResourceTagCtx(u.Tags)
	return &u.Tags, u.ARN, nil
}

func roleTags(c *call) (*[]Tag, string, *apiError) {
	name := c.required("RoleName", ruleRoleName)
	if err := c.failed(); err != nil {
		return nil, "", err
	}
	r := c.s.st.Roles[lower(name)]
	if r == nil {
		return nil, c.s.roleResource(name), errNoSuchEntity("The role with name %s cannot be found.", name)
	}
	c.setResourceTagCtx(r.Tags)
	return &r.Tags, r.ARN, nil
}

func policyTags(c *call) (*[]Tag, string, *apiError) {
	arn := c.required("PolicyArn", ruleArn)
	if err := c.failed(); err != nil {
		return nil, "", err
	}
	p := c.s.st.Policies[arn]
	if p == nil {
		return nil, arn, errNoSuchEntity("Policy %s was not found.", arn)
	}
	c.setResourceTagCtx(p.Tags)
	return &p.Tags, p.ARN, nil
}

// authorizeThen authorises on the target's ARN even when it does not exist (AWS
// authorises before it looks the entity up), then reports a lookup failure.
func authorizeThen(c *call, arn string, lookupErr *apiError) *apiError {
	if arn == "" {
		return lookupErr
	}
	if err := c.authorize(arn); err != nil {
		return err
	}
	return lookupErr
}

func opTag(find taggable) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		newTags, aerr := c.tagsParam("Tags")
		if aerr != nil {
			return nil, aerr
		}
		if len(newTags) == 0 {
			c.problem("Value null at 'tags' failed to satisfy constraint: Member must not be null")
			return nil, c.failed()
		}
		c.setTagCtx(newTags)
		tags, arn, aerr := find(c)
		if err := authorizeThen(c, arn, aerr); err != nil {
			return nil, err
		}
		merged := append([]Tag(nil), *tags...)
		for _, t := range newTags {
			replaced := false
			for i := range merged {
				if lower(merged[i].Key) == lower(t.Key) {
					merged[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				merged = append(merged, t)
			}
		}
		if len(merged) > maxTags {
			return nil, errLimitExceeded("The number of tags has reached the maximum limit.")
		}
		*tags = merged
		c.s.st.touch()
		return nil, nil
	}
}

func opUntag(find taggable) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		keys := c.list("TagKeys")
		for i, k := range keys {
			c.check(sprintf("tagKeys.%d.member", i+1), k, true, true, ruleTagKey)
		}
		if !c.has("TagKeys.member.1") {
			c.problem("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
		}
		if len(keys) > 0 {
			c.setCtx("aws:TagKeys", keys...)
		}
		tags, arn, aerr := find(c)
		if err := authorizeThen(c, arn, aerr); err != nil {
			return nil, err
		}
		drop := map[string]bool{}
		for _, k := range keys {
			drop[lower(k)] = true
		}
		var kept []Tag
		for _, t := range *tags {
			if !drop[lower(t.Key)] {
				kept = append(kept, t)
			}
		}
		*tags = kept
		c.s.st.touch()
		return nil, nil
	}
}

func opListTags(find taggable) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		marker, max := c.paging()
		tags, arn, aerr := find(c)
		if err := authorizeThen(c, arn, aerr); err != nil {
			return nil, err
		}
		sorted := append([]Tag(nil), *tags...)
		sortByName(sorted, func(t Tag) string { return t.Key })
		page, next, more, aerr := paginate(sorted, func(t Tag) string { return t.Key }, marker, max)
		if aerr != nil {
			return nil, aerr
		}
		out := struct {
			Tags members[xmlTag]
			listResult
		}{listResult: listResult{more, next}}
		for _, t := range page {
			out.Tags.Member = append(out.Tags.Member, xmlTag(t))
		}
		return out, nil
	}
}
