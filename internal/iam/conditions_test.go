package iam

import (
	"encoding/json"
	"math"
	"testing"
)

// condCase is one condition (operator, key, values) against a request context: want
// says whether it holds. Each case also runs as a scenario (an Allow with the condition)
// against the reference simulator.
type condCase struct {
	op         string
	key        string
	vals       []string
	ctx        []ctxKV
	want       bool
	version    string // "" = 2012-10-17
	refDiffers string
}

const (
	refIPv4Slash0   = "the reference's 32-bit mask (-1 << 32) makes a /0 match only 0.0.0.0; AWS (IpAddress: CIDR notation, RFC 4632) matches every IPv4 address with 0.0.0.0/0"
	refEpochMixed   = "the reference compares epoch values in seconds with ISO dates in milliseconds; AWS (Date condition operators) reads epoch values as seconds"
	refVersion      = "the reference expands variables in every policy; AWS (Policy variables) treats ${...} as literal text unless Version is 2012-10-17"
	refUnknownOp    = "the reference lets an unknown operator with 'Not' in its name (or ForAllValues:) match a missing key; AWS rejects unknown operators (MalformedPolicyDocument), and ciem never lets one match"
	refEmbeddedIPv4 = "the reference reads the dotted IPv4 tail of an IPv6 address as one hex group; AWS takes IPv6 addresses as RFC 4291 writes them, where ::ffff:192.0.2.0 is ::ffff:c000:200"
	refAccountVar   = "the reference splits ARNs at the colon inside ${aws:PrincipalAccount}; AWS's managed policies use variables in the account segment"
)

var (
	user      = one("aws:username", "alice")
	tagKeysA  = many("aws:TagKeys", "a")
	mfaAge    = func(v string) ctxKV { return one("aws:MultiFactorAuthAge", v) }
	now       = func(v string) ctxKV { return one("aws:CurrentTime", v) }
	secure    = func(v string) ctxKV { return one("aws:SecureTransport", v) }
	sourceIP  = func(v string) ctxKV { return one("aws:SourceIp", v) }
	principal = one("aws:PrincipalArn", appRole)
	sourceARN = func(v string) ctxKV { return one("aws:SourceArn", v) }
)

