package awstest

import (
	"fmt"
	"net/http"
)

// apiError is an error the sandbox sends to the client, in whichever wire form the
// service uses (Query XML, S3 XML or JSON 1.1).
type apiError struct {
	Status  int
	Code    string
	Message string
	// Receiver marks server-side faults (Type Receiver in Query error documents).
	Receiver bool
	// Extra elements S3 adds to its <Error> document (Key, BucketName, ...), in order.
	Extra []xmlField
}

// xmlField is one extra element of an S3 error document.
type xmlField struct{ Name, Value string }

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Status: status, Code: code, Message: msg}
}

// with returns e with an extra S3 error element.
func (e *apiError) with(name, value string) *apiError {
	e.Extra = append(e.Extra, xmlField{name, value})
	return e
}

// IAM and STS errors, with the HTTP status AWS sends for each.
func errNoSuchEntity(format string, args ...any) *apiError {
	return newError(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func errEntityExists(format string, args ...any) *apiError {
	return newError(http.StatusConflict, "EntityAlreadyExists", format, args...)
}

func errDeleteConflict(format string, args ...any) *apiError {
	return newError(http.StatusConflict, "DeleteConflict", format, args...)
}

func errLimitExceeded(format string, args ...any) *apiError {
	return newError(http.StatusConflict, "LimitExceeded", format, args...)
}

func errMalformedPolicy(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "MalformedPolicyDocument", format, args...)
}

func errValidation(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "ValidationError", format, args...)
}

func errInvalidInput(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "InvalidInput", format, args...)
}

func errAccessDenied(msg string) *apiError {
	return newError(http.StatusForbidden, "AccessDenied", "%s", msg)
}

// Authentication failures. Each service spells them differently; authFailure keeps
// the kind and the service renders it (see renderAuthFailure).
type authFailure int

const (
	authMissing authFailure = iota + 1
	authIncomplete
	authUnknownKey
	authBadToken
	authExpired
	authBadSignature
	authSkewed
)

// authReply is the error a service sends for one kind of authentication failure; a
// reply without a message carries the failure's detail.
type authReply struct {
	status  int
	code    string
	message string
}

// authReplies holds each wire form's replies; a kind missing from a table gets its
// authBadSignature reply.
var (
	queryAuthReplies = map[authFailure]authReply{
		authMissing:      {http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"},
		authIncomplete:   {http.StatusBadRequest, "IncompleteSignature", ""},
		authUnknownKey:   {http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."},
		authBadToken:     {http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."},
		authExpired:      {http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired"},
		authSkewed:       {http.StatusForbidden, "SignatureDoesNotMatch", ""},
		authBadSignature: {http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	}
	jsonAuthReplies = map[authFailure]authReply{
		authMissing:      {http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		authIncomplete:   {http.StatusBadRequest, "IncompleteSignatureException", ""},
		authUnknownKey:   {http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."},
		authBadToken:     {http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."},
		authExpired:      {http.StatusBadRequest, "ExpiredTokenException", "The security token included in the request is expired"},
		authSkewed:       {http.StatusBadRequest, "InvalidSignatureException", ""},
		authBadSignature: {http.StatusBadRequest, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	}
	s3AuthReplies = map[authFailure]authReply{
		authMissing:      {http.StatusForbidden, "AccessDenied", "Access Denied"},
		authIncomplete:   {http.StatusBadRequest, "AuthorizationHeaderMalformed", ""},
		authUnknownKey:   {http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."},
		authBadToken:     {http.StatusBadRequest, "InvalidToken", "The provided token is malformed or otherwise invalid."},
		authExpired:      {http.StatusBadRequest, "ExpiredToken", "The provided token has expired."},
		authSkewed:       {http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."},
		authBadSignature: {http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	}
)

// authError builds the error a service sends for an authentication failure.
func authError(service string, kind authFailure, detail string) *apiError {
	replies := queryAuthReplies
	switch service {
	case serviceS3:
		replies = s3AuthReplies
	case serviceCloudTrail:
		replies = jsonAuthReplies
	}
	r, ok := replies[kind]
	if !ok {
		r = replies[authBadSignature]
	}
	msg := r.message
	if msg == "" {
		msg = detail
	}
	e := newError(r.status, r.code, "%s", msg)
	if service == serviceS3 && kind == authUnknownKey {
		e = e.with("AWSAccessKeyId", detail) // S3 names the key it does not know
	}
	return e
}
