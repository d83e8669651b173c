package awstest

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ciem/ciem/internal/iam"
)

// Customer managed policies and their versions, and reads of AWS managed policies.

// checkManagedDocument validates a managed policy document, size included.
func (c *call) checkManagedDocument(param string) (string, *apiError) {
	doc, _, aerr := c.checkDocument(param, iam.KindManaged)
	if aerr != nil {
		return "", aerr
	}
	if policySize(doc) > limitManagedPolicy {
		return "", errLimitExceeded("Cannot exceed quota for PolicySize: %d", limitManagedPolicy)
	}
	return doc, nil
}

func opCreatePolicy(c *call) (any, *apiError) {
	name := c.required("PolicyName", rulePolicyName)
	path := c.optional("Path", rulePath, "/")
	desc := c.optional("Description", ruleDesc, "")
	c.required("PolicyDocument", rulePolicyDoc)
	tags, aerr := c.tagsParam("Tags")
	if aerr != nil {
		return nil, aerr
	}
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	arn := s.iamARN("policy", path, name)
	c.setTagCtx(tags)
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := c.authorizeAction("iam:TagPolicy", arn); err != nil {
			return nil, err
		}
	}
	doc, aerr := c.checkManagedDocument("PolicyDocument")
	if aerr != nil {
		return nil, aerr
	}
	for _, p := range s.st.Policies {
		if lower(p.Name) == lower(name) {
			return nil, errEntityExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	now := c.rq.now
	p := &managedPolicy{Name: name, Path: path, ID: newUniqueID(prefixPolicy), ARN: arn, Description: desc,
		Created: now, Updated: now, DefaultVersion: "v1", NextVersion: 2, Tags: tags,
		Versions: []policyVersion{{ID: "v1", Document: doc, Created: now}}}
	s.st.Policies[arn] = p
	s.st.touch()
	c.respElems = map[string]any{"policy": map[string]any{"policyName": p.Name, "policyId": p.ID, "arn": p.ARN, "path": p.Path,
		"defaultVersionId": p.DefaultVersion, "attachmentCount": 0, "permissionsBoundaryUsageCount": 0, "isAttachable": true,
		"createDate": cloudTrailDate(now), "updateDate": cloudTrailDate(now)}}
	x := s.policyXML(p)
	x.Description = "" // CreatePolicy does not echo the description
	x.Tags = xmlTags(tags)
	return struct{ Policy xmlPolicy }{x}, nil
}

func (s *Server) policyXML(p *managedPolicy) xmlPolicy {
	return xmlPolicy{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: s.attachmentCount(p.ARN), PermissionsBoundaryUsageCount: s.boundaryUsage(p.ARN), IsAttachable: true,
		Description: p.Description, CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
}

func (s *Server) awsPolicyXML(ap *awsPolicy) xmlPolicy {
	return xmlPolicy{PolicyName: ap.Name, PolicyId: ap.id, Arn: ap.ARN, Path: ap.path, DefaultVersionId: ap.Version,
		AttachmentCount: s.attachmentCount(ap.ARN), PermissionsBoundaryUsageCount: s.boundaryUsage(ap.ARN), IsAttachable: true,
		CreateDate: isoTime(ap.Created), UpdateDate: isoTime(ap.Updated)}
}

// policyArnParam reads PolicyArn and authorises the operation on it.
func (c *call) policyArnParam() (string, *apiError) {
	arn := c.required("PolicyArn", ruleArn)
	if err := c.failed(); err != nil {
		return "", err
	}
	if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") < 5 {
		return "", errInvalidInput("ARN %s is not valid.", arn)
	}
	if err := c.authorize(arn); err != nil {
		return "", err
	}
	return arn, nil
}

// customerPolicy finds a customer managed policy for an operation that changes it.
func (c *call) customerPolicy(arn string) (*managedPolicy, *apiError) {
	if p := c.s.st.Policies[arn]; p != nil {
		return p, nil
	}
	if isAWSManaged(arn) && c.s.managed.get(arn) != nil {
		return nil, errInvalidInput("ARN %s is not valid.", arn) // AWS managed policies are read-only
	}
	return nil, errNoSuchEntity("Policy %s was not found.", arn)
}

func opGetPolicy(c *call) (any, *apiError) {
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	if p := c.s.st.Policies[arn]; p != nil {
		x := c.s.policyXML(p)
		x.Tags = xmlTags(p.Tags)
		return struct{ Policy xmlPolicy }{x}, nil
	}
	if ap := c.s.managed.get(arn); ap != nil {
		return struct{ Policy xmlPolicy }{c.s.awsPolicyXML(ap)}, nil
	}
	return nil, errNoSuchEntity("Policy %s was not found.", arn)
}

func opDeletePolicy(c *call) (any, *apiError) {
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	p, aerr := c.customerPolicy(arn)
	if aerr != nil {
		return nil, aerr
	}
	if c.s.attachmentCount(arn) > 0 || c.s.boundaryUsage(arn) > 0 {
		return nil, errDeleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, errDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(c.s.st.Policies, arn)
	delete(c.s.st.Usage, arn)
	c.s.st.touch()
	return nil, nil
}

func opListPolicies(c *call) (any, *apiError) {
	scope := c.enumParam("Scope", "All", "All", "AWS", "Local")
	onlyAttached := c.boolParam("OnlyAttached")
	prefix := c.optional("PathPrefix", rulePathPrefix, "/")
	usage := c.enumParam("PolicyUsageFilter", "", "PermissionsPolicy", "PermissionsBoundary")
	marker, max := c.paging()
	if err := c.failed(); err != nil {
		return nil, err
	}
	s := c.s
	if err := c.authorize(s.iamARN("policy", prefix, "")); err != nil {
		return nil, err
	}
	var all []xmlPolicy
	keep := func(x xmlPolicy) bool {
		if !inPath(x.Path, prefix) {
			return false
		}
		if onlyAttached && x.AttachmentCount == 0 && x.PermissionsBoundaryUsageCount == 0 {
			return false
		}
		switch usage {
		case "PermissionsPolicy":
			return !onlyAttached || x.AttachmentCount > 0
		case "PermissionsBoundary":
			return !onlyAttached || x.PermissionsBoundaryUsageCount > 0
		}
		return true
	}
	if scope != "Local" {
		for _, ap := range s.managed.all() {
			if x := s.awsPolicyXML(ap); keep(x) {
				all = append(all, x)
			}
		}
	}
	if scope != "AWS" {
		for _, p := range s.st.Policies {
			x := s.policyXML(p)
			x.Description = ""
			if keep(x) {
				all = append(all, x)
			}
		}
	}
	sortByName(all, func(x xmlPolicy) string { return x.PolicyName })
	page, next, more, aerr := paginate(all, func(x xmlPolicy) string { return x.PolicyName }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Policies members[xmlPolicy]
		listResult
	}{members[xmlPolicy]{page}, listResult{more, next}}, nil
}

func opCreatePolicyVersion(c *call) (any, *apiError) {
	c.required("PolicyDocument", rulePolicyDoc)
	setDefault := c.boolParam("SetAsDefault")
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	p, aerr := c.customerPolicy(arn)
	if aerr != nil {
		return nil, aerr
	}
	doc, aerr := c.checkManagedDocument("PolicyDocument")
	if aerr != nil {
		return nil, aerr
	}
	if len(p.Versions) >= maxVersions {
		return nil, errLimitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxVersions)
	}
	now := c.rq.now
	v := policyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: now}
	p.NextVersion++
	p.Versions = append(p.Versions, v)
	if setDefault {
		p.DefaultVersion = v.ID
		p.Updated = now
	}
	c.s.st.touch()
	c.respElems = map[string]any{"policyVersion": map[string]any{"versionId": v.ID, "isDefaultVersion": setDefault, "createDate": cloudTrailDate(now)}}
	return struct{ PolicyVersion xmlPolicyVersion }{xmlPolicyVersion{VersionId: v.ID, IsDefaultVersion: setDefault, CreateDate: isoTime(now)}}, nil
}

