package usage

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const roleARN = "arn:aws:iam::123456789012:role/team/app"

func TestResourceExtraction(t *testing.T) {
	tests := []struct {
		name         string
		source, op   string
		fields       []string
		action       string
		want         []string
		region       string
		otherActions map[string][]string
	}{
		{name: "S3 object: the object ARN, not the bucket", source: "s3.amazonaws.com", op: "GetObject",
			fields: []string{`"requestParameters":{"bucketName":"bkt","Host":"bkt.s3.amazonaws.com","key":"a/b.txt"}`},
			action: "s3:GetObject", want: []string{"arn:aws:s3:::bkt/a/b.txt"}},
		{name: "S3 object from the resources field too", source: "s3.amazonaws.com", op: "PutObject",
			fields: []string{`"requestParameters":{"bucketName":"bkt","key":"k"}`,
				`"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::bkt/k"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::bkt"}]`},
			action: "s3:PutObject", want: []string{"arn:aws:s3:::bkt/k"}},
		{name: "S3 listing: the bucket", source: "s3.amazonaws.com", op: "ListObjectsV2",
			fields: []string{`"requestParameters":{"bucketName":"bkt","list-type":"2","prefix":"data/"}`},
			action: "s3:ListBucket", want: []string{"arn:aws:s3:::bkt"}},
		{name: "S3 version: the versioned action", source: "s3.amazonaws.com", op: "GetObject",
			fields: []string{`"requestParameters":{"bucketName":"bkt","key":"k","versionId":"3HL4kqtJlcpXroDTDmJ"}`},
			action: "s3:GetObjectVersion", want: []string{"arn:aws:s3:::bkt/k"}},
		{name: "S3 copy: PutObject on the target, GetObject(Version) on the source", source: "s3.amazonaws.com", op: "CopyObject",
			fields: []string{`"requestParameters":{"bucketName":"dst","key":"out.json","x-amz-copy-source":"src/in%20put.json?versionId=7"}`},
			action: "s3:PutObject", want: []string{"arn:aws:s3:::dst/out.json"},
			otherActions: map[string][]string{"s3:GetObjectVersion": {"arn:aws:s3:::src/in put.json"}}},
		{name: "S3 in China", source: "s3.amazonaws.com", op: "HeadBucket", region: "cn-north-1",
			fields: []string{`"requestParameters":{"bucketName":"bkt"}`},
			action: "s3:ListBucket", want: []string{"arn:aws-cn:s3:::bkt"}},
		{name: "IAM role by name", source: "iam.amazonaws.com", op: "GetRole",
			fields: []string{`"requestParameters":{"roleName":"deployer"}`},
			action: "iam:GetRole", want: []string{"arn:aws:iam::123456789012:role/deployer"}},
		{name: "IAM policy ARN is not a role resource", source: "iam.amazonaws.com", op: "AttachRolePolicy",
			fields: []string{`"requestParameters":{"roleName":"deployer","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`},
			action: "iam:AttachRolePolicy", want: []string{"arn:aws:iam::123456789012:role/deployer"}},
		{name: "IAM policy", source: "iam.amazonaws.com", op: "GetPolicyVersion",
			fields: []string{`"requestParameters":{"policyArn":"arn:aws:iam::123456789012:policy/p","versionId":"v3"}`},
			action: "iam:GetPolicyVersion", want: []string{"arn:aws:iam::123456789012:policy/p"}},
		{name: "Lambda function by name, versioned event name", source: "lambda.amazonaws.com", op: "UpdateFunctionCode20150331v2",
			fields: []string{`"requestParameters":{"functionName":"fn","publish":true}`},
			action: "lambda:UpdateFunctionCode", want: []string{"arn:aws:lambda:us-east-1:123456789012:function:fn"}},
		{name: "Lambda function ARN with a qualifier", source: "lambda.amazonaws.com", op: "Invoke",
			fields: []string{`"requestParameters":{"functionName":"arn:aws:lambda:us-east-1:123456789012:function:fn:prod"}`},
			action: "lambda:InvokeFunction", want: []string{"arn:aws:lambda:us-east-1:123456789012:function:fn"}},
		{name: "DynamoDB table", source: "dynamodb.amazonaws.com", op: "GetItem",
			fields: []string{`"requestParameters":{"tableName":"orders","key":{"pk":"HIDDEN"}}`},
			action: "dynamodb:GetItem", want: []string{"arn:aws:dynamodb:us-east-1:123456789012:table/orders"}},
		{name: "SQS queue URL", source: "sqs.amazonaws.com", op: "SendMessage",
			fields: []string{`"requestParameters":{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs","messageBody":"x"}`},
			action: "sqs:SendMessage", want: []string{"arn:aws:sqs:eu-west-1:123456789012:jobs"}},
		{name: "Secrets Manager secret by name: AWS's six-character suffix pattern", source: "secretsmanager.amazonaws.com", op: "GetSecretValue",
			fields: []string{`"requestParameters":{"secretId":"prod/db"}`},
			action: "secretsmanager:GetSecretValue", want: []string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????"}},
		{name: "KMS key from resources", source: "kms.amazonaws.com", op: "Decrypt",
			fields: []string{`"requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`,
				`"resources":[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]`},
			action: "kms:Decrypt", want: []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		{name: "SSM parameter path", source: "ssm.amazonaws.com", op: "GetParameter",
			fields: []string{`"requestParameters":{"name":"/app/prod/db","withDecryption":true}`},
			action: "ssm:GetParameter", want: []string{"arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/db"}},
		{name: "CloudWatch Logs stream", source: "logs.amazonaws.com", op: "CreateLogStream",
			fields: []string{`"requestParameters":{"logGroupName":"/aws/lambda/fn","logStreamName":"s"}`},
			action: "logs:CreateLogStream", want: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:s"}},
		{name: "CloudWatch Logs group", source: "logs.amazonaws.com", op: "FilterLogEvents",
			fields: []string{`"requestParameters":{"logGroupName":"/aws/lambda/fn","filterPattern":"ERROR"}`},
			action: "logs:FilterLogEvents", want: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn"}},
		{name: "STS role to assume", source: "sts.amazonaws.com", op: "AssumeRole",
			fields: []string{`"requestParameters":{"roleArn":"arn:aws:iam::123456789012:role/target","roleSessionName":"s"}`},
			action: "sts:AssumeRole", want: []string{"arn:aws:iam::123456789012:role/target"}},
		{name: "an action with no resource types keeps none", source: "ec2.amazonaws.com", op: "DescribeInstances",
			fields: []string{`"requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"}]}}`},
			action: "ec2:DescribeInstances", want: nil},
		{name: "escaped strings are unescaped", source: "s3.amazonaws.com", op: "GetObject",
			fields: []string{`"requestParameters":{"bucketName":"bkt","key":"dir\/caf\u00e9 \"q\".txt"}`},
			action: "s3:GetObject", want: []string{`arn:aws:s3:::bkt/dir/café "q".txt`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rec(idRole, tt.source, tt.op, "2026-06-02T10:00:00Z", tt.fields...)
			if tt.region != "" {
				r = strings.Replace(r, `"awsRegion":"us-east-1"`, `"awsRegion":"`+tt.region+`"`, 1)
			}
			d := digestDir(t, writeFiles(t, map[string][]byte{"t.json": []byte(trailJSON(r))}), Options{Account: acct})
			if d.Problems.Total() != 0 {
				t.Fatalf("problems: %+v", d.Problems)
			}
			a := mustAction(t, d, roleARN, tt.action)
			if !slices.Equal(a.Resources, tt.want) {
				t.Errorf("%s resources %q, want %q", tt.action, a.Resources, tt.want)
			}
			for action, want := range tt.otherActions {
				if got := mustAction(t, d, roleARN, action).Resources; !slices.Equal(got, want) {
					t.Errorf("%s resources %q, want %q", action, got, want)
				}
			}
		})
	}
}

func TestDeniedAndErrors(t *testing.T) {
	tests := []struct {
		code       string
		denied     bool
		source, op string
		wantAction string
	}{
		{"AccessDenied", true, "s3.amazonaws.com", "GetObject", "s3:GetObject"},
		{"AccessDeniedException", true, "kms.amazonaws.com", "Decrypt", "kms:Decrypt"},
		{"Client.UnauthorizedOperation", true, "ec2.amazonaws.com", "RunInstances", "ec2:RunInstances"},
		{"UnauthorizedOperation", true, "ec2.amazonaws.com", "RunInstances", "ec2:RunInstances"},
		{"AuthorizationError", true, "sns.amazonaws.com", "Publish", "sns:Publish"},
		{"ThrottlingException", false, "kms.amazonaws.com", "Decrypt", "kms:Decrypt"},
		{"Client.RequestLimitExceeded", false, "ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances"},
		{"NoSuchKey", false, "s3.amazonaws.com", "GetObject", "s3:GetObject"},
		{"", false, "s3.amazonaws.com", "GetObject", "s3:GetObject"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			var extra []string
			if tt.code != "" {
				extra = append(extra, `"errorCode":"`+tt.code+`","errorMessage":"nope"`)
			}
			r1 := rec(idRole, tt.source, tt.op, "2026-06-02T10:00:00Z", extra...)
			r2 := rec(idRole, tt.source, tt.op, "2026-06-03T10:00:00Z", extra...)
			d := digestDir(t, writeFiles(t, map[string][]byte{"t.json": []byte(trailJSON(r1, r2))}), Options{Account: acct})
			a := mustAction(t, d, roleARN, tt.wantAction)
			p := d.Principal(roleARN)
			if tt.denied {
				if a.Count != 0 || a.Denied != 2 || !a.First.IsZero() || a.Used() {
					t.Errorf("denied call: count %d denied %d first %v used %v; want 0, 2, zero, false", a.Count, a.Denied, a.First, a.Used())
				}
				if a.DeniedFirst.Format(time.DateOnly) != "2026-06-02" || a.DeniedLast.Format(time.DateOnly) != "2026-06-03" {
					t.Errorf("denied first/last %v %v", a.DeniedFirst, a.DeniedLast)
				}
				if p.Denied != 2 || p.Count != 0 || d.Totals.Denied != 2 {
					t.Errorf("principal denied %d count %d, totals denied %d", p.Denied, p.Count, d.Totals.Denied)
				}
			} else if a.Count != 2 || a.Denied != 0 || !a.Used() {
				t.Errorf("count %d denied %d; want 2, 0", a.Count, a.Denied)
			}
		})
	}
}

// Every record lands in exactly one bucket of Stats, and each bucket is reported.
func TestRecordAccounting(t *testing.T) {
	records := []string{
		rec(idRole, "s3.amazonaws.com", "GetObject", "2026-06-02T10:00:00Z", `"requestParameters":{"bucketName":"b","key":"k"}`),
		rec(idUser, "iam.amazonaws.com", "ListRoles", "2026-06-02T11:00:00Z"),
		rec(idSvc, "kms.amazonaws.com", "Decrypt", "2026-06-02T12:00:00Z"),
		strings.Replace(rec(`{"accountId":"123456789012","invokedBy":"kms.amazonaws.com"}`, "kms.amazonaws.com", "RotateKey", "2026-06-02T12:00:00Z"), `"AwsApiCall"`, `"AwsServiceEvent"`, 1),
		rec(idXacc, "s3.amazonaws.com", "GetObject", "2026-06-02T13:00:00Z"),
		strings.Replace(rec(idUser, "s3.amazonaws.com", "GetObject", "2026-06-02T13:00:00Z"), `"recipientAccountId":"123456789012"`, `"recipientAccountId":"999999999999"`, 1),
		rec(idUser, "signin.amazonaws.com", "ConsoleLogin", "2026-06-02T14:00:00Z"),
		strings.Replace(rec(idUser, "signin.amazonaws.com", "ConsoleLogin", "2026-06-02T14:00:00Z"), `"AwsApiCall"`, `"AwsConsoleSignIn"`, 1),
		rec(idRole, "nosuch.amazonaws.com", "Frob", "2026-06-02T15:00:00Z"),
		rec(idRole, "dynamodb.amazonaws.com", "ExecuteStatement", "2026-06-02T15:00:00Z"),
		rec(`{"type":"SAMLUser","principalId":"x","userName":"jane"}`, "sts.amazonaws.com", "AssumeRoleWithSAML", "2026-06-02T16:00:00Z"),
		rec(idRole, "s3.amazonaws.com", "GetObject", "2025-01-01T00:00:00Z"), // outside the window
		rec(idRole, "s3.amazonaws.com", "GetObject", "not a time"),
		`{"eventTime":"2026-06-02T10:00:00Z","eventName":"GetObject"}`, // no eventSource
		`{"eventVersion":"1.08","eventTime":"2026-06-02T10:00:00Z","awsRegion":"us-east-1","eventID":"e","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","sharedEventID":"s","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"},"eventCategory":"Insight"}`,
	}
	since := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	d := digestDir(t, writeFiles(t, map[string][]byte{"t.json": []byte(trailJSON(records...))}), Options{Account: acct, Window: Window{Since: since}})
	got := d.Totals
	want := Stats{Files: 1, Records: 15, Counted: 2, AWSService: 2, OtherAccount: 2, NonAPI: 3, Unmapped: 2, Unattributed: 1, OutsideWindow: 1, Invalid: 2, DataEvents: 0, ManagementEvents: 2}
	got.FirstEvent, got.LastEvent = 0, 0
	if got != want {
		t.Errorf("totals\n got %+v\nwant %+v", got, want)
	}
	sum := got.Counted + got.AWSService + got.OtherAccount + got.NonAPI + got.Unmapped + got.Unattributed + got.OutsideWindow + got.Invalid
	if sum != got.Records {
		t.Errorf("buckets sum to %d, records %d", sum, got.Records)
	}
	keys := func(ts []Tally) (out []string) {
		for _, t := range ts {
			out = append(out, t.Key)
		}
		return out
	}
	if k := keys(d.AWSServiceEvents); !slices.Equal(k, []string{"ec2.amazonaws.com", "kms.amazonaws.com"}) {
		t.Errorf("AWS service events %v", k)
	}
	if k := keys(d.OtherAccounts); !slices.Equal(k, []string{"210987654321", "999999999999"}) {
		t.Errorf("other accounts %v", k)
	}
	if k := keys(d.NonAPIEvents); !slices.Equal(k, []string{"AwsCloudTrailInsight", "AwsConsoleSignIn"}) {
		t.Errorf("non-API events %v", k)
	}
	if k := keys(d.Unattributed); !slices.Equal(k, []string{"SAMLUser"}) {
		t.Errorf("unattributed %v", k)
	}
	var unmapped []string
	for _, u := range d.Unmapped {
		unmapped = append(unmapped, u.EventSource+" "+u.EventName+" "+string(u.Reason))
		if u.First == nil || u.First.File != "t.json" {
			t.Errorf("unmapped %s %s: no position", u.EventSource, u.EventName)
		}
	}
	wantUnmapped := []string{
		"dynamodb.amazonaws.com ExecuteStatement no-catalog-action",
		"nosuch.amazonaws.com Frob unknown-event-source",
		"signin.amazonaws.com ConsoleLogin not-an-api-call",
	}
	if !slices.Equal(unmapped, wantUnmapped) {
		t.Errorf("unmapped\n got %q\nwant %q", unmapped, wantUnmapped)
	}
	// The other account's caller is excluded, not attributed.
	if d.Principal("arn:aws:iam::210987654321:role/Auditor") != nil {
		t.Error("the other account's role was attributed")
	}
	if n := d.Problems.Counts[ProblemInvalidRecord]; n != 2 {
		t.Errorf("invalid-record problems %d, want 2: %+v", n, d.Problems)
	}
	for _, p := range d.Problems.Items {
		if p.File != "t.json" || p.Record < 12 {
			t.Errorf("problem position %+v", p.Position)
		}
	}
}

// Without a target account nothing is excluded as another account's.
func TestNoAccountFilter(t *testing.T) {
	d := digestDir(t, writeFiles(t, map[string][]byte{"t.json": []byte(trailJSON(
		rec(idXacc, "s3.amazonaws.com", "GetObject", "2026-06-02T13:00:00Z"),
	))}), Options{})
	if d.Principal("arn:aws:iam::210987654321:role/Auditor") == nil || d.Totals.OtherAccount != 0 {
		t.Errorf("principals %v, other accounts %d", principalARNs(d), d.Totals.OtherAccount)
	}
}

func TestDataEventsAndIdentityTypes(t *testing.T) {
	data := strings.Replace(rec(idRole, "s3.amazonaws.com", "GetObject", "2026-06-02T10:00:00Z"), `"eventCategory":"Management"`, `"eventCategory":"Data"`, 1)
	old := strings.Replace(strings.Replace(rec(idRole, "s3.amazonaws.com", "PutObject", "2026-06-02T10:00:00Z"), `,"eventCategory":"Management"`, ``, 1), `"managementEvent":true`, `"managementEvent":false`, 1)
	mgmt := rec(idUser, "iam.amazonaws.com", "ListRoles", "2026-06-02T10:00:00Z")
	d := digestDir(t, writeFiles(t, map[string][]byte{"t.json": []byte(trailJSON(data, old, mgmt))}), Options{Account: acct})
	if d.Totals.DataEvents != 2 || d.Totals.ManagementEvents != 1 {
		t.Errorf("data %d management %d", d.Totals.DataEvents, d.Totals.ManagementEvents)
	}
	if len(d.DataEventSources) != 1 || d.DataEventSources[0].Key != "s3.amazonaws.com" || d.DataEventSources[0].Count != 2 {
		t.Errorf("data event sources %+v", d.DataEventSources)
	}
	if p := d.Principal(roleARN); p == nil || !slices.Equal(p.Via, []string{"AssumedRole"}) || p.Type != PrincipalRole {
		t.Errorf("role principal %+v", p)
	}
}
