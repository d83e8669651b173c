package usage

import (
	"strings"
	"testing"

	"github.com/ciem/ciem/internal/catalog"
)

func TestMapEvents(t *testing.T) {
	m := NewMapper(nil)
	tests := []struct {
		source, name string
		want         []string // action names; "!" prefix: on the copy source
		versioned    string   // the first action's versioned form
		reason       UnmappedReason
	}{
		// The plain rule: the eventName is the action.
		{source: "iam.amazonaws.com", name: "GetRole", want: []string{"iam:GetRole"}},
		{source: "sts.amazonaws.com", name: "AssumeRole", want: []string{"sts:AssumeRole"}},
		{source: "dynamodb.amazonaws.com", name: "GetItem", want: []string{"dynamodb:GetItem"}},
		{source: "kms.amazonaws.com", name: "decrypt", want: []string{"kms:Decrypt"}}, // case-insensitive, canonical casing out
		// Event sources whose host is not the IAM prefix.
		{source: "monitoring.amazonaws.com", name: "GetMetricData", want: []string{"cloudwatch:GetMetricData"}},
		{source: "email.amazonaws.com", name: "SendRawEmail", want: []string{"ses:SendRawEmail"}},
		{source: "ses.amazonaws.com", name: "SendEmail", want: []string{"ses:SendEmail"}},
		{source: "tagging.amazonaws.com", name: "GetResources", want: []string{"tag:GetResources"}},
		{source: "elasticloadbalancing.amazonaws.com", name: "DescribeLoadBalancers", want: []string{"elasticloadbalancing:DescribeLoadBalancers"}},
		{source: "es.amazonaws.com", name: "DescribeDomain", want: []string{"es:DescribeDomain"}},
		{source: "execute-api.amazonaws.com", name: "Invoke", want: []string{"execute-api:Invoke"}},
		{source: "cloudcontrolapi.amazonaws.com", name: "ListResources", want: []string{"cloudformation:ListResources"}},
		// S3 REST names.
		{source: "s3.amazonaws.com", name: "ListObjects", want: []string{"s3:ListBucket"}},
		{source: "s3.amazonaws.com", name: "ListObjectsV2", want: []string{"s3:ListBucket"}},
		{source: "s3.amazonaws.com", name: "HeadBucket", want: []string{"s3:ListBucket"}},
		{source: "s3.amazonaws.com", name: "HeadObject", want: []string{"s3:GetObject"}, versioned: "s3:GetObjectVersion"},
		{source: "s3.amazonaws.com", name: "GetObject", want: []string{"s3:GetObject"}, versioned: "s3:GetObjectVersion"},
		{source: "s3.amazonaws.com", name: "GetObjectAcl", want: []string{"s3:GetObjectAcl"}, versioned: "s3:GetObjectVersionAcl"},
		{source: "s3.amazonaws.com", name: "DeleteObject", want: []string{"s3:DeleteObject"}, versioned: "s3:DeleteObjectVersion"},
		{source: "s3.amazonaws.com", name: "ListObjectVersions", want: []string{"s3:ListBucketVersions"}},
		{source: "s3.amazonaws.com", name: "ListBuckets", want: []string{"s3:ListAllMyBuckets"}},
		{source: "s3.amazonaws.com", name: "CopyObject", want: []string{"s3:PutObject", "!s3:GetObject"}},
		{source: "s3.amazonaws.com", name: "UploadPartCopy", want: []string{"s3:PutObject", "!s3:GetObject"}},
		{source: "s3.amazonaws.com", name: "UploadPart", want: []string{"s3:PutObject"}},
		{source: "s3.amazonaws.com", name: "CreateMultipartUpload", want: []string{"s3:PutObject"}},
		{source: "s3.amazonaws.com", name: "CompleteMultipartUpload", want: []string{"s3:PutObject"}},
		{source: "s3.amazonaws.com", name: "ListMultipartUploads", want: []string{"s3:ListBucketMultipartUploads"}},
		{source: "s3.amazonaws.com", name: "ListParts", want: []string{"s3:ListMultipartUploadParts"}},
		{source: "s3.amazonaws.com", name: "GetBucketEncryption", want: []string{"s3:GetEncryptionConfiguration"}},
		{source: "s3.amazonaws.com", name: "DeleteBucketCors", want: []string{"s3:PutBucketCORS"}},
		{source: "s3.amazonaws.com", name: "GetPublicAccessBlock", want: []string{"s3:GetBucketPublicAccessBlock"}},
		{source: "s3.amazonaws.com", name: "WriteGetObjectResponse", want: []string{"s3-object-lambda:WriteGetObjectResponse"}},
		// Versioned names.
		{source: "lambda.amazonaws.com", name: "UpdateFunctionCode20150331v2", want: []string{"lambda:UpdateFunctionCode"}},
		{source: "lambda.amazonaws.com", name: "GetFunction20150331v2", want: []string{"lambda:GetFunction"}},
		{source: "lambda.amazonaws.com", name: "ListFunctions20150331", want: []string{"lambda:ListFunctions"}},
		{source: "lambda.amazonaws.com", name: "Invoke", want: []string{"lambda:InvokeFunction"}},
		{source: "cloudfront.amazonaws.com", name: "GetDistribution2020_05_31", want: []string{"cloudfront:GetDistribution"}},
		// Batch forms and two-action calls.
		{source: "sqs.amazonaws.com", name: "DeleteMessageBatch", want: []string{"sqs:DeleteMessage"}},
		{source: "sns.amazonaws.com", name: "PublishBatch", want: []string{"sns:Publish"}},
		{source: "kms.amazonaws.com", name: "ReEncrypt", want: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
		// API Gateway's management API is authorised by HTTP method.
		{source: "apigateway.amazonaws.com", name: "GetRestApis", want: []string{"apigateway:GET"}},
		{source: "apigateway.amazonaws.com", name: "CreateDeployment", want: []string{"apigateway:POST"}},
		{source: "apigateway.amazonaws.com", name: "UpdateStage", want: []string{"apigateway:PATCH"}},
		{source: "apigateway.amazonaws.com", name: "GetPortal", want: []string{"apigateway:GetPortal"}}, // a named action wins
		// Unmapped, each with its reason.
		{source: "signin.amazonaws.com", name: "ConsoleLogin", reason: ReasonNotAnAction},
		{source: "signin.amazonaws.com", name: "SomeFutureSignInStep", reason: ReasonNotAnAction},
		{source: "dynamodb.amazonaws.com", name: "ExecuteStatement", reason: ReasonNoAction},
		{source: "s3.amazonaws.com", name: "NoSuchOperation", reason: ReasonNoAction},
		{source: "nosuchservice.amazonaws.com", name: "DoThing", reason: ReasonUnknownSource},
		{source: "s3.example.com", name: "GetObject", reason: ReasonUnknownSource},
		{source: "", name: "GetObject", reason: ReasonEmpty},
		{source: "lambda.amazonaws.com", name: "20150331", reason: ReasonNoAction},
	}
	for _, tt := range tests {
		t.Run(tt.source+"/"+tt.name, func(t *testing.T) {
			got := m.Map(tt.source, tt.name)
			if got.Reason != tt.reason {
				t.Fatalf("reason %q (%s), want %q", got.Reason, got.Detail, tt.reason)
			}
			var names []string
			for _, a := range got.Actions {
				n := a.Name
				if a.OnCopySource {
					n = "!" + n
				}
				names = append(names, n)
			}
			if strings.Join(names, " ") != strings.Join(tt.want, " ") {
				t.Errorf("actions %v, want %v", names, tt.want)
			}
			if tt.versioned != "" {
				a := got.Actions[0]
				if !a.HasVersioned || m.Catalog().Action(a.Versioned).FullName() != tt.versioned {
					t.Errorf("versioned form missing or wrong, want %s", tt.versioned)
				}
			} else if len(got.Actions) > 0 && got.Actions[0].HasVersioned {
				t.Errorf("unexpected versioned form %s", m.Catalog().Action(got.Actions[0].Versioned).FullName())
			}
		})
	}
}

// Every fact in the tables names something the catalog knows: a typo would silently turn
// an event into "unmapped".
func TestMappingTablesAgainstCatalog(t *testing.T) {
	c := catalog.Default()
	check := func(what, name string) {
		if name == "" {
			return
		}
		if _, ok := c.LookupAction(name); !ok {
			t.Errorf("%s: %s is not in the catalog%s", what, name, didYouMean(c.Suggest(name, 2)))
		}
	}
	for event, r := range eventRules {
		prefix, _, _ := strings.Cut(event, ":")
		if c.Service(prefix) == nil {
			t.Errorf("rule %s: service %s is not in the catalog", event, prefix)
		}
		for _, a := range r.Actions {
			check(event, a)
		}
		check(event, r.VersionAction)
		check(event, r.CopySource)
		check(event, r.CopyVersion)
		// A rule that repeats the plain mapping is noise.
		if len(r.Actions) == 1 && r.VersionAction == "" && r.CopySource == "" && strings.EqualFold(r.Actions[0], event) {
			t.Errorf("rule %s says what the plain rule already does", event)
		}
	}
	for host, prefix := range sourcePrefixes {
		if c.Service(prefix) == nil {
			t.Errorf("event source %s: service %s is not in the catalog", host, prefix)
		}
	}
	for _, v := range apiGatewayVerbs {
		check("apigateway verbs", "apigateway:"+v.verb)
	}
}

func didYouMean(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(s, ", ") + "?)"
}

func TestStripAPIVersion(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"UpdateFunctionCode20150331v2", "UpdateFunctionCode", true},
		{"CreateFunction20150331", "CreateFunction", true},
		{"PublishLayerVersion20181031", "PublishLayerVersion", true},
		{"GetDistribution2020_05_31", "GetDistribution", true},
		{"GetObject", "", false},
		{"Get2v2", "", false},
		{"20150331", "", false},
		{"Foo2015_05-31", "", false},
	}
	for _, tt := range tests {
		got, ok := stripAPIVersion(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stripAPIVersion(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
