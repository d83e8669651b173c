package awstest

// The IAM and STS operations the sandbox serves, by Query Action name.

var iamOps = map[string]queryOp{}

var stsOps = map[string]queryOp{
	"AssumeRole":         {run: stsOnly(opAssumeRole)},
	"GetCallerIdentity":  {run: opGetCallerIdentity, readOnly: true, noAuthz: true},
	"GetSessionToken":    {run: opGetSessionToken, readOnly: true},
	"GetFederationToken": {run: opGetFederationToken, readOnly: true},
	"GetAccessKeyInfo":   {run: stsOnly(opGetAccessKeyInfo), readOnly: true},
}

func init() {
	reads := map[string]func(*call) (any, *apiError){
		"GetUser":                        opGetUser,
		"ListUsers":                      opListUsers,
		"ListUserTags":                   opListTags(userTags),
		"GetGroup":                       opGetGroup,
		"ListGroups":                     opListGroups,
		"ListGroupsForUser":              opListGroupsForUser,
		"GetRole":                        opGetRole,
		"ListRoles":                      opListRoles,
		"ListRoleTags":                   opListTags(roleTags),
		"GetPolicy":                      opGetPolicy,
		"ListPolicies":                   opListPolicies,
		"GetPolicyVersion":               opGetPolicyVersion,
		"ListPolicyVersions":             opListPolicyVersions,
		"ListPolicyTags":                 opListTags(policyTags),
		"ListEntitiesForPolicy":          opListEntitiesForPolicy,
		"ListAccessKeys":                 opListAccessKeys,
		"GetAccessKeyLastUsed":           opGetAccessKeyLastUsed,
		"GetAccountAuthorizationDetails": opGetAccountAuthorizationDetails,
		"GetServiceLastAccessedDetails":  opGetServiceLastAccessedDetails,
		"GetServiceLastAccessedDetailsWithEntities": opGetServiceLastAccessedDetailsWithEntities,
	}
	writes := map[string]func(*call) (any, *apiError){
		"CreateUser":                         opCreateUser,
		"UpdateUser":                         opUpdateUser,
		"DeleteUser":                         opDeleteUser,
		"TagUser":                            opTag(userTags),
		"UntagUser":                          opUntag(userTags),
		"PutUserPermissionsBoundary":         opPutUserPermissionsBoundary,
		"DeleteUserPermissionsBoundary":      opDeleteUserPermissionsBoundary,
		"CreateGroup":                        opCreateGroup,
		"UpdateGroup":                        opUpdateGroup,
		"DeleteGroup":                        opDeleteGroup,
		"AddUserToGroup":                     opAddUserToGroup,
		"RemoveUserFromGroup":                opRemoveUserFromGroup,
		"CreateRole":                         opCreateRole,
		"UpdateRole":                         opUpdateRole,
		"UpdateRoleDescription":              opUpdateRoleDescription,
		"UpdateAssumeRolePolicy":             opUpdateAssumeRolePolicy,
		"DeleteRole":                         opDeleteRole,
		"TagRole":                            opTag(roleTags),
		"UntagRole":                          opUntag(roleTags),
		"PutRolePermissionsBoundary":         opPutRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary":      opDeleteRolePermissionsBoundary,
		"CreatePolicy":                       opCreatePolicy,
		"DeletePolicy":                       opDeletePolicy,
		"CreatePolicyVersion":                opCreatePolicyVersion,
		"DeletePolicyVersion":                opDeletePolicyVersion,
		"SetDefaultPolicyVersion":            opSetDefaultPolicyVersion,
		"TagPolicy":                          opTag(policyTags),
		"UntagPolicy":                        opUntag(policyTags),
		"CreateAccessKey":                    opCreateAccessKey,
		"UpdateAccessKey":                    opUpdateAccessKey,
		"DeleteAccessKey":                    opDeleteAccessKey,
		"GenerateServiceLastAccessedDetails": opGenerateServiceLastAccessedDetails,
	}
	for _, k := range []*entityKind{userKind, groupKind, roleKind} {
		reads["Get"+k.title+"Policy"] = opGetInline(k)
		reads["List"+k.title+"Policies"] = opListInline(k)
		reads["ListAttached"+k.title+"Policies"] = opListAttached(k)
		writes["Put"+k.title+"Policy"] = opPutInline(k)
		writes["Delete"+k.title+"Policy"] = opDeleteInline(k)
		writes["Attach"+k.title+"Policy"] = opAttach(k)
		writes["Detach"+k.title+"Policy"] = opDetach(k)
	}
	for name, run := range reads {
		iamOps[name] = queryOp{run: run, readOnly: true}
	}
	for name, run := range writes {
		iamOps[name] = queryOp{run: run}
	}
}

// stsOnly refuses STS operations that temporary credentials of the caller's kind may
// not call, as STS does.
func stsOnly(run func(*call) (any, *apiError)) func(*call) (any, *apiError) {
	return func(c *call) (any, *apiError) {
		if !stsAllowedFor(c.caller, c.op) {
			c.authorized = true
			return nil, c.accessDenied("sts:"+c.op, "", "")
		}
		return run(c)
	}
}
