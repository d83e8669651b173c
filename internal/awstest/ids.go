package awstest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Unique-ID prefixes AWS uses, by the kind of thing identified.
const (
	prefixUser          = "AIDA"
	prefixRole          = "AROA"
	prefixGroup         = "AGPA"
	prefixPolicy        = "ANPA"
	prefixAccessKey     = "AKIA"
	prefixSessionKey    = "ASIA"
	uniqueIDLength      = 21 // AIDA + 17 characters, as IAM prints them
	accessKeyIDLength   = 20 // AKIA + 16 characters
	secretAccessKeyLen  = 40
	sessionTokenPayload = 240 // bytes of randomness behind a session token
)

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Sprintf("awstest: crypto/rand failed: %v", err)) // the OS entropy source is gone
	}
	// 256 is not a multiple of every alphabet length; the slight bias is irrelevant for IDs.
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf)
}

// newUniqueID returns an IAM unique ID such as AIDAJQABLZS4A3QDU576Q.
func newUniqueID(prefix string) string {
	return prefix + randomString(upperAlnum, uniqueIDLength-len(prefix))
}

// newAccessKeyID returns an access key ID such as AKIAIOSFODNN7EXAMPLE.
func newAccessKeyID(prefix string) string {
	return prefix + randomString(upperAlnum, accessKeyIDLength-len(prefix))
}

// newSecretAccessKey returns a 40-character secret in AWS's alphabet.
func newSecretAccessKey() string {
	return randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", secretAccessKeyLen)
}

// newSessionToken returns an opaque session token shaped like STS's (base64, a few
// hundred characters).
func newSessionToken() string {
	buf := make([]byte, sessionTokenPayload)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Sprintf("awstest: crypto/rand failed: %v", err))
	}
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(buf)
}

// newRequestID returns a request ID in the UUID form IAM, STS and CloudTrail use.
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("awstest: crypto/rand failed: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newS3RequestID returns a request ID in S3's 16-character form.
func newS3RequestID() string { return randomString(upperAlnum, 16) }
