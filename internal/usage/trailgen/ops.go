package trailgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// An operation is one API call as CloudTrail records it, with the request parameters,
// response elements, additional event data and resources AWS writes for it.

type errStyle uint8

const (
	styleS3 errStyle = iota
	styleQuery
	styleJSON
	styleEC2
	styleSNS
)

type op struct {
	source, name   string
	readOnly, data bool
	weight         float64
	byService      bool // AWS services call it themselves
	alsoPrincipals bool // ... and principals too
	crossAccount   bool // the other account's auditor calls it
	style          errStyle
	notFound       string
	params         func(e *ev)
	response       func(e *ev) // nil: null
	extra          func(e *ev) // nil: no additionalEventData
	resources      func(e *ev) // nil: no resources field
}

// ev is one event being written.
type ev struct {
	w       *jw
	r       *rand.Rand
	p       *principal
	region  string
	account string
	errKind errKind
	// chosen resources
	bucket, key string
}

type errKind uint8

const (
	errNone errKind = iota
	errDenied
	errThrottled
	errNotFound
)

func (e *ev) s3Object() (string, string) {
	if e.bucket == "" {
		e.bucket = pick(e.r, e.p.res.buckets)
		parts := []string{"data", "exports", "uploads", "reports", "images", "tmp"}
		e.key = fmt.Sprintf("%s/%04d/%02d/%s-%06d.%s", pick(e.r, parts), 2026, 1+e.r.IntN(12), hexString(e.r, 8), e.r.IntN(1000000),
			pick(e.r, []string{"json", "csv.gz", "parquet", "png", "txt"}))
	}
	return e.bucket, e.key
}

func (e *ev) s3Bucket() string {
	if e.bucket == "" {
		e.bucket = pick(e.r, e.p.res.buckets)
	}
	return e.bucket
}

func (e *ev) s3Host(bucket string) string {
	return bucket + ".s3." + e.region + ".amazonaws.com"
}

// s3Extra is the additionalEventData of S3 calls.
func s3Extra(in, out bool) func(e *ev) {
	return func(e *ev) {
		w := e.w
		w.obj()
		w.ks("SignatureVersion", "SigV4")
		w.ks("CipherSuite", "TLS_AES_128_GCM_SHA256")
		w.kn("bytesTransferredIn", map[bool]int64{true: int64(200 + e.r.IntN(200000)), false: 0}[in])
		w.ks("AuthenticationMethod", "AuthHeader")
		w.ks("x-amz-id-2", randBase64(e.r, 76))
		w.kn("bytesTransferredOut", map[bool]int64{true: int64(100 + e.r.IntN(500000)), false: 0}[out])
		w.endObj()
	}
}

func randBase64(r *rand.Rand, n int) string {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, n)
	for i := range b {
		b[i] = b64[r.IntN(64)]
	}
	return string(b)
}

func s3ObjectResources(e *ev) {
	b, k := e.s3Object()
	w := e.w
	w.arr()
	w.obj()
	w.ks("type", "AWS::S3::Object")
	w.ks("ARN", "arn:aws:s3:::"+b+"/"+k)
	w.endObj()
	e.resource("AWS::S3::Bucket", "arn:aws:s3:::"+b)
	w.endArr()
}

func s3BucketResources(e *ev) {
	e.oneResource("AWS::S3::Bucket", "arn:aws:s3:::"+e.s3Bucket())
}

// resource writes one element of the resources array: a resource of the event's account.
func (e *ev) resource(typ, arn string) {
	w := e.w
	w.obj()
	w.ks("accountId", e.account)
	w.ks("type", typ)
	w.ks("ARN", arn)
	w.endObj()
}

// oneResource writes a resources array of one resource of the event's account. The caller
// draws arn before the array opens; as writing draws nothing, the order of draws is kept.
func (e *ev) oneResource(typ, arn string) {
	e.w.arr()
	e.resource(typ, arn)
	e.w.endArr()
}

func s3ObjectParams(extra ...string) func(e *ev) {
	return func(e *ev) {
		b, k := e.s3Object()
		w := e.w
		w.obj()
		w.ks("bucketName", b)
		w.ks("Host", e.s3Host(b))
		for i := 0; i+1 < len(extra); i += 2 {
			w.ks(extra[i], extra[i+1])
		}
		w.ks("key", k)
		w.endObj()
	}
}

