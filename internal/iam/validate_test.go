package iam

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// policy wraps statements (JSON objects, comma-separated) in a 2012-10-17 policy.
func policy(stmts string) string {
	return `{"Version":"2012-10-17","Statement":[` + stmts + `]}`
}

// allow is an Allow statement with the given Action and Resource JSON values.
func allow(action, resource string) string {
	return `{"Effect":"Allow","Action":` + action + `,"Resource":` + resource + `}`
}

// allowIf is allow with a Condition block.
func allowIf(action, resource, cond string) string {
	return `{"Effect":"Allow","Action":` + action + `,"Resource":` + resource + `,"Condition":` + cond + `}`
}

type codeCase struct {
	name string
	kind Kind // KindManaged when empty
	doc  string
	code string
	path string // the finding's path; "" for a negative case
}

// codeCases has, for every code, documents that must produce it at the path, and
// documents that must not produce it at all (path "").
var codeCases = []codeCase{
	// JSON_SYNTAX
	{"syntax: truncated", "", `{"Version":"2012-10-17","Statement":[`, CodeJSONSyntax, "$"},
	{"syntax: trailing comma", "", `{"Version":"2012-10-17",}`, CodeJSONSyntax, "$"},
	{"syntax: valid", "", policy(allow(`"s3:GetObject"`, `"*"`)), CodeJSONSyntax, ""},

	// POLICY_STRUCTURE
	{"structure: principal in identity policy", "", policy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), CodePolicyStructure, "$.Statement[0]"},
	{"structure: bad effect", "", policy(`{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}`), CodePolicyStructure, "$.Statement[0].Effect"},
	{"structure: action not a string", "", policy(`{"Effect":"Allow","Action":["s3:GetObject",3],"Resource":"*"}`), CodePolicyStructure, "$.Statement[0].Action[1]"},
	{"structure: trust policy needs a principal", KindTrust, policy(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), CodePolicyStructure, "$.Statement[0]"},
	{"structure: trust policy with principal", KindTrust, policy(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), CodePolicyStructure, ""},

	// MISSING_VERSION, OLD_VERSION
	{"version: missing", "", `{"Statement":[` + allow(`"s3:GetObject"`, `"*"`) + `]}`, CodeMissingVersion, "$"},
	{"version: present", "", policy(allow(`"s3:GetObject"`, `"*"`)), CodeMissingVersion, ""},
	{"version: 2008", "", `{"Version":"2008-10-17","Statement":[` + allow(`"s3:GetObject"`, `"*"`) + `]}`, CodeOldVersion, "$.Version"},
	{"version: 2012", "", policy(allow(`"s3:GetObject"`, `"*"`)), CodeOldVersion, ""},

	// INVALID_SID, DUPLICATE_SID
	{"sid: hyphen", "", policy(`{"Sid":"Read-Only","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), CodeInvalidSid, "$.Statement[0].Sid"},
	{"sid: space", KindTrust, policy(`{"Sid":"a b","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`), CodeInvalidSid, "$.Statement[0].Sid"},
	{"sid: alphanumeric", "", policy(`{"Sid":"ReadOnly1","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), CodeInvalidSid, ""},
	{"sid: resource policies have their own rules", KindResource, policy(`{"Sid":"Allow read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), CodeInvalidSid, ""},
	{"sid: duplicate", "", policy(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`), CodeDuplicateSid, "$.Statement[1].Sid"},
	{"sid: case differs", "", policy(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`), CodeDuplicateSid, ""},

	// INVALID_ACTION_FORMAT
	{"action format: no prefix", "", policy(allow(`"GetObject"`, `"*"`)), CodeInvalidActionFormat, "$.Statement[0].Action"},
	{"action format: space", "", policy(allow(`["s3:GetObject","s3: PutObject"]`, `"*"`)), CodeInvalidActionFormat, "$.Statement[0].Action[1]"},
	{"action format: two colons", "", policy(allow(`"s3:Get:Object"`, `"*"`)), CodeInvalidActionFormat, "$.Statement[0].Action"},
	{"action format: empty", "", policy(allow(`""`, `"*"`)), CodeInvalidActionFormat, "$.Statement[0].Action"},
	{"action format: bad character", "", policy(allow(`"s3:Get/Object"`, `"*"`)), CodeInvalidActionFormat, "$.Statement[0].Action"},
	{"action format: star and patterns", "", policy(allow(`["*","s3:Get*","s3:?etObject","S3:getobject"]`, `"*"`)), CodeInvalidActionFormat, ""},

	// UNKNOWN_SERVICE
	{"service: unknown", "", policy(allow(`"s4:GetObject"`, `"*"`)), CodeUnknownService, "$.Statement[0].Action"},
	{"service: known in other case", "", policy(allow(`"S3:GetObject"`, `"*"`)), CodeUnknownService, ""},

	// UNKNOWN_ACTION
	{"action: typo", "", policy(allow(`["s3:ListBucket","s3:GetObjet"]`, `"*"`)), CodeUnknownAction, "$.Statement[0].Action[1]"},
	{"action: typo in NotAction", "", policy(`{"Effect":"Deny","NotAction":"iam:PasRole","Resource":"*"}`), CodeUnknownAction, "$.Statement[0].NotAction"},
	{"action: any case", "", policy(allow(`"s3:getobject"`, `"*"`)), CodeUnknownAction, ""},

	// ACTION_MATCHES_NOTHING
	{"pattern: matches nothing", "", policy(allow(`"s3:Zzz*"`, `"*"`)), CodeActionMatchesNothing, "$.Statement[0].Action"},
	{"pattern: wildcard service matches nothing", "", policy(allow(`"zz*:Get*"`, `"*"`)), CodeActionMatchesNothing, "$.Statement[0].Action"},
	{"pattern: matches", "", policy(allow(`["s3:Get*","s?:GetObject","*:GetObject"]`, `"*"`)), CodeActionMatchesNothing, ""},

	// REDUNDANT_ACTION
	{"redundant action: covered by wildcard", "", policy(allow(`["s3:GetObject","s3:*"]`, `"*"`)), CodeRedundantAction, "$.Statement[0].Action[0]"},
	{"redundant action: listed twice", "", policy(allow(`["s3:GetObject","s3:getobject"]`, `"*"`)), CodeRedundantAction, "$.Statement[0].Action[1]"},
	{"redundant action: star", "", policy(allow(`["*","iam:PassRole"]`, `"*"`)), CodeRedundantAction, "$.Statement[0].Action[1]"},
	{"redundant action: disjoint", "", policy(allow(`["s3:GetObject","s3:Put*"]`, `"*"`)), CodeRedundantAction, ""},

	// MALFORMED_ARN
	{"arn: not an ARN", "", policy(allow(`"s3:GetObject"`, `["arn:aws:s3:::b/*","my-bucket"]`)), CodeMalformedARN, "$.Statement[0].Resource[1]"},
	{"arn: too few fields", "", policy(allow(`"s3:GetObject"`, `"arn:aws:s3:b"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: upper-case prefix", "", policy(allow(`"s3:GetObject"`, `"ARN:aws:s3:::b/k"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: unknown partition", "", policy(allow(`"s3:GetObject"`, `"arn:amazon:s3:::b/k"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: service case", "", policy(allow(`"s3:GetObject"`, `"arn:aws:S3:::b/k"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: bad region", "", policy(allow(`"sqs:SendMessage"`, `"arn:aws:sqs:useast1:123456789012:q"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: bad account", "", policy(allow(`"sqs:SendMessage"`, `"arn:aws:sqs:us-east-1:12345:q"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: empty resource", "", policy(allow(`"sqs:SendMessage"`, `"arn:aws:sqs:us-east-1:123456789012:"`)), CodeMalformedARN, "$.Statement[0].Resource"},
	{"arn: in NotResource", "", policy(`{"Effect":"Deny","Action":"s3:*","NotResource":"bucket"}`), CodeMalformedARN, "$.Statement[0].NotResource"},
	{"arn: valid forms", "", policy(allow(`["s3:GetObject","iam:GetRole","sqs:SendMessage","lambda:InvokeFunction"]`,
		`["*","arn:aws:s3:::b/${aws:username}/*","arn:aws:iam::aws:policy/ReadOnlyAccess","arn:aws-cn:sqs:cn-north-1:123456789012:q",
		"arn:*:sqs:*:*:q","arn:aws:lambda:us-east-1:123456789012:function:f:1","arn:aws:iam::${aws:PrincipalAccount}:role/r"]`)), CodeMalformedARN, ""},

	// RESOURCE_TYPE_MISMATCH
	{"resource type: ListBucket on objects", "", policy(allow(`"s3:ListBucket"`, `"arn:aws:s3:::b/*"`)), CodeResourceTypeMismatch, "$.Statement[0].Resource"},
	{"resource type: action without resource types", "", policy(allow(`"s3:ListAllMyBuckets"`, `"arn:aws:s3:::*"`)), CodeResourceTypeMismatch, "$.Statement[0].Resource"},
	{"resource type: other service", "", policy(allow(`["s3:GetObject","s3:PutObject"]`, `["arn:aws:s3:::b/*","arn:aws:sqs:us-east-1:123456789012:q"]`)), CodeResourceTypeMismatch, "$.Statement[0].Resource[1]"},
	{"resource type: one action fits each", "", policy(allow(`["s3:ListBucket","s3:GetObject"]`, `["arn:aws:s3:::b","arn:aws:s3:::b/*"]`)), CodeResourceTypeMismatch, ""},
	{"resource type: not checked with NotAction", "", policy(`{"Effect":"Deny","NotAction":"s3:ListBucket","Resource":"arn:aws:sqs:us-east-1:123456789012:q"}`), CodeResourceTypeMismatch, ""},
	{"resource type: not checked with an unknown action", "", policy(allow(`"s3:GetObjet"`, `"arn:aws:sqs:us-east-1:123456789012:q"`)), CodeResourceTypeMismatch, ""},

	// UNKNOWN_CONDITION_OPERATOR
	{"operator: unknown", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringEqual":{"aws:username":"bob"}}`)), CodeUnknownConditionOperator, "$.Statement[0].Condition.StringEqual"},
	{"operator: NullIfExists", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"NullIfExists":{"aws:username":"true"}}`)), CodeUnknownConditionOperator, "$.Statement[0].Condition.NullIfExists"},
	{"operator: bad qualifier", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"ForSomeValues:StringEquals":{"aws:TagKeys":"a"}}`)), CodeUnknownConditionOperator, "$.Statement[0].Condition.ForSomeValues:StringEquals"},
	{"operator: known forms", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"stringequalsifexists":{"aws:username":"bob"},"ForAnyValue:StringLike":{"aws:TagKeys":"a*"},"Null":{"aws:username":"false"}}`)), CodeUnknownConditionOperator, ""},

	// UNKNOWN_CONDITION_KEY
	{"key: unknown global", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"Bool":{"aws:SecureTransprt":"true"}}`)), CodeUnknownConditionKey, "$.Statement[0].Condition.Bool.aws:SecureTransprt"},
	{"key: unknown service key", "", policy(allowIf(`"s3:ListBucket"`, `"*"`, `{"StringLike":{"s3:prefx":"home/"}}`)), CodeUnknownConditionKey, "$.Statement[0].Condition.StringLike.s3:prefx"},
	{"key: no prefix", "", policy(allowIf(`"s3:ListBucket"`, `"*"`, `{"StringLike":{"prefix":"home/"}}`)), CodeUnknownConditionKey, "$.Statement[0].Condition.StringLike.prefix"},
	{"key: known, templated, web identity, catalog tag-key form", KindTrust, policy(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","aws:PrincipalTag/team":"a","AWS:SourceIP":"x","secretsmanager:ResourceTag/owner":"me","s3:prefix":"p"}}}`), CodeUnknownConditionKey, ""},

	// CONDITION_TYPE_MISMATCH
	{"type: Date key with StringEquals", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`)), CodeConditionTypeMismatch, "$.Statement[0].Condition.StringEquals.aws:CurrentTime"},
	{"type: String key with NumericLessThan", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"NumericLessThan":{"aws:username":"5"}}`)), CodeConditionTypeMismatch, "$.Statement[0].Condition.NumericLessThan.aws:username"},
	{"type: IP key with StringLike", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringLike":{"aws:SourceIp":"10.*"}}`)), CodeConditionTypeMismatch, "$.Statement[0].Condition.StringLike.aws:SourceIp"},
	{"type: fitting operators", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600","aws:EpochTime":"1700000000"},
		"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"},"Null":{"aws:TokenIssueTime":"false"}}`)), CodeConditionTypeMismatch, ""},

	// INVALID_CONDITION_VALUE
	{"value: not a date", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.DateLessThan.aws:CurrentTime"},
	{"value: variable in a date", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"DateLessThan":{"aws:CurrentTime":"${aws:TokenIssueTime}"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.DateLessThan.aws:CurrentTime"},
	{"value: not a number", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"NumericLessThan":{"aws:MultiFactorAuthAge":"1h"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"},
	{"value: bad CIDR in a list", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","10.0.0.0/33"]}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.IpAddress.aws:SourceIp[1]"},
	{"value: not a boolean", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"Bool":{"aws:SecureTransport":"yes"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.Bool.aws:SecureTransport"},
	{"value: Null not a boolean", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"Null":{"aws:SourceIp":"1"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.Null.aws:SourceIp"},
	{"value: bad base64", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"BinaryEquals":{"s3:prefix":"not base64!"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.BinaryEquals.s3:prefix"},
	{"value: not an ARN", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"ArnLike":{"aws:SourceArn":"my-topic"}}`)), CodeInvalidConditionValue, "$.Statement[0].Condition.ArnLike.aws:SourceArn"},
	{"value: all readable", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"DateGreaterThan":{"aws:CurrentTime":["2026-01-01","2026-01-01T10:00:00Z","2026-01-01T10:00:00.123+02:00","1767225600"]},
		"NumericLessThanEquals":{"aws:MultiFactorAuthAge":[3600,"-1.5"]},"IpAddress":{"aws:SourceIp":["203.0.113.7","2001:db8::/32"]},"Bool":{"aws:SecureTransport":[true,"False"]},
		"BinaryEquals":{"s3:prefix":"aGVsbG8="},"ArnEquals":{"aws:SourceArn":["*","arn:aws:sns:*:*:t","${aws:PrincipalArn}"]}}`)), CodeInvalidConditionValue, ""},

	// WILDCARD_WITHOUT_LIKE
	{"wildcard: StringEquals with star", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringEquals":{"aws:PrincipalTag/team":"dev*"}}`)), CodeWildcardWithoutLike, "$.Statement[0].Condition.StringEquals.aws:PrincipalTag/team"},
	{"wildcard: StringLike and escapes", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringLike":{"aws:PrincipalTag/team":"dev*"},"StringEquals":{"aws:username":"a${*}b"}}`)), CodeWildcardWithoutLike, ""},

	// MISSING_SET_QUALIFIER, FORANYVALUE_SINGLE_VALUED_KEY, FORALLVALUES_SINGLE_VALUED_KEY
	{"qualifier: multivalued key without one", "", policy(allowIf(`"ec2:CreateTags"`, `"*"`, `{"StringEquals":{"aws:TagKeys":"env"}}`)), CodeMissingSetQualifier, "$.Statement[0].Condition.StringEquals.aws:TagKeys"},
	{"qualifier: multivalued key with one", "", policy(allowIf(`"ec2:CreateTags"`, `"*"`, `{"ForAllValues:StringEquals":{"aws:TagKeys":"env"},"Null":{"aws:TagKeys":"false"}}`)), CodeMissingSetQualifier, ""},
	{"qualifier: ForAnyValue single-valued", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"ForAnyValue:StringEquals":{"aws:username":"bob"}}`)), CodeForAnyValueSingleValuedKey, "$.Statement[0].Condition.ForAnyValue:StringEquals.aws:username"},
	{"qualifier: ForAnyValue multivalued", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`)), CodeForAnyValueSingleValuedKey, ""},
	{"qualifier: ForAllValues single-valued", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"ForAllValues:StringEquals":{"aws:username":"bob"}}`)), CodeForAllValuesSingleValuedKey, "$.Statement[0].Condition.ForAllValues:StringEquals.aws:username"},
	{"qualifier: ForAllValues multivalued", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`)), CodeForAllValuesSingleValuedKey, ""},

	// ALLOW_WITH_NOT_ACTION, ALLOW_WITH_NOT_RESOURCE, ALLOW_WITH_NOT_PRINCIPAL
	{"not: Allow NotAction", "", policy(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`), CodeAllowWithNotAction, "$.Statement[0].NotAction"},
	{"not: Deny NotAction", "", policy(`{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}`), CodeAllowWithNotAction, ""},
	{"not: Allow NotResource", "", policy(`{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}`), CodeAllowWithNotResource, "$.Statement[0].NotResource"},
	{"not: Deny NotResource", "", policy(`{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::mine/*"}`), CodeAllowWithNotResource, ""},
	{"not: Allow NotPrincipal", KindResource, policy(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), CodeAllowWithNotPrincipal, "$.Statement[0].NotPrincipal"},
	{"not: Deny NotPrincipal", KindResource, policy(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), CodeAllowWithNotPrincipal, ""},

	// PASS_ROLE_ALL_RESOURCES
	{"passrole: star", "", policy(allow(`["iam:GetRole","iam:PassRole"]`, `"*"`)), CodePassRoleAllResources, "$.Statement[0].Resource"},
	{"passrole: through iam:*", "", policy(allow(`"iam:*"`, `["arn:aws:iam::123456789012:user/u","arn:aws:iam::123456789012:role/*"]`)), CodePassRoleAllResources, "$.Statement[0].Resource[1]"},
	{"passrole: NotResource", "", policy(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/admin"}`), CodePassRoleAllResources, "$.Statement[0].NotResource"},
	{"passrole: named roles", "", policy(allow(`"iam:PassRole"`, `["arn:aws:iam::123456789012:role/app-*","arn:aws:iam::123456789012:role/ci"]`)), CodePassRoleAllResources, ""},
	{"passrole: denied", "", policy(`{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}`), CodePassRoleAllResources, ""},
	{"passrole: other actions on star", "", policy(allow(`"iam:Get*"`, `"*"`)), CodePassRoleAllResources, ""},

	// REDUNDANT_STATEMENT
	{"redundant statement: subset", "", policy(allow(`"s3:*"`, `"*"`) + `,` + allow(`"s3:GetObject"`, `"arn:aws:s3:::b/*"`)), CodeRedundantStatement, "$.Statement[1]"},
	{"redundant statement: identical, later one", "", policy(allow(`"s3:GetObject"`, `"arn:aws:s3:::b/*"`) + `,` + allow(`"s3:getobject"`, `"arn:aws:s3:::b/*"`)), CodeRedundantStatement, "$.Statement[1]"},
	{"redundant statement: resource glob covered", "", policy(allow(`"s3:GetObject"`, `"arn:aws:s3:::b/data/x?z"`) + `,` + allow(`["s3:GetObject","s3:PutObject"]`, `"arn:aws:s3:::b/*"`)), CodeRedundantStatement, "$.Statement[0]"},
	{"redundant statement: conditional under unconditional", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"Bool":{"aws:SecureTransport":"true"}}`) + `,` + allow(`"s3:GetObject"`, `"*"`)), CodeRedundantStatement, "$.Statement[0]"},
	{"redundant statement: different resources", "", policy(allow(`"s3:GetObject"`, `"arn:aws:s3:::a/*"`) + `,` + allow(`"s3:GetObject"`, `"arn:aws:s3:::b/*"`)), CodeRedundantStatement, ""},
	{"redundant statement: different effects", "", policy(allow(`"s3:GetObject"`, `"*"`) + `,{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`), CodeRedundantStatement, ""},
	{"redundant statement: conditions differ", "", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"Bool":{"aws:SecureTransport":"true"}}`) + `,` + allowIf(`"s3:*"`, `"*"`, `{"Bool":{"aws:SecureTransport":"false"}}`)), CodeRedundantStatement, ""},
	{"redundant statement: '?' does not cover '*'", "", policy(allow(`"s3:GetObject"`, `"arn:aws:s3:::b/*"`) + `,` + allow(`["s3:GetObject","s3:PutObject"]`, `"arn:aws:s3:::b/?"`)), CodeRedundantStatement, ""},
	{"redundant statement: unknown action may grant more", "", policy(allow(`"s3:*"`, `"*"`) + `,` + allow(`["s3:GetObject","s3:NotYetInCatalog"]`, `"*"`)), CodeRedundantStatement, ""},

	// POLICY_TOO_LARGE, POLICY_SIZE_NEEDS_QUOTA_INCREASE
	{"size: inline user over 2,048", KindInlineUser, sizedPolicy(2049), CodePolicyTooLarge, "$"},
	{"size: inline user at 2,048", KindInlineUser, sizedPolicy(2048), CodePolicyTooLarge, ""},
	{"size: whitespace not counted", KindInlineUser, indented(sizedPolicy(2048)), CodePolicyTooLarge, ""},
	{"size: managed over 6,144", KindManaged, sizedPolicy(6145), CodePolicyTooLarge, "$"},
	{"size: inline role at 10,240", KindInlineRole, sizedPolicy(10240), CodePolicyTooLarge, ""},
	{"size: resource policies have no single limit", KindResource, sizedResourcePolicy(30000), CodePolicyTooLarge, ""},
	{"size: trust over 4,096", KindTrust, sizedTrustPolicy(4097), CodePolicyTooLarge, "$"},
	{"size: trust over 2,048", KindTrust, sizedTrustPolicy(2049), CodePolicySizeNeedsQuota, "$"},
	{"size: trust at 2,048", KindTrust, sizedTrustPolicy(2048), CodePolicySizeNeedsQuota, ""},
	{"size: trust over 4,096 is an error only", KindTrust, sizedTrustPolicy(4097), CodePolicySizeNeedsQuota, ""},
}

// sizedPolicy is a valid identity policy of exactly n characters (n >= 200), padded in
// a condition value.
func sizedPolicy(n int) string {
	return padTo(policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringLike":{"aws:username":"PAD"}}`)), n)
}

func sizedTrustPolicy(n int) string {
	return padTo(policy(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:SourceAccount":"PAD"}}}`), n)
}

func sizedResourcePolicy(n int) string {
	return padTo(policy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:username":"PAD"}}}`), n)
}

func padTo(doc string, n int) string {
	return strings.Replace(doc, "PAD", strings.Repeat("x", n-len(doc)+len("PAD")), 1)
}

// indented spreads a compact document over lines with indentation outside strings.
func indented(doc string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		b.WriteByte(c)
		switch {
		case c == '"' && (i == 0 || doc[i-1] != '\\'):
			in = !in
		case !in && (c == ',' || c == '{' || c == '['):
			b.WriteString("\n\t  ")
		}
	}
	return b.String()
}

func TestValidateCodes(t *testing.T) {
	for _, tc := range codeCases {
		t.Run(tc.name, func(t *testing.T) {
			kind := tc.kind
			if kind == "" {
				kind = KindManaged
			}
			got := Validate([]byte(tc.doc), kind)
			var atPath, withCode []Finding
			for _, f := range got {
				if want, ok := codeSeverity[f.Code]; !ok || f.Severity != want {
					t.Errorf("finding %v: code unknown or severity not the table's (%s)", f, want)
				}
				if f.Code == tc.code {
					withCode = append(withCode, f)
					if f.Path == tc.path {
						atPath = append(atPath, f)
					}
				}
			}
			switch {
			case tc.path == "" && len(withCode) > 0:
				t.Errorf("want no %s, got %v", tc.code, withCode)
			case tc.path != "" && len(atPath) == 0:
				t.Errorf("want %s at %s, got %v", tc.code, tc.path, got)
			}
		})
	}
}

// TestEveryCodeHasCases keeps the table of cases, the severity table, and both documents
// (this package's table and docs/policy-validation.md) in step.
func TestEveryCodeHasCases(t *testing.T) {
	pos, neg := map[string]bool{}, map[string]bool{}
	for _, tc := range codeCases {
		if tc.path == "" {
			neg[tc.code] = true
		} else {
			pos[tc.code] = true
		}
	}
	src, err := os.ReadFile("validate.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/policy-validation.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, sev := range codeSeverity {
		if !pos[code] || !neg[code] {
			t.Errorf("%s: want positive and negative cases (have positive %v, negative %v)", code, pos[code], neg[code])
		}
		row := "//\t" + code + " "
		if !strings.Contains(string(src), row) || !strings.Contains(lineWith(string(src), row), string(sev)) {
			t.Errorf("%s: not in validate.go's table with severity %s", code, sev)
		}
		if line := lineWith(string(doc), "| `"+code+"`"); line == "" || !strings.Contains(line, string(sev)) {
			t.Errorf("%s: not in docs/policy-validation.md's table with severity %s", code, sev)
		}
	}
}

func lineWith(text, sub string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestValidateTypoFinding(t *testing.T) {
	doc := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:ListBucket", "s3:GetObjet"],
      "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
    }
  ]
}`
	got := Validate([]byte(doc), KindManaged)
	want := []string{`ERROR UNKNOWN_ACTION $.Statement[0].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)`}
	if !slices.Equal(findingStrings(got), want) {
		t.Errorf("got %q\nwant %q", findingStrings(got), want)
	}
}

func findingStrings(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func TestValidateSuggestions(t *testing.T) {
	for _, tc := range []struct {
		name, doc, code string
		want            []string
	}{
		{"action", policy(allow(`"ec2:DescribeInstance"`, `"*"`)), CodeUnknownAction, []string{"ec2:DescribeInstances"}},
		{"service", policy(allow(`"lamda:InvokeFunction"`, `"*"`)), CodeUnknownService, []string{"lambda:InvokeFunction"}},
		{"operator", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringEqualsIfExist":{"aws:username":"a"}}`)), CodeUnknownConditionOperator, []string{"StringEqualsIfExists"}},
		{"global key", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"Bool":{"aws:SecureTransprt":"true"}}`)), CodeUnknownConditionKey, []string{"aws:SecureTransport"}},
		{"templated key keeps the tag", policy(allowIf(`"s3:GetObject"`, `"*"`, `{"StringEquals":{"aws:PrincipleTag/team":"a"}}`)), CodeUnknownConditionKey, []string{"aws:PrincipalTag/team"}},
		{"service key", policy(allowIf(`"s3:ListBucket"`, `"*"`, `{"StringLike":{"s3:prefx":"a/"}}`)), CodeUnknownConditionKey, []string{"s3:prefix"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range Validate([]byte(tc.doc), KindManaged) {
				if f.Code == tc.code {
					if !slices.Equal(f.Suggestions, tc.want) {
						t.Errorf("suggestions %q, want %q", f.Suggestions, tc.want)
					}
					return
				}
			}
			t.Errorf("no %s finding", tc.code)
		})
	}
}

func TestValidateSortedAndStable(t *testing.T) {
	var stmts []string
	for i := 0; i < 12; i++ {
		stmts = append(stmts, allow(`["s3:GetObjet","s3:Zzz*"]`, `"bucket"`))
	}
	doc := []byte(`{"Statement":[` + strings.Join(stmts, ",") + `]}`)
	got := Validate(doc, KindManaged)
	if len(got) != 1+12*3 {
		t.Fatalf("got %d findings, want %d: %v", len(got), 1+12*3, got)
	}
	if got[0].Code != CodeMissingVersion || got[1].Path != "$.Statement[0].Action[0]" || got[len(got)-1].Path != "$.Statement[11].Resource" {
		t.Errorf("not in path order (numeric indexes): first %v, second %v, last %v", got[0], got[1], got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if c := compareJSONPaths(a.Path, b.Path); c > 0 || (c == 0 && a.Code > b.Code) {
			t.Errorf("out of order: %v before %v", a, b)
		}
	}
	again := Validate(doc, KindManaged)
	if !slices.EqualFunc(got, again, func(a, b Finding) bool { return a.String() == b.String() }) {
		t.Error("two runs differ")
	}
}

func TestValidateSyntaxPosition(t *testing.T) {
	got := Validate([]byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}\n"), KindManaged)
	if len(got) != 1 || got[0].Code != CodeJSONSyntax || !strings.Contains(got[0].Message, "line 3, column 17") {
		t.Errorf("got %v, want one JSON_SYNTAX at line 3, column 17", got)
	}
	got = Validate([]byte(`{"Version":"2012-10-17"`), KindManaged)
	if len(got) != 1 || !strings.Contains(got[0].Message, "unexpected end of input") {
		t.Errorf("got %v, want unexpected end of input", got)
	}
}

func TestValidatePolicyWithoutDocument(t *testing.T) {
	p := MustParse(policy(allow(`["s3:GetObject","s3:GetObjet"]`, `"arn:aws:s3:::b/*"`)+`,`+allow(`"s3:GetObjet"`, `"*"`)), KindManaged)
	got := findingStrings(ValidatePolicy(p, KindManaged, 0))
	want := []string{
		`ERROR UNKNOWN_ACTION $.Statement[0].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)`,
		`ERROR UNKNOWN_ACTION $.Statement[1].Action: unknown action "s3:GetObjet" (did you mean s3:GetObject?)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// size 0 falls back to the canonical form's size.
	big := MustParse(sizedPolicy(2100), KindInlineUser)
	if fs := ValidatePolicy(big, KindInlineUser, 0); len(fs) != 1 || fs[0].Code != CodePolicyTooLarge {
		t.Errorf("got %v, want POLICY_TOO_LARGE from the canonical size", fs)
	}
	if fs := ValidatePolicy(big, KindInlineUser, 100); len(fs) != 0 {
		t.Errorf("got %v, want none for a given size of 100", fs)
	}
}

func TestFindingString(t *testing.T) {
	for _, tc := range []struct {
		f    Finding
		want string
	}{
		{Finding{SeverityError, CodeUnknownAction, "$.Statement[0].Action[1]", `unknown action "s3:GetObjet"`, []string{"s3:GetObject"}},
			`ERROR UNKNOWN_ACTION $.Statement[0].Action[1]: unknown action "s3:GetObjet" (did you mean s3:GetObject?)`},
		{Finding{SeverityError, CodeUnknownAction, "$.Statement[0].Action", `unknown action "x:y"`, []string{"a:b", "c:d", "e:f"}},
			`ERROR UNKNOWN_ACTION $.Statement[0].Action: unknown action "x:y" (did you mean a:b, c:d or e:f?)`},
		{Finding{SeverityWarning, CodeMissingVersion, "$", "no version", nil}, `WARNING MISSING_VERSION $: no version`},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestCompareJSONPaths(t *testing.T) {
	paths := []string{"$.Statement[10]", "$.Statement[2].Action", "$", "$.Statement[2]", "$.Version", "$.Statement[1].Resource[10]", "$.Statement[1].Resource[9]"}
	slices.SortFunc(paths, compareJSONPaths)
	want := []string{"$", "$.Statement[1].Resource[9]", "$.Statement[1].Resource[10]", "$.Statement[2]", "$.Statement[2].Action", "$.Statement[10]", "$.Version"}
	if !slices.Equal(paths, want) {
		t.Errorf("got %q\nwant %q", paths, want)
	}
}

func TestGlobCovers(t *testing.T) {
	for _, tc := range []struct {
		outer, inner string
		want         bool
	}{
		{"*", "anything*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/x", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/?", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/*", false},
		{"arn:aws:s3:::b/x", "arn:aws:s3:::b/?", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*c", "a*b", false},
		{"ARN", "arn", false},
	} {
		if got := globCovers(tc.outer, tc.inner); got != tc.want {
			t.Errorf("globCovers(%q, %q) = %v, want %v", tc.outer, tc.inner, got, tc.want)
		}
	}
}
