package awsx

import (
	"context"
	"fmt"
	"net/url"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// MaxPolicyVersions is how many versions IAM keeps of a customer managed policy.
const MaxPolicyVersions = 5

// ManagedPolicy is a customer (or AWS) managed policy and its default version's document.
type ManagedPolicy struct {
	ARN              string
	ID               string // IAM's unique ID (ANPA...): a policy deleted and made again gets a new one
	Name             string
	Path             string
	Description      string
	DefaultVersionID string
	AttachmentCount  int
	Document         []byte // the default version's JSON, decoded
}

// NewPolicy is what CreatePolicy creates.
type NewPolicy struct {
	Name        string
	Path        string // "" is "/"
	Description string
	Document    []byte
}

// CreatePolicy creates a customer managed policy; its first version (v1) is the default.
func (x *IAM) CreatePolicy(ctx context.Context, in NewPolicy) (ManagedPolicy, error) {
	path := in.Path
	if path == "" {
		path = "/"
	}
	input := &iam.CreatePolicyInput{
		PolicyName:     aws.String(in.Name),
		Path:           aws.String(path),
		PolicyDocument: aws.String(string(in.Document)),
	}
	if in.Description != "" {
		input.Description = aws.String(in.Description)
	}
	out, err := x.Client.CreatePolicy(ctx, input)
	if err != nil {
		return ManagedPolicy{}, fmt.Errorf("creating policy %s%s: %w", path, in.Name, err)
	}
	p := fromPolicy(out.Policy)
	p.Document = in.Document
	return p, nil
}

// GetPolicy reads a managed policy and its default version's document. A missing policy
// is an error for which IsNotFound holds.
func (x *IAM) GetPolicy(ctx context.Context, arn string) (ManagedPolicy, error) {
	p, err := x.GetPolicyMetadata(ctx, arn)
	if err != nil {
		return ManagedPolicy{}, err
	}
	doc, err := x.PolicyVersionDocument(ctx, arn, p.DefaultVersionID)
	if err != nil {
		return ManagedPolicy{}, err
	}
	p.Document = doc
	return p, nil
}

// GetPolicyMetadata reads a managed policy without its document: one call where GetPolicy
// makes two. Versions never change once made, so a caller that knows the document of the
// default version (same ID, same policy ID) needs no more.
func (x *IAM) GetPolicyMetadata(ctx context.Context, arn string) (ManagedPolicy, error) {
	out, err := x.Client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return ManagedPolicy{}, fmt.Errorf("reading policy %s: %w", arn, notFound(err, "policy "+arn))
	}
	return fromPolicy(out.Policy), nil
}

// PolicyVersionDocument reads one version's document.
func (x *IAM) PolicyVersionDocument(ctx context.Context, arn, versionID string) ([]byte, error) {
	out, err := x.Client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
		PolicyArn: aws.String(arn),
		VersionId: aws.String(versionID),
	})
	if err != nil {
		return nil, fmt.Errorf("reading version %s of policy %s: %w", versionID, arn, notFound(err, "policy version "+versionID))
	}
	return decodeDocument(out.PolicyVersion.Document, arn)
}

// PolicyVersion is one stored version of a managed policy.
type PolicyVersion struct {
	ID        string
	IsDefault bool
	Created   string // as IAM reports it (RFC 3339), for display
	created   int64
}

// ListPolicyVersions lists a policy's versions, oldest first.
func (x *IAM) ListPolicyVersions(ctx context.Context, arn string) ([]PolicyVersion, error) {
	var vs []PolicyVersion
	pages := iam.NewListPolicyVersionsPaginator(x.Client, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing versions of policy %s: %w", arn, notFound(err, "policy "+arn))
		}
		for _, v := range page.Versions {
			pv := PolicyVersion{ID: aws.ToString(v.VersionId), IsDefault: v.IsDefaultVersion}
			if v.CreateDate != nil {
				pv.Created = v.CreateDate.UTC().Format("2006-01-02T15:04:05Z")
				pv.created = v.CreateDate.UnixNano()
			}
			vs = append(vs, pv)
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].created != vs[j].created {
			return vs[i].created < vs[j].created
		}
		return versionNumber(vs[i].ID) < versionNumber(vs[j].ID)
	})
	return vs, nil
}

