package awstest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	clock := NewManualClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()

	first, err := New(Options{DataDir: dir, Clock: clock})
	noErr(t, err)
	noErr(t, first.Listen("127.0.0.1:0"))
	adminKey := first.AdminCredentials()
	a := newClients(first.AdminConfig(ctx))
	user := newUserWithKey(t, first, "kept", allow("s3:*", "*"))
	_, err = a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("kept-policy"), PolicyDocument: aws.String(allowAll)})
	noErr(t, err)
	_, err = a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kept-bucket")})
	noErr(t, err)
	_, err = as(first, user).s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kept-bucket"), Key: aws.String("k"), Body: strings.NewReader("v")})
	noErr(t, err)
	roleARN := createRole(t, first, "kept-role", trustAccount(first.Account()), 0, allowAll)
	out, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("kept-session")})
	noErr(t, err)
	noErr(t, first.Close())

	info, err := os.Stat(filepath.Join(dir, stateFile))
	noErr(t, err)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v: it holds secrets", info.Mode().Perm())
	}

	second := StartWith(t, Options{DataDir: dir, Clock: clock})
	if second.AdminCredentials() != adminKey {
		t.Fatal("the admin key changed across a restart")
	}
	// The user's key, the object, the session and the events are all still there.
	obj, err := as(second, user).s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kept-bucket"), Key: aws.String("k")})
	noErr(t, err)
	obj.Body.Close()
	id, err := as(second, sessionCreds(out.Credentials)).sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, err)
	if !strings.HasSuffix(*id.Arn, "assumed-role/kept-role/kept-session") {
		t.Fatalf("session after restart: %s", *id.Arn)
	}
	a2 := admin(t, second)
	pols, err := a2.iam.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"})
	noErr(t, err)
	if len(pols.Policies) != 1 {
		t.Fatalf("policies after restart: %d", len(pols.Policies))
	}
	ev, err := a2.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	noErr(t, err)
	if len(ev.Events) < 5 {
		t.Fatalf("events after restart: %d", len(ev.Events))
	}
	// Changes keep being saved.
	_, err = a2.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("later")})
	noErr(t, err)
	noErr(t, second.Save())
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	noErr(t, err)
	if !strings.Contains(string(raw), `"later"`) {
		t.Fatal("state file lacks the user created after the restart")
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	noErr(t, os.WriteFile(filepath.Join(dir, stateFile), []byte("{not json"), 0o600))
	if _, err := New(Options{DataDir: dir}); err == nil || !strings.Contains(err.Error(), stateFile) {
		t.Fatalf("corrupt state file: %v", err)
	}
	dir2 := t.TempDir()
	s, err := New(Options{DataDir: dir2, Account: "444455556666"})
	noErr(t, err)
	noErr(t, s.Close())
	if _, err := New(Options{DataDir: dir2}); err == nil || !strings.Contains(err.Error(), "belongs to account 444455556666") {
		t.Fatalf("other account's state: %v", err)
	}
	if _, err := New(Options{Account: "12"}); err == nil {
		t.Fatal("a 2-digit account was accepted")
	}
}
