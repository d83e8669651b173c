package awstest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// entityOps drives the operations users, groups and roles share through the SDK.
type entityOps struct {
	kind         string
	limit        int
	create       func(name string) error
	put          func(name, pol, doc string) error
	get          func(name, pol string) (string, error)
	list         func(name string) ([]string, error)
	del          func(name, pol string) error
	attach       func(name, arn string) error
	detach       func(name, arn string) error
	listAttached func(name string) ([]string, error)
}

func entityOpsFor(ctx context.Context, c *iam.Client) []entityOps {
	s := aws.String
	return []entityOps{
		{kind: "user", limit: limitInlineUser,
			create: func(n string) error { _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: s(n)}); return err },
			put: func(n, p, d string) error {
				_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: s(n), PolicyName: s(p), PolicyDocument: s(d)})
				return err
			},
			get: func(n, p string) (string, error) {
				out, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: s(n), PolicyName: s(p)})
				if err != nil {
					return "", err
				}
				return *out.PolicyDocument, nil
			},
			list: func(n string) ([]string, error) {
				out, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: s(n)})
				if err != nil {
					return nil, err
				}
				return out.PolicyNames, nil
			},
			del: func(n, p string) error {
				_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: s(n), PolicyName: s(p)})
				return err
			},
			attach: func(n, a string) error {
				_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: s(n), PolicyArn: s(a)})
				return err
			},
			detach: func(n, a string) error {
				_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: s(n), PolicyArn: s(a)})
				return err
			},
			listAttached: func(n string) ([]string, error) {
				out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: s(n)})
				if err != nil {
					return nil, err
				}
				var arns []string
				for _, p := range out.AttachedPolicies {
					arns = append(arns, *p.PolicyArn)
				}
				return arns, nil
			}},
		{kind: "group", limit: limitInlineGroup,
			create: func(n string) error { _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: s(n)}); return err },
			put: func(n, p, d string) error {
				_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: s(n), PolicyName: s(p), PolicyDocument: s(d)})
				return err
			},
			get: func(n, p string) (string, error) {
				out, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: s(n), PolicyName: s(p)})
				if err != nil {
					return "", err
				}
				return *out.PolicyDocument, nil
			},
			list: func(n string) ([]string, error) {
				out, err := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: s(n)})
				if err != nil {
					return nil, err
				}
				return out.PolicyNames, nil
			},
			del: func(n, p string) error {
				_, err := c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: s(n), PolicyName: s(p)})
				return err
			},
			attach: func(n, a string) error {
				_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: s(n), PolicyArn: s(a)})
				return err
			},
			detach: func(n, a string) error {
				_, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: s(n), PolicyArn: s(a)})
				return err
			},
			listAttached: func(n string) ([]string, error) {
				out, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: s(n)})
				if err != nil {
					return nil, err
				}
				var arns []string
				for _, p := range out.AttachedPolicies {
					arns = append(arns, *p.PolicyArn)
				}
				return arns, nil
			}},
		{kind: "role", limit: limitInlineRole,
			create: func(n string) error {
				_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: s(n), AssumeRolePolicyDocument: s(trustAccount("111122223333"))})
				return err
			},
			put: func(n, p, d string) error {
				_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: s(n), PolicyName: s(p), PolicyDocument: s(d)})
				return err
			},
			get: func(n, p string) (string, error) {
				out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: s(n), PolicyName: s(p)})
				if err != nil {
					return "", err
				}
				return *out.PolicyDocument, nil
			},
			list: func(n string) ([]string, error) {
				out, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: s(n)})
				if err != nil {
					return nil, err
				}
				return out.PolicyNames, nil
			},
			del: func(n, p string) error {
				_, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: s(n), PolicyName: s(p)})
				return err
			},
			attach: func(n, a string) error {
				_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: s(n), PolicyArn: s(a)})
				return err
			},
			detach: func(n, a string) error {
				_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: s(n), PolicyArn: s(a)})
				return err
			},
			listAttached: func(n string) ([]string, error) {
				out, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: s(n)})
				if err != nil {
					return nil, err
				}
				var arns []string
				for _, p := range out.AttachedPolicies {
					arns = append(arns, *p.PolicyArn)
				}
				return arns, nil
			}},
	}
}

// docOfSize returns a valid policy of exactly n non-whitespace characters.
func docOfSize(n int) string {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::"}]}`
	pad := n - len(base)
	return strings.Replace(base, `:::"`, `:::`+strings.Repeat("a", pad)+`"`, 1)
}

