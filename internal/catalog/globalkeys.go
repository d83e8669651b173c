package catalog

// globalKeys are AWS's global condition context keys, which iam-data does not list, with
// the types AWS documents for them. Source: AWS IAM User Guide, "AWS global condition
// context keys" (reference_policies_condition-keys), grouped as that page groups them,
// including the cross-service keys it lists (ec2:, glue:, lambda:, ssm:, identitystore:).
// Tag keys use the ${TagKey} placeholder as the service data does. aws:EpochTime is
// documented as "Date, Numeric"; it is listed as Date (Date operators accept epoch seconds).
var globalKeys = []*ConditionKey{
	// Properties of the principal.
	{Key: "aws:PrincipalArn", Type: "ARN", Global: true},
	{Key: "aws:PrincipalAccount", Type: "String", Global: true},
	{Key: "aws:PrincipalOrgPaths", Type: "ArrayOfString", Global: true},
	{Key: "aws:PrincipalOrgID", Type: "String", Global: true},
	{Key: "aws:PrincipalTag/${TagKey}", Type: "String", Global: true},
	{Key: "aws:PrincipalIsAWSService", Type: "Bool", Global: true},
	{Key: "aws:PrincipalServiceName", Type: "String", Global: true},
	{Key: "aws:PrincipalServiceNamesList", Type: "ArrayOfString", Global: true},
	{Key: "aws:PrincipalType", Type: "String", Global: true},
	{Key: "aws:userid", Type: "String", Global: true},
	{Key: "aws:username", Type: "String", Global: true},

	// Properties of a role session.
	{Key: "aws:AssumedRoot", Type: "Bool", Global: true},
	{Key: "aws:FederatedProvider", Type: "String", Global: true},
	{Key: "aws:TokenIssueTime", Type: "Date", Global: true},
	{Key: "aws:MultiFactorAuthAge", Type: "Numeric", Global: true},
	{Key: "aws:MultiFactorAuthPresent", Type: "Bool", Global: true},
	{Key: "aws:ChatbotSourceArn", Type: "ARN", Global: true},
	{Key: "aws:Ec2InstanceSourceVpc", Type: "String", Global: true},
	{Key: "aws:Ec2InstanceSourcePrivateIPv4", Type: "IPAddress", Global: true},
	{Key: "aws:SourceIdentity", Type: "String", Global: true},
	{Key: "ec2:RoleDelivery", Type: "Numeric", Global: true},
	{Key: "ec2:SourceInstanceArn", Type: "ARN", Global: true},
	{Key: "glue:RoleAssumedBy", Type: "String", Global: true},
	{Key: "glue:CredentialIssuingService", Type: "String", Global: true},
	{Key: "lambda:SourceFunctionArn", Type: "ARN", Global: true},
	{Key: "ssm:SourceInstanceArn", Type: "ARN", Global: true},
	{Key: "identitystore:UserId", Type: "String", Global: true},

	// Properties of the network.
	{Key: "aws:SourceIp", Type: "IPAddress", Global: true},
	{Key: "aws:SourceVpc", Type: "String", Global: true},
	{Key: "aws:SourceVpcArn", Type: "ARN", Global: true},
	{Key: "aws:SourceVpce", Type: "String", Global: true},
	{Key: "aws:VpceAccount", Type: "String", Global: true},
	{Key: "aws:VpceOrgPaths", Type: "ArrayOfString", Global: true},
	{Key: "aws:VpceOrgID", Type: "String", Global: true},
	{Key: "aws:VpcSourceIp", Type: "IPAddress", Global: true},

	// Properties of the resource.
	{Key: "aws:ResourceAccount", Type: "String", Global: true},
	{Key: "aws:ResourceOrgID", Type: "String", Global: true},
	{Key: "aws:ResourceOrgPaths", Type: "ArrayOfString", Global: true},
	{Key: "aws:ResourceTag/${TagKey}", Type: "String", Global: true},

	// Properties of the request.
	{Key: "aws:CalledVia", Type: "ArrayOfString", Global: true},
	{Key: "aws:CalledViaFirst", Type: "String", Global: true},
	{Key: "aws:CalledViaLast", Type: "String", Global: true},
	{Key: "aws:CalledViaAWSMCP", Type: "String", Global: true},
	{Key: "aws:ViaAWSService", Type: "Bool", Global: true},
	{Key: "aws:ViaAWSMCPService", Type: "Bool", Global: true},
	{Key: "aws:IsMcpServiceAction", Type: "Bool", Global: true},
	{Key: "aws:CurrentTime", Type: "Date", Global: true},
	{Key: "aws:EpochTime", Type: "Date", Global: true},
	{Key: "aws:referer", Type: "String", Global: true},
	{Key: "aws:RequestedRegion", Type: "String", Global: true},
	{Key: "aws:RequestTag/${TagKey}", Type: "String", Global: true},
	{Key: "aws:TagKeys", Type: "ArrayOfString", Global: true},
	{Key: "aws:SecureTransport", Type: "Bool", Global: true},
	{Key: "aws:SourceAccount", Type: "String", Global: true},
	{Key: "aws:SourceArn", Type: "ARN", Global: true},
	{Key: "aws:SourceOrgID", Type: "String", Global: true},
	{Key: "aws:SourceOrgPaths", Type: "ArrayOfString", Global: true},
	{Key: "aws:SourceOwner", Type: "String", Global: true}, // older SNS/SES form of aws:SourceAccount
	{Key: "aws:UserAgent", Type: "String", Global: true},
}
