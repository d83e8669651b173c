// Package stsissuer is the direct STS issuer: the broker's own AWS identity calls
// sts:AssumeRole on the profile's role with the grant's bounded session policy, the
// grant id as session name and source identity, and a duration clamped to the time
// left (at least AWS's 15 minutes; the session policy ends access at the grant's end).
// It also fences revoked grants: an inline deny on the role for their sessions.
//
// The broker's identity needs sts:AssumeRole and sts:SetSourceIdentity on the roles
// (the roles' trust policies must allow both), and iam:GetRole, iam:PutRolePolicy and
// iam:DeleteRolePolicy on them for fences.
package stsissuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/internal/iam"
)

// FencePolicyName is the name of the inline role policy that holds fences.
const FencePolicyName = "ciem-revoked-grants"

// AWS limits on AssumeRole durations.
const (
	minSession     = 15 * time.Minute
	defaultRoleMax = time.Hour
	roleMaxTTL     = 10 * time.Minute // how long a role's MaxSessionDuration is cached
)

// Issuer issues credentials with sts:AssumeRole.
type Issuer struct {
	sts   *sts.Client
	iam   *awsiam.Client
	clock clock.Clock

	mu      sync.Mutex
	roleMax map[string]cachedMax
}

type cachedMax struct {
	max time.Duration
	at  time.Time
}

var (
	_ issuer.Issuer = (*Issuer)(nil)
	_ issuer.Fencer = (*Issuer)(nil)
)

// New returns an issuer calling AWS with cfg (the broker's identity).
func New(cfg aws.Config, clk clock.Clock) *Issuer {
	return &Issuer{sts: sts.NewFromConfig(cfg), iam: awsiam.NewFromConfig(cfg), clock: clk, roleMax: map[string]cachedMax{}}
}

// Issue assumes the grant's role until its end.
func (i *Issuer) Issue(ctx context.Context, g issuer.Grant) (issuer.Issued, error) {
	now := i.clock.Now()
	left := g.EndsAt.Sub(now)
	if left <= 0 {
		return issuer.Issued{}, fmt.Errorf("grant %s ended at %s", g.ID, g.EndsAt.Format(time.RFC3339))
	}
	policy, err := issuer.BoundPolicy(g.SessionPolicy, g.EndsAt)
	if err != nil {
		return issuer.Issued{}, fmt.Errorf("grant %s: %w", g.ID, err)
	}
	duration := clamp(left.Round(time.Second)+time.Second, minSession, i.maxSession(ctx, g.RoleARN))
	out, err := i.sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(g.RoleARN),
		RoleSessionName: aws.String(g.ID),
		SourceIdentity:  aws.String(g.ID),
		DurationSeconds: aws.Int32(int32(duration / time.Second)),
		Policy:          aws.String(policy),
	})
	if err != nil {
		return issuer.Issued{}, fmt.Errorf("assuming %s for grant %s: %w", g.RoleARN, g.ID, err)
	}
	c := out.Credentials
	expires := aws.ToTime(c.Expiration)
	exp := expires
	if exp.After(g.EndsAt) {
		exp = g.EndsAt
	}
	return issuer.Issued{
		Credentials: issuer.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
			SessionToken: aws.ToString(c.SessionToken), Expiration: exp},
		Expires: expires,
	}, nil
}

// Revoke has nothing to take back: STS sessions cannot be revoked. Their time is
// bounded by the session policy, and the broker fences early revocations (SetFences).
func (i *Issuer) Revoke(context.Context, issuer.Grant, []string) error { return nil }

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

// maxSession is the role's MaxSessionDuration (cached), or AWS's default of one hour
// when it cannot be read.
func (i *Issuer) maxSession(ctx context.Context, roleARN string) time.Duration {
	now := i.clock.Now()
	i.mu.Lock()
	c, ok := i.roleMax[roleARN]
	i.mu.Unlock()
	if ok && now.Sub(c.at) < roleMaxTTL {
		return c.max
	}
	m := defaultRoleMax
	if name, err := roleName(roleARN); err == nil {
		out, err := i.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(name)})
		if err == nil && out.Role != nil && out.Role.MaxSessionDuration != nil {
			m = time.Duration(*out.Role.MaxSessionDuration) * time.Second
		}
	}
	i.mu.Lock()
	i.roleMax[roleARN] = cachedMax{m, now}
	i.mu.Unlock()
	return m
}

// roleName is the name part of a role ARN (its path dropped).
func roleName(roleARN string) (string, error) {
	i := strings.LastIndexByte(roleARN, '/')
	if !strings.Contains(roleARN, ":role/") || i < 0 || i == len(roleARN)-1 {
		return "", fmt.Errorf("%q is not a role ARN", roleARN)
	}
	return roleARN[i+1:], nil
}

// SetFences writes the role's fence policy: one Deny of every action for sessions named
// after a fenced grant (aws:userid is "<role id>:<session name>", and both issuers name
// sessions after the grant; Vault's engine sets no source identity) that were issued
// before the latest fence end. With no fences it deletes the policy.
func (i *Issuer) SetFences(ctx context.Context, roleARN string, fences []issuer.Fence) error {
	name, err := roleName(roleARN)
	if err != nil {
		return err
	}
	if len(fences) == 0 {
		_, err := i.iam.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(FencePolicyName)})
		var nse *iamtypes.NoSuchEntityException
		if err != nil && !errors.As(err, &nse) {
			return fmt.Errorf("deleting %s from role %s: %w", FencePolicyName, name, err)
		}
		return nil
	}
	doc, err := FencePolicy(fences)
	if err != nil {
		return err
	}
	if _, err := i.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(FencePolicyName),
		PolicyDocument: aws.String(doc)}); err != nil {
		return fmt.Errorf("writing %s on role %s: %w", FencePolicyName, name, err)
	}
	return nil
}

// FencePolicy is the fence policy document for fences (at least one).
func FencePolicy(fences []issuer.Fence) (string, error) {
	ids := make([]string, 0, len(fences))
	var before time.Time
	for _, f := range fences {
		ids = append(ids, "*:"+f.GrantID)
		if f.IssuedBefore.After(before) {
			before = f.IssuedBefore
		}
	}
	sort.Strings(ids)
	// Round up: aws:TokenIssueTime has whole seconds.
	beforeText := before.UTC().Truncate(time.Second).Add(time.Second).Format(issuer.AWSTimeFormat)
	doc, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid": "CiemRevokedGrants", "Effect": "Deny", "Action": "*", "Resource": "*",
			"Condition": map[string]any{
				"StringLike":   map[string]any{"aws:userid": ids},
				"DateLessThan": map[string]any{"aws:TokenIssueTime": beforeText},
			},
		}},
	})
	if err != nil {
		return "", err
	}
	if size := iam.PolicySize(doc); size > iam.SizeLimit(iam.KindInlineRole) {
		return "", fmt.Errorf("fence policy for %d revoked grants is %d characters, over IAM's %d for a role's inline policies: too many revoked grants with live sessions on one role",
			len(fences), size, iam.SizeLimit(iam.KindInlineRole))
	}
	return string(doc), nil
}
