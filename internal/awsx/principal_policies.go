package awsx

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// InlinePolicy is an inline policy embedded in a principal.
type InlinePolicy struct {
	Name     string
	Document []byte
}

// PrincipalPolicies is everything attached directly to a principal: its managed policies
// (with their default documents) and its inline policies.
type PrincipalPolicies struct {
	Principal Principal
	Managed   []ManagedPolicy
	Inline    []InlinePolicy
}

// ReadPrincipalPolicies reads the principal's attached managed policies and inline
// policies, with their documents. AWS managed policies are included (their ARNs have the
// account "aws"). A missing principal is an error for which IsNotFound holds.
func (x *IAM) ReadPrincipalPolicies(ctx context.Context, p Principal) (PrincipalPolicies, error) {
	out := PrincipalPolicies{Principal: p}
	attached, err := x.AttachedPolicies(ctx, p)
	if err != nil {
		return out, err
	}
	for _, a := range attached {
		mp, err := x.GetPolicy(ctx, a.ARN)
		if IsNotFound(err) {
			continue // deleted since the listing
		}
		if err != nil {
			return out, err
		}
		out.Managed = append(out.Managed, mp)
	}
	names, err := x.inlinePolicyNames(ctx, p)
	if err != nil {
		return out, err
	}
	for _, name := range names {
		doc, err := x.inlinePolicy(ctx, p, name)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return out, err
		}
		out.Inline = append(out.Inline, InlinePolicy{Name: name, Document: doc})
	}
	return out, nil
}

func (x *IAM) inlinePolicyNames(ctx context.Context, p Principal) ([]string, error) {
	var names []string
	wrap := func(err error) error {
		return fmt.Errorf("listing the inline policies of %s: %w", p.ARN, notFound(err, string(p.Kind)+" "+p.Name))
	}
	switch p.Kind {
	case KindRole:
		pages := iam.NewListRolePoliciesPaginator(x.Client, &iam.ListRolePoliciesInput{RoleName: aws.String(p.Name)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, wrap(err)
			}
			names = append(names, page.PolicyNames...)
		}
	case KindUser:
		pages := iam.NewListUserPoliciesPaginator(x.Client, &iam.ListUserPoliciesInput{UserName: aws.String(p.Name)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, wrap(err)
			}
			names = append(names, page.PolicyNames...)
		}
	case KindGroup:
		pages := iam.NewListGroupPoliciesPaginator(x.Client, &iam.ListGroupPoliciesInput{GroupName: aws.String(p.Name)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, wrap(err)
			}
			names = append(names, page.PolicyNames...)
		}
	default:
		return nil, fmt.Errorf("listing inline policies: principal kind %q has none", p.Kind)
	}
	return names, nil
}

func (x *IAM) inlinePolicy(ctx context.Context, p Principal, name string) ([]byte, error) {
	var doc *string
	var err error
	switch p.Kind {
	case KindRole:
		var out *iam.GetRolePolicyOutput
		out, err = x.Client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(p.Name), PolicyName: aws.String(name)})
		if err == nil {
			doc = out.PolicyDocument
		}
	case KindUser:
		var out *iam.GetUserPolicyOutput
		out, err = x.Client.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(p.Name), PolicyName: aws.String(name)})
		if err == nil {
			doc = out.PolicyDocument
		}
	default:
		var out *iam.GetGroupPolicyOutput
		out, err = x.Client.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(p.Name), PolicyName: aws.String(name)})
		if err == nil {
			doc = out.PolicyDocument
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading inline policy %s of %s: %w", name, p.ARN, notFound(err, "inline policy "+name))
	}
	return decodeDocument(doc, p.ARN+" inline policy "+name)
}
