package usage

// The facts of how CloudTrail names differ from IAM action names. Sources: the AWS Service
// Authorization Reference, the services' CloudTrail documentation, and the community
// mappings of the same facts (iam-dataset's map.json). A test checks every action named
// here against the catalog.

// sourcePrefixes maps an eventSource host (without ".amazonaws.com") to its IAM service
// prefix where the two differ. Every other host is its own prefix.
var sourcePrefixes = map[string]string{
	"monitoring":        "cloudwatch",
	"email":             "ses",
	"api.sagemaker":     "sagemaker",
	"tagging":           "tag",
	"ingest.timestream": "timestream",
	"query.timestream":  "timestream",
	"cloudcontrolapi":   "cloudformation",
	"models.lex":        "lex",
	"runtime.lex":       "lex",
	"api.pricing":       "pricing",
	"api.ecr":           "ecr",
	"streams.dynamodb":  "dynamodb",
	"data.iot":          "iot",
	"api.mediatailor":   "mediatailor",
	"runtime.sagemaker": "sagemaker",
}

// actionRule is how one eventName maps: Actions are full "service:Action" names. When the
// request names an object version (requestParameters.versionId), VersionAction replaces
// the first action. CopySource adds an action on the copy's source object.
type actionRule struct {
	Actions       []string
	VersionAction string
	CopySource    string // action on the object named by x-amz-copy-source
	CopyVersion   string // CopySource when the source names a version
}

func rule(actions ...string) actionRule { return actionRule{Actions: actions} }

func versioned(action, versionAction string) actionRule {
	return actionRule{Actions: []string{action}, VersionAction: versionAction}
}

