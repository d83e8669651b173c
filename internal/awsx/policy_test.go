package awsx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func doc(action string) []byte {
	return fmt.Appendf(nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"%s","Resource":"*"}]}`, action)
}

func TestPolicyVersionsArePrunedWithinTheLimit(t *testing.T) {
	x, _ := startSandbox(t)
	ctx := context.Background()
	p, err := x.CreatePolicy(ctx, NewPolicy{Name: "reader", Path: "/ciem/", Description: "test", Document: doc("s3:GetObject")})
	if err != nil {
		t.Fatal(err)
	}
	if p.ARN != "arn:aws:iam::111122223333:policy/ciem/reader" || p.DefaultVersionID != "v1" {
		t.Fatalf("created %+v", p)
	}
	actions := []string{"s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketTagging", "sqs:SendMessage", "sqs:ReceiveMessage"}
	for i, a := range actions {
		id, err := x.SetDocument(ctx, p.ARN, doc(a))
		if err != nil {
			t.Fatalf("version %d: %v", i+2, err)
		}
		if want := fmt.Sprintf("v%d", i+2); id != want {
			t.Errorf("new version = %s, want %s", id, want)
		}
	}
	vs, err := x.ListPolicyVersions(ctx, p.ARN)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
		if v.IsDefault != (v.ID == "v7") {
			t.Errorf("%s default = %v", v.ID, v.IsDefault)
		}
	}
	if got, want := strings.Join(ids, ","), "v3,v4,v5,v6,v7"; got != want {
		t.Errorf("versions = %s, want %s (oldest pruned first)", got, want)
	}
	got, err := x.GetPolicy(ctx, p.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Document) != string(doc("sqs:ReceiveMessage")) || got.DefaultVersionID != "v7" || got.Description != "test" || got.Path != "/ciem/" {
		t.Errorf("read back %+v with document %s", got, got.Document)
	}
}

func TestAttachDetachAndDelete(t *testing.T) {
	x, _ := startSandbox(t)
	ctx := context.Background()
	p, err := x.CreatePolicy(ctx, NewPolicy{Name: "shared", Document: doc("s3:GetObject")})
	if err != nil {
		t.Fatal(err)
	}
	arns := []string{
		"arn:aws:iam::111122223333:role/svc/app",
		"arn:aws:iam::111122223333:user/alice",
		"arn:aws:iam::111122223333:group/ops",
	}
	for _, arn := range arns {
		pr, err := x.FindPrincipal(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Attach(ctx, pr, p.ARN); err != nil {
			t.Fatal(err)
		}
		ok, err := x.IsAttached(ctx, pr, p.ARN)
		if err != nil || !ok {
			t.Fatalf("%s: attached = %v, %v", arn, ok, err)
		}
	}
	ents, err := x.PolicyEntities(ctx, p.ARN)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.ARN)
	}
	if strings.Join(got, " ") != strings.Join(arns, " ") {
		t.Errorf("entities = %v, want %v", got, arns)
	}
	if err := x.DeletePolicy(ctx, p.ARN); err == nil || !hasCode(err, "DeleteConflict") {
		t.Fatalf("deleting an attached policy: %v, want DeleteConflict", err)
	}
	for _, arn := range arns {
		pr, _ := ParsePrincipalARN(arn)
		if err := x.Detach(ctx, pr, p.ARN); err != nil {
			t.Fatal(err)
		}
		if err := x.Detach(ctx, pr, p.ARN); err != nil {
			t.Fatalf("detaching twice: %v", err)
		}
		if ok, err := x.IsAttached(ctx, pr, p.ARN); err != nil || ok {
			t.Fatalf("%s: attached after detach = %v, %v", arn, ok, err)
		}
	}
	if _, err := x.SetDocument(ctx, p.ARN, doc("s3:PutObject")); err != nil {
		t.Fatal(err)
	}
	if err := x.DeletePolicy(ctx, p.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := x.GetPolicy(ctx, p.ARN); !IsNotFound(err) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("reading a deleted policy: %v, want not found", err)
	}
	if err := x.DeletePolicy(ctx, p.ARN); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestFindPrincipal(t *testing.T) {
	x, _ := startSandbox(t)
	ctx := context.Background()
	tests := []struct {
		arn      string
		notFound bool
	}{
		{arn: "arn:aws:iam::111122223333:role/svc/app"},
		{arn: "arn:aws:iam::111122223333:role/app", notFound: true}, // right name, wrong path
		{arn: "arn:aws:iam::111122223333:role/svc/nope", notFound: true},
		{arn: "arn:aws:iam::111122223333:user/alice"},
		{arn: "arn:aws:iam::111122223333:group/nope", notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			p, err := x.FindPrincipal(ctx, tt.arn)
			if tt.notFound {
				if !IsNotFound(err) {
					t.Fatalf("error = %v, want not found", err)
				}
				return
			}
			if err != nil || p.ARN != tt.arn {
				t.Fatalf("got %+v, %v", p, err)
			}
		})
	}
}

func TestReadPrincipalPolicies(t *testing.T) {
	x, _ := startSandbox(t)
	ctx := context.Background()
	p, err := x.CreatePolicy(ctx, NewPolicy{Name: "mine", Document: doc("s3:GetObject")})
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := ParsePrincipalARN("arn:aws:iam::111122223333:user/alice")
	if err := x.Attach(ctx, alice, p.ARN); err != nil {
		t.Fatal(err)
	}
	if err := x.Attach(ctx, alice, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	pp, err := x.ReadPrincipalPolicies(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(pp.Managed) != 2 || pp.Managed[0].ARN != p.ARN || string(pp.Managed[0].Document) != string(doc("s3:GetObject")) ||
		pp.Managed[1].Name != "ReadOnlyAccess" || len(pp.Managed[1].Document) == 0 {
		t.Errorf("managed = %+v", pp.Managed)
	}
	// The inline document keeps its "+" through IAM's URL encoding.
	if len(pp.Inline) != 1 || pp.Inline[0].Name != "inline" || !strings.Contains(string(pp.Inline[0].Document), `"a+b c"`) {
		t.Errorf("inline = %+v", pp.Inline)
	}
	nobody, _ := ParsePrincipalARN("arn:aws:iam::111122223333:role/nobody")
	if _, err := x.ReadPrincipalPolicies(ctx, nobody); !IsNotFound(err) {
		t.Errorf("reading a missing role: %v, want not found", err)
	}
}
