package awstest

import (
	"fmt"
	"net/http"
	"strings"
)

// authenticate checks the request's SigV4 signature against the keys the sandbox
// issued and remembers which credential signed it.
func (rq *request) authenticate() *apiError {
	s, sig := rq.s, rq.sig
	if sig == nil {
		return authError(rq.service, authMissing, "")
	}
	if sig.Presigned && rq.now.After(sig.Time.Add(sig.Expires)) {
		return newError(http.StatusForbidden, "AccessDenied", "Request has expired").
			with("X-Amz-Expires", fmt.Sprint(int(sig.Expires.Seconds()))).
			with("Expires", sig.Time.Add(sig.Expires).Format("2006-01-02T15:04:05Z")).
			with("ServerTime", rq.now.Format("2006-01-02T15:04:05Z"))
	}

	secret, cred, aerr := rq.lookupKey(sig)
	if aerr != nil {
		return aerr
	}

	payloadHash, aerr := rq.payloadHash()
	if aerr != nil {
		return aerr
	}
	if !s.keys.verify(rq.r, sig, secret, payloadHash) {
		return authError(rq.service, authBadSignature, "")
	}
	if s.opts.MaxSkew > 0 && !sig.Presigned {
		if d := rq.now.Sub(sig.Time); d > s.opts.MaxSkew {
			return authError(rq.service, authSkewed, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)",
				sig.AmzDate, rq.now.Add(-s.opts.MaxSkew).Format(amzDateFormat), rq.now.Format(amzDateFormat), skewText(s.opts.MaxSkew)))
		} else if -d > s.opts.MaxSkew {
			return authError(rq.service, authSkewed, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)",
				sig.AmzDate, rq.now.Add(s.opts.MaxSkew).Format(amzDateFormat), rq.now.Format(amzDateFormat), skewText(s.opts.MaxSkew)))
		}
	}
	if cred.sess != nil && !rq.now.Before(cred.sess.Expires) {
		return authError(rq.service, authExpired, "")
	}
	if strings.HasPrefix(payloadHash, "STREAMING-") {
		if aerr := rq.decodeStreaming(payloadHash, secret); aerr != nil {
			return aerr
		}
	}
	rq.cred = cred
	return nil
}

func skewText(d interface{ Minutes() float64 }) string {
	return fmt.Sprintf("%g min", d.Minutes())
}

// lookupKey finds the secret behind the request's access key ID.
func (rq *request) lookupKey(sig *sigV4) (string, credential, *apiError) {
	s := rq.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k, ok := s.st.AccessKeys[sig.AccessKeyID]; ok {
		if k.Status != "Active" {
			return "", credential{}, authError(rq.service, authUnknownKey, sig.AccessKeyID)
		}
		if sig.SecurityToken != "" {
			return "", credential{}, authError(rq.service, authBadToken, "")
		}
		return k.Secret, credential{keyID: k.ID, userKey: k.UserKey}, nil
	}
	if ss, ok := s.st.Sessions[sig.AccessKeyID]; ok {
		if sig.SecurityToken != ss.Token {
			return "", credential{}, authError(rq.service, authBadToken, "")
		}
		cp := *ss
		return ss.Secret, credential{keyID: ss.AccessKeyID, sess: &cp}, nil
	}
	return "", credential{}, authError(rq.service, authUnknownKey, sig.AccessKeyID)
}

// payloadHash is the payload hash that was signed: the body's SHA-256, or for S3 what
// x-amz-content-sha256 declares (checked against the body when it is a hash).
func (rq *request) payloadHash() (string, *apiError) {
	if rq.service != serviceS3 {
		return sha256Hex(rq.body), nil
	}
	if rq.sig.Presigned {
		if v := rq.r.URL.Query().Get("X-Amz-Content-Sha256"); v != "" {
			return v, nil
		}
		return unsignedPayload, nil
	}
	h := rq.r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case h == "":
		return "", newError(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	case h == unsignedPayload || strings.HasPrefix(h, "STREAMING-"):
		return h, nil
	case len(h) != 64:
		return "", newError(http.StatusBadRequest, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.").
			with("ArgumentName", "x-amz-content-sha256").with("ArgumentValue", h)
	}
	if got := sha256Hex(rq.body); got != strings.ToLower(h) {
		return "", newError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.").
			with("ClientComputedContentSHA256", h).with("S3ComputedContentSHA256", got)
	}
	return h, nil
}

// decodeStreaming replaces an aws-chunked body by its payload, checking chunk
// signatures when the upload was signed chunk by chunk.
func (rq *request) decodeStreaming(mode, secret string) *apiError {
	var key []byte
	if mode == streamingSigned || mode == streamingSignedTr {
		key = rq.s.keys.get(secret, rq.sig.ScopeDate, rq.sig.Region, rq.sig.Service)
	}
	payload, trailer, err := decodeAWSChunked(rq.body, rq.sig, key, strings.ToLower(rq.sig.Signature))
	if err == errChunkSignature {
		return authError(rq.service, authBadSignature, "")
	}
	if err != nil {
		return newError(http.StatusBadRequest, "IncompleteBody", "The aws-chunked body is malformed: %v", err)
	}
	rq.body = payload
	rq.trailer = trailer
	return nil
}

// sessionMayCall applies STS's rule that GetSessionToken credentials without MFA, and
// federation tokens, cannot call IAM at all: IAM answers as if the token were invalid.
func (rq *request) sessionMayCall() *apiError {
	ss := rq.cred.sess
	if rq.service != serviceIAM || ss == nil {
		return nil
	}
	if ss.Kind == sessionFederated || ss.Kind == sessionUser && !ss.MFA {
		return authError(rq.service, authBadToken, "")
	}
	return nil
}
