package iam

import (
	"slices"

	"github.com/ciem/ciem/internal/catalog"
)

// The catalogue of risky grants Analyze looks for, kept as data so that the account scan can
// reuse it (the escalation paths with their Target build its cross-principal graph). The
// privilege-escalation paths are the published ones (Rhino Security Labs' list of IAM
// escalation methods and later additions of the same kind); a test checks that every
// action named here exists in the catalog.

// Risk finding types.
const (
	RiskPrivilegeEscalation  = "privilege_escalation"
	RiskDataExfiltration     = "data_exfiltration"
	RiskResourceExposure     = "resource_exposure"
	RiskCredentialsExposure  = "credentials_exposure"
	RiskInfrastructureModify = "infrastructure_modification"
	RiskUnrestrictedPassRole = "unrestricted_passrole"
	RiskWildcardAdmin        = "wildcard_admin"
)

// Risk severities, most severe first.
const (
	RiskCritical = "critical"
	RiskHigh     = "high"
	RiskMedium   = "medium"
	RiskLow      = "low"
)

// RiskSeverities lists the severities, most severe first.
var RiskSeverities = []string{RiskCritical, RiskHigh, RiskMedium, RiskLow}

// Escalation targets: whose permissions an escalation path reaches.
const (
	EscalationTargetSelf  = "self"  // changes its own (or any) permissions: reaches admin directly
	EscalationTargetUser  = "user"  // acts as another IAM user
	EscalationTargetGroup = "group" // joins a group and gets its permissions
	EscalationTargetRole  = "role"  // acts with an existing role's permissions
)

const escalationDetailPassedRoles = "gains the permissions of any role it can pass"

// RiskRule is one kind of risky grant.
type RiskRule struct {
	ID       string // stable, e.g. "iam-create-policy-version"
	Type     string // one of the Risk... types
	Severity string // when every required action is granted unconditionally (on broad resources, where that matters)
	Title    string
	// Requires lists groups of action patterns: the rule applies when, for every group, at
	// least one action of the group is granted (or, with AllOf, every action it expands to).
	Requires [][]string
	AllOf    bool
	// Level, when set, keeps only the actions of that access level in every group.
	Level catalog.AccessLevel
	// Broad counts only grants on broad resources ("*", NotResource, every resource of a
	// type): the risk is reading or changing everything, not one named resource. Without
	// Broad, a rule met only through grants on named resources is one severity lower.
	Broad bool
	// NotSelf ignores grants whose resources all name the caller itself (a resource with
	// ${aws:username}): creating one's own access key is not an escalation.
	NotSelf bool
	// Target (escalation paths only) is whose permissions the path reaches.
	Target string
	Detail string // how the grant is abused
}

// RiskRules returns every rule Analyze applies, in the order findings of equal severity are
// listed (a copy: the table itself does not change).
func RiskRules() []RiskRule { return slices.Clone(riskRules) }

