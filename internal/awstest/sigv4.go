package awstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SigV4 constants, as the AWS signers write them.
const (
	sigV4Algorithm     = "AWS4-HMAC-SHA256"
	amzDateFormat      = "20060102T150405Z"
	scopeDateFormat    = "20060102"
	unsignedPayload    = "UNSIGNED-PAYLOAD"
	streamingSigned    = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTr  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedT = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256        = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// sigV4 is the parsed signature of one request: from the Authorization header or, for
// presigned URLs, from the query string.
type sigV4 struct {
	AccessKeyID   string
	ScopeDate     string // yyyymmdd
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	AmzDate       string // yyyymmddThhmmssZ
	Time          time.Time
	SecurityToken string
	Presigned     bool
	Expires       time.Duration // presigned URLs only
}

// scope is the credential scope string.
func (s *sigV4) scope() string {
	return s.ScopeDate + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// sigV4Error says why a signature could not even be parsed.
type sigV4Error struct {
	kind authFailure
	msg  string
}

func (e *sigV4Error) Error() string { return e.msg }

// parseSigV4 reads the signature parts of r. It returns (nil, nil) when the request is
// not signed at all.
func parseSigV4(r *http.Request) (*sigV4, *sigV4Error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return parseAuthorizationHeader(r, h)
	}
	if r.URL.Query().Get("X-Amz-Algorithm") != "" {
		return parsePresigned(r)
	}
	return nil, nil
}

func parseAuthorizationHeader(r *http.Request, h string) (*sigV4, *sigV4Error) {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != sigV4Algorithm {
		return nil, &sigV4Error{authIncomplete, fmt.Sprintf("Unsupported AWS 'algorithm': '%s'", alg)}
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, &sigV4Error{authIncomplete, fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", strings.TrimSpace(part), h)}
		}
		fields[k] = v
	}
	for _, need := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[need] == "" {
			return nil, &sigV4Error{authIncomplete, fmt.Sprintf("Authorization header requires '%s' parameter. Authorization=%s", need, h)}
		}
	}
	s := &sigV4{
		SignedHeaders: strings.Split(fields["SignedHeaders"], ";"),
		Signature:     fields["Signature"],
		SecurityToken: r.Header.Get("X-Amz-Security-Token"),
		AmzDate:       r.Header.Get("X-Amz-Date"),
	}
	if err := s.setCredential(fields["Credential"]); err != nil {
		return nil, err
	}
	if s.AmzDate == "" {
		// The signer may sign the Date header instead of X-Amz-Date.
		if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
			s.AmzDate = d.UTC().Format(amzDateFormat)
		}
	}
	return s, s.setTime()
}

func parsePresigned(r *http.Request) (*sigV4, *sigV4Error) {
	q := r.URL.Query()
	if alg := q.Get("X-Amz-Algorithm"); alg != sigV4Algorithm {
		return nil, &sigV4Error{authIncomplete, fmt.Sprintf("Unsupported AWS 'algorithm': '%s'", alg)}
	}
	s := &sigV4{
		SignedHeaders: strings.Split(q.Get("X-Amz-SignedHeaders"), ";"),
		Signature:     q.Get("X-Amz-Signature"),
		SecurityToken: q.Get("X-Amz-Security-Token"),
		AmzDate:       q.Get("X-Amz-Date"),
		Presigned:     true,
	}
	if s.Signature == "" || q.Get("X-Amz-SignedHeaders") == "" {
		return nil, &sigV4Error{authIncomplete, "Query-string authentication requires the X-Amz-Signature and X-Amz-SignedHeaders parameters."}
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs < 1 || secs > 604800 {
		return nil, &sigV4Error{authIncomplete, "X-Amz-Expires must be between 1 and 604800 seconds."}
	}
	s.Expires = time.Duration(secs) * time.Second
	if err := s.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	return s, s.setTime()
}

func (s *sigV4) setCredential(cred string) *sigV4Error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return &sigV4Error{authIncomplete, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", "", cred)}
	}
	s.AccessKeyID, s.ScopeDate, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func (s *sigV4) setTime() *sigV4Error {
	t, err := time.Parse(amzDateFormat, s.AmzDate)
	if err != nil {
		return &sigV4Error{authIncomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
	}
	s.Time = t
	if t.Format(scopeDateFormat) != s.ScopeDate {
		return &sigV4Error{authBadSignature, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", s.ScopeDate, t.Format(scopeDateFormat), s.AmzDate)}
	}
	return nil
}

// canonicalRequest builds the SigV4 canonical request for r.
func canonicalRequest(r *http.Request, s *sigV4, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r, s.Service))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(rawQuery(r), s.Presigned))
	b.WriteByte('\n')
	for _, name := range s.SignedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(s.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func rawPath(r *http.Request) string {
	p := r.RequestURI
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" || strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		p = r.URL.EscapedPath()
	}
	if p == "" {
		p = "/"
	}
	return p
}

func rawQuery(r *http.Request) string { return r.URL.RawQuery }

// canonicalURI is the path as sent for S3, and the path encoded once more for every
// other service (SigV4 double-encodes outside S3).
func canonicalURI(r *http.Request, service string) string {
	p := rawPath(r)
	if service == serviceS3 {
		return p
	}
	return awsEscape(p, false)
}

// canonicalQuery sorts the query parameters by name then value, each encoded the SigV4
// way. X-Amz-Signature of a presigned URL is left out.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(strings.ReplaceAll(k, "+", "%2B"))
		if err != nil {
			dk = k
		}
		dv, err := url.QueryUnescape(strings.ReplaceAll(v, "+", "%2B"))
		if err != nil {
			dv = v
		}
		if presigned && dk == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, kv{awsEscape(dk, true), awsEscape(dv, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func canonicalHeaderValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	case "transfer-encoding":
		return strings.Join(r.TransferEncoding, ",")
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// awsEscape percent-encodes s as RFC 3986 asks (unreserved characters stay), keeping
// '/' when encodeSlash is false.
func awsEscape(s string, encodeSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKeys caches derived signing keys: deriving one costs four HMACs, and a client
// signs every request of a day with the same one.
type signingKeys struct {
	mu   sync.Mutex
	keys map[string][]byte
}

func (c *signingKeys) get(secret, date, region, service string) []byte {
	id := secret + "\x00" + date + "\x00" + region + "\x00" + service
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[id]; ok {
		return k
	}
	if c.keys == nil || len(c.keys) > 10000 {
		c.keys = map[string][]byte{}
	}
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	c.keys[id] = k
	return k
}

// signature computes the hex signature of r under secret.
func (c *signingKeys) signature(r *http.Request, s *sigV4, secret, payloadHash string) string {
	cr := canonicalRequest(r, s, payloadHash)
	sts := sigV4Algorithm + "\n" + s.AmzDate + "\n" + s.scope() + "\n" + sha256Hex([]byte(cr))
	return hex.EncodeToString(hmacSHA256(c.get(secret, s.ScopeDate, s.Region, s.Service), sts))
}

// verify reports whether the signature on r is the one secret produces.
func (c *signingKeys) verify(r *http.Request, s *sigV4, secret, payloadHash string) bool {
	want := c.signature(r, s, secret, payloadHash)
	return hmac.Equal([]byte(want), []byte(strings.ToLower(s.Signature)))
}
