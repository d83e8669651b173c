package simcase

import (
	"reflect"
	"testing"
)

func TestARNFitsPattern(t *testing.T) {
	tests := []struct {
		arn, pattern string
		want         bool
	}{
		{"arn:aws:s3:::bucket/key", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", true},
		{"arn:aws:s3:::bucket/a/b/c", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", true},
		{"arn:aws:s3:::bucket", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", false},
		{"arn:aws:s3:::bucket", "arn:${Partition}:s3:::${BucketName}", true},
		// A placeholder that is the whole component does not cross '/' or ':'.
		{"arn:aws:s3:::bucket/key", "arn:${Partition}:s3:::${BucketName}", false},
		// Literal text is case-insensitive, placeholders need at least one character.
		{"arn:aws:IAM::111122223333:ROLE/x", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", true},
		{"arn:aws:iam::111122223333:role/", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", false},
		{"arn:aws:iam::111122223333:role/path/name", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", true},
		// Empty components must be empty on both sides.
		{"arn:aws:iam:us-east-1:111122223333:role/x", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", false},
		{"arn:aws:s3:::b", "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}", false},
		// Too few fields.
		{"arn:aws:s3", "arn:${Partition}:s3:::${BucketName}", false},
		// A literal '*' in a type pattern matches any run (DMS writes types so).
		{"arn:aws:dms:us-east-1:111122223333:rep:ABC123", "arn:${Partition}:dms:${Region}:${Account}:rep:*", true},
		{"arn:aws:dms:us-east-1:111122223333:rep:", "arn:${Partition}:dms:${Region}:${Account}:rep:*", true},
		{"arn:aws:dms:us-east-1:111122223333:task:x", "arn:${Partition}:dms:${Region}:${Account}:rep:*", false},
		// Resource parts with colons.
		{"arn:aws:lambda:us-east-1:111122223333:function:f:1", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Qualifier}", true},
		{"arn:aws:lambda:us-east-1:111122223333:function:f", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Qualifier}", false},
		{"arn:aws:lambda:us-east-1:111122223333:function:f", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", true},
	}
	for _, tt := range tests {
		if got := arnFitsPattern(tt.arn, tt.pattern); got != tt.want {
			t.Errorf("arnFitsPattern(%q, %q) = %v, want %v", tt.arn, tt.pattern, got, tt.want)
		}
	}
}

func TestMostSpecificFits(t *testing.T) {
	tests := []struct {
		name     string
		arn      string
		patterns []string
		want     []int
	}{
		{
			name:     "a child pattern refines its parent",
			arn:      "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/R",
			patterns: []string{"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:${Partition}:iam::${Account}:role/aws-service-role/${ServiceName}/${RoleName}"},
			want:     []int{1},
		},
		{
			name:     "two unrelated types both fit",
			arn:      "arn:aws:svc:us-east-1:111122223333:thing/a",
			patterns: []string{"arn:${Partition}:svc:${Region}:${Account}:${Any}", "arn:${Partition}:svc:${Region}:${Account}:thing/${Id}", "arn:${Partition}:svc:${Region}:${Account}:${A}/${B}"},
			want:     []int{1, 2},
		},
		{
			name:     "none",
			arn:      "arn:aws:s3:::bucket",
			patterns: []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"},
			want:     nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mostSpecificFits(tt.arn, tt.patterns); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mostSpecificFits = %v, want %v", got, tt.want)
			}
		})
	}
}
