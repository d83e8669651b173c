package awstest

// XML shapes of IAM's responses (the iam 2010-05-08 service model).

type xmlTag struct {
	Key   string
	Value string
}

func xmlTags(tags []Tag) *members[xmlTag] {
	if len(tags) == 0 {
		return nil
	}
	out := &members[xmlTag]{}
	for _, t := range tags {
		out.Member = append(out.Member, xmlTag(t))
	}
	return out
}

type xmlBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

func boundaryXML(arn string) *xmlBoundary {
	if arn == "" {
		return nil
	}
	return &xmlBoundary{"Policy", arn}
}

type xmlUser struct {
	Path                string
	UserName            string
	UserId              string
	Arn                 string
	CreateDate          isoTime
	PermissionsBoundary *xmlBoundary     `xml:",omitempty"`
	Tags                *members[xmlTag] `xml:",omitempty"`
}

func (u *user) xml() xmlUser {
	return xmlUser{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created),
		PermissionsBoundary: boundaryXML(u.Boundary), Tags: xmlTags(u.Tags)}
}

type xmlGroup struct {
	Path       string
	GroupName  string
	GroupId    string
	Arn        string
	CreateDate isoTime
}

func (g *group) xml() xmlGroup {
	return xmlGroup{g.Path, g.Name, g.ID, g.ARN, isoTime(g.Created)}
}

type xmlRoleLastUsed struct {
	LastUsedDate *isoTime `xml:",omitempty"`
	Region       string   `xml:",omitempty"`
}

type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               isoTime
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
	PermissionsBoundary      *xmlBoundary     `xml:",omitempty"`
	Tags                     *members[xmlTag] `xml:",omitempty"`
	RoleLastUsed             *xmlRoleLastUsed `xml:",omitempty"`
}

// xml renders a role; full adds what GetRole shows and ListRoles does not (tags,
// boundary and last use are left out of ListRoles, as IAM does).
func (r *role) xml(full bool) xmlRole {
	x := xmlRole{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: escapeDocument(r.Trust), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if full {
		x.PermissionsBoundary = boundaryXML(r.Boundary)
		x.Tags = xmlTags(r.Tags)
		x.RoleLastUsed = &xmlRoleLastUsed{LastUsedDate: isoPtr(r.LastUsed), Region: r.LastUsedRegion}
	}
	return x
}

type xmlPolicy struct {
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
	Tags                          *members[xmlTag] `xml:",omitempty"`
}

type xmlPolicyVersion struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       isoTime
}

type xmlAttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

type xmlAccessKey struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string `xml:",omitempty"`
	CreateDate      isoTime
}

type xmlAccessKeyLastUsed struct {
	LastUsedDate *isoTime `xml:",omitempty"`
	ServiceName  string
	Region       string
}

// listResult is the common tail of IAM list results.
type listResult struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}
