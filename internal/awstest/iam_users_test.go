package awstest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestUsers(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)

	out, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bob"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	noErr(t, err)
	u := out.User
	if *u.Arn != "arn:aws:iam::111122223333:user/eng/Bob" || *u.Path != "/eng/" || !strings.HasPrefix(*u.UserId, "AIDA") || len(*u.UserId) != 21 {
		t.Fatalf("CreateUser returned %+v", u)
	}
	if len(u.Tags) != 1 || *u.Tags[0].Key != "team" {
		t.Fatalf("CreateUser tags: %+v", u.Tags)
	}

	// Names are case-insensitive: lookups find Bob as bob, and BOB cannot be created.
	got, err := a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
	noErr(t, err)
	if *got.User.UserName != "Bob" || *got.User.UserId != *u.UserId || !got.User.CreateDate.Equal(*u.CreateDate) {
		t.Fatalf("GetUser: %+v", got.User)
	}
	_, err = a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("BOB")})
	wantAPIError(t, err, "EntityAlreadyExists", 409, "User with name BOB already exists.")

	// GetUser without a name is the caller.
	me, err := a.iam.GetUser(ctx, &iam.GetUserInput{})
	noErr(t, err)
	if *me.User.UserName != AdminUserName {
		t.Fatalf("GetUser() = %s", *me.User.UserName)
	}

	errorCases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"missing user", func() error {
			_, err := a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
			return err
		},
			"NoSuchEntity", 404, "The user with name nobody cannot be found."},
		{"bad name", func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
			return err
		},
			"ValidationError", 400, `1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"long name", func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("a", 65))})
			return err
		}, "ValidationError", 400, "Member must have length less than or equal to 64"},
		{"bad path", func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("p"), Path: aws.String("nopath")})
			return err
		}, "ValidationError", 400, "at 'path' failed to satisfy constraint"},
		{"two problems", func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name"), Path: aws.String("x")})
			return err
		}, "ValidationError", 400, "2 validation errors detected"},
		{"missing boundary policy", func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b"), PermissionsBoundary: aws.String("arn:aws:iam::111122223333:policy/nope")})
			return err
		}, "NoSuchEntity", 404, "Scope ARN: arn:aws:iam::111122223333:policy/nope does not exist or is not attachable."},
		{"duplicate tag keys", func() error {
			_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("t"), Tags: []types.Tag{
				{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
			return err
		}, "InvalidInput", 400, "Duplicate tag keys"},
		{"delete missing", func() error {
			_, err := a.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("nobody")})
			return err
		},
			"NoSuchEntity", 404, ""},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	// Failed calls changed nothing.
	list, err := a.iam.ListUsers(ctx, &iam.ListUsersInput{})
	noErr(t, err)
	if names := userNames(list.Users); names != "admin,Bob" {
		t.Fatalf("users after failed calls: %s", names)
	}

	// Rename and move: the ARN follows, keys and groups follow.
	_, err = a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
	noErr(t, err)
	_, err = a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("Bob")})
	noErr(t, err)
	_, err = a.iam.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("Bob"), NewUserName: aws.String("Robert"), NewPath: aws.String("/ops/")})
	noErr(t, err)
	r, err := a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Robert")})
	noErr(t, err)
	if *r.User.Arn != "arn:aws:iam::111122223333:user/ops/Robert" {
		t.Fatalf("renamed ARN %s", *r.User.Arn)
	}
	g, err := a.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("Robert")})
	noErr(t, err)
	if len(g.Groups) != 1 {
		t.Fatalf("groups after rename: %+v", g.Groups)
	}

	// Tags.
	_, err = a.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("Robert"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("red")}}})
	noErr(t, err)
	_, err = a.iam.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("Robert"), TagKeys: []string{"env"}})
	noErr(t, err)
	tags, err := a.iam.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("Robert")})
	noErr(t, err)
	if len(tags.Tags) != 1 || *tags.Tags[0].Value != "red" {
		t.Fatalf("tags: %+v", tags.Tags)
	}

	// DeleteUser refuses while the user has keys, policies or groups.
	_, err = a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Robert")})
	noErr(t, err)
	_, err = a.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Robert")})
	wantAPIError(t, err, "DeleteConflict", 409, "must delete access keys first")
	keys, err := a.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Robert")})
	noErr(t, err)
	_, err = a.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("Robert"), AccessKeyId: keys.AccessKeyMetadata[0].AccessKeyId})
	noErr(t, err)
	_, err = a.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Robert")})
	wantAPIError(t, err, "DeleteConflict", 409, "")
	_, err = a.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("Robert")})
	noErr(t, err)
	_, err = a.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("Robert")})
	noErr(t, err)
}

func userNames(users []types.User) string {
	var names []string
	for _, u := range users {
		names = append(names, *u.UserName)
	}
	return strings.Join(names, ",")
}

func TestListPagination(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	for i := 0; i < 25; i++ {
		_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%02d", i)), Path: aws.String("/p/")})
		noErr(t, err)
	}
	var all []types.User
	pages := 0
	p := iam.NewListUsersPaginator(a.iam, &iam.ListUsersInput{PathPrefix: aws.String("/p/"), MaxItems: aws.Int32(10)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		noErr(t, err)
		all = append(all, out.Users...)
		pages++
	}
	if pages != 3 || len(all) != 25 || *all[0].UserName != "u00" || *all[24].UserName != "u24" {
		t.Fatalf("%d pages, %d users", pages, len(all))
	}
	_, err := a.iam.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(0)})
	wantAPIError(t, err, "ValidationError", 400, "Member must have value greater than or equal to 1")
	_, err = a.iam.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("!!not-a-marker")})
	wantAPIError(t, err, "InvalidInput", 400, "")
}

func TestPermissionsBoundaryOperations(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	boundary := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b"), PermissionsBoundary: aws.String(boundary)})
	noErr(t, err)
	u, err := a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b")})
	noErr(t, err)
	if u.User.PermissionsBoundary == nil || *u.User.PermissionsBoundary.PermissionsBoundaryArn != boundary {
		t.Fatalf("boundary %+v", u.User.PermissionsBoundary)
	}
	p, err := a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(boundary)})
	noErr(t, err)
	if *p.Policy.PermissionsBoundaryUsageCount != 1 {
		t.Fatalf("boundary usage %d", *p.Policy.PermissionsBoundaryUsageCount)
	}
	_, err = a.iam.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("b")})
	noErr(t, err)
	u, err = a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b")})
	noErr(t, err)
	if u.User.PermissionsBoundary != nil {
		t.Fatal("boundary still set")
	}
	_, err = a.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("b"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/NoSuchThing")})
	wantAPIError(t, err, "NoSuchEntity", 404, "")
}
