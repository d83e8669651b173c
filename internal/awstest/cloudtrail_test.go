package awstest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func lookup(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []cttypes.Event {
	t.Helper()
	var out []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		noErr(t, err)
		out = append(out, page.Events...)
	}
	return out
}

func TestCloudTrailRecords(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.Account()
	a := admin(t, srv)
	roleARN := createRole(t, srv, "auditor", trustAccount(acct), 0, allow("iam:ListUsers", "*"))
	user := newUserWithKey(t, srv, "dev", allow("sts:AssumeRole", roleARN))
	_, err := as(srv, user).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("audit-1"), SourceIdentity: aws.String("dev")})
	wantAPIError(t, err, "AccessDenied", 403, "sts:SetSourceIdentity") // the user's policy lacks it
	out, err := as(srv, user).sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("audit-1")})
	noErr(t, err)
	sess := as(srv, sessionCreds(out.Credentials))
	_, err = sess.iam.ListUsers(ctx, &iam.ListUsersInput{})
	noErr(t, err)
	_, err = sess.iam.ListRoles(ctx, &iam.ListRolesInput{})
	wantAPIError(t, err, "AccessDenied", 403, "")
	_, err = a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")})
	noErr(t, err)

	events := srv.Events()
	find := func(name, arnSuffix string) Event {
		t.Helper()
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].EventName == name && strings.HasSuffix(events[i].UserIdentity.ARN, arnSuffix) {
				return events[i]
			}
		}
		t.Fatalf("no %s event by %s", name, arnSuffix)
		return Event{}
	}

	// An IAM user's call.
	e := find("AssumeRole", "user/dev")
	if e.UserIdentity.Type != "IAMUser" || e.UserIdentity.UserName != "dev" || e.UserIdentity.AccessKeyID != user.AccessKeyID ||
		e.EventSource != "sts.amazonaws.com" || e.ErrorCode != "" || e.ReadOnly || !e.ManagementEvent || e.EventCategory != "Management" ||
		e.RecipientAccountID != acct || e.SourceIPAddress != "127.0.0.1" || !strings.Contains(e.UserAgent, "aws-sdk-go-v2") {
		t.Fatalf("AssumeRole event: %+v", e)
	}
	params := e.RequestParameters.(map[string]any)
	if params["roleArn"] != roleARN || params["roleSessionName"] != "audit-1" {
		t.Fatalf("requestParameters: %v", params)
	}
	resp := e.ResponseElements.(map[string]any)
	if resp["assumedRoleUser"].(map[string]any)["arn"] != "arn:aws:sts::"+acct+":assumed-role/auditor/audit-1" {
		t.Fatalf("responseElements: %v", resp)
	}
	if len(e.Resources) != 1 || e.Resources[0].ARN != roleARN || e.Resources[0].Type != "AWS::IAM::Role" {
		t.Fatalf("resources: %+v", e.Resources)
	}

	// An assumed-role session's calls, one denied.
	e = find("ListUsers", "assumed-role/auditor/audit-1")
	sc := e.UserIdentity.SessionContext
	if e.UserIdentity.Type != "AssumedRole" || e.UserIdentity.PrincipalID != *out.AssumedRoleUser.AssumedRoleId || sc == nil ||
		sc.SessionIssuer.Type != "Role" || sc.SessionIssuer.ARN != roleARN || sc.SessionIssuer.UserName != "auditor" ||
		sc.Attributes.MFAAuthenticated != "false" || sc.Attributes.CreationDate == "" || e.AWSRegion != "us-east-1" || e.ErrorCode != "" || !e.ReadOnly {
		t.Fatalf("ListUsers event: %+v", e)
	}
	e = find("ListRoles", "assumed-role/auditor/audit-1")
	if e.ErrorCode != "AccessDenied" || !strings.Contains(e.ErrorMessage, "is not authorized to perform: iam:ListRoles") || e.ResponseElements != nil {
		t.Fatalf("denied event: %+v", e)
	}

	// The raw record uses AWS's field names.
	raw, err := json.Marshal(find("GetUser", "user/admin"))
	noErr(t, err)
	for _, field := range []string{`"eventVersion":"1.08"`, `"userIdentity":{"type":"IAMUser"`, `"eventSource":"iam.amazonaws.com"`, `"requestParameters":{"userName":"dev"}`, `"responseElements":null`, `"eventType":"AwsApiCall"`} {
		if !bytes.Contains(raw, []byte(field)) {
			t.Errorf("record lacks %s: %s", field, raw)
		}
	}
}

