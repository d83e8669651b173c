package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// AuthDetailsAPI is the IAM call the live reader makes (an *iam.Client satisfies it).
type AuthDetailsAPI interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, opts ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
}

// ReadProgress is how far a live read has got.
type ReadProgress struct {
	Pages, Users, Groups, Roles, Policies int
}

// ReadAWS reads every page of GetAccountAuthorizationDetails. progress, when not nil, is
// called after each page.
func ReadAWS(ctx context.Context, api AuthDetailsAPI, progress func(ReadProgress)) (*Account, error) {
	b := newBuilder()
	seen := map[string]bool{}
	var pr ReadProgress
	p := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1000)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("GetAccountAuthorizationDetails, page %d: %w", pr.Pages+1, err)
		}
		page := pageFromSDK(out)
		b.add(page, seen)
		pr.Pages++
		pr.Users += len(page.UserDetailList)
		pr.Groups += len(page.GroupDetailList)
		pr.Roles += len(page.RoleDetailList)
		pr.Policies += len(page.Policies)
		if progress != nil {
			progress(pr)
		}
	}
	return b.finish(), nil
}

// pageFromSDK turns an SDK page into the CLI's shape; documents stay URL-encoded strings
// and are decoded with the file reader's documents.

func pageFromSDK(out *iam.GetAccountAuthorizationDetailsOutput) *rawDetails {
	page := &rawDetails{IsTruncated: out.IsTruncated, Marker: aws.ToString(out.Marker)}
	for _, u := range out.UserDetailList {
		page.UserDetailList = append(page.UserDetailList, rawUser{Path: aws.ToString(u.Path), UserName: aws.ToString(u.UserName),
			UserID: aws.ToString(u.UserId), Arn: aws.ToString(u.Arn), CreateDate: isoTime(u.CreateDate),
			UserPolicyList: inlineFromSDK(u.UserPolicyList), GroupList: u.GroupList, AttachedManagedPolicies: attachedFromSDK(u.AttachedManagedPolicies),
			PermissionsBoundary: boundaryFromSDK(u.PermissionsBoundary), Tags: tagsFromSDK(u.Tags)})
	}
	for _, g := range out.GroupDetailList {
		page.GroupDetailList = append(page.GroupDetailList, rawGroup{Path: aws.ToString(g.Path), GroupName: aws.ToString(g.GroupName),
			GroupID: aws.ToString(g.GroupId), Arn: aws.ToString(g.Arn), CreateDate: isoTime(g.CreateDate),
			GroupPolicyList: inlineFromSDK(g.GroupPolicyList), AttachedManagedPolicies: attachedFromSDK(g.AttachedManagedPolicies)})
	}
	for _, r := range out.RoleDetailList {
		rr := rawRole{Path: aws.ToString(r.Path), RoleName: aws.ToString(r.RoleName), RoleID: aws.ToString(r.RoleId), Arn: aws.ToString(r.Arn),
			CreateDate: isoTime(r.CreateDate), AssumeRolePolicyDocument: docFromSDK(r.AssumeRolePolicyDocument),
			RolePolicyList: inlineFromSDK(r.RolePolicyList), AttachedManagedPolicies: attachedFromSDK(r.AttachedManagedPolicies),
			PermissionsBoundary: boundaryFromSDK(r.PermissionsBoundary), Tags: tagsFromSDK(r.Tags)}
		for _, ip := range r.InstanceProfileList {
			rr.InstanceProfileList = append(rr.InstanceProfileList, rawInstanceProfile{InstanceProfileName: aws.ToString(ip.InstanceProfileName), Arn: aws.ToString(ip.Arn)})
		}
		if r.RoleLastUsed != nil {
			rr.RoleLastUsed = &rawRoleLastUsed{LastUsedDate: isoTime(r.RoleLastUsed.LastUsedDate), Region: aws.ToString(r.RoleLastUsed.Region)}
		}
		page.RoleDetailList = append(page.RoleDetailList, rr)
	}
	for _, p := range out.Policies {
		rp := rawPolicy{PolicyName: aws.ToString(p.PolicyName), PolicyID: aws.ToString(p.PolicyId), Arn: aws.ToString(p.Arn), Path: aws.ToString(p.Path),
			DefaultVersionID: aws.ToString(p.DefaultVersionId), AttachmentCount: int(aws.ToInt32(p.AttachmentCount)),
			PermissionsBoundaryUsageCount: int(aws.ToInt32(p.PermissionsBoundaryUsageCount)), CreateDate: isoTime(p.CreateDate), UpdateDate: isoTime(p.UpdateDate)}
		for _, v := range p.PolicyVersionList {
			rp.PolicyVersionList = append(rp.PolicyVersionList, rawPolicyVersion{Document: docFromSDK(v.Document), VersionID: aws.ToString(v.VersionId),
				IsDefaultVersion: v.IsDefaultVersion, CreateDate: isoTime(v.CreateDate)})
		}
		page.Policies = append(page.Policies, rp)
	}
	return page
}

func isoTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func docFromSDK(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	b, _ := json.Marshal(*s) // marshalling a string cannot fail
	return b
}

func inlineFromSDK(list []iamtypes.PolicyDetail) []rawInline {
	out := make([]rawInline, 0, len(list))
	for _, p := range list {
		out = append(out, rawInline{PolicyName: aws.ToString(p.PolicyName), PolicyDocument: docFromSDK(p.PolicyDocument)})
	}
	return out
}

func attachedFromSDK(list []iamtypes.AttachedPolicy) []rawAttached {
	out := make([]rawAttached, 0, len(list))
	for _, p := range list {
		out = append(out, rawAttached{PolicyName: aws.ToString(p.PolicyName), PolicyArn: aws.ToString(p.PolicyArn)})
	}
	return out
}

func boundaryFromSDK(b *iamtypes.AttachedPermissionsBoundary) *rawBoundary {
	if b == nil || aws.ToString(b.PermissionsBoundaryArn) == "" {
		return nil
	}
	return &rawBoundary{PermissionsBoundaryType: string(b.PermissionsBoundaryType), PermissionsBoundaryArn: aws.ToString(b.PermissionsBoundaryArn)}
}

func tagsFromSDK(list []iamtypes.Tag) []rawTag {
	out := make([]rawTag, 0, len(list))
	for _, t := range list {
		out = append(out, rawTag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}