func s3BucketParams(extra ...string) func(e *ev) {
	return func(e *ev) {
		b := e.s3Bucket()
		w := e.w
		w.obj()
		w.ks("bucketName", b)
		w.ks("Host", e.s3Host(b))
		for i := 0; i+1 < len(extra); i += 2 {
			w.ks(extra[i], extra[i+1])
		}
		w.endObj()
	}
}

func nullParams(e *ev) { e.w.null() }

func oneParam(key string, value func(e *ev) string) func(e *ev) {
	return func(e *ev) {
		e.w.obj()
		e.w.ks(key, value(e))
		e.w.endObj()
	}
}

func tableArn(e *ev, t string) string {
	return "arn:aws:dynamodb:" + e.region + ":" + e.account + ":table/" + t
}

func ddbItem(e *ev) {
	w := e.w
	w.obj()
	w.ks("tableName", pick(e.r, e.p.res.tables))
	w.ko("key")
	w.ks("pk", "HIDDEN_DUE_TO_SECURITY_REASONS")
	w.ks("sk", "HIDDEN_DUE_TO_SECURITY_REASONS")
	w.endObj()
	w.endObj()
}

func ddbResources(e *ev) {
	// DynamoDB data events name the table in resources.
	e.oneResource("AWS::DynamoDB::Table", tableArn(e, pick(e.r, e.p.res.tables)))
}

func kmsKeyArn(e *ev) string {
	return "arn:aws:kms:" + e.region + ":" + e.account + ":key/" + pick(e.r, e.p.res.keys)
}

func kmsResources(e *ev) {
	e.oneResource("AWS::KMS::Key", kmsKeyArn(e))
}