func TestLookupEvents(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	workerKey := newUserWithKey(t, srv, "worker", allowAll)
	w := as(srv, workerKey)
	srv.Advance(time.Second)
	start := srv.Clock().Now()
	// 120 GetUser calls a second apart, then an S3 data event and a CreateUser, by
	// worker (LookupEvents calls are events too: admin makes those).
	for i := 0; i < 120; i++ {
		_, err := w.iam.GetUser(ctx, &iam.GetUserInput{})
		noErr(t, err)
		srv.Advance(time.Second)
	}
	_, err := w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lookup")})
	noErr(t, err)
	_, err = w.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lookup"), Key: aws.String("k"), Body: strings.NewReader("x")})
	noErr(t, err)
	_, err = w.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("looked-up")})
	noErr(t, err)

	attr := func(k cttypes.LookupAttributeKey, v string) []cttypes.LookupAttribute {
		return []cttypes.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}
	}
	tests := []struct {
		name  string
		in    cloudtrail.LookupEventsInput
		count int
		first string // newest first
	}{
		{"by event name", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "GetUser")}, 120, "GetUser"},
		{"by event source", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventSource, "s3.amazonaws.com")}, 1, "CreateBucket"},
		{"by user name", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyUsername, "worker")}, 122, "CreateUser"},
		{"read only", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyReadOnly, "false"), StartTime: aws.Time(start)}, 2, "CreateUser"},
		{"by resource name", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyResourceName, "looked-up")}, 1, "CreateUser"},
		{"by resource type", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyResourceType, "AWS::S3::Bucket")}, 1, "CreateBucket"},
		{"by access key", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyAccessKeyId, workerKey.AccessKeyID)}, 122, "CreateUser"},
		{"time window", cloudtrail.LookupEventsInput{StartTime: aws.Time(start.Add(10 * time.Second)), EndTime: aws.Time(start.Add(19 * time.Second))}, 10, "GetUser"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			events := lookup(t, a.ct, &in)
			if len(events) != tc.count || *events[0].EventName != tc.first {
				t.Fatalf("%d events, first %s", len(events), *events[0].EventName)
			}
		})
	}

	// Pages of 50, newest first, without repeats.
	page, err := a.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "GetUser")})
	noErr(t, err)
	if len(page.Events) != 50 || page.NextToken == nil || !page.Events[0].EventTime.After(*page.Events[49].EventTime) {
		t.Fatalf("first page: %d events, token %v", len(page.Events), page.NextToken)
	}
	var ev Event
	noErr(t, json.Unmarshal([]byte(*page.Events[0].CloudTrailEvent), &ev))
	if ev.EventName != "GetUser" || ev.EventID != *page.Events[0].EventId {
		t.Fatalf("CloudTrailEvent: %+v", ev)
	}
	all := lookup(t, a.ct, &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "GetUser")})
	ids := map[string]bool{}
	for _, e := range all {
		ids[*e.EventId] = true
	}
	if len(ids) != 120 {
		t.Fatalf("%d distinct events over pages", len(ids))
	}
	// PutObject is a data event: CloudTrail keeps it out of LookupEvents.
	if got := lookup(t, a.ct, &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "PutObject")}); len(got) != 0 {
		t.Fatalf("data events in LookupEvents: %d", len(got))
	}

	errs := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		code string
	}{
		{"two attributes", cloudtrail.LookupEventsInput{LookupAttributes: append(attr(cttypes.LookupAttributeKeyEventName, "a"), attr(cttypes.LookupAttributeKeyUsername, "b")...)}, "InvalidLookupAttributesException"},
		{"bad key", cloudtrail.LookupEventsInput{LookupAttributes: attr("Nope", "x")}, "InvalidLookupAttributesException"},
		{"reversed window", cloudtrail.LookupEventsInput{StartTime: aws.Time(start.Add(time.Hour)), EndTime: aws.Time(start)}, "InvalidTimeRangeException"},
		{"too many results", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"bad token", cloudtrail.LookupEventsInput{NextToken: aws.String("x")}, "InvalidNextTokenException"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := a.ct.LookupEvents(ctx, &in)
			wantAPIError(t, err, tc.code, 400, "")
		})
	}
	nobody := newUserWithKey(t, srv, "nobody", "")
	_, err = as(srv, nobody).ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	wantAPIError(t, err, "AccessDeniedException", 400, "is not authorized to perform: cloudtrail:LookupEvents")
}

