package provider

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/provider/acctest"
)

// TestFindPrincipalRemembersFoundPrincipals: a principal found once is not looked up
// again in the same process; a missing one is, so that it can appear later.
func TestFindPrincipalRemembersFoundPrincipals(t *testing.T) {
	ctx := context.Background()
	srv := acctest.StartSandbox(t)
	c := &Clients{IAM: awsx.NewIAM(srv.AdminConfig(ctx))}
	arn := "arn:aws:iam::111122223333:role/cached"
	if _, err := c.findPrincipal(ctx, arn); !awsx.IsNotFound(err) {
		t.Fatalf("before the role exists: got %v, want a not-found error", err)
	}
	_, err := c.IAM.Client.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("cached"), AssumeRolePolicyDocument: aws.String(trustAccount),
	})
	fatalIf(t, err)
	p, err := c.findPrincipal(ctx, arn)
	fatalIf(t, err)
	if p.Name != "cached" || p.Kind != awsx.KindRole {
		t.Fatalf("found %+v, want role cached", p)
	}
	_, err = c.IAM.Client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("cached")})
	fatalIf(t, err)
	if again, err := c.findPrincipal(ctx, arn); err != nil || again != p {
		t.Fatalf("second look-up: got %+v, %v; want the remembered %+v", again, err, p)
	}
	if _, err := (&Clients{IAM: c.IAM}).findPrincipal(ctx, arn); !awsx.IsNotFound(err) {
		t.Fatalf("a new provider process: got %v, want a not-found error", err)
	}
}

// TestIsAttachedListsOncePerPrincipal: a principal's attachments are listed once per
// process; the provider's own attach and detach drop the listing, a missing principal
// is not remembered.
func TestIsAttachedListsOncePerPrincipal(t *testing.T) {
	ctx := context.Background()
	srv := acctest.StartSandbox(t)
	c := &Clients{IAM: awsx.NewIAM(srv.AdminConfig(ctx))}
	role, err := awsx.ParsePrincipalARN("arn:aws:iam::111122223333:role/holder")
	fatalIf(t, err)
	if _, err := c.isAttached(ctx, role, "arn:aws:iam::111122223333:policy/a"); !awsx.IsNotFound(err) {
		t.Fatalf("before the role exists: got %v, want a not-found error", err)
	}
	_, err = c.IAM.Client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("holder"), AssumeRolePolicyDocument: aws.String(trustAccount)})
	fatalIf(t, err)
	doc := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	a, err := c.IAM.CreatePolicy(ctx, awsx.NewPolicy{Name: "a", Document: doc})
	fatalIf(t, err)
	b, err := c.IAM.CreatePolicy(ctx, awsx.NewPolicy{Name: "b", Document: doc})
	fatalIf(t, err)

	check := func(step, arn string, want bool) {
		t.Helper()
		got, err := c.isAttached(ctx, role, arn)
		if err != nil || got != want {
			t.Errorf("%s: isAttached(%s) = %v, %v; want %v", step, arn, got, err, want)
		}
	}
	fatalIf(t, c.attach(ctx, role, a.ARN))
	check("after attach", a.ARN, true)
	check("after attach", b.ARN, false)
	// Attached behind the provider's back: this process keeps the listing it made.
	fatalIf(t, c.IAM.Attach(ctx, role, b.ARN))
	check("attached outside", b.ARN, false)
	// The provider's own detach drops the listing: the next question lists again.
	fatalIf(t, c.detach(ctx, role, a.ARN))
	check("after detach", a.ARN, false)
	check("after detach", b.ARN, true)
	// Case of the name does not matter to IAM, nor to the listing's key.
	upper, err := awsx.ParsePrincipalARN("arn:aws:iam::111122223333:role/HOLDER")
	fatalIf(t, err)
	if ok, err := c.isAttached(ctx, upper, b.ARN); err != nil || !ok {
		t.Errorf("role/HOLDER: isAttached = %v, %v; want the listing of role/holder", ok, err)
	}
}