func kmsParams(e *ev) {
	w := e.w
	w.obj()
	w.ks("keyId", kmsKeyArn(e))
	w.ko("encryptionContext")
	w.ks("aws:lambda:FunctionArn", "arn:aws:lambda:"+e.region+":"+e.account+":function:"+pick(e.r, e.p.res.functions))
	w.endObj()
	w.ks("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
	w.endObj()
}

func functionArn(e *ev, f string) string {
	return "arn:aws:lambda:" + e.region + ":" + e.account + ":function:" + f
}

func queueURL(e *ev) string {
	return "https://sqs." + e.region + ".amazonaws.com/" + e.account + "/" + pick(e.r, e.p.res.queues)
}

// ec2ItemSet writes EC2's form of a list of one item, name: {"items": [{...}]}, with item
// writing the item's fields (and making its draws) in place.
func ec2ItemSet(w *jw, name string, item func()) {
	w.ko(name)
	w.ka("items")
	w.obj()
	item()
	w.endObj()
	w.endArr()
	w.endObj()
}

func roleSessionResponse(e *ev) {
	w := e.w
	w.obj()
	w.ko("credentials")
	w.ks("accessKeyId", randID(e.r, "ASIA", 16))
	w.ks("sessionToken", randBase64(e.r, 180))
	w.ks("expiration", "Jan 2, 2026, 3:04:05 PM")
	w.endObj()
	w.ko("assumedRoleUser")
	role := pick(e.r, e.p.res.roles)
	w.ks("assumedRoleId", randID(e.r, "AROA", 17)+":"+"session-"+hexString(e.r, 8))
	w.ks("arn", "arn:aws:sts::"+e.account+":assumed-role/"+role+"/session-"+hexString(e.r, 8))
	w.endObj()
	w.endObj()
}

// allOps are the operations the generator knows, with their relative frequency.
var allOps = []op{
	// S3 data events.
	{source: "s3.amazonaws.com", name: "GetObject", readOnly: true, data: true, weight: 30, style: styleS3, notFound: "NoSuchKey",
		params: s3ObjectParams(), extra: s3Extra(false, true), resources: s3ObjectResources, crossAccount: true},
	{source: "s3.amazonaws.com", name: "PutObject", data: true, weight: 14, style: styleS3,
		params: s3ObjectParams("x-amz-server-side-encryption", "aws:kms"), extra: s3Extra(true, false), resources: s3ObjectResources,
		response: func(e *ev) {
			e.w.obj()
			e.w.ks("x-amz-server-side-encryption", "aws:kms")
			e.w.ks("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyArn(e))
			e.w.endObj()
		}},
	{source: "s3.amazonaws.com", name: "HeadObject", readOnly: true, data: true, weight: 8, style: styleS3, notFound: "NoSuchKey",
		params: s3ObjectParams(), extra: s3Extra(false, false), resources: s3ObjectResources},
	{source: "s3.amazonaws.com", name: "ListObjects", readOnly: true, data: true, weight: 6, style: styleS3,
		params: s3BucketParams("prefix", "data/", "delimiter", "/", "max-keys", "1000"), extra: s3Extra(false, true), resources: s3BucketResources, crossAccount: true},
	{source: "s3.amazonaws.com", name: "ListObjectsV2", readOnly: true, data: true, weight: 4, style: styleS3,
		params: s3BucketParams("list-type", "2", "prefix", "exports/", "encoding-type", "url"), extra: s3Extra(false, true), resources: s3BucketResources},
	{source: "s3.amazonaws.com", name: "DeleteObject", data: true, weight: 3, style: styleS3,
		params: s3ObjectParams(), extra: s3Extra(false, false), resources: s3ObjectResources},
	{source: "s3.amazonaws.com", name: "CopyObject", data: true, weight: 1.5, style: styleS3,
		params: func(e *ev) {
			b, k := e.s3Object()
			w := e.w
			w.obj()
			w.ks("bucketName", b)
			w.ks("Host", e.s3Host(b))
			w.ks("x-amz-copy-source", pick(e.r, e.p.res.buckets)+"/incoming/"+hexString(e.r, 12)+".json")
			w.ks("key", k)
			w.endObj()
		}, extra: s3Extra(false, false), resources: s3ObjectResources},
	{source: "s3.amazonaws.com", name: "CreateMultipartUpload", data: true, weight: 0.8, style: styleS3,
		params: s3ObjectParams("uploads", ""), extra: s3Extra(false, false), resources: s3ObjectResources},
	{source: "s3.amazonaws.com", name: "UploadPart", data: true, weight: 2, style: styleS3,
		params: s3ObjectParams("partNumber", "3", "uploadId", "2~"+"wTlXHe8Y4GGlD0J3fwEXAMPLE"), extra: s3Extra(true, false), resources: s3ObjectResources},
	{source: "s3.amazonaws.com", name: "CompleteMultipartUpload", data: true, weight: 0.8, style: styleS3,
		params: s3ObjectParams("uploadId", "2~wTlXHe8Y4GGlD0J3fwEXAMPLE"), extra: s3Extra(true, false), resources: s3ObjectResources},
	{source: "s3.amazonaws.com", name: "ListObjectVersions", readOnly: true, data: true, weight: 0.4, style: styleS3,
		params: s3BucketParams("versions", "", "prefix", "data/"), extra: s3Extra(false, true), resources: s3BucketResources},
	// S3 management events.
	{source: "s3.amazonaws.com", name: "ListBuckets", readOnly: true, weight: 1, style: styleS3,
		params: func(e *ev) { e.w.obj(); e.w.ks("Host", "s3."+e.region+".amazonaws.com"); e.w.endObj() }, extra: s3Extra(false, true)},
	{source: "s3.amazonaws.com", name: "GetBucketLocation", readOnly: true, weight: 1.5, style: styleS3, byService: true, alsoPrincipals: true,
		params: s3BucketParams("location", ""), extra: s3Extra(false, true), resources: s3BucketResources},
	{source: "s3.amazonaws.com", name: "GetBucketEncryption", readOnly: true, weight: 0.6, style: styleS3,
		params: s3BucketParams("encryption", ""), extra: s3Extra(false, true), resources: s3BucketResources},
	{source: "s3.amazonaws.com", name: "GetBucketPolicy", readOnly: true, weight: 0.5, style: styleS3, crossAccount: true,
		params: s3BucketParams("policy", ""), extra: s3Extra(false, true), resources: s3BucketResources},
	{source: "s3.amazonaws.com", name: "PutBucketPolicy", weight: 0.1, style: styleS3,
		params: s3BucketParams("policy", ""), extra: s3Extra(true, false), resources: s3BucketResources},
	{source: "s3.amazonaws.com", name: "HeadBucket", readOnly: true, weight: 0.7, style: styleS3,
		params: s3BucketParams(), extra: s3Extra(false, false), resources: s3BucketResources},
	// DynamoDB.
	{source: "dynamodb.amazonaws.com", name: "GetItem", readOnly: true, data: true, weight: 14, style: styleJSON, params: ddbItem, resources: ddbResources},
	{source: "dynamodb.amazonaws.com", name: "PutItem", data: true, weight: 7, style: styleJSON, params: ddbItem, resources: ddbResources},
	{source: "dynamodb.amazonaws.com", name: "Query", readOnly: true, data: true, weight: 8, style: styleJSON, resources: ddbResources,
		params: func(e *ev) {
			w := e.w
			w.obj()
			w.ks("tableName", pick(e.r, e.p.res.tables))
			w.ks("keyConditionExpression", "pk = :pk AND begins_with(sk, :sk)")
			w.kn("limit", 100)
			w.endObj()
		}},
	{source: "dynamodb.amazonaws.com", name: "UpdateItem", data: true, weight: 4, style: styleJSON, params: ddbItem, resources: ddbResources},
	{source: "dynamodb.amazonaws.com", name: "DescribeTable", readOnly: true, weight: 2, style: styleJSON, notFound: "ResourceNotFoundException",
		params: oneParam("tableName", func(e *ev) string { return pick(e.r, e.p.res.tables) })},
	{source: "dynamodb.amazonaws.com", name: "ExecuteStatement", data: true, weight: 0.3, style: styleJSON,
		params: oneParam("statement", func(e *ev) string { return "SELECT * FROM \"" + pick(e.r, e.p.res.tables) + "\" WHERE pk = ?" })},
	// Lambda.
	{source: "lambda.amazonaws.com", name: "Invoke", data: true, weight: 6, style: styleJSON, byService: true, alsoPrincipals: true,
		params: oneParam("functionName", func(e *ev) string { return functionArn(e, pick(e.r, e.p.res.functions)) }),
		extra: func(e *ev) {
			e.w.obj()
			e.w.ks("functionVersion", functionArn(e, pick(e.r, e.p.res.functions))+":$LATEST")
			e.w.endObj()
		},
		resources: func(e *ev) {
			e.oneResource("AWS::Lambda::Function", functionArn(e, pick(e.r, e.p.res.functions)))
		}},
	{source: "lambda.amazonaws.com", name: "GetFunction20150331v2", readOnly: true, weight: 1.2, style: styleJSON, notFound: "ResourceNotFoundException",
		params: oneParam("functionName", func(e *ev) string { return pick(e.r, e.p.res.functions) })},
	{source: "lambda.amazonaws.com", name: "UpdateFunctionCode20150331v2", weight: 0.6, style: styleJSON,
		params: func(e *ev) {
			w := e.w
			w.obj()
			w.ks("functionName", pick(e.r, e.p.res.functions))
			w.ks("s3Bucket", pick(e.r, e.p.res.buckets))
			w.ks("s3Key", "builds/"+hexString(e.r, 12)+".zip")
			w.kb("publish", true)
			w.kb("dryRun", false)
			w.endObj()
		},
		response: func(e *ev) {
			w := e.w
			w.obj()
			f := pick(e.r, e.p.res.functions)
			w.ks("functionName", f)
			w.ks("functionArn", functionArn(e, f))
			w.ks("runtime", "python3.12")
			w.ks("handler", "app.handler")
			w.kn("codeSize", int64(10000+e.r.IntN(5000000)))
			w.ks("codeSha256", randBase64(e.r, 44))
			w.ks("version", fmt.Sprint(1+e.r.IntN(90)))
			w.ks("state", "Active")
			w.ks("lastUpdateStatus", "InProgress")
			w.endObj()
		}},
	{source: "lambda.amazonaws.com", name: "ListFunctions20150331", readOnly: true, weight: 0.8, style: styleJSON, params: nullParams},
	// STS.
	{source: "sts.amazonaws.com", name: "AssumeRole", weight: 4, style: styleQuery, byService: true, alsoPrincipals: true, crossAccount: true,
		params: func(e *ev) {
			w := e.w
			w.obj()
			w.ks("roleArn", "arn:aws:iam::"+e.account+":role/"+pick(e.r, e.p.res.roles))
			w.ks("roleSessionName", "session-"+hexString(e.r, 8))
			w.kn("durationSeconds", 3600)
			w.endObj()
		},
		response: roleSessionResponse,
		resources: func(e *ev) {
			e.oneResource("AWS::IAM::Role", "arn:aws:iam::"+e.account+":role/"+pick(e.r, e.p.res.roles))
		}},
	{source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true, weight: 3, style: styleQuery, params: nullParams, crossAccount: true},
	// IAM.
	{source: "iam.amazonaws.com", name: "GetRole", readOnly: true, weight: 1.5, style: styleQuery, notFound: "NoSuchEntity", crossAccount: true,
		params: oneParam("roleName", func(e *ev) string { return pick(e.r, e.p.res.roles) })},
	{source: "iam.amazonaws.com", name: "ListRoles", readOnly: true, weight: 0.8, style: styleQuery, crossAccount: true,
		params: func(e *ev) { e.w.obj(); e.w.kn("maxItems", 100); e.w.endObj() }},
	{source: "iam.amazonaws.com", name: "ListAttachedRolePolicies", readOnly: true, weight: 0.8, style: styleQuery,
		params: oneParam("roleName", func(e *ev) string { return pick(e.r, e.p.res.roles) })},
	{source: "iam.amazonaws.com", name: "GetPolicyVersion", readOnly: true, weight: 0.5, style: styleQuery,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("policyArn", "arn:aws:iam::"+e.account+":policy/"+pick(e.r, e.p.res.roles)+"-policy")
			e.w.ks("versionId", "v3")
			e.w.endObj()
		}},
	{source: "iam.amazonaws.com", name: "PutRolePolicy", weight: 0.1, style: styleQuery,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("roleName", pick(e.r, e.p.res.roles))
			e.w.ks("policyName", "inline-access")
			e.w.ks("policyDocument", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}")
			e.w.endObj()
		}},
	{source: "iam.amazonaws.com", name: "CreateAccessKey", weight: 0.05, style: styleQuery,
		params: oneParam("userName", func(e *ev) string { return pick(e.r, userNames) }),
		response: func(e *ev) {
			e.w.obj()
			e.w.ko("accessKey")
			e.w.ks("accessKeyId", randID(e.r, "AKIA", 16))
			e.w.ks("status", "Active")
			e.w.ks("userName", pick(e.r, userNames))
			e.w.ks("createDate", "Jan 2, 2026, 3:04:05 PM")
			e.w.endObj()
			e.w.endObj()
		}},
	// KMS.
	{source: "kms.amazonaws.com", name: "Decrypt", readOnly: true, weight: 6, style: styleJSON, byService: true, alsoPrincipals: true, params: kmsParams, resources: kmsResources},
	{source: "kms.amazonaws.com", name: "GenerateDataKey", readOnly: true, weight: 3, style: styleJSON, byService: true, alsoPrincipals: true, resources: kmsResources,
		params: func(e *ev) { e.w.obj(); e.w.ks("keyId", kmsKeyArn(e)); e.w.ks("keySpec", "AES_256"); e.w.endObj() }},
	{source: "kms.amazonaws.com", name: "Encrypt", readOnly: true, weight: 1, style: styleJSON, params: kmsParams, resources: kmsResources},
	// EC2.
	{source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, weight: 3, style: styleEC2, byService: true, alsoPrincipals: true, crossAccount: true,
		params: func(e *ev) {
			w := e.w
			w.obj()
			ec2ItemSet(w, "instancesSet", func() { w.ks("instanceId", pick(e.r, e.p.res.instances)) })
			w.ko("filterSet")
			w.endObj()
			w.endObj()
		}},
	{source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", readOnly: true, weight: 1, style: styleEC2,
		params: func(e *ev) {
			e.w.obj()
			e.w.ko("securityGroupSet")
			e.w.endObj()
			e.w.ko("securityGroupIdSet")
			e.w.endObj()
			e.w.endObj()
		}},
	{source: "ec2.amazonaws.com", name: "CreateTags", weight: 0.3, style: styleEC2,
		params: func(e *ev) {
			w := e.w
			w.obj()
			ec2ItemSet(w, "resourcesSet", func() { w.ks("resourceId", pick(e.r, e.p.res.instances)) })
			ec2ItemSet(w, "tagSet", func() {
				w.ks("key", "team")
				w.ks("value", "platform")
			})
			w.endObj()
		},
		response: func(e *ev) {
			e.w.obj()
			e.w.ks("requestId", uuid(e.r))
			e.w.kb("_return", true)
			e.w.endObj()
		}},
	{source: "ec2.amazonaws.com", name: "RunInstances", weight: 0.1, style: styleEC2,
		params: func(e *ev) {
			w := e.w
			w.obj()
			ec2ItemSet(w, "instancesSet", func() {
				w.ks("imageId", "ami-0"+hexString(e.r, 17))
				w.kn("minCount", 1)
				w.kn("maxCount", 1)
			})
			w.ks("instanceType", "m7g.large")
			w.kb("disableApiTermination", false)
			w.endObj()
		}},
	// CloudWatch Logs and metrics.
	{source: "logs.amazonaws.com", name: "CreateLogStream", weight: 2, style: styleJSON, byService: true, alsoPrincipals: true,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("logGroupName", pick(e.r, e.p.res.logGroups))
			e.w.ks("logStreamName", "2026/01/02/[$LATEST]"+hexString(e.r, 32))
			e.w.endObj()
		}},
	{source: "logs.amazonaws.com", name: "DescribeLogGroups", readOnly: true, weight: 0.6, style: styleJSON,
		params: func(e *ev) { e.w.obj(); e.w.ks("logGroupNamePrefix", "/aws/lambda/"); e.w.endObj() }},
	{source: "logs.amazonaws.com", name: "FilterLogEvents", readOnly: true, weight: 0.5, style: styleJSON,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("logGroupName", pick(e.r, e.p.res.logGroups))
			e.w.ks("filterPattern", "ERROR")
			e.w.kn("startTime", 1767225600000)
			e.w.endObj()
		}},
	{source: "monitoring.amazonaws.com", name: "GetMetricData", readOnly: true, weight: 1, style: styleQuery,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("startTime", "Jan 2, 2026, 2:00:00 PM")
			e.w.ks("endTime", "Jan 2, 2026, 3:00:00 PM")
			e.w.endObj()
		}},
	{source: "monitoring.amazonaws.com", name: "DescribeAlarms", readOnly: true, weight: 0.6, style: styleQuery,
		params: func(e *ev) { e.w.obj(); e.w.kn("maxRecords", 100); e.w.endObj() }},
	// SQS and SNS.
	{source: "sqs.amazonaws.com", name: "SendMessage", data: true, weight: 5, style: styleJSON,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("queueUrl", queueURL(e))
			e.w.ks("messageBody", "HIDDEN_DUE_TO_SECURITY_REASONS")
			e.w.endObj()
		},
		response: func(e *ev) {
			e.w.obj()
			e.w.ks("mD5OfMessageBody", hexString(e.r, 32))
			e.w.ks("messageId", uuid(e.r))
			e.w.endObj()
		}},
	{source: "sqs.amazonaws.com", name: "ReceiveMessage", readOnly: true, data: true, weight: 5, style: styleJSON,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("queueUrl", queueURL(e))
			e.w.kn("maxNumberOfMessages", 10)
			e.w.kn("waitTimeSeconds", 20)
			e.w.endObj()
		}},
	{source: "sqs.amazonaws.com", name: "DeleteMessageBatch", data: true, weight: 2, style: styleJSON,
		params: oneParam("queueUrl", queueURL)},
	{source: "sns.amazonaws.com", name: "Publish", weight: 1.5, style: styleSNS, byService: true, alsoPrincipals: true,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("topicArn", "arn:aws:sns:"+e.region+":"+e.account+":"+pick(e.r, e.p.res.topics))
			e.w.ks("message", "HIDDEN_DUE_TO_SECURITY_REASONS")
			e.w.endObj()
		},
		response: func(e *ev) { e.w.obj(); e.w.ks("messageId", uuid(e.r)); e.w.endObj() }},
	// Secrets, parameters, images.
	{source: "secretsmanager.amazonaws.com", name: "GetSecretValue", readOnly: true, weight: 3, style: styleJSON, notFound: "ResourceNotFoundException",
		params: oneParam("secretId", func(e *ev) string { return pick(e.r, e.p.res.secrets) })},
	{source: "ssm.amazonaws.com", name: "GetParameter", readOnly: true, weight: 2.5, style: styleJSON, notFound: "ParameterNotFound",
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("name", pick(e.r, e.p.res.params))
			e.w.kb("withDecryption", true)
			e.w.endObj()
		}},
	{source: "ssm.amazonaws.com", name: "GetParameters", readOnly: true, weight: 1, style: styleJSON,
		params: func(e *ev) {
			e.w.obj()
			e.w.ka("names")
			e.w.str(pick(e.r, e.p.res.params))
			e.w.str(pick(e.r, e.p.res.params))
			e.w.endArr()
			e.w.kb("withDecryption", false)
			e.w.endObj()
		}},
	{source: "ecr.amazonaws.com", name: "GetAuthorizationToken", readOnly: true, weight: 1.5, style: styleJSON, byService: true, alsoPrincipals: true, params: nullParams},
	{source: "ecr.amazonaws.com", name: "BatchGetImage", readOnly: true, weight: 1.2, style: styleJSON,
		params: func(e *ev) {
			e.w.obj()
			e.w.ks("repositoryName", pick(e.r, e.p.res.repos))
			e.w.ka("imageIds")
			e.w.obj()
			e.w.ks("imageTag", "v1."+fmt.Sprint(e.r.IntN(40)))
			e.w.endObj()
			e.w.endArr()
			e.w.ka("acceptedMediaTypes")
			e.w.str("application/vnd.docker.distribution.manifest.v2+json")
			e.w.endArr()
			e.w.endObj()
		}},
	// Deployment and inventory.
	{source: "cloudformation.amazonaws.com", name: "DescribeStacks", readOnly: true, weight: 1.2, style: styleQuery,
		params: oneParam("stackName", func(e *ev) string { return pick(e.r, e.p.res.stacks) })},
	{source: "elasticloadbalancing.amazonaws.com", name: "DescribeLoadBalancers", readOnly: true, weight: 0.8, style: styleQuery, byService: true, alsoPrincipals: true,
		params: func(e *ev) { e.w.obj(); e.w.kn("pageSize", 400); e.w.endObj() }},
	{source: "email.amazonaws.com", name: "SendRawEmail", weight: 0.4, style: styleQuery, params: nullParams},
	{source: "es.amazonaws.com", name: "DescribeDomain", readOnly: true, weight: 0.2, style: styleJSON,
		params: oneParam("domainName", func(e *ev) string { return "search-" + pick(e.r, appWords) })},
	{source: "apigateway.amazonaws.com", name: "GetRestApis", readOnly: true, weight: 0.2, style: styleJSON,
		params: func(e *ev) { e.w.obj(); e.w.kn("limit", 500); e.w.endObj() }},
}

func (o *op) errorCode(k errKind) (code, msg string) {
	switch k {
	case errDenied:
		switch o.style {
		case styleS3:
			return "AccessDenied", "Access Denied"
		case styleEC2:
			return "Client.UnauthorizedOperation", "You are not authorized to perform this operation."
		case styleSNS:
			return "AuthorizationError", "User is not authorized to perform: sns:" + o.name
		case styleQuery:
			return "AccessDenied", "User is not authorized to perform: " + strings.TrimSuffix(o.source, ".amazonaws.com") + ":" + o.name
		default:
			return "AccessDeniedException", "User is not authorized to perform: " + strings.TrimSuffix(o.source, ".amazonaws.com") + ":" + o.name + " because no identity-based policy allows the action"
		}
	case errThrottled:
		switch o.style {
		case styleS3:
			return "SlowDown", "Please reduce your request rate."
		case styleEC2:
			return "Client.RequestLimitExceeded", "Request limit exceeded."
		case styleQuery, styleSNS:
			return "Throttling", "Rate exceeded"
		default:
			return "ThrottlingException", "Rate exceeded"
		}
	case errNotFound:
		return o.notFound, "The specified resource does not exist."
	}
	return "", ""
}