var conditionCases = []condCase{
	// Strings.
	{op: "StringEquals", key: "aws:username", vals: []string{"alice"}, ctx: []ctxKV{user}, want: true},
	{op: "StringEquals", key: "AWS:UserName", vals: []string{"alice"}, ctx: []ctxKV{user}, want: true},
	{op: "StringEquals", key: "aws:username", vals: []string{"Alice"}, ctx: []ctxKV{user}, want: false},
	{op: "StringEquals", key: "aws:username", vals: []string{"bob", "alice"}, ctx: []ctxKV{user}, want: true},
	{op: "StringEquals", key: "aws:username", vals: []string{"alice"}, want: false},
	{op: "StringEquals", key: "aws:username", vals: []string{"ali*"}, ctx: []ctxKV{user}, want: false},
	{op: "StringEquals", key: "aws:username", vals: []string{"ali*"}, ctx: []ctxKV{one("aws:username", "ali*")}, want: true},
	{op: "StringEquals", key: "aws:username", vals: []string{""}, ctx: []ctxKV{one("aws:username", "")}, want: true},
	{op: "StringEquals", key: "aws:username", vals: []string{"${aws:PrincipalTag/owner}"}, ctx: []ctxKV{user, one("aws:PrincipalTag/owner", "alice")}, want: true},
	{op: "StringEquals", key: "aws:username", vals: []string{"${aws:PrincipalTag/owner}"}, ctx: []ctxKV{user}, want: false},
	{op: "StringEquals", key: "aws:username", vals: []string{"${aws:PrincipalTag/owner, 'alice'}"}, ctx: []ctxKV{user}, want: true},
	{op: "StringEquals", key: "aws:username", vals: []string{"${aws:PrincipalTag/owner}"}, ctx: []ctxKV{user, one("aws:PrincipalTag/owner", "alice")}, want: false, version: Version2008, refDiffers: refVersion},
	{op: "StringEquals", key: "aws:username", vals: []string{"a${*}"}, ctx: []ctxKV{one("aws:username", "a${*}")}, want: true},
	{op: "StringEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{tagKeysA}, want: false}, // a multi-valued key needs a set operator
	{op: "StringNotEquals", key: "aws:username", vals: []string{"bob"}, ctx: []ctxKV{user}, want: true},
	{op: "StringNotEquals", key: "aws:username", vals: []string{"bob", "alice"}, ctx: []ctxKV{user}, want: false},
	{op: "StringNotEquals", key: "aws:username", vals: []string{"bob"}, want: true},
	{op: "StringNotEquals", key: "aws:username", vals: []string{"bob", "${aws:PrincipalTag/x}"}, ctx: []ctxKV{user}, want: false},
	{op: "StringNotEquals", key: "aws:username", vals: []string{"x${aws:PrincipalTag/x}"}, ctx: []ctxKV{user, one("aws:PrincipalTag/x", "")}, want: true},
	{op: "StringNotEquals", key: "aws:TagKeys", vals: []string{"b"}, ctx: []ctxKV{tagKeysA}, want: false},
	{op: "StringNotEqualsIfExists", key: "aws:TagKeys", vals: []string{"b"}, ctx: []ctxKV{tagKeysA}, want: false},
	{op: "StringEqualsIgnoreCase", key: "aws:username", vals: []string{"ALICE"}, ctx: []ctxKV{user}, want: true},
	{op: "StringEqualsIgnoreCase", key: "aws:username", vals: []string{"ALIC"}, ctx: []ctxKV{user}, want: false},
	{op: "StringNotEqualsIgnoreCase", key: "aws:username", vals: []string{"ALICE"}, ctx: []ctxKV{user}, want: false},
	{op: "StringNotEqualsIgnoreCase", key: "aws:username", vals: []string{"ALICE"}, want: true},
	{op: "StringLike", key: "aws:username", vals: []string{"ali*"}, ctx: []ctxKV{user}, want: true},
	{op: "StringLike", key: "aws:username", vals: []string{"a?ice"}, ctx: []ctxKV{user}, want: true},
	{op: "StringLike", key: "aws:username", vals: []string{"A*"}, ctx: []ctxKV{user}, want: false},
	{op: "StringLike", key: "aws:username", vals: []string{"bob*", "*"}, ctx: []ctxKV{user}, want: true},
	{op: "StringLike", key: "aws:username", vals: []string{"*"}, want: false},
	{op: "StringLike", key: "aws:username", vals: []string{"${aws:PrincipalTag/team}-*"}, ctx: []ctxKV{one("aws:username", "red-alice"), one("aws:PrincipalTag/team", "red")}, want: true},
	{op: "StringLike", key: "aws:username", vals: []string{"a${*}"}, ctx: []ctxKV{one("aws:username", "a*")}, want: true},
	{op: "StringLike", key: "aws:username", vals: []string{"a${*}"}, ctx: []ctxKV{one("aws:username", "ab")}, want: false},
	{op: "StringNotLike", key: "aws:username", vals: []string{"bob*"}, ctx: []ctxKV{user}, want: true},
	{op: "StringNotLike", key: "aws:username", vals: []string{"bob*", "al*"}, ctx: []ctxKV{user}, want: false},
	{op: "StringNotLike", key: "aws:username", vals: []string{"bob*"}, want: true},
	{op: "StringLikeIfExists", key: "aws:username", vals: []string{"bob*"}, want: true},
	{op: "StringLikeIfExists", key: "aws:username", vals: []string{"bob*"}, ctx: []ctxKV{user}, want: false},
	{op: "stringequalsifexists", key: "aws:username", vals: []string{"alice"}, ctx: []ctxKV{user}, want: true},

	// Set operators and multi-valued keys.
	{op: "ForAllValues:StringEquals", key: "aws:TagKeys", vals: []string{"a", "b"}, ctx: []ctxKV{tagKeysA}, want: true},
	{op: "ForAllValues:StringEquals", key: "aws:TagKeys", vals: []string{"a", "b"}, ctx: []ctxKV{many("aws:TagKeys", "a", "c")}, want: false},
	{op: "ForAllValues:StringEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{many("aws:TagKeys")}, want: true},
	{op: "ForAllValues:StringEquals", key: "aws:TagKeys", vals: []string{"a"}, want: true},
	{op: "ForAllValues:StringEquals", key: "aws:username", vals: []string{"alice"}, ctx: []ctxKV{user}, want: true},
	{op: "ForAllValues:StringEquals", key: "aws:username", vals: []string{"bob"}, ctx: []ctxKV{user}, want: false},
	{op: "ForAllValues:StringLikeIfExists", key: "aws:TagKeys", vals: []string{"x"}, want: true},
	{op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", vals: []string{"secret"}, ctx: []ctxKV{many("aws:TagKeys", "a", "b")}, want: true},
	{op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", vals: []string{"secret"}, ctx: []ctxKV{many("aws:TagKeys", "a", "secret")}, want: false},
	{op: "ForAnyValue:StringEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{many("aws:TagKeys", "b", "a")}, want: true},
	{op: "ForAnyValue:StringEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{many("aws:TagKeys", "b")}, want: false},
	{op: "ForAnyValue:StringEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{many("aws:TagKeys")}, want: false},
	{op: "ForAnyValue:StringEquals", key: "aws:TagKeys", vals: []string{"a"}, want: false},
	{op: "ForAnyValue:StringEqualsIfExists", key: "aws:TagKeys", vals: []string{"a"}, want: false},
	{op: "ForAnyValue:StringLike", key: "aws:TagKeys", vals: []string{"team*"}, ctx: []ctxKV{many("aws:TagKeys", "cost", "team-x")}, want: true},
	{op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{many("aws:TagKeys", "a", "b")}, want: true},
	{op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{tagKeysA}, want: false},
	{op: "forallvalues:stringequals", key: "aws:TagKeys", vals: []string{"a"}, ctx: []ctxKV{tagKeysA}, want: true},

	// Numbers.
	{op: "NumericLessThan", key: "aws:MultiFactorAuthAge", vals: []string{"3600"}, ctx: []ctxKV{mfaAge("100")}, want: true},
	{op: "NumericLessThan", key: "aws:MultiFactorAuthAge", vals: []string{"3600"}, ctx: []ctxKV{mfaAge("3600")}, want: false},
	{op: "NumericLessThanEquals", key: "aws:MultiFactorAuthAge", vals: []string{"3600"}, ctx: []ctxKV{mfaAge("3600")}, want: true},
	{op: "NumericGreaterThan", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("11")}, want: true},
	{op: "NumericGreaterThan", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("9.5")}, want: false},
	{op: "NumericGreaterThanEquals", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("10")}, want: true},
	{op: "NumericEquals", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("10.0")}, want: true},
	{op: "NumericEquals", key: "aws:MultiFactorAuthAge", vals: []string{"1", "2"}, ctx: []ctxKV{mfaAge("2")}, want: true},
	{op: "NumericEquals", key: "aws:MultiFactorAuthAge", vals: []string{"-0"}, ctx: []ctxKV{mfaAge("0")}, want: true},
	{op: "NumericEquals", key: "aws:MultiFactorAuthAge", vals: []string{"abc"}, ctx: []ctxKV{mfaAge("1")}, want: false},
	{op: "NumericLessThan", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("abc")}, want: false},
	{op: "NumericLessThan", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, want: false},
	{op: "NumericLessThanIfExists", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, want: true},
	{op: "NumericNotEquals", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("11")}, want: true},
	{op: "NumericNotEquals", key: "aws:MultiFactorAuthAge", vals: []string{"10", "11"}, ctx: []ctxKV{mfaAge("11")}, want: false},
	{op: "NumericNotEquals", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, want: true},
	{op: "NumericNotEquals", key: "aws:MultiFactorAuthAge", vals: []string{"10"}, ctx: []ctxKV{mfaAge("abc")}, want: false},

	// Dates.
	{op: "DateGreaterThan", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00Z"}, ctx: []ctxKV{now("2024-05-01T12:00:00Z")}, want: true},
	{op: "DateLessThan", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00Z"}, ctx: []ctxKV{now("2024-05-01T12:00:00Z")}, want: false},
	{op: "DateEquals", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00Z"}, ctx: []ctxKV{now("2020-01-01T01:00:00+01:00")}, want: true},
	{op: "DateEquals", key: "aws:CurrentTime", vals: []string{"2020-01-01"}, ctx: []ctxKV{now("2020-01-01T00:00:00Z")}, want: true},
	{op: "DateEquals", key: "aws:CurrentTime", vals: []string{"2020-01"}, ctx: []ctxKV{now("2020-01-01T00:00:00.000Z")}, want: true},
	{op: "DateEquals", key: "aws:CurrentTime", vals: []string{"2020-01-01t00:00:00z"}, ctx: []ctxKV{now("2020-01-01T00:00Z")}, want: true},
	{op: "DateLessThanEquals", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00.123Z"}, ctx: []ctxKV{now("2020-01-01T00:00:00.1239Z")}, want: true},
	{op: "DateGreaterThanEquals", key: "aws:EpochTime", vals: []string{"1700000000"}, ctx: []ctxKV{one("aws:EpochTime", "1700000000")}, want: true},
	{op: "DateGreaterThan", key: "aws:EpochTime", vals: []string{"2020-01-01T00:00:00Z"}, ctx: []ctxKV{one("aws:EpochTime", "1700000000")}, want: true, refDiffers: refEpochMixed},
	{op: "DateNotEquals", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00Z"}, want: true},
	{op: "DateNotEquals", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00Z"}, ctx: []ctxKV{now("not a date")}, want: false},
	{op: "DateEquals", key: "aws:CurrentTime", vals: []string{"yesterday"}, ctx: []ctxKV{now("2020-01-01T00:00:00Z")}, want: false},
	{op: "DateLessThanIfExists", key: "aws:CurrentTime", vals: []string{"2020-01-01T00:00:00Z"}, want: true},

	// Booleans and binary.
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"true"}, ctx: []ctxKV{secure("true")}, want: true},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"true"}, ctx: []ctxKV{secure("TRUE")}, want: true},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"True"}, ctx: []ctxKV{secure("true")}, want: true},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"true"}, ctx: []ctxKV{secure("false")}, want: false},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"yes"}, ctx: []ctxKV{secure("true")}, want: false},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"true"}, ctx: []ctxKV{secure("1")}, want: false},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"false"}, want: false},
	{op: "BoolIfExists", key: "aws:SecureTransport", vals: []string{"false"}, want: true},
	{op: "Bool", key: "aws:SecureTransport", vals: []string{"${aws:PrincipalTag/secure}"}, ctx: []ctxKV{secure("true"), one("aws:PrincipalTag/secure", "true")}, want: true},
	{op: "BinaryEquals", key: "aws:userid", vals: []string{"QUJD"}, ctx: []ctxKV{one("aws:userid", "QUJD")}, want: true},
	{op: "BinaryEquals", key: "aws:userid", vals: []string{"QUJE"}, ctx: []ctxKV{one("aws:userid", "QUJD")}, want: false},

	// IP addresses.
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"203.0.113.0/24"}, ctx: []ctxKV{sourceIP("203.0.113.7")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"203.0.113.0/24"}, ctx: []ctxKV{sourceIP("198.51.100.1")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"203.0.113.7"}, ctx: []ctxKV{sourceIP("203.0.113.7")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"203.0.113.7/32"}, ctx: []ctxKV{sourceIP("203.0.113.7")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8", "203.0.113.0/24"}, ctx: []ctxKV{sourceIP("203.0.113.9")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"0.0.0.0/0"}, ctx: []ctxKV{sourceIP("198.51.100.1")}, want: true, refDiffers: refIPv4Slash0},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/33"}, ctx: []ctxKV{sourceIP("10.0.0.1")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"010.0.0.1"}, ctx: []ctxKV{sourceIP("10.0.0.1")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8"}, ctx: []ctxKV{sourceIP("not-an-ip")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8"}, ctx: []ctxKV{sourceIP("2001:db8::1")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::/32"}, ctx: []ctxKV{sourceIP("2001:db8:1::5")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::/32"}, ctx: []ctxKV{sourceIP("2001:db9::1")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::/0"}, ctx: []ctxKV{sourceIP("2001:db9::1")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::/32"}, ctx: []ctxKV{sourceIP("10.0.0.1")}, want: false},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::1"}, ctx: []ctxKV{sourceIP("2001:db8::1")}, want: true},
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::1"}, ctx: []ctxKV{sourceIP("2001:db8:0::1")}, want: false}, // compared as text, as the reference does
	{op: "IpAddress", key: "aws:SourceIp", vals: []string{"::ffff:192.0.2.0/120"}, ctx: []ctxKV{sourceIP("::ffff:c000:0201")}, want: true, refDiffers: refEmbeddedIPv4},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"203.0.113.0/24"}, ctx: []ctxKV{sourceIP("198.51.100.1")}, want: true},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"203.0.113.0/24"}, ctx: []ctxKV{sourceIP("203.0.113.7")}, want: false},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8", "203.0.113.0/24"}, ctx: []ctxKV{sourceIP("203.0.113.9")}, want: false},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8"}, ctx: []ctxKV{sourceIP("2001:db8::1")}, want: true},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8"}, ctx: []ctxKV{sourceIP("not-an-ip")}, want: false},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"10.0.0.0/8"}, want: true},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"2001:db8::/32"}, ctx: []ctxKV{sourceIP("10.0.0.1")}, want: true},
	{op: "NotIpAddress", key: "aws:SourceIp", vals: []string{"0.0.0.0/0"}, ctx: []ctxKV{sourceIP("198.51.100.1")}, want: false, refDiffers: refIPv4Slash0},

	// ARNs: each segment separately, case-sensitively, with wildcards (ArnEquals too).
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::" + acctA + ":role/app-*"}, ctx: []ctxKV{principal}, want: true},
	{op: "ArnEquals", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::" + acctA + ":role/app-*"}, ctx: []ctxKV{principal}, want: true},
	{op: "ArnEquals", key: "aws:PrincipalArn", vals: []string{appRole}, ctx: []ctxKV{principal}, want: true},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::" + acctA + ":role/APP-ROLE"}, ctx: []ctxKV{principal}, want: false},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::*"}, ctx: []ctxKV{principal}, want: false},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::*:*"}, ctx: []ctxKV{principal}, want: true},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::*:role/app-rol?"}, ctx: []ctxKV{principal}, want: true},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:*:role/app-role"}, ctx: []ctxKV{principal}, want: false},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"not-an-arn"}, ctx: []ctxKV{principal}, want: false},
	{op: "ArnLike", key: "aws:SourceArn", vals: []string{"arn:aws:*:*:*:*"}, ctx: []ctxKV{sourceARN("xyz")}, want: false},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::" + acctA + ":user/${aws:username}"}, ctx: []ctxKV{one("aws:PrincipalArn", alice), user}, want: true},
	{op: "ArnLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, ctx: []ctxKV{principal, one("aws:PrincipalAccount", acctA)}, want: true, refDiffers: refAccountVar},
	{op: "ArnNotLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::" + acctA + ":role/other"}, ctx: []ctxKV{principal}, want: true},
	{op: "ArnNotLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::*:role/other", "arn:aws:iam::*:role/app-*"}, ctx: []ctxKV{principal}, want: false},
	{op: "ArnNotLike", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::*:role/other"}, want: true},
	{op: "ArnNotLike", key: "aws:PrincipalArn", vals: []string{"not-an-arn"}, ctx: []ctxKV{principal}, want: false},
	{op: "ArnNotEquals", key: "aws:SourceArn", vals: []string{"arn:aws:s3:::bucket"}, ctx: []ctxKV{sourceARN("xyz")}, want: false},
	{op: "ArnNotEquals", key: "aws:PrincipalArn", vals: []string{"arn:aws:iam::" + acctA + ":user/${aws:username}"}, ctx: []ctxKV{principal}, want: false}, // unresolvable variable

	// Null.
	{op: "Null", key: "aws:username", vals: []string{"true"}, want: true},
	{op: "Null", key: "aws:username", vals: []string{"true"}, ctx: []ctxKV{user}, want: false},
	{op: "Null", key: "aws:username", vals: []string{"false"}, ctx: []ctxKV{user}, want: true},
	{op: "Null", key: "aws:username", vals: []string{"false"}, want: false},
	{op: "Null", key: "aws:username", vals: []string{"TRUE"}, want: true},
	{op: "Null", key: "aws:TagKeys", vals: []string{"false"}, ctx: []ctxKV{many("aws:TagKeys")}, want: true},

	// Unknown operators never match.
	{op: "StringEqualz", key: "aws:username", vals: []string{"alice"}, ctx: []ctxKV{user}, want: false},
	{op: "StringNotEqualz", key: "aws:username", vals: []string{"alice"}, want: false, refDiffers: refUnknownOp},
	{op: "ForAllValues:StringEqualz", key: "aws:TagKeys", vals: []string{"a"}, want: false, refDiffers: refUnknownOp},
}

