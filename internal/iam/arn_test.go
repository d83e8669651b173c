package iam

import (
	"strings"
	"testing"
)

func TestSplitARN(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    ARNParts
		wantErr string
	}{
		{in: "arn:aws:s3:::bucket/key", want: ARNParts{"aws", "s3", "", "", "bucket/key"}},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:f:1", want: ARNParts{"aws", "lambda", "us-east-1", "123456789012", "function:f:1"}},
		{in: "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}", want: ARNParts{"aws", "iam", "", "${aws:PrincipalAccount}", "user/${aws:username}"}},
		{in: "arn:${aws:partition}:s3:::b", want: ARNParts{"${aws:partition}", "s3", "", "", "b"}},
		{in: "arn:*:*:*:*:*", want: ARNParts{"*", "*", "*", "*", "*"}},
		{in: "ARN:aws:s3:::b", wantErr: "lower case"},
		{in: "bucket", wantErr: `starts with "arn:"`},
		{in: "", wantErr: `starts with "arn:"`},
		{in: "arn:aws:s3:b", wantErr: "six fields"},
		{in: "arn::s3:::b", wantErr: "partition is empty"},
		{in: "arn:aws::::b", wantErr: "service is empty"},
		{in: "arn:aws:sqs:us-east-1:123456789012:", wantErr: "resource is empty"},
		{in: "arn:aws:s3:::${unclosed", want: ARNParts{"aws", "s3", "", "", "${unclosed"}},
	} {
		got, err := SplitARN(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("SplitARN(%q) error %v, want one with %q", tc.in, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("SplitARN(%q): %v", tc.in, err)
		case got != tc.want:
			t.Errorf("SplitARN(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