var riskRules = []RiskRule{
	// Wildcard admin and PassRole.
	{ID: "wildcard-admin", Type: RiskWildcardAdmin, Severity: RiskCritical, Title: "Full administrator access (* on *)",
		Requires: [][]string{{"*"}}, AllOf: true, Broad: true,
		Detail: "every action on every resource is allowed"},
	{ID: "unrestricted-passrole", Type: RiskUnrestrictedPassRole, Severity: RiskHigh, Title: "iam:PassRole on any role",
		Requires: [][]string{{"iam:PassRole"}}, Broad: true,
		Detail: "any role, including administrator roles, can be passed to a service; restrict Resource to the roles needed and iam:PassedToService to the service"},

	// Privilege escalation: changing one's own permissions.
	{ID: "iam-create-policy-version", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Create a new default version of a managed policy",
		Requires: [][]string{{"iam:CreatePolicyVersion"}}, Target: EscalationTargetSelf,
		Detail: "a new version of a policy attached to the principal, set as default, can allow everything"},
	{ID: "iam-set-default-policy-version", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Switch a managed policy to another version",
		Requires: [][]string{{"iam:SetDefaultPolicyVersion"}}, Target: EscalationTargetSelf,
		Detail: "an older, broader version of a policy attached to the principal can be made the default"},
	{ID: "iam-attach-user-policy", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Attach managed policies to users",
		Requires: [][]string{{"iam:AttachUserPolicy"}}, Target: EscalationTargetSelf,
		Detail: "AdministratorAccess can be attached to the principal's own user"},
	{ID: "iam-attach-group-policy", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Attach managed policies to groups",
		Requires: [][]string{{"iam:AttachGroupPolicy"}}, Target: EscalationTargetSelf,
		Detail: "AdministratorAccess can be attached to a group the principal belongs to"},
	{ID: "iam-attach-role-policy", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Attach managed policies to roles",
		Requires: [][]string{{"iam:AttachRolePolicy"}}, Target: EscalationTargetSelf,
		Detail: "AdministratorAccess can be attached to the principal's own role or a role it can assume"},
	{ID: "iam-put-user-policy", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Write inline policies of users",
		Requires: [][]string{{"iam:PutUserPolicy"}}, Target: EscalationTargetSelf,
		Detail: "an inline policy allowing everything can be added to the principal's own user"},
	{ID: "iam-put-group-policy", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Write inline policies of groups",
		Requires: [][]string{{"iam:PutGroupPolicy"}}, Target: EscalationTargetSelf,
		Detail: "an inline policy allowing everything can be added to a group the principal belongs to"},
	{ID: "iam-put-role-policy", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Write inline policies of roles",
		Requires: [][]string{{"iam:PutRolePolicy"}}, Target: EscalationTargetSelf,
		Detail: "an inline policy allowing everything can be added to the principal's own role or a role it can assume"},
	{ID: "iam-remove-permissions-boundary", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Change or remove permissions boundaries",
		Requires: [][]string{{"iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary"}},
		Target:   EscalationTargetSelf,
		Detail:   "the boundary that limits the principal's permissions can be lifted or widened"},
	{ID: "iam-add-user-to-group", Type: RiskPrivilegeEscalation, Severity: RiskCritical, Title: "Add users to groups",
		Requires: [][]string{{"iam:AddUserToGroup"}}, Target: EscalationTargetGroup,
		Detail: "the principal's own user can join an administrators group"},

	// Privilege escalation: acting as another user.
	{ID: "iam-create-access-key", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create access keys for other users",
		Requires: [][]string{{"iam:CreateAccessKey"}}, NotSelf: true, Target: EscalationTargetUser,
		Detail: "long-term keys of a more privileged user can be created"},
	{ID: "iam-create-login-profile", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create console passwords for other users",
		Requires: [][]string{{"iam:CreateLoginProfile"}}, NotSelf: true, Target: EscalationTargetUser,
		Detail: "a console password can be set for a more privileged user that has none"},
	{ID: "iam-update-login-profile", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Change console passwords of other users",
		Requires: [][]string{{"iam:UpdateLoginProfile"}}, NotSelf: true, Target: EscalationTargetUser,
		Detail: "the console password of a more privileged user can be reset"},

	// Privilege escalation: acting as an existing role.
	{ID: "iam-update-assume-role-policy", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Rewrite a role's trust policy and assume it",
		Requires: [][]string{{"iam:UpdateAssumeRolePolicy"}, {"sts:AssumeRole"}}, Target: EscalationTargetRole,
		Detail: "any role's trust policy can be changed to trust the principal, which then assumes it"},
	{ID: "lambda-update-function-code", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Replace the code of existing Lambda functions",
		Requires: [][]string{{"lambda:UpdateFunctionCode"}}, Target: EscalationTargetRole,
		Detail: "code that runs with a function's execution role can be replaced, no iam:PassRole needed"},
	{ID: "lambda-update-function-configuration", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Change the configuration of existing Lambda functions",
		Requires: [][]string{{"lambda:UpdateFunctionConfiguration"}}, Target: EscalationTargetRole,
		Detail: "a layer or environment that runs code with a function's execution role can be added"},
	{ID: "glue-update-dev-endpoint", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Add SSH keys to existing Glue development endpoints",
		Requires: [][]string{{"glue:UpdateDevEndpoint"}}, Target: EscalationTargetRole,
		Detail: "an SSH key can be added to an endpoint and its role's credentials read"},
	{ID: "glue-update-job", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Change and run existing Glue jobs",
		Requires: [][]string{{"glue:UpdateJob"}, {"glue:StartJobRun", "glue:CreateTrigger"}}, Target: EscalationTargetRole,
		Detail: "a job's script runs with the job's role"},
	{ID: "codebuild-start-build", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Start CodeBuild builds with an overridden buildspec",
		Requires: [][]string{{"codebuild:StartBuild", "codebuild:StartBuildBatch"}}, Target: EscalationTargetRole,
		Detail: "a build's commands can be overridden at start and run with the project's service role"},
	{ID: "cloudformation-update-stack", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Update existing CloudFormation stacks",
		Requires: [][]string{{"cloudformation:UpdateStack", "cloudformation:ExecuteChangeSet"}}, Target: EscalationTargetRole,
		Detail: "a stack's template can be changed to create resources with the stack's service role"},
	{ID: "sagemaker-presigned-notebook-url", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Open existing SageMaker notebooks",
		Requires: [][]string{{"sagemaker:CreatePresignedNotebookInstanceUrl"}}, Target: EscalationTargetRole,
		Detail: "a notebook's terminal runs with the notebook's execution role"},
	{ID: "ssm-send-command", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Run commands on managed instances",
		Requires: [][]string{{"ssm:SendCommand"}}, Target: EscalationTargetRole,
		Detail: "commands run on instances can read their instance profile's credentials"},
	{ID: "ssm-start-session", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Open shell sessions on managed instances",
		Requires: [][]string{{"ssm:StartSession"}}, Target: EscalationTargetRole,
		Detail: "a shell on an instance can read its instance profile's credentials"},
	{ID: "ec2-instance-connect", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Push SSH keys to instances",
		Requires: [][]string{{"ec2-instance-connect:SendSSHPublicKey", "ec2-instance-connect:SendSerialConsoleSSHPublicKey"}}, Target: EscalationTargetRole,
		Detail: "an SSH login to an instance can read its instance profile's credentials"},
	{ID: "ec2-modify-user-data", Type: RiskPrivilegeEscalation, Severity: RiskMedium, Title: "Change instance user data and restart instances",
		Requires: [][]string{{"ec2:ModifyInstanceAttribute"}, {"ec2:StopInstances"}, {"ec2:StartInstances"}}, Target: EscalationTargetRole,
		Detail: "user data runs as root at start and can read the instance profile's credentials"},

	// Privilege escalation: passing a role to compute the principal controls.
	{ID: "passrole-ec2-run-instances", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Launch EC2 instances with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"ec2:RunInstances"}}, Target: EscalationTargetRole,
		Detail: "an instance launched with a privileged instance profile " + escalationDetailPassedRoles},
	{ID: "passrole-autoscaling", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Launch Auto Scaling instances with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"autoscaling:CreateLaunchConfiguration", "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion"},
			{"autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"}},
		Target: EscalationTargetRole,
		Detail: "instances launched from a template with a privileged instance profile: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-lambda", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create and trigger Lambda functions with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"lambda:CreateFunction"}, {"lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission"}},
		Target:   EscalationTargetRole,
		Detail:   "a function created with a privileged execution role and then invoked: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-glue-dev-endpoint", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create Glue development endpoints with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"glue:CreateDevEndpoint"}}, Target: EscalationTargetRole,
		Detail: "an endpoint reachable over SSH runs with the passed role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-glue-job", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create and run Glue jobs with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"glue:CreateJob"}, {"glue:StartJobRun", "glue:CreateTrigger"}}, Target: EscalationTargetRole,
		Detail: "a job's script runs with the passed role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-cloudformation", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create CloudFormation stacks with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"cloudformation:CreateStack", "cloudformation:CreateStackSet"}}, Target: EscalationTargetRole,
		Detail: "a stack creates any resource with the passed service role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-datapipeline", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create Data Pipelines with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"datapipeline:CreatePipeline"}, {"datapipeline:PutPipelineDefinition"}}, Target: EscalationTargetRole,
		Detail: "a pipeline runs commands with the passed role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-sagemaker-notebook", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create SageMaker notebooks with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"sagemaker:CreateNotebookInstance"}}, Target: EscalationTargetRole,
		Detail: "a notebook runs with the passed execution role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-sagemaker-jobs", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Run SageMaker jobs with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"}}, Target: EscalationTargetRole,
		Detail: "a job runs the principal's container with the passed role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-codebuild", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create and run CodeBuild projects with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"codebuild:CreateProject"}, {"codebuild:StartBuild", "codebuild:StartBuildBatch"}}, Target: EscalationTargetRole,
		Detail: "a build runs commands with the passed service role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-ecs", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Register and run ECS tasks with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"ecs:RegisterTaskDefinition"}, {"ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:UpdateService"}},
		Target:   EscalationTargetRole,
		Detail:   "a task runs the principal's container with the passed task role: the principal " + escalationDetailPassedRoles},
	{ID: "passrole-apprunner", Type: RiskPrivilegeEscalation, Severity: RiskHigh, Title: "Create App Runner services with a passed role",
		Requires: [][]string{{"iam:PassRole"}, {"apprunner:CreateService"}}, Target: EscalationTargetRole,
		Detail: "a service runs the principal's code with the passed instance role: the principal " + escalationDetailPassedRoles},

	// Data exfiltration: reading data everywhere.
	{ID: "secrets-read-all", Type: RiskDataExfiltration, Severity: RiskHigh, Title: "Read every secret and parameter",
		Requires: [][]string{{"secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"}},
		Broad:    true,
		Detail:   "secret values and SecureString parameters of every resource can be read"},
	{ID: "kms-decrypt-all", Type: RiskDataExfiltration, Severity: RiskHigh, Title: "Decrypt with every KMS key",
		Requires: [][]string{{"kms:Decrypt", "kms:ReEncryptFrom"}}, Broad: true,
		Detail: "data encrypted under any key that delegates to IAM can be decrypted"},
	{ID: "s3-read-all", Type: RiskDataExfiltration, Severity: RiskHigh, Title: "Read every S3 object",
		Requires: [][]string{{"s3:GetObject", "s3:GetObjectVersion"}}, Broad: true,
		Detail: "objects of every bucket the account can reach can be downloaded"},
	{ID: "dynamodb-read-all", Type: RiskDataExfiltration, Severity: RiskMedium, Title: "Read every DynamoDB table",
		Requires: [][]string{{"dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:ExportTableToPointInTime"}}, Broad: true,
		Detail: "items of every table can be read or exported"},
	{ID: "snapshot-sharing", Type: RiskDataExfiltration, Severity: RiskHigh, Title: "Share snapshots and images with other accounts",
		Requires: [][]string{{"rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute", "ec2:ModifySnapshotAttribute", "ec2:ModifyImageAttribute", "redshift:AuthorizeSnapshotAccess"}},
		Detail:   "a database or disk snapshot can be shared with an outside account and restored there"},

	// Resource exposure: changing who else may use a resource.
	{ID: "s3-public-access", Type: RiskResourceExposure, Severity: RiskHigh, Title: "Change S3 bucket policies, ACLs and public access blocks",
		Requires: [][]string{{"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl", "s3:PutBucketPublicAccessBlock", "s3:PutAccountPublicAccessBlock", "s3:PutAccessPointPolicy"}},
		Detail:   "a bucket or its objects can be opened to the internet or another account"},
	{ID: "kms-key-policy", Type: RiskResourceExposure, Severity: RiskHigh, Title: "Change KMS key policies and grants",
		Requires: [][]string{{"kms:PutKeyPolicy", "kms:CreateGrant"}},
		Detail:   "another principal or account can be allowed to use or manage a key"},
	{ID: "resource-policy-change", Type: RiskResourceExposure, Severity: RiskMedium, Title: "Change resource-based policies",
		Requires: [][]string{{
			"lambda:AddPermission", "lambda:AddLayerVersionPermission", "sqs:SetQueueAttributes", "sqs:AddPermission",
			"sns:SetTopicAttributes", "sns:AddPermission", "ecr:SetRepositoryPolicy", "secretsmanager:PutResourcePolicy",
			"iam:UpdateAssumeRolePolicy", "glacier:SetVaultAccessPolicy", "elasticfilesystem:PutFileSystemPolicy",
			"backup:PutBackupVaultAccessPolicy", "logs:PutResourcePolicy", "events:PutPermission", "glue:PutResourcePolicy",
			"es:UpdateElasticsearchDomainConfig", "es:UpdateDomainConfig", "apigateway:UpdateRestApiPolicy", "ram:CreateResourceShare",
			"codeartifact:PutRepositoryPermissionsPolicy", "serverlessrepo:PutApplicationPolicy",
		}},
		Detail: "a resource's own policy can be changed to let another principal, account or everyone use it"},

	// Credentials exposure.
	{ID: "iam-user-credentials", Type: RiskCredentialsExposure, Severity: RiskHigh, Title: "Create or reset credentials of IAM users",
		Requires: [][]string{{"iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
			"iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "iam:UploadSSHPublicKey"}},
		NotSelf: true,
		Detail:  "long-term credentials of other users can be created, reactivated or reset"},
	{ID: "federation-token", Type: RiskCredentialsExposure, Severity: RiskMedium, Title: "Issue federated credentials",
		Requires: [][]string{{"sts:GetFederationToken"}},
		Detail:   "temporary credentials that outlive a revoked session, up to 36 hours, can be issued"},
	{ID: "database-credentials", Type: RiskCredentialsExposure, Severity: RiskHigh, Title: "Get database credentials for any user",
		Requires: [][]string{{"redshift:GetClusterCredentials", "redshift:GetClusterCredentialsWithIAM", "redshift-serverless:GetCredentials", "rds-db:connect"}},
		Broad:    true,
		Detail:   "temporary passwords for any database user, administrators included, can be obtained"},
	{ID: "instance-credentials", Type: RiskCredentialsExposure, Severity: RiskMedium, Title: "Get instance login credentials",
		Requires: [][]string{{"ec2:GetPasswordData", "lightsail:GetInstanceAccessDetails"}}, Broad: true,
		Detail: "administrator passwords or SSH keys of instances can be retrieved"},
	{ID: "registry-tokens", Type: RiskCredentialsExposure, Severity: RiskLow, Title: "Get package and image registry tokens",
		Requires: [][]string{{"ecr:GetAuthorizationToken", "codeartifact:GetAuthorizationToken"}}, Broad: true,
		Detail: "bearer tokens for registries are issued; what they reach depends on the registries' permissions"},

	// Infrastructure modification.
	{ID: "audit-tampering", Type: RiskInfrastructureModify, Severity: RiskHigh, Title: "Stop or delete audit logging and threat detection",
		Requires: [][]string{{"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
			"guardduty:DeleteDetector", "guardduty:UpdateDetector", "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder",
			"config:DeleteDeliveryChannel", "securityhub:DisableSecurityHub", "access-analyzer:DeleteAnalyzer", "organizations:LeaveOrganization"}},
		Detail: "the records and alarms that would show misuse can be switched off"},
	{ID: "network-modification", Type: RiskInfrastructureModify, Severity: RiskMedium, Title: "Change networks, firewalls, routing and DNS",
		Requires: [][]string{{"ec2:*Vpc*", "ec2:*Subnet*", "ec2:*SecurityGroup*", "ec2:*Route*", "ec2:*NetworkAcl*", "ec2:*Gateway*",
			"ec2:*VpnConnection*", "ec2:*NetworkInterface*", "ec2:*Address*", "ec2:*Peering*",
			"elasticloadbalancing:*", "route53:*", "route53resolver:*", "cloudfront:*", "directconnect:*",
			"network-firewall:*", "globalaccelerator:*", "networkmanager:*"}},
		Level:  catalog.Write,
		Detail: "traffic can be opened, redirected or intercepted"},
	{ID: "compute-modification", Type: RiskInfrastructureModify, Severity: RiskMedium, Title: "Change compute: instances, images, clusters and functions",
		Requires: [][]string{{"ec2:*Instance*", "ec2:*LaunchTemplate*", "ec2:*Image*", "ec2:*Volume*", "ec2:*Snapshot*",
			"autoscaling:*", "ecs:*", "eks:*", "lambda:*", "batch:*"}},
		Level:  catalog.Write,
		Detail: "workloads can be started, changed, stopped or deleted"},
}