func TestInlineAndAttachedPolicies(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	for _, e := range entityOpsFor(ctx, a.iam) {
		t.Run(e.kind, func(t *testing.T) {
			name := "e-" + e.kind
			noErr(t, e.create(name))
			doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:ListBucket\", \"Resource\": \"*\"}\n}"
			noErr(t, e.put(name, "p1", doc))
			got, err := e.get(name, "p1")
			noErr(t, err)
			if decodeDoc(t, &got) != doc {
				t.Fatalf("document came back as %q", decodeDoc(t, &got))
			}
			_, err = e.get(name, "nope")
			wantAPIError(t, err, "NoSuchEntity", 404, fmt.Sprintf("The %s policy with name nope cannot be found.", e.kind))

			// Malformed and oversized documents leave the state unchanged.
			wantAPIError(t, e.put(name, "bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`),
				"MalformedPolicyDocument", 400, "Policy statement must contain resources.")
			wantAPIError(t, e.put(name, "bad", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`),
				"MalformedPolicyDocument", 400, "Policy document should not specify a principal.")
			wantAPIError(t, e.put(name, "bad", `{not json`), "MalformedPolicyDocument", 400, "Syntax errors in policy.")
			wantAPIError(t, e.put(name, "bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"getobject","Resource":"*"}]}`),
				"MalformedPolicyDocument", 400, "Actions/Conditions must be prefaced by a vendor")
			// The limit covers all of the entity's inline policies together, without whitespace.
			rest := e.limit - policySize(doc)
			noErr(t, e.put(name, "fits", docOfSize(rest)))
			wantAPIError(t, e.put(name, "over", docOfSize(len(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a"}]}`))),
				"LimitExceeded", 409, fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", e.limit, e.kind, name))
			names, err := e.list(name)
			noErr(t, err)
			if strings.Join(names, ",") != "fits,p1" {
				t.Fatalf("inline policies after failures: %v", names)
			}
			noErr(t, e.del(name, "fits"))
			wantAPIError(t, e.del(name, "fits"), "NoSuchEntity", 404, "")

			// Managed policies: up to ten, idempotent attach, NoSuchEntity for unknown ones.
			var arns []string
			for i := 0; i < maxAttached; i++ {
				out, err := a.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("%s-m%d", e.kind, i)), PolicyDocument: aws.String(allowAll)})
				noErr(t, err)
				arns = append(arns, *out.Policy.Arn)
				noErr(t, e.attach(name, *out.Policy.Arn))
			}
			noErr(t, e.attach(name, arns[0]))
			wantAPIError(t, e.attach(name, "arn:aws:iam::aws:policy/ReadOnlyAccess"), "LimitExceeded", 409, "Cannot exceed quota for Policies")
			wantAPIError(t, e.attach(name, "arn:aws:iam::111122223333:policy/missing"), "NoSuchEntity", 404, "does not exist or is not attachable")
			noErr(t, e.detach(name, arns[9]))
			wantAPIError(t, e.detach(name, arns[9]), "NoSuchEntity", 404, "was not found")
			noErr(t, e.attach(name, "arn:aws:iam::aws:policy/ReadOnlyAccess"))
			attached, err := e.listAttached(name)
			noErr(t, err)
			if len(attached) != 10 || !strings.Contains(strings.Join(attached, ","), "ReadOnlyAccess") {
				t.Fatalf("attached: %v", attached)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	a := admin(t, srv)
	_, err := a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/teams/")})
	noErr(t, err)
	_, err = a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("DEVS")})
	wantAPIError(t, err, "EntityAlreadyExists", 409, "")
	for _, u := range []string{"u1", "u2"} {
		_, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)})
		noErr(t, err)
		_, err = a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)})
		noErr(t, err)
	}
	_, err = a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ghost")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The user with name ghost cannot be found.")
	g, err := a.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	noErr(t, err)
	if *g.Group.Arn != "arn:aws:iam::111122223333:group/teams/devs" || userNames(g.Users) != "u1,u2" {
		t.Fatalf("GetGroup: %s %s", *g.Group.Arn, userNames(g.Users))
	}
	_, err = a.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantAPIError(t, err, "DeleteConflict", 409, "must remove users from group first")
	// Ten groups per user at most.
	for i := 0; i < maxGroupsPerUser; i++ {
		_, err := a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%d", i))})
		noErr(t, err)
		_, err = a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(fmt.Sprintf("g%d", i)), UserName: aws.String("u1")})
		if i < maxGroupsPerUser-1 {
			noErr(t, err)
		} else {
			wantAPIError(t, err, "LimitExceeded", 409, "GroupsPerUser")
		}
	}
	_, err = a.iam.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("g0"), NewGroupName: aws.String("zero")})
	noErr(t, err)
	list, err := a.iam.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/teams/")})
	noErr(t, err)
	if len(list.Groups) != 1 {
		t.Fatalf("ListGroups /teams/: %d", len(list.Groups))
	}
	forUser, err := a.iam.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("u1")})
	noErr(t, err)
	if len(forUser.Groups) != 10 {
		t.Fatalf("ListGroupsForUser: %d", len(forUser.Groups))
	}
	for _, u := range []string{"u1", "u2"} {
		_, err = a.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)})
		noErr(t, err)
	}
	_, err = a.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	noErr(t, err)
}
