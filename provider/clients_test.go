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
