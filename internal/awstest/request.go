package awstest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// request is one API call as it goes through the sandbox.
type request struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	body    []byte
	id      string
	service string
	region  string
	now     time.Time
	sig     *sigV4
	cred    credential
	// trailer holds trailing headers of an aws-chunked upload (S3 checksums).
	trailer http.Header
}

// credential is the key that signed the request: a long-term access key or STS
// session credentials (a copy taken under the lock).
type credential struct {
	keyID   string
	userKey string   // long-term keys
	sess    *session // STS credentials
}

// begin reads the request body and works out which service it is for.
func (s *Server) begin(w http.ResponseWriter, r *http.Request) (*request, *apiError) {
	rq := &request{s: s, w: w, r: r, id: newRequestID(), now: s.clock.Now(), region: s.opts.Region}
	sig, perr := parseSigV4(r)
	rq.sig = sig
	rq.service = detectService(r, sig)
	if sig != nil && sig.Region != "" {
		rq.region = sig.Region
	}
	if rq.service == serviceS3 {
		rq.id = newS3RequestID()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			if rq.service == serviceS3 {
				return rq, newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
			}
			return rq, newError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body exceeds %d bytes", s.opts.MaxBodyBytes)
		}
		return rq, newError(http.StatusBadRequest, "IncompleteBody", "reading request body: %v", err)
	}
	rq.body = body
	if perr != nil {
		return rq, authError(rq.service, perr.kind, perr.msg)
	}
	return rq, nil
}

// detectService picks the service from the credential scope; an unsigned request is
// guessed from its shape so that its error comes back in the right form.
func detectService(r *http.Request, sig *sigV4) string {
	if sig != nil && sig.Service != "" {
		return sig.Service
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "com.amazonaws.cloudtrail") || strings.HasPrefix(r.Header.Get("X-Amz-Target"), "CloudTrail_") {
		return serviceCloudTrail
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Get("Action") != "" {
		if r.URL.Query().Get("Version") == stsVersion {
			return serviceSTS
		}
		return serviceIAM
	}
	return serviceS3
}

// sourceIP is the caller's address as aws:SourceIp and CloudTrail see it.
func (rq *request) sourceIP() string {
	host, _, err := net.SplitHostPort(rq.r.RemoteAddr)
	if err != nil {
		return rq.r.RemoteAddr
	}
	return host
}

func (rq *request) userAgent() string { return rq.r.Header.Get("User-Agent") }

// form returns the Query-protocol parameters: the URL query and a form body.
func (rq *request) form() (url.Values, *apiError) {
	vals := rq.r.URL.Query()
	if len(bytes.TrimSpace(rq.body)) > 0 {
		body, err := url.ParseQuery(string(rq.body))
		if err != nil {
			return nil, newError(http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form: %v", err)
		}
		for k, v := range body {
			vals[k] = append(vals[k], v...)
		}
	}
	return vals, nil
}

// writeError sends e in the service's error format.
func (rq *request) writeError(e *apiError) {
	switch rq.service {
	case serviceS3:
		rq.writeS3Error(e)
	case serviceCloudTrail:
		rq.writeJSONError(e)
	default:
		rq.writeQueryError(e)
	}
}
