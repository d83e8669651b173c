package awstest

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSeed(t *testing.T) {
	sd, err := LoadSeed(filepath.Join("testdata", "seed.json"))
	noErr(t, err)
	srv := StartWith(t, Options{Seed: sd})
	ctx := context.Background()
	a := admin(t, srv)

	g, err := a.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("developers")})
	noErr(t, err)
	if userNames(g.Users) != "dana" {
		t.Fatalf("group members %s", userNames(g.Users))
	}
	// The seeded key works and carries the group's and user's permissions.
	dana := as(srv, Credentials{AccessKeyID: "AKIASEEDEDDANA000001", SecretAccessKey: "dana-secret-for-tests-only"})
	obj, err := dana.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("seeded-data"), Key: aws.String("reports/q1.csv")})
	noErr(t, err)
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(body) != "a,b\n1,2\n" {
		t.Fatalf("seeded object %q", body)
	}
	out, err := dana.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/ops/deploy"), RoleSessionName: aws.String("seeded")})
	noErr(t, err)
	_, err = as(srv, sessionCreds(out.Credentials)).iam.ListRoles(ctx, &iam.ListRolesInput{})
	noErr(t, err)
	r, err := a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")})
	noErr(t, err)
	if *r.Role.MaxSessionDuration != 7200 || r.Role.PermissionsBoundary == nil {
		t.Fatalf("seeded role %+v", r.Role)
	}
	// Seeding leaves no CloudTrail history.
	for _, e := range srv.Events() {
		if e.EventName == "CreateUser" {
			t.Fatal("seeding recorded a CreateUser event")
		}
	}
}

func TestSeedErrors(t *testing.T) {
	tests := []struct {
		name, seed, want string
	}{
		{"unknown field", `{"users":[{"name":"a","nmae":"b"}]}`, `unknown field "nmae"`},
		{"bad user name", `{"users":[{"name":"a b"}]}`, `users[0] (a b): name "a b"`},
		{"malformed policy", `{"policies":[{"name":"p","document":{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}}]}`, "policies[0] (p): document: MalformedPolicyDocument: Policy statement must contain resources."},
		{"oversized inline", `{"users":[{"name":"u","policies":{"big":` + quoteJSON(docOfSize(limitInlineUser+1)) + `}}]}`, "users[0] (u): policies.big: LimitExceeded"},
		{"missing group", `{"users":[{"name":"u","groups":["nope"]}]}`, `group "nope" is not declared`},
		{"missing policy", `{"roles":[{"name":"r","trust":` + quoteJSON(trustAccount("111122223333")) + `,"attach":["NoSuchPolicyAnywhere"]}]}`, "roles[0] (r): attach: policy \"NoSuchPolicyAnywhere\""},
		{"bad trust principal", `{"roles":[{"name":"r","trust":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ghost"},"Action":"sts:AssumeRole"}]}}]}`, "Invalid principal in policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.json")
			noErr(t, os.WriteFile(path, []byte(tc.seed), 0o600))
			sd, err := LoadSeed(path)
			if err == nil {
				_, err = New(Options{Seed: sd})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
