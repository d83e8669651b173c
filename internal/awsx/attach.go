package awsx

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Attach attaches a managed policy to a principal. Attaching twice is not an error (IAM
// itself accepts it).
func (x *IAM) Attach(ctx context.Context, p Principal, policyARN string) error {
	var err error
	switch p.Kind {
	case KindRole:
		_, err = x.Client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(p.Name), PolicyArn: aws.String(policyARN)})
	case KindUser:
		_, err = x.Client.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(p.Name), PolicyArn: aws.String(policyARN)})
	case KindGroup:
		_, err = x.Client.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(p.Name), PolicyArn: aws.String(policyARN)})
	default:
		return fmt.Errorf("attaching %s: principal kind %q cannot hold managed policies", policyARN, p.Kind)
	}
	if err != nil {
		return fmt.Errorf("attaching %s to %s: %w", policyARN, p.ARN, notFound(err, string(p.Kind)+" "+p.Name))
	}
	return nil
}

// Detach detaches a managed policy from a principal. A principal, policy or attachment
// that is already gone is not an error.
func (x *IAM) Detach(ctx context.Context, p Principal, policyARN string) error {
	var err error
	switch p.Kind {
	case KindRole:
		_, err = x.Client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(p.Name), PolicyArn: aws.String(policyARN)})
	case KindUser:
		_, err = x.Client.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(p.Name), PolicyArn: aws.String(policyARN)})
	case KindGroup:
		_, err = x.Client.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String(p.Name), PolicyArn: aws.String(policyARN)})
	default:
		return fmt.Errorf("detaching %s: principal kind %q cannot hold managed policies", policyARN, p.Kind)
	}
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("detaching %s from %s: %w", policyARN, p.ARN, err)
	}
	return nil
}

// AttachedPolicy is a managed policy attached to a principal.
type AttachedPolicy struct {
	ARN  string
	Name string
}

// AttachedPolicies lists the managed policies attached directly to a principal (not
// through its groups).
func (x *IAM) AttachedPolicies(ctx context.Context, p Principal) ([]AttachedPolicy, error) {
	var (
		out []AttachedPolicy
		err error
	)
	switch p.Kind {
	case KindRole:
		out, err = collectAttached(ctx, iam.NewListAttachedRolePoliciesPaginator(x.Client, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(p.Name)}),
			func(o *iam.ListAttachedRolePoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
	case KindUser:
		out, err = collectAttached(ctx, iam.NewListAttachedUserPoliciesPaginator(x.Client, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(p.Name)}),
			func(o *iam.ListAttachedUserPoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
	case KindGroup:
		out, err = collectAttached(ctx, iam.NewListAttachedGroupPoliciesPaginator(x.Client, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(p.Name)}),
			func(o *iam.ListAttachedGroupPoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
	default:
		return nil, fmt.Errorf("listing attached policies: principal kind %q cannot hold managed policies", p.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("listing the policies attached to %s: %w", p.ARN, notFound(err, string(p.Kind)+" "+p.Name))
	}
	return out, nil
}

// attachedPager is what the SDK's three ListAttached*Policies paginators have in common.
type attachedPager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*iam.Options)) (O, error)
}

// collectAttached reads every page of a ListAttached*Policies listing.
func collectAttached[O any](ctx context.Context, pages attachedPager[O], policies func(O) []types.AttachedPolicy) ([]AttachedPolicy, error) {
	var out []AttachedPolicy
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range policies(page) {
			out = append(out, AttachedPolicy{ARN: aws.ToString(a.PolicyArn), Name: aws.ToString(a.PolicyName)})
		}
	}
	return out, nil
}

// IsAttached reports whether a managed policy is attached directly to a principal.
func (x *IAM) IsAttached(ctx context.Context, p Principal, policyARN string) (bool, error) {
	attached, err := x.AttachedPolicies(ctx, p)
	if err != nil {
		return false, err
	}
	for _, a := range attached {
		if a.ARN == policyARN {
			return true, nil
		}
	}
	return false, nil
}

// PolicyEntities lists the principals a managed policy is attached to, as ARNs, roles
// first, then users, then groups, each in IAM's order.
func (x *IAM) PolicyEntities(ctx context.Context, policyARN string) ([]Principal, error) {
	var names []Principal
	pages := iam.NewListEntitiesForPolicyPaginator(x.Client, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(policyARN)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing where policy %s is attached: %w", policyARN, notFound(err, "policy "+policyARN))
		}
		for _, r := range page.PolicyRoles {
			names = append(names, Principal{Kind: KindRole, Name: aws.ToString(r.RoleName)})
		}
		for _, u := range page.PolicyUsers {
			names = append(names, Principal{Kind: KindUser, Name: aws.ToString(u.UserName)})
		}
		for _, g := range page.PolicyGroups {
			names = append(names, Principal{Kind: KindGroup, Name: aws.ToString(g.GroupName)})
		}
	}
	// ListEntitiesForPolicy gives names without paths: read each principal for its ARN.
	out := make([]Principal, 0, len(names))
	for _, n := range names {
		arn, err := x.principalARN(ctx, n)
		if IsNotFound(err) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		p, err := ParsePrincipalARN(arn)
		if err != nil {
			return nil, fmt.Errorf("IAM returned %q for %s %s: %w", arn, n.Kind, n.Name, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func (x *IAM) principalARN(ctx context.Context, p Principal) (string, error) {
	switch p.Kind {
	case KindRole:
		out, err := x.Client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(p.Name)})
		if err != nil {
			return "", fmt.Errorf("reading role %s: %w", p.Name, notFound(err, "role "+p.Name))
		}
		return aws.ToString(out.Role.Arn), nil
	case KindUser:
		out, err := x.Client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(p.Name)})
		if err != nil {
			return "", fmt.Errorf("reading user %s: %w", p.Name, notFound(err, "user "+p.Name))
		}
		return aws.ToString(out.User.Arn), nil
	default:
		out, err := x.Client.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(p.Name), MaxItems: aws.Int32(1)})
		if err != nil {
			return "", fmt.Errorf("reading group %s: %w", p.Name, notFound(err, "group "+p.Name))
		}
		return aws.ToString(out.Group.Arn), nil
	}
}
