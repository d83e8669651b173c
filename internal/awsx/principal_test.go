package awsx

import (
	"strings"
	"testing"
)

func TestParsePrincipalARN(t *testing.T) {
	tests := []struct {
		arn     string
		want    Principal
		wantErr string
	}{
		{arn: "arn:aws:iam::111122223333:role/app", want: Principal{Kind: KindRole, Path: "/", Name: "app", Account: "111122223333", Partition: "aws"}},
		{arn: "arn:aws:iam::111122223333:user/teams/web/alice", want: Principal{Kind: KindUser, Path: "/teams/web/", Name: "alice", Account: "111122223333", Partition: "aws"}},
		{arn: "arn:aws-cn:iam::111122223333:group/ops", want: Principal{Kind: KindGroup, Path: "/", Name: "ops", Account: "111122223333", Partition: "aws-cn"}},
		{arn: "role/app", wantErr: "not an ARN"},
		{arn: "arn:aws:s3:::bucket/x", wantErr: `service "s3" is not iam`},
		{arn: "arn:aws:iam:us-east-1:111122223333:role/app", wantErr: "no region"},
		{arn: "arn:aws:iam::1111:role/app", wantErr: "not 12 digits"},
		{arn: "arn:aws:iam::111122223333:policy/p", wantErr: `"policy" is not a role, user or group`},
		{arn: "arn:aws:iam::111122223333:role", wantErr: "want role/NAME"},
		{arn: "arn:aws:iam::111122223333:role/path/", wantErr: "name is empty"},
		{arn: "arn:aws:iam::111122223333:role/app-*", wantErr: "wildcard"},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			got, err := ParsePrincipalARN(tt.arn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.ARN = tt.arn
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