func opGetPolicyVersion(c *call) (any, *apiError) {
	vid := c.required("VersionId", ruleVersionID)
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	if p := c.s.st.Policies[arn]; p != nil {
		v := p.version(vid)
		if v == nil {
			return nil, errNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
		}
		return struct{ PolicyVersion xmlPolicyVersion }{xmlPolicyVersion{Document: escapeDocument(v.Document), VersionId: v.ID,
			IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)}}, nil
	}
	if ap := c.s.managed.get(arn); ap != nil {
		if vid != ap.Version {
			// The embedded catalog keeps default versions only.
			return nil, errNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
		}
		return struct{ PolicyVersion xmlPolicyVersion }{xmlPolicyVersion{Document: escapeDocument(ap.document), VersionId: ap.Version,
			IsDefaultVersion: true, CreateDate: isoTime(ap.Updated)}}, nil
	}
	return nil, errNoSuchEntity("Policy %s was not found.", arn)
}

func opListPolicyVersions(c *call) (any, *apiError) {
	marker, max := c.paging()
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	var versions []xmlPolicyVersion
	if p := c.s.st.Policies[arn]; p != nil {
		for _, v := range p.Versions {
			versions = append(versions, xmlPolicyVersion{VersionId: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)})
		}
	} else if ap := c.s.managed.get(arn); ap != nil {
		versions = append(versions, xmlPolicyVersion{VersionId: ap.Version, IsDefaultVersion: true, CreateDate: isoTime(ap.Updated)})
	} else {
		return nil, errNoSuchEntity("Policy %s was not found.", arn)
	}
	// Newest first, as IAM lists them.
	sort.Slice(versions, func(i, j int) bool {
		return versionNumber(versions[i].VersionId) > versionNumber(versions[j].VersionId)
	})
	key := func(v xmlPolicyVersion) string { return strconv.Itoa(1e9 - versionNumber(v.VersionId)) }
	page, next, more, aerr := paginate(versions, key, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Versions members[xmlPolicyVersion]
		listResult
	}{members[xmlPolicyVersion]{page}, listResult{more, next}}, nil
}

func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}

func opDeletePolicyVersion(c *call) (any, *apiError) {
	vid := c.required("VersionId", ruleVersionID)
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	p, aerr := c.customerPolicy(arn)
	if aerr != nil {
		return nil, aerr
	}
	if p.version(vid) == nil {
		return nil, errNoSuchEntity("Policy %s version %s does not exist or is not deletable.", arn, vid)
	}
	if vid == p.DefaultVersion {
		return nil, errDeleteConflict("Cannot delete the default version of a policy.")
	}
	for i := range p.Versions {
		if p.Versions[i].ID == vid {
			p.Versions = append(p.Versions[:i:i], p.Versions[i+1:]...)
			break
		}
	}
	c.s.st.touch()
	return nil, nil
}

func opSetDefaultPolicyVersion(c *call) (any, *apiError) {
	vid := c.required("VersionId", ruleVersionID)
	arn, aerr := c.policyArnParam()
	if aerr != nil {
		return nil, aerr
	}
	p, aerr := c.customerPolicy(arn)
	if aerr != nil {
		return nil, aerr
	}
	if p.version(vid) == nil {
		return nil, errNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	p.DefaultVersion = vid
	p.Updated = c.rq.now
	c.s.st.touch()
	return nil, nil
}
