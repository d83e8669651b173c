package awstest

// GetAccountAuthorizationDetails: every user, group, role and managed policy in use,
// with their documents, as one paginated list.

type xmlInlinePolicy struct {
	PolicyName     string
	PolicyDocument string
}

type xmlUserDetail struct {
	Path                    string
	UserName                string
	UserId                  string
	Arn                     string
	CreateDate              isoTime
	UserPolicyList          members[xmlInlinePolicy]
	GroupList               members[string]
	AttachedManagedPolicies members[xmlAttachedPolicy]
	PermissionsBoundary     *xmlBoundary     `xml:",omitempty"`
	Tags                    *members[xmlTag] `xml:",omitempty"`
}

type xmlGroupDetail struct {
	Path                    string
	GroupName               string
	GroupId                 string
	Arn                     string
	CreateDate              isoTime
	GroupPolicyList         members[xmlInlinePolicy]
	AttachedManagedPolicies members[xmlAttachedPolicy]
}

type xmlRoleDetail struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               isoTime
	AssumeRolePolicyDocument string
	InstanceProfileList      members[string]
	RolePolicyList           members[xmlInlinePolicy]
	AttachedManagedPolicies  members[xmlAttachedPolicy]
	PermissionsBoundary      *xmlBoundary     `xml:",omitempty"`
	Tags                     *members[xmlTag] `xml:",omitempty"`
	RoleLastUsed             xmlRoleLastUsed
}

type xmlPolicyDetail struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    isoTime
	UpdateDate                    isoTime
	PolicyVersionList             members[xmlPolicyVersion]
}

func inlineList(p *principalCommon) members[xmlInlinePolicy] {
	var out members[xmlInlinePolicy]
	for _, n := range p.inlineNames() {
		out.Member = append(out.Member, xmlInlinePolicy{n, escapeDocument(p.Inline[n])})
	}
	return out
}

func attachedList(p *principalCommon) members[xmlAttachedPolicy] {
	var out members[xmlAttachedPolicy]
	for _, arn := range p.Attached {
		out.Member = append(out.Member, xmlAttachedPolicy{policyNameFromARN(arn), arn})
	}
	return out
}

func opGetAccountAuthorizationDetails(c *call) (any, *apiError) {
	filters := c.list("Filter")
	want := map[string]bool{}
	for i, f := range filters {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			want[f] = true
		default:
			c.problem("Value '%s' at 'filter.%d.member' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]", f, i+1)
		}
	}
	all := len(want) == 0
	marker, max := c.paging()
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	var items []any
	if all || want["User"] {
		var users []*user
		for _, u := range s.st.Users {
			users = append(users, u)
		}
		sortByName(users, func(u *user) string { return u.Name })
		for _, u := range users {
			d := xmlUserDetail{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created),
				UserPolicyList: inlineList(&u.principalCommon), AttachedManagedPolicies: attachedList(&u.principalCommon),
				PermissionsBoundary: boundaryXML(u.Boundary), Tags: xmlTags(u.Tags)}
			for _, g := range s.groupsOf(lower(u.Name)) {
				d.GroupList.Member = append(d.GroupList.Member, g.Name)
			}
			items = append(items, d)
		}
	}
	if all || want["Group"] {
		var groups []*group
		for _, g := range s.st.Groups {
			groups = append(groups, g)
		}
		sortByName(groups, func(g *group) string { return g.Name })
		for _, g := range groups {
			items = append(items, xmlGroupDetail{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created),
				GroupPolicyList: inlineList(&g.principalCommon), AttachedManagedPolicies: attachedList(&g.principalCommon)})
		}
	}
	if all || want["Role"] {
		var roles []*role
		for _, r := range s.st.Roles {
			roles = append(roles, r)
		}
		sortByName(roles, func(r *role) string { return r.Name })
		for _, r := range roles {
			items = append(items, xmlRoleDetail{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
				AssumeRolePolicyDocument: escapeDocument(r.Trust), RolePolicyList: inlineList(&r.principalCommon),
				AttachedManagedPolicies: attachedList(&r.principalCommon), PermissionsBoundary: boundaryXML(r.Boundary), Tags: xmlTags(r.Tags),
				RoleLastUsed: xmlRoleLastUsed{LastUsedDate: isoPtr(r.LastUsed), Region: r.LastUsedRegion}})
		}
	}
	var policies []xmlPolicyDetail
	if all || want["LocalManagedPolicy"] {
		for _, p := range s.st.Policies {
			x := s.policyXML(p)
			d := xmlPolicyDetail{PolicyName: x.PolicyName, PolicyId: x.PolicyId, Arn: x.Arn, Path: x.Path, DefaultVersionId: x.DefaultVersionId,
				AttachmentCount: x.AttachmentCount, PermissionsBoundaryUsageCount: x.PermissionsBoundaryUsageCount, IsAttachable: true,
				Description: p.Description, CreateDate: x.CreateDate, UpdateDate: x.UpdateDate}
			for _, v := range p.Versions {
				d.PolicyVersionList.Member = append(d.PolicyVersionList.Member, xmlPolicyVersion{Document: escapeDocument(v.Document),
					VersionId: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)})
			}
			policies = append(policies, d)
		}
	}
	if all || want["AWSManagedPolicy"] {
		// AWS managed policies appear when something in the account uses them.
		for _, ap := range s.managed.all() {
			x := s.awsPolicyXML(ap)
			if x.AttachmentCount == 0 && x.PermissionsBoundaryUsageCount == 0 {
				continue
			}
			d := xmlPolicyDetail{PolicyName: x.PolicyName, PolicyId: x.PolicyId, Arn: x.Arn, Path: x.Path, DefaultVersionId: x.DefaultVersionId,
				AttachmentCount: x.AttachmentCount, PermissionsBoundaryUsageCount: x.PermissionsBoundaryUsageCount, IsAttachable: true,
				CreateDate: x.CreateDate, UpdateDate: x.UpdateDate}
			d.PolicyVersionList.Member = []xmlPolicyVersion{{Document: escapeDocument(ap.document), VersionId: ap.Version, IsDefaultVersion: true, CreateDate: x.UpdateDate}}
			policies = append(policies, d)
		}
	}
	sortByName(policies, func(p xmlPolicyDetail) string { return p.PolicyName })
	for _, p := range policies {
		items = append(items, p)
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	page, next, more, aerr := paginate(idx, func(i int) string { return sprintf("%07d", i) }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		UserDetailList  members[xmlUserDetail]
		GroupDetailList members[xmlGroupDetail]
		RoleDetailList  members[xmlRoleDetail]
		Policies        members[xmlPolicyDetail]
		listResult
	}{listResult: listResult{more, next}}
	for _, i := range page {
		switch d := items[i].(type) {
		case xmlUserDetail:
			out.UserDetailList.Member = append(out.UserDetailList.Member, d)
		case xmlGroupDetail:
			out.GroupDetailList.Member = append(out.GroupDetailList.Member, d)
		case xmlRoleDetail:
			out.RoleDetailList.Member = append(out.RoleDetailList.Member, d)
		case xmlPolicyDetail:
			out.Policies.Member = append(out.Policies.Member, d)
		}
	}
	return out, nil
}