func TestTrailDelivery(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	acct := srv.Account()
	_, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")})
	noErr(t, err)
	_, err = a.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("no-such-bucket")})
	wantAPIError(t, err, "S3BucketDoesNotExistException", 400, "")
	tr, err := a.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-logs"), S3KeyPrefix: aws.String("org")})
	noErr(t, err)
	if *tr.TrailARN != "arn:aws:cloudtrail:us-east-1:"+acct+":trail/main" {
		t.Fatalf("trail ARN %s", *tr.TrailARN)
	}
	_, err = a.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-logs")})
	wantAPIError(t, err, "TrailAlreadyExistsException", 400, "")
	// Data events for one bucket, besides management events.
	_, err = a.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: []cttypes.EventSelector{{
		ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::watched/"}}}}}})
	noErr(t, err)
	_, err = a.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")})
	noErr(t, err)

	s3Setup(t, srv, "watched/a", "unwatched/b")
	_, err = a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("logged")})
	noErr(t, err)
	srv.Advance(24 * time.Hour)
	_, err = a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("logged")})
	noErr(t, err)

	keys, err := srv.DeliverTrailLogs()
	noErr(t, err)
	if len(keys) != 2 {
		t.Fatalf("delivered %v, want one file per day", keys)
	}
	layout := regexp.MustCompile(`^org/AWSLogs/` + acct + `/CloudTrail/us-east-1/\d{4}/\d{2}/\d{2}/` + acct + `_CloudTrail_us-east-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	var records []Event
	for _, k := range keys {
		if !layout.MatchString(k) {
			t.Fatalf("key %s does not follow CloudTrail's layout", k)
		}
		obj, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(k)})
		noErr(t, err)
		zr, err := gzip.NewReader(obj.Body)
		noErr(t, err)
		raw, err := io.ReadAll(zr)
		obj.Body.Close()
		noErr(t, err)
		var file struct{ Records []Event }
		noErr(t, json.Unmarshal(raw, &file))
		records = append(records, file.Records...)
	}
	counts := map[string]int{}
	for _, r := range records {
		counts[r.EventName+" "+fmt.Sprint(r.ManagementEvent)]++
		if r.EventName == "PutObject" && r.RequestParameters.(map[string]any)["bucketName"] != "watched" {
			t.Fatalf("data event of an unselected bucket: %+v", r.RequestParameters)
		}
	}
	if counts["PutObject false"] != 1 || counts["CreateUser true"] != 1 || counts["GetUser true"] != 1 || counts["CreateBucket true"] != 2 {
		t.Fatalf("delivered records: %v", counts)
	}
	// Nothing twice.
	again, err := srv.DeliverTrailLogs()
	noErr(t, err)
	if len(again) != 0 {
		t.Fatalf("redelivered %v", again)
	}
	st, err := a.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main")})
	noErr(t, err)
	if !*st.IsLogging || st.LatestDeliveryTime == nil {
		t.Fatalf("status %+v", st)
	}
	// The archive is listable under AWS's prefix.
	list, err := a.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), Prefix: aws.String("org/AWSLogs/" + acct + "/CloudTrail/us-east-1/")})
	noErr(t, err)
	if len(list.Contents) != 2 {
		t.Fatalf("listed %d log files", len(list.Contents))
	}
	_, err = a.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")})
	noErr(t, err)
	desc, err := a.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	noErr(t, err)
	if len(desc.TrailList) != 1 || !*desc.TrailList[0].HasCustomEventSelectors {
		t.Fatalf("DescribeTrails: %+v", desc.TrailList)
	}
	_, err = a.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main")})
	noErr(t, err)
	_, err = a.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main")})
	wantAPIError(t, err, "TrailNotFoundException", 400, "")
}