// SetDocument makes doc the policy's default version: it deletes the oldest non-default
// versions first when the policy already holds IAM's five, then creates the new version as
// the default. It returns the new version's ID. Older versions are kept (up to the limit)
// so that a change can be rolled back in IAM.
func (x *IAM) SetDocument(ctx context.Context, arn string, doc []byte) (string, error) {
	vs, err := x.ListPolicyVersions(ctx, arn)
	if err != nil {
		return "", err
	}
	if err := x.pruneVersions(ctx, arn, vs, MaxPolicyVersions-1); err != nil {
		return "", err
	}
	out, err := x.Client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
		PolicyArn:      aws.String(arn),
		PolicyDocument: aws.String(string(doc)),
		SetAsDefault:   true,
	})
	if err != nil {
		return "", fmt.Errorf("creating a new version of policy %s: %w", arn, notFound(err, "policy "+arn))
	}
	return aws.ToString(out.PolicyVersion.VersionId), nil
}

// pruneVersions deletes the oldest non-default versions until at most keep remain.
func (x *IAM) pruneVersions(ctx context.Context, arn string, vs []PolicyVersion, keep int) error {
	excess := len(vs) - keep
	for _, v := range vs {
		if excess <= 0 {
			break
		}
		if v.IsDefault {
			continue
		}
		if err := x.deleteVersion(ctx, arn, v.ID); err != nil {
			return err
		}
		excess--
	}
	return nil
}

func (x *IAM) deleteVersion(ctx context.Context, arn, id string) error {
	_, err := x.Client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{
		PolicyArn: aws.String(arn),
		VersionId: aws.String(id),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("deleting version %s of policy %s: %w", id, arn, err)
	}
	return nil
}

// DeletePolicy deletes a managed policy and all its versions. It does not detach the
// policy: IAM refuses (DeleteConflict) while the policy is attached anywhere, and that
// error is returned as it is so that the caller can say where. A policy already gone is
// not an error.
func (x *IAM) DeletePolicy(ctx context.Context, arn string) error {
	vs, err := x.ListPolicyVersions(ctx, arn)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := x.pruneVersions(ctx, arn, vs, 1); err != nil {
		return err
	}
	_, err = x.Client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("deleting policy %s: %w", arn, err)
	}
	return nil
}

func fromPolicy(p *types.Policy) ManagedPolicy {
	if p == nil {
		return ManagedPolicy{}
	}
	return ManagedPolicy{
		ARN:              aws.ToString(p.Arn),
		ID:               aws.ToString(p.PolicyId),
		Name:             aws.ToString(p.PolicyName),
		Path:             aws.ToString(p.Path),
		Description:      aws.ToString(p.Description),
		DefaultVersionID: aws.ToString(p.DefaultVersionId),
		AttachmentCount:  int(aws.ToInt32(p.AttachmentCount)),
	}
}

// decodeDocument undoes the URL encoding IAM applies to policy documents in responses.
func decodeDocument(doc *string, arn string) ([]byte, error) {
	if doc == nil {
		return nil, fmt.Errorf("policy %s: IAM returned no document", arn)
	}
	s, err := url.PathUnescape(*doc) // RFC 3986: "+" is a plus sign, not a space
	if err != nil {
		return nil, fmt.Errorf("policy %s: decoding the document IAM returned: %w", arn, err)
	}
	return []byte(s), nil
}

// versionNumber reads "v12" as 12 (0 for anything else), to order versions created in
// the same second.
func versionNumber(id string) int {
	n := 0
	if len(id) < 2 || id[0] != 'v' {
		return 0
	}
	for _, c := range id[1:] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
