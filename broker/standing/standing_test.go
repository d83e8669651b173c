package standing_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/broker/brokertest"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/standing"
	"github.com/ciem/ciem/internal/awstest"
)

const acct = "arn:aws:iam::" + awstest.DefaultAccount + ":"

// writerPolicy is the grant: read and write the data bucket's objects, pass any role.
const writerPolicy = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/*"},
	{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`

const (
	readOnly   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	runsEC2    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}`
	allS3      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	s3ReadOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`
)

// seed creates the IAM principals the cases map requesters to.
func seed(t *testing.T, ctx context.Context, c *awsiam.Client) {
	t.Helper()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, doc := range map[string]string{"alice": readOnly, "builder": runsEC2, "bounded": allS3} {
		must(c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}))
		must(c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
	}
	b, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("s3-read-boundary"), PolicyDocument: aws.String(s3ReadOnly)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: b.Policy.Arn}))
	must(c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("readers")}))
	must(c.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("p"), PolicyDocument: aws.String(readOnly)}))
}

func TestPreviewSubtractsStandingAccess(t *testing.T) {
	whole := map[string][]string{"Write": {"iam:PassRole", "s3:PutObject"}, "Read": {"s3:GetObject"}}
	added := map[string][]string{"Write": {"iam:PassRole", "s3:PutObject"}}
	cases := []struct {
		name      string
		cfg       standing.Config
		badCreds  bool
		wantLevel map[string][]string
		wantRules []string
		wantErr   string // domain error code
	}{
		{name: "mapped to a read-only user", cfg: standing.Config{Users: map[string][]string{"alice": {acct + "user/alice"}}},
			wantLevel: added, wantRules: []string{"unrestricted-passrole"}},
		{name: "mapped by the user pattern", cfg: standing.Config{UserPattern: acct + "user/{subject}"},
			wantLevel: added, wantRules: []string{"unrestricted-passrole"}},
		{name: "mapped through a group to an IAM group", cfg: standing.Config{Groups: map[string][]string{"dev": {acct + "group/readers"}}},
			wantLevel: added, wantRules: []string{"unrestricted-passrole"}},
		{name: "mapped to nothing", cfg: standing.Config{Users: map[string][]string{"bob": {acct + "user/alice"}}},
			wantLevel: whole, wantRules: []string{"unrestricted-passrole"}},
		{name: "mapped to a user that does not exist", cfg: standing.Config{Users: map[string][]string{"alice": {acct + "user/ghost"}}},
			wantLevel: whole, wantRules: []string{"unrestricted-passrole"}},
		{name: "standing can launch instances: the grant's PassRole makes an escalation path",
			cfg:       standing.Config{Users: map[string][]string{"alice": {acct + "user/builder"}}},
			wantLevel: whole, wantRules: []string{"unrestricted-passrole", "passrole-ec2-run-instances"}},
		{name: "the boundary limits standing access to reads", cfg: standing.Config{Users: map[string][]string{"alice": {acct + "user/bounded"}}},
			wantLevel: added, wantRules: []string{"unrestricted-passrole"}},
		{name: "AWS refuses the broker's credentials", cfg: standing.Config{Users: map[string][]string{"alice": {acct + "user/alice"}}},
			badCreds: true, wantErr: "standing_access"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := brokertest.New(t, "sqlite")
			admin := b.AWS.AdminConfig(b.Ctx)
			seed(t, b.Ctx, awsiam.NewFromConfig(admin))
			p := brokertest.Profile("writer")
			p.SessionPolicy = writerPolicy
			b.PutProfile(p)
			creds := admin
			if tc.badCreds {
				creds = b.AWS.ConfigFor(awstest.Credentials{AccessKeyID: "AKIANOBODY0000000000", SecretAccessKey: "wrong"})
			}
			src, err := standing.New(tc.cfg, creds, b.Clock)
			if err != nil {
				t.Fatal(err)
			}
			b.Svc.Standing = src
			r, err := b.Svc.Create(b.Ctx, brokertest.Alice, domain.CreateInput{Profile: "writer", Duration: time.Hour, Reason: "deploy"})
			if err != nil {
				t.Fatal(err)
			}
			pv, err := b.Svc.Preview(b.Ctx, brokertest.Bob, r.ID)
			if tc.wantErr != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != tc.wantErr || de.Kind != domain.KindUnavailable {
					t.Fatalf("preview error = %v, want an unavailable %s error", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, l := range pv.Diff.ByAccessLevel {
				if len(l.Removed) > 0 {
					t.Errorf("level %s lists removed actions %v: approving takes nothing away", l.Level, l.Removed)
				}
				got[l.Level] = l.Added
			}
			if len(pv.Diff.Removed) > 0 {
				t.Errorf("diff lists removed %v", pv.Diff.Removed)
			}
			if !equalLevels(got, tc.wantLevel) {
				t.Errorf("added by access level = %v, want %v", got, tc.wantLevel)
			}
			var rules []string
			for _, f := range pv.Findings {
				rules = append(rules, f.Rule)
			}
			if !slices.Equal(rules, tc.wantRules) {
				t.Errorf("findings = %v, want %v", rules, tc.wantRules)
			}
		})
	}
}

func equalLevels(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestCache shows that policies are reused within the TTL and read again after it.
func TestCache(t *testing.T) {
	b := brokertest.New(t, "sqlite")
	admin := b.AWS.AdminConfig(b.Ctx)
	c := awsiam.NewFromConfig(admin)
	seed(t, b.Ctx, c)
	src, err := standing.New(standing.Config{Users: map[string][]string{"alice": {acct + "user/alice"}}, CacheTTL: time.Minute}, admin, b.Clock)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		ps, err := src.Standing(b.Ctx, "alice", nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	if n := count(); n != 1 {
		t.Fatalf("standing policies = %d, want 1", n)
	}
	if _, err := c.DeleteUserPolicy(b.Ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("within the cache TTL: %d policies, want the cached 1", n)
	}
	b.Clock.Advance(time.Minute)
	if n := count(); n != 0 {
		t.Errorf("after the cache TTL: %d policies, want 0", n)
	}
}
