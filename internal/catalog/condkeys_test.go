package catalog

import "testing"

func TestConditionKey(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		in, key, typ string
		global, ok   bool
	}{
		{"aws:SourceIp", "aws:SourceIp", "IPAddress", true, true},
		{"AWS:SOURCEIP", "aws:SourceIp", "IPAddress", true, true},
		{"aws:CurrentTime", "aws:CurrentTime", "Date", true, true},
		{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool", true, true},
		{"aws:PrincipalArn", "aws:PrincipalArn", "ARN", true, true},
		{"aws:CalledVia", "aws:CalledVia", "ArrayOfString", true, true},
		{"aws:TagKeys", "aws:TagKeys", "ArrayOfString", true, true},
		{"aws:RequestTag/Env", "aws:RequestTag/${TagKey}", "String", true, true},
		{"aws:requesttag/team/sub", "aws:RequestTag/${TagKey}", "String", true, true},
		{"aws:ResourceTag/aws:cloudformation:stack-name", "aws:ResourceTag/${TagKey}", "String", true, true},
		{"aws:PrincipalTag/Dept", "aws:PrincipalTag/${TagKey}", "String", true, true},
		{"aws:PrincipalTag/", "", "", false, false}, // the tag key part may not be empty
		{"s3:prefix", "s3:prefix", "String", false, true},
		{"s3:ExistingObjectTag/Class", "s3:ExistingObjectTag/<key>", "String", false, true},
		{"s3:BucketTag/Owner", "s3:BucketTag/${TagKey}", "String", false, true},
		{"iam:PassedToService", "iam:PassedToService", "String", false, true},
		{"ec2:ResourceTag/Name", "ec2:ResourceTag/${TagKey}", "String", false, true},
		{"codebuild:secondarySources/src1.location", "codebuild:secondarySources/${sourceIdentifier}.location", "String", false, true},
		{"ec2:RoleDelivery", "ec2:RoleDelivery", "Numeric", true, true},
		{"aws:NoSuchKey", "", "", false, false},
		{"s3:NoSuchKey", "", "", false, false},
		{"", "", "", false, false},
	} {
		k, ok := c.ConditionKey(tc.in)
		if ok != tc.ok {
			t.Errorf("ConditionKey(%q) found=%v, want %v (%+v)", tc.in, ok, tc.ok, k)
			continue
		}
		if !ok {
			continue
		}
		if k.Key != tc.key || (tc.typ != "" && k.Type != tc.typ) || k.Global != tc.global {
			t.Errorf("ConditionKey(%q) = %+v, want %s %s global=%v", tc.in, *k, tc.key, tc.typ, tc.global)
		}
	}
}

func TestGlobalKeysAreWellFormed(t *testing.T) {
	types := map[string]bool{"String": true, "ARN": true, "Numeric": true, "Date": true, "Bool": true, "IPAddress": true, "ArrayOfString": true}
	seen := map[string]bool{}
	for _, k := range Default().GlobalConditionKeys() {
		if !k.Global || !types[k.Type] || seen[k.Key] {
			t.Errorf("global key %+v: bad type, flag or duplicate", *k)
		}
		seen[k.Key] = true
	}
	if len(seen) < 50 {
		t.Errorf("%d global keys, want the full AWS list", len(seen))
	}
}