// conditionScenarios turns each condition case into an Allow of s3:GetObject with that
// condition, so that the reference can check the table too.
func conditionScenarios() []scenario {
	var out []scenario
	for _, c := range conditionCases {
		version := c.version
		if version == "" {
			version = Version2012
		}
		vals, _ := json.Marshal(c.vals)
		doc := `{"Version":"` + version + `","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"` + c.op + `":{"` + c.key + `":` + string(vals) + `}}}}`
		want := ImplicitDeny
		if c.want {
			want = Allowed
		}
		out = append(out, scenario{
			name:       c.op + " " + c.key + " " + string(vals) + " " + ctxString(c.ctx),
			identity:   []string{doc},
			ctx:        c.ctx,
			want:       want,
			refDiffers: c.refDiffers,
		})
	}
	return out
}

func ctxString(kvs []ctxKV) string {
	b, _ := json.Marshal(func() map[string]any {
		m := map[string]any{}
		for _, kv := range kvs {
			if kv.multi {
				m[kv.key] = kv.vals
			} else {
				m[kv.key] = kv.vals[0]
			}
		}
		return m
	}())
	return string(b)
}

func TestConditionOperators(t *testing.T) {
	runScenarios(t, conditionScenarios())
}

func TestParseOperatorForEvaluation(t *testing.T) {
	tests := []struct {
		in       string
		op       condOp
		set      SetQualifier
		ifExists bool
	}{
		{"StringEquals", opStringEquals, SingleValued, false},
		{"stringequals", opStringEquals, SingleValued, false},
		{"StringLikeIfExists", opStringLike, SingleValued, true},
		{"ForAnyValue:StringLike", opStringLike, ForAnyValue, false},
		{"forallvalues:ArnLikeIfExists", opArnLike, ForAllValues, true},
		{"Null", opNull, SingleValued, false},
		{"NullIfExists", opNull, SingleValued, true},
		{"ForAnyValue:Null", opNull, ForAnyValue, false},
		{"Foo:StringEquals", opUnknown, SingleValued, false},
		{"ForAnyValue:x:StringEquals", opUnknown, ForAnyValue, false},
		{"IfExists", opUnknown, SingleValued, true},
		{"", opUnknown, SingleValued, false},
	}
	for _, tc := range tests {
		op, set, ifExists := parseOperator(tc.in)
		if op != tc.op || set != tc.set || ifExists != tc.ifExists {
			t.Errorf("parseOperator(%q) = %v %v %v, want %v %v %v", tc.in, op, set, ifExists, tc.op, tc.set, tc.ifExists)
		}
	}
}

func TestJSParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"10", 10}, {"-5", -5}, {"+5", 5}, {"  42", 42}, {"12abc", 12}, {"1e3", 1},
		{"1.5e3", 1500}, {".5", 0.5}, {"-.5", -0.5}, {"1.", 1}, {"1.2.3", 1.2}, {"1.5e", 1.5},
		{"0x10", 0}, {"Infinity.0", math.Inf(1)}, {"-Infinity.", math.Inf(-1)},
		{"", math.NaN()}, {"abc", math.NaN()}, {".", math.NaN()}, {"-", math.NaN()}, {"Infinity", math.NaN()},
	}
	for _, tc := range tests {
		got := jsParseNumber(tc.in)
		if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("jsParseNumber(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	ms := func(s string) float64 {
		t.Helper()
		v := parseDate(s)
		if math.IsNaN(v) {
			t.Fatalf("parseDate(%q) failed", s)
		}
		return v
	}
	const base = 1577923200000 // 2020-01-02T00:00:00Z
	tests := []struct {
		in   string
		want float64
	}{
		{"2020-01-02", base},
		{"2020-01-02Z", base},
		{"2020-01", base - 86400000},
		{"2020-01-02T03:04Z", base + (3*3600+4*60)*1000},
		{"2020-01-02T03:04:05Z", base + (3*3600+4*60+5)*1000},
		{"2020-01-02T03:04:05.1Z", base + (3*3600+4*60+5)*1000 + 100},
		{"2020-01-02T03:04:05.123456Z", base + (3*3600+4*60+5)*1000 + 123},
		{"2020-01-02T03:04:05+01:00", base + (2*3600+4*60+5)*1000},
		{"2020-01-02T03:04:05-0130", base + (4*3600+34*60+5)*1000},
		{"2020-01-02T03:04:05", base + (3*3600+4*60+5)*1000},
		{"2020-01-02 03:04:05Z", base + (3*3600+4*60+5)*1000},
		{"2020-01-02t03:04:05z", base + (3*3600+4*60+5)*1000},
		{"2020-01-01T24:00:00Z", base},
		{"2020-02-30", ms("2020-03-01")},
		{"1577923200", base},
		{"-1", -1000},
		{"0", 0},
	}
	for _, tc := range tests {
		if got := parseDate(tc.in); got != tc.want {
			t.Errorf("parseDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "2020", "01", "-0", "+5", "1e3", "1700000000.5", "2020-13-01", "2020-01-32", "2020-1-2",
		"2020-01-02T3:04Z", "2020-01-02T03Z", "2020-01-02T03:04:60Z", "2020-01-02T24:00:01Z", "2020-01-02T03:04:05.Z",
		"2020-01-02T03:04:05+01", "2020-01-02T03:04:05+24:00", "2020-01-02T03:04:05ZZ", "yesterday", "20200102T030405Z"} {
		if bad == "2020" {
			continue // an integer: epoch seconds, tested above
		}
		if got := parseDate(bad); !math.IsNaN(got) {
			t.Errorf("parseDate(%q) = %v, want no date", bad, got)
		}
	}
	if got := parseDate("2020"); got != 2020*1000 {
		t.Errorf("parseDate(\"2020\") = %v: an integer is epoch seconds", got)
	}
}

func TestIPPatterns(t *testing.T) {
	for s, want := range map[string]bool{
		"0.0.0.0": true, "255.255.255.255": true, "10.0.0.1": true,
		"256.0.0.1": false, "01.0.0.1": false, "1.2.3": false, "1.2.3.4.5": false, "1.2.3.4/8": false, "": false, " 1.2.3.4": false,
	} {
		if got := isIPv4(s); got != want {
			t.Errorf("isIPv4(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{
		"::": true, "::1": true, "2001:db8::1": true, "1:2:3:4:5:6:7:8": true, "1:2:3:4:5:6:7::": true,
		"fe80::1%eth0": true, "::ffff:1.2.3.4": true, "64:ff9b::1.2.3.4": true,
		"1.2.3.4": false, "2001:db8::g": false, "1:2:3:4:5:6:7:8:9": false, "12345::": false, ":": false,
	} {
		if got := isIPv6(s); got != want {
			t.Errorf("isIPv6(%q) = %v", s, got)
		}
	}
}