// eventRules maps "prefix:EventName" to the actions the call needs, where that is not
// simply "prefix:EventName".
var eventRules = map[string]actionRule{
	// S3: the REST operation names differ from the permission names.
	"s3:ListObjects":                                 rule("s3:ListBucket"),
	"s3:ListObjectsV2":                               rule("s3:ListBucket"),
	"s3:HeadBucket":                                  rule("s3:ListBucket"),
	"s3:ListObjectVersions":                          rule("s3:ListBucketVersions"),
	"s3:ListBuckets":                                 rule("s3:ListAllMyBuckets"),
	"s3:ListMultipartUploads":                        rule("s3:ListBucketMultipartUploads"),
	"s3:ListParts":                                   rule("s3:ListMultipartUploadParts"),
	"s3:GetObject":                                   versioned("s3:GetObject", "s3:GetObjectVersion"),
	"s3:HeadObject":                                  versioned("s3:GetObject", "s3:GetObjectVersion"),
	"s3:SelectObjectContent":                         rule("s3:GetObject"),
	"s3:GetObjectAcl":                                versioned("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
	"s3:PutObjectAcl":                                versioned("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
	"s3:GetObjectTagging":                            versioned("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
	"s3:PutObjectTagging":                            versioned("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
	"s3:DeleteObjectTagging":                         versioned("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
	"s3:GetObjectAttributes":                         versioned("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
	"s3:GetObjectTorrent":                            versioned("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"),
	"s3:DeleteObject":                                versioned("s3:DeleteObject", "s3:DeleteObjectVersion"),
	"s3:DeleteObjects":                               rule("s3:DeleteObject"),
	"s3:CopyObject":                                  {Actions: []string{"s3:PutObject"}, CopySource: "s3:GetObject", CopyVersion: "s3:GetObjectVersion"},
	"s3:UploadPartCopy":                              {Actions: []string{"s3:PutObject"}, CopySource: "s3:GetObject", CopyVersion: "s3:GetObjectVersion"},
	"s3:UploadPart":                                  rule("s3:PutObject"),
	"s3:CreateMultipartUpload":                       rule("s3:PutObject"),
	"s3:InitiateMultipartUpload":                     rule("s3:PutObject"),
	"s3:CompleteMultipartUpload":                     rule("s3:PutObject"),
	"s3:PostObject":                                  rule("s3:PutObject"),
	"s3:GetBucketEncryption":                         rule("s3:GetEncryptionConfiguration"),
	"s3:PutBucketEncryption":                         rule("s3:PutEncryptionConfiguration"),
	"s3:DeleteBucketEncryption":                      rule("s3:PutEncryptionConfiguration"),
	"s3:GetBucketLifecycle":                          rule("s3:GetLifecycleConfiguration"),
	"s3:GetBucketLifecycleConfiguration":             rule("s3:GetLifecycleConfiguration"),
	"s3:PutBucketLifecycle":                          rule("s3:PutLifecycleConfiguration"),
	"s3:PutBucketLifecycleConfiguration":             rule("s3:PutLifecycleConfiguration"),
	"s3:DeleteBucketLifecycle":                       rule("s3:PutLifecycleConfiguration"),
	"s3:GetBucketReplication":                        rule("s3:GetReplicationConfiguration"),
	"s3:PutBucketReplication":                        rule("s3:PutReplicationConfiguration"),
	"s3:DeleteBucketReplication":                     rule("s3:PutReplicationConfiguration"),
	"s3:DeleteBucketCors":                            rule("s3:PutBucketCORS"),
	"s3:DeleteBucketTagging":                         rule("s3:PutBucketTagging"),
	"s3:GetBucketNotificationConfiguration":          rule("s3:GetBucketNotification"),
	"s3:PutBucketNotificationConfiguration":          rule("s3:PutBucketNotification"),
	"s3:GetBucketAnalyticsConfiguration":             rule("s3:GetAnalyticsConfiguration"),
	"s3:ListBucketAnalyticsConfigurations":           rule("s3:GetAnalyticsConfiguration"),
	"s3:PutBucketAnalyticsConfiguration":             rule("s3:PutAnalyticsConfiguration"),
	"s3:DeleteBucketAnalyticsConfiguration":          rule("s3:PutAnalyticsConfiguration"),
	"s3:GetBucketInventoryConfiguration":             rule("s3:GetInventoryConfiguration"),
	"s3:ListBucketInventoryConfigurations":           rule("s3:GetInventoryConfiguration"),
	"s3:PutBucketInventoryConfiguration":             rule("s3:PutInventoryConfiguration"),
	"s3:DeleteBucketInventoryConfiguration":          rule("s3:PutInventoryConfiguration"),
	"s3:GetBucketMetricsConfiguration":               rule("s3:GetMetricsConfiguration"),
	"s3:ListBucketMetricsConfigurations":             rule("s3:GetMetricsConfiguration"),
	"s3:PutBucketMetricsConfiguration":               rule("s3:PutMetricsConfiguration"),
	"s3:DeleteBucketMetricsConfiguration":            rule("s3:PutMetricsConfiguration"),
	"s3:GetBucketIntelligentTieringConfiguration":    rule("s3:GetIntelligentTieringConfiguration"),
	"s3:ListBucketIntelligentTieringConfigurations":  rule("s3:GetIntelligentTieringConfiguration"),
	"s3:PutBucketIntelligentTieringConfiguration":    rule("s3:PutIntelligentTieringConfiguration"),
	"s3:DeleteBucketIntelligentTieringConfiguration": rule("s3:PutIntelligentTieringConfiguration"),
	"s3:DeleteBucketOwnershipControls":               rule("s3:PutBucketOwnershipControls"),
	"s3:GetPublicAccessBlock":                        rule("s3:GetBucketPublicAccessBlock"),
	"s3:PutPublicAccessBlock":                        rule("s3:PutBucketPublicAccessBlock"),
	"s3:DeletePublicAccessBlock":                     rule("s3:PutBucketPublicAccessBlock"),
	"s3:GetBucketAccelerateConfiguration":            rule("s3:GetAccelerateConfiguration"),
	"s3:PutBucketAccelerateConfiguration":            rule("s3:PutAccelerateConfiguration"),
	"s3:GetObjectLockConfiguration":                  rule("s3:GetBucketObjectLockConfiguration"),
	"s3:PutObjectLockConfiguration":                  rule("s3:PutBucketObjectLockConfiguration"),
	"s3:WriteGetObjectResponse":                      rule("s3-object-lambda:WriteGetObjectResponse"),

	// Lambda: the data event is "Invoke"; the versioned names are handled generically.
	"lambda:Invoke":                   rule("lambda:InvokeFunction"),
	"lambda:InvokeWithResponseStream": rule("lambda:InvokeFunction"),

	// Batch calls are authorised as their single forms.
	"sqs:SendMessageBatch":             rule("sqs:SendMessage"),
	"sqs:DeleteMessageBatch":           rule("sqs:DeleteMessage"),
	"sqs:ChangeMessageVisibilityBatch": rule("sqs:ChangeMessageVisibility"),
	"sns:PublishBatch":                 rule("sns:Publish"),

	// KMS's ReEncrypt needs both halves.
	"kms:ReEncrypt": rule("kms:ReEncryptFrom", "kms:ReEncryptTo"),
}

// noActionEvents are events that record something other than an authorised API call (sign-in
// and console navigation): counted and reported, never attributed as usage.
var noActionEvents = map[string]string{
	"signin:ConsoleLogin":              "console sign-in",
	"signin:CheckMfa":                  "console sign-in",
	"signin:SwitchRole":                "console role switch",
	"signin:ExitRole":                  "console role switch",
	"signin:RenewRole":                 "console role switch",
	"signin:GetSigninToken":            "federation sign-in",
	"signin:PasswordRecoveryRequested": "console sign-in",
	"signin:PasswordRecoveryCompleted": "console sign-in",
	"signin:UserAuthentication":        "console sign-in",
	"signin:CredentialChallenge":       "console sign-in",
	"signin:CredentialVerification":    "console sign-in",
	"signin:ConsoleLogout":             "console sign-out",
}

// apiGatewayVerbs: API Gateway's management API is authorised by HTTP method
// (apigateway:GET, POST, PUT, PATCH, DELETE), while CloudTrail names the operation.
var apiGatewayVerbs = []struct{ prefix, verb string }{
	{"Get", "GET"},
	{"Create", "POST"},
	{"Import", "POST"},
	{"Generate", "POST"},
	{"Test", "POST"},
	{"Update", "PATCH"},
	{"Put", "PUT"},
	{"Tag", "PUT"},
	{"Delete", "DELETE"},
	{"Untag", "DELETE"},
	{"Flush", "DELETE"},
}
