package iam

import (
	"unicode/utf8"
)

// SizeLimit is the largest policy AWS accepts for the kind by default, in characters with
// whitespace not counted (see PolicySize); 0 when AWS sets no single limit (resource-based
// policies: each service has its own, e.g. 20 KB for S3 bucket policies).
//
// Sources: IAM and STS quotas in the IAM User Guide ("IAM and AWS STS quotas") and the
// AWS Organizations quotas for SCPs.
func SizeLimit(kind Kind) int {
	switch kind {
	case KindManaged, KindBoundary: // a boundary is a managed policy
		return 6144
	case KindInlineUser:
		return 2048
	case KindInlineGroup:
		return 5120
	case KindInlineRole:
		return 10240
	case KindTrust:
		return 2048
	case KindSCP:
		return 5120
	case KindSession:
		return 2048
	}
	return 0
}

// SizeLimitMax is the largest size AWS accepts for the kind after a quota increase: trust
// policies go up to 4,096 characters; for every other kind it is SizeLimit.
func SizeLimitMax(kind Kind) int {
	if kind == KindTrust {
		return 4096
	}
	return SizeLimit(kind)
}

// PolicySize counts a document's characters as IAM does for its size limits: every
// character except JSON whitespace (space, tab, line feed, carriage return) outside
// strings. Characters are Unicode code points; bytes that are not valid UTF-8 count one
// each. The document need not be valid JSON.
func PolicySize(doc []byte) int {
	n := 0
	inString, escaped := false, false
	for len(doc) > 0 {
		r, w := utf8.DecodeRune(doc)
		doc = doc[w:]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
		case r == '"':
			inString = true
		case r == ' ', r == '\t', r == '\n', r == '\r':
			continue
		}
		n++
	}
	return n
}
