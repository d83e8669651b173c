package awstest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestRoleAndPolicyOddments(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	createRole(t, srv, "odd", trustAccount(srv.Account()), 0, "")
	d, err := a.iam.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("odd"), Description: aws.String("described")})
	noErr(t, err)
	if *d.Role.Description != "described" {
		t.Fatalf("UpdateRoleDescription: %+v", d.Role)
	}
	_, err = a.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("odd"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	noErr(t, err)
	_, err = a.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("odd")})
	noErr(t, err)
	_, err = a.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("odd"), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
	noErr(t, err)
	_, err = a.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("odd"), TagKeys: []string{"A"}})
	noErr(t, err)
	r, err := a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("odd")})
	noErr(t, err)
	if r.Role.PermissionsBoundary != nil || len(r.Role.Tags) != 1 || *r.Role.Tags[0].Key != "b" {
		t.Fatalf("role: %+v", r.Role)
	}
	_, err = a.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("ghost"), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantAPIError(t, err, "NoSuchEntity", 404, "")

	p, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("tagged"), PolicyDocument: aws.String(allowAll),
		Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}})
	noErr(t, err)
	_, err = a.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: p.Policy.Arn, Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	noErr(t, err)
	_, err = a.iam.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: p.Policy.Arn, TagKeys: []string{"owner"}})
	noErr(t, err)
	pt, err := a.iam.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Policy.Arn})
	noErr(t, err)
	if len(pt.Tags) != 1 || *pt.Tags[0].Key != "env" {
		t.Fatalf("policy tags: %+v", pt.Tags)
	}
	var many []iamtypes.Tag
	for i := 0; i < maxTags; i++ {
		many = append(many, iamtypes.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")})
	}
	_, err = a.iam.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: p.Policy.Arn, Tags: many})
	wantAPIError(t, err, "LimitExceeded", 409, "The number of tags has reached the maximum limit.")

	info, err := a.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(srv.AdminCredentials().AccessKeyID)})
	noErr(t, err)
	if *info.Account != srv.Account() {
		t.Fatalf("GetAccessKeyInfo: %s", *info.Account)
	}
}

func TestListObjectsV1AndTrailListing(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	s3Setup(t, srv, "v1-bucket/a/1", "v1-bucket/a/2", "v1-bucket/b/1", "v1-bucket/c")
	out, err := a.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("v1-bucket"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	noErr(t, err)
	if len(out.CommonPrefixes) != 2 || !*out.IsTruncated || *out.NextMarker != "b/" {
		t.Fatalf("ListObjects page 1: %d prefixes, next %v", len(out.CommonPrefixes), out.NextMarker)
	}
	out, err = a.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("v1-bucket"), Delimiter: aws.String("/"), Marker: out.NextMarker})
	noErr(t, err)
	if len(out.Contents) != 1 || *out.Contents[0].Key != "c" || len(out.CommonPrefixes) != 0 {
		t.Fatalf("ListObjects page 2: %+v %+v", out.Contents, out.CommonPrefixes)
	}

	_, err = a.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("trail1"), S3BucketName: aws.String("v1-bucket")})
	noErr(t, err)
	_, err = a.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("x"), S3BucketName: aws.String("v1-bucket")})
	wantAPIError(t, err, "InvalidTrailNameException", 400, "")
	lt, err := a.ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	noErr(t, err)
	if len(lt.Trails) != 1 || *lt.Trails[0].Name != "trail1" {
		t.Fatalf("ListTrails: %+v", lt.Trails)
	}
	es, err := a.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("arn:aws:cloudtrail:us-east-1:" + srv.Account() + ":trail/trail1")})
	noErr(t, err)
	if len(es.EventSelectors) != 1 || !*es.EventSelectors[0].IncludeManagementEvents {
		t.Fatalf("default selectors: %+v", es.EventSelectors)
	}
	dt, err := a.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"nope"}})
	noErr(t, err)
	if len(dt.TrailList) != 0 {
		t.Fatalf("DescribeTrails(nope): %+v", dt.TrailList)
	}
	// A trail not logging delivers nothing.
	keys, err := srv.DeliverTrailLogs()
	noErr(t, err)
	if len(keys) != 0 {
		t.Fatalf("delivered without logging: %v", keys)
	}
}

// rawCall signs and sends a request as the admin and returns status and body.
func rawCall(t *testing.T, srv *Server, service, target, contentType, body string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	noErr(t, err)
	r.Header.Set("Content-Type", contentType)
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	sum := sha256.Sum256([]byte(body))
	c := srv.AdminCredentials()
	noErr(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
		r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()))
	resp, err := http.DefaultClient.Do(r)
	noErr(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMalformedRequests(t *testing.T) {
	srv := Start(t)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, service, target, ctype, body string
		status                             int
		want                               string
	}{
		{"unknown IAM action", "iam", "", form, "Action=CreateUnicorn&Version=2010-05-08", 400, "<Code>InvalidAction</Code><Message>Could not find operation CreateUnicorn for version 2010-05-08</Message>"},
		{"wrong IAM version", "iam", "", form, "Action=ListUsers&Version=2099-01-01", 400, "<Code>InvalidAction</Code>"},
		{"no action", "iam", "", form, "Version=2010-05-08", 400, "<Code>MissingAction</Code>"},
		{"bad form body", "iam", "", form, "Action=ListUsers&%zz", 400, "<Code>MalformedQueryString</Code>"},
		{"STS action on IAM", "iam", "", form, "Action=AssumeRole&Version=2010-05-08", 400, "<Code>InvalidAction</Code>"},
		{"unknown CloudTrail operation", "cloudtrail", "CloudTrail_20131101.MakeTrail", "application/x-amz-json-1.1", "{}", 400, `"__type":"UnknownOperationException"`},
		{"malformed JSON", "cloudtrail", "CloudTrail_20131101.LookupEvents", "application/x-amz-json-1.1", `{"MaxResults":`, 400, `"__type":"SerializationException"`},
		{"wrong JSON type", "cloudtrail", "CloudTrail_20131101.LookupEvents", "application/x-amz-json-1.1", `{"LookupAttributes":"x"}`, 400, `"__type":"SerializationException"`},
		{"unknown service", "ec2", "", form, "Action=DescribeInstances&Version=2016-11-15", 400, "UnknownService"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rawCall(t, srv, tc.service, tc.target, tc.ctype, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %s", status, body)
			}
		})
	}
	// None of them changed anything or broke the sandbox.
	out, err := admin(t, srv).iam.ListUsers(context.Background(), &iam.ListUsersInput{})
	noErr(t, err)
	if len(out.Users) != 1 {
		t.Fatalf("users: %d", len(out.Users))
	}
}
