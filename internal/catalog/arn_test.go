package catalog

import (
	"strings"
	"testing"
)

func TestMatchARN(t *testing.T) {
	c := Default()
	rt := func(svc, name string) *ResourceType {
		t.Helper()
		r := c.Service(svc).ResourceType(name)
		if r == nil {
			t.Fatalf("no resource type %s/%s", svc, name)
		}
		return r
	}
	bucket, object := rt("s3", "bucket"), rt("s3", "object")
	role, instance := rt("iam", "role"), rt("ec2", "instance")
	logGroup, fn := rt("logs", "log-group"), rt("lambda", "function")
	for _, tc := range []struct {
		rt   *ResourceType
		arn  string
		want bool
	}{
		{bucket, "arn:aws:s3:::my-bucket", true},
		{bucket, "arn:aws-cn:s3:::my-bucket", true},
		{bucket, "arn:aws:s3:::my-bucket/key", false},
		{bucket, "arn:aws:s3:::*", true},
		{bucket, "arn:aws:s3:::my-*", true},
		{bucket, "arn:aws:s3:us-east-1::my-bucket", false}, // S3 ARNs have no region
		{bucket, "arn:aws:S3:::my-bucket", false},          // service is case-sensitive
		{bucket, "arn:aws:s3:::", false},                   // a bucket needs a name
		{bucket, "*", true},
		{object, "arn:aws:s3:::my-bucket/key", true},
		{object, "arn:aws:s3:::my-bucket/a/b/c:d.txt", true},
		{object, "arn:aws:s3:::my-bucket/*", true},
		{object, "arn:aws:s3:::my-bucket", false},
		{object, "arn:aws:s3:::my-bucket/", false},
		{object, "arn:aws:s3:::*", true},
		{object, "arn:aws:s3:::my-bucket/${aws:username}/*", true},
		{role, "arn:aws:iam::123456789012:role/Admin", true},
		{role, "arn:aws:iam::123456789012:role/service-role/team/Admin", true},
		{role, "arn:aws:iam::*:role/*", true},
		{role, "arn:aws:iam::123456789012:user/Admin", false},
		{role, "arn:aws:iam::123456789012:ROLE/Admin", false}, // literals are case-sensitive
		{role, "arn:aws:iam:us-east-1:123456789012:role/Admin", false},
		{role, "arn:aws:iam::123456789012:role/", false},
		{role, "arn:aws:iam::12345678901?:role/Admin", true},
		{instance, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc123", true},
		{instance, "arn:aws:ec2:*:*:instance/*", true},
		{instance, "arn:aws:ec2:us-east-1:123456789012:volume/vol-1", false},
		{instance, "arn:aws:ec2::123456789012:instance/i-1", false}, // region required
		{instance, "arn:aws:ec2:us-east-1:123456789012:instance/i-1/x", false},
		{instance, "arn:aws:ec2:*", true}, // '*' in a policy ARN runs to the end
		{instance, "arn:aws:ec2", false},
		{logGroup, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*", true},
		{fn, "arn:aws:lambda:us-east-1:123456789012:function:my-fn", true},
		{fn, "arn:aws:lambda:us-east-1:123456789012:function:my/fn", false},
		{instance, "not an arn", false},
		{instance, "", false},
	} {
		if got := tc.rt.MatchARN(tc.arn); got != tc.want {
			t.Errorf("%s/%s (%s).MatchARN(%q) = %v, want %v", tc.rt.Service.Prefix, tc.rt.Name, tc.rt.ARN, tc.arn, got, tc.want)
		}
	}
}

// Every resource type fits an ARN made from its own pattern.
func TestMatchARNOwnPattern(t *testing.T) {
	fill := strings.NewReplacer("${Partition}", "aws", "${Region}", "us-east-1", "${Account}", "123456789012", "*", "x")
	for _, s := range Default().Services() {
		for _, rt := range s.ResourceTypes {
			arn := fill.Replace(rt.ARN)
			for {
				i := strings.Index(arn, "${")
				if i < 0 {
					break
				}
				j := strings.IndexByte(arn[i:], '}')
				arn = arn[:i] + "v1" + arn[i+j+1:]
			}
			if !rt.MatchARN(arn) {
				t.Errorf("%s/%s: %q does not fit its own pattern %q", s.Prefix, rt.Name, arn, rt.ARN)
			}
		}
	}
}

func TestMatchResources(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		action, arn string
		want        []string
	}{
		{"s3:GetObject", "arn:aws:s3:::b/k", []string{"object"}},
		{"s3:ListBucket", "arn:aws:s3:::b", []string{"bucket"}},
		{"s3:ListBucket", "arn:aws:s3:::b/k", nil},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/i", []string{"index"}},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/t", []string{"table"}},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/*", []string{"index", "table"}},
		{"iam:PassRole", "arn:aws:iam::123456789012:role/x", []string{"role"}},
	} {
		id, ok := c.LookupAction(tc.action)
		if !ok {
			t.Fatalf("no action %s", tc.action)
		}
		var got []string
		for _, r := range c.Action(id).MatchResources(tc.arn) {
			got = append(got, r.Type.Name)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s.MatchResources(%q) = %v, want %v", tc.action, tc.arn, got, tc.want)
		}
	}
}
