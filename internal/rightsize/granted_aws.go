package rightsize

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awsx"
)

// ReadGrantedAWS reads from IAM everything that grants the principal (a role or a user)
// permissions: its attached managed policies (default versions) and inline policies, for a
// user those of its groups, and its permissions boundary. awsx reads the principal's own
// policies; groups and the boundary are read here with the SDK client, which awsx lacks.
func ReadGrantedAWS(ctx context.Context, x *awsx.IAM, principal string) (*Granted, error) {
	p, err := x.FindPrincipal(ctx, principal)
	if err != nil {
		return nil, fmt.Errorf("reading the granted policies of %s: %w", principal, err)
	}
	if p.Kind != awsx.KindRole && p.Kind != awsx.KindUser {
		return nil, fmt.Errorf("%s is a %s: right-sizing needs a role or a user (usage is attributed to them, not to groups)", principal, p.Kind)
	}
	gr := &Granted{Principal: principal}
	if err := addPrincipalPolicies(ctx, x, gr, p, ""); err != nil {
		return nil, err
	}
	boundary, err := boundaryARN(ctx, x.Client, p)
	if err != nil {
		return nil, err
	}
	if boundary != "" {
		mp, err := x.GetPolicy(ctx, boundary)
		if err != nil {
			return nil, fmt.Errorf("reading the permissions boundary of %s: %w", principal, err)
		}
		gr.Boundary = &GrantedPolicy{Name: mp.Name, Source: SourceBoundary, ARN: mp.ARN, Document: mp.Document}
	}
	if p.Kind == awsx.KindUser {
		groups, err := userGroups(ctx, x.Client, p)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if err := addPrincipalPolicies(ctx, x, gr, g, g.Name); err != nil {
				return nil, err
			}
		}
	}
	// IAM lists in its own order; sort so that the report does not depend on it.
	rank := map[PolicySource]int{SourceManaged: 0, SourceInline: 1, SourceGroupManaged: 2, SourceGroupInline: 3}
	slices.SortStableFunc(gr.Policies, func(a, b GrantedPolicy) int {
		if c := cmp.Compare(rank[a.Source], rank[b.Source]); c != 0 {
			return c
		}
		return cmp.Compare(a.Ref(), b.Ref())
	})
	if err := gr.Parse(); err != nil {
		return nil, err
	}
	return gr, nil
}

// addPrincipalPolicies adds the managed and inline policies of p (the principal itself, or
// one of its groups when group is set).
func addPrincipalPolicies(ctx context.Context, x *awsx.IAM, gr *Granted, p awsx.Principal, group string) error {
	pp, err := x.ReadPrincipalPolicies(ctx, p)
	if err != nil {
		return fmt.Errorf("reading the policies of %s: %w", p.ARN, err)
	}
	managed, inline := SourceManaged, SourceInline
	if group != "" {
		managed, inline = SourceGroupManaged, SourceGroupInline
	}
	for _, mp := range pp.Managed {
		gr.Policies = append(gr.Policies, GrantedPolicy{Name: mp.Name, Source: managed, ARN: mp.ARN, Group: group, Document: mp.Document})
	}
	for _, ip := range pp.Inline {
		gr.Policies = append(gr.Policies, GrantedPolicy{Name: ip.Name, Source: inline, Group: group, Document: ip.Document})
	}
	return nil
}

// boundaryARN returns the ARN of the principal's permissions boundary, "" when it has none.
func boundaryARN(ctx context.Context, c *iam.Client, p awsx.Principal) (string, error) {
	switch p.Kind {
	case awsx.KindRole:
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(p.Name)})
		if err != nil {
			return "", fmt.Errorf("reading role %s: %w", p.ARN, err)
		}
		if out.Role != nil && out.Role.PermissionsBoundary != nil {
			return aws.ToString(out.Role.PermissionsBoundary.PermissionsBoundaryArn), nil
		}
	case awsx.KindUser:
		out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(p.Name)})
		if err != nil {
			return "", fmt.Errorf("reading user %s: %w", p.ARN, err)
		}
		if out.User != nil && out.User.PermissionsBoundary != nil {
			return aws.ToString(out.User.PermissionsBoundary.PermissionsBoundaryArn), nil
		}
	}
	return "", nil
}

// userGroups lists the groups of a user.
func userGroups(ctx context.Context, c *iam.Client, p awsx.Principal) ([]awsx.Principal, error) {
	var out []awsx.Principal
	pages := iam.NewListGroupsForUserPaginator(c, &iam.ListGroupsForUserInput{UserName: aws.String(p.Name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the groups of %s: %w", p.ARN, err)
		}
		for _, g := range page.Groups {
			gp, err := awsx.ParsePrincipalARN(aws.ToString(g.Arn))
			if err != nil {
				return nil, fmt.Errorf("group of %s: %w", p.ARN, err)
			}
			out = append(out, gp)
		}
	}
	return out, nil
}
