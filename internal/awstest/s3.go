package awstest

import (
	"bytes"
	"encoding/xml"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// S3 (REST, path-style addressing): buckets and objects.

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3Op is one S3 operation: its name (the CloudTrail eventName), its IAM action,
// whether it is a management event, and the handler that writes the response.
type s3Op struct {
	name       string
	action     string
	management bool
	run        func(c *call, bucket, key string) (*s3Response, *apiError)
}

// s3Response is what an S3 handler produces; it is written after the state lock is
// released.
type s3Response struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) serveS3(rq *request) {
	bucket, key := splitS3Path(rq.r)
	op, aerr := routeS3(rq.r, bucket, key)
	if aerr != nil {
		rq.writeError(aerr)
		return
	}
	c := s.newCall(rq, op.name, nil)
	c.iamAction = op.action
	c.management = op.management
	c.readOnly = methodReadOnly(rq.r.Method) || op.name == "ListObjects" || op.name == "ListObjectsV2"
	c.reqParams = s3EventParams(rq, bucket, key)
	if bucket != "" {
		c.resources = append(c.resources, eventResource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + bucket, AccountID: s.opts.Account})
	}
	if key != "" {
		c.resources = append([]eventResource{{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::" + bucket + "/" + key}}, c.resources...)
	}
	var resp *s3Response
	_, aerr = s.execute(c, func(c *call) (any, *apiError) {
		var err *apiError
		resp, err = op.run(c, bucket, key)
		return nil, err
	}, false)
	c.extraData = map[string]any{"SignatureVersion": "SigV4", "AuthenticationMethod": authMethod(rq), "bytesTransferredIn": len(rq.body)}
	if aerr != nil {
		rq.writeError(aerr)
	} else {
		c.extraData["bytesTransferredOut"] = len(resp.body)
		rq.writeS3(resp)
	}
	s.finish(c, aerr)
}

func authMethod(rq *request) string {
	if rq.sig != nil && rq.sig.Presigned {
		return "QueryString"
	}
	return "AuthHeader"
}

// splitS3Path reads bucket and key from the request: path-style, or virtual-hosted
// under localhost ("bucket.localhost" or "bucket.s3.localhost"), which is what SDKs
// send for a localhost endpoint without path-style addressing.
func splitS3Path(r *http.Request) (bucket, key string) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if b, ok := strings.CutSuffix(host, ".localhost"); ok && b != "" && b != "s3" {
		return strings.TrimSuffix(b, ".s3"), p
	}
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// unsupportedSubresources are query parameters that select S3 operations the sandbox
// does not serve.
var unsupportedSubresources = []string{"acl", "policy", "tagging", "versioning", "uploads", "uploadId", "lifecycle", "cors",
	"website", "logging", "notification", "replication", "encryption", "object-lock", "retention", "legal-hold",
	"publicAccessBlock", "ownershipControls", "accelerate", "requestPayment", "inventory", "metrics", "analytics",
	"intelligent-tiering", "versions", "torrent", "restore", "select", "attributes"}

func routeS3(r *http.Request, bucket, key string) (*s3Op, *apiError) {
	q := r.URL.Query()
	for _, sub := range unsupportedSubresources {
		if _, ok := q[sub]; ok {
			return nil, newError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented").with("Subresource", sub)
		}
	}
	m := r.Method
	switch {
	case bucket == "" && m == http.MethodGet:
		return &s3Op{"ListBuckets", "s3:ListAllMyBuckets", true, opListBuckets}, nil
	case bucket == "":
		return nil, newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	case key == "":
		_, location := q["location"]
		_, del := q["delete"]
		switch {
		case m == http.MethodPut:
			return &s3Op{"CreateBucket", "s3:CreateBucket", true, opCreateBucket}, nil
		case m == http.MethodDelete:
			return &s3Op{"DeleteBucket", "s3:DeleteBucket", true, opDeleteBucket}, nil
		case m == http.MethodHead:
			return &s3Op{"HeadBucket", "s3:ListBucket", true, opHeadBucket}, nil
		case m == http.MethodGet && location:
			return &s3Op{"GetBucketLocation", "s3:GetBucketLocation", true, opGetBucketLocation}, nil
		case m == http.MethodGet && q.Get("list-type") == "2":
			return &s3Op{"ListObjectsV2", "s3:ListBucket", false, opListObjectsV2}, nil
		case m == http.MethodGet:
			return &s3Op{"ListObjects", "s3:ListBucket", false, opListObjects}, nil
		case m == http.MethodPost && del:
			return &s3Op{"DeleteObjects", "s3:DeleteObject", false, opDeleteObjects}, nil
		}
	default:
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			return nil, newError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented").with("Header", "x-amz-copy-source")
		}
		switch m {
		case http.MethodPut:
			return &s3Op{"PutObject", "s3:PutObject", false, opPutObject}, nil
		case http.MethodGet:
			return &s3Op{"GetObject", "s3:GetObject", false, opGetObject}, nil
		case http.MethodHead:
			return &s3Op{"HeadObject", "s3:GetObject", false, opHeadObject}, nil
		case http.MethodDelete:
			return &s3Op{"DeleteObject", "s3:DeleteObject", false, opDeleteObject}, nil
		}
	}
	return nil, newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
}

// s3EventParams is CloudTrail's requestParameters for S3 calls.
func s3EventParams(rq *request, bucket, key string) map[string]any {
	p := map[string]any{"Host": rq.r.Host}
	if bucket != "" {
		p["bucketName"] = bucket
	}
	if key != "" {
		p["key"] = key
	}
	for k, v := range rq.r.URL.Query() {
		if !strings.HasPrefix(k, "X-Amz-") {
			p[k] = v[0]
		}
	}
	return p
}

func (rq *request) writeS3(resp *s3Response) {
	h := rq.w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("x-amz-request-id", rq.id)
	h.Set("x-amz-id-2", rq.id)
	if rq.r.Method == http.MethodHead {
		rq.w.WriteHeader(resp.status)
		return
	}
	rq.w.WriteHeader(resp.status)
	_, _ = rq.w.Write(resp.body)
}

func (rq *request) writeS3Error(e *apiError) {
	h := rq.w.Header()
	h.Set("x-amz-request-id", rq.id)
	h.Set("x-amz-id-2", rq.id)
	if rq.r.Method == http.MethodHead || e.Status == http.StatusNotModified {
		rq.w.WriteHeader(e.Status)
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	for _, f := range e.Extra {
		b.WriteString("<" + f.Name + ">")
		xml.EscapeText(&b, []byte(f.Value))
		b.WriteString("</" + f.Name + ">")
	}
	b.WriteString("<RequestId>" + rq.id + "</RequestId><HostId>" + rq.id + "</HostId></Error>")
	h.Set("Content-Type", "application/xml")
	rq.w.WriteHeader(e.Status)
	_, _ = rq.w.Write(b.Bytes())
}

// xmlResponse encodes v as an S3 XML document.
func xmlResponse(status int, v any) (*s3Response, *apiError) {
	out, err := xml.Marshal(v)
	if err != nil {
		return nil, newError(http.StatusInternalServerError, "InternalError", "encoding response: %v", err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/xml")
	return &s3Response{status: status, header: h, body: append([]byte(xml.Header), out...)}, nil
}

func emptyResponse(status int) *s3Response {
	return &s3Response{status: status, header: http.Header{}}
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func errNoSuchBucket(bucket string) *apiError {
	return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket)
}

// s3Time prints S3's XML timestamps.
type s3Time time.Time

func (t s3Time) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z")), nil
}

func opListBuckets(c *call, _, _ string) (*s3Response, *apiError) {
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	type xmlBucket struct {
		Name         string
		CreationDate s3Time
		BucketRegion string
	}
	out := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		NS      string   `xml:"xmlns,attr"`
		Owner   struct{ ID, DisplayName string }
		Buckets struct {
			Bucket []xmlBucket
		}
	}{NS: s3Namespace}
	out.Owner.ID, out.Owner.DisplayName = c.s.canonicalUserID(), "sandbox"
	names := make([]string, 0, len(c.s.st.Buckets))
	for n := range c.s.st.Buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := c.s.st.Buckets[n]
		out.Buckets.Bucket = append(out.Buckets.Bucket, xmlBucket{b.Name, s3Time(b.Created), b.Region})
	}
	return xmlResponse(http.StatusOK, out)
}

// canonicalUserID is the account's S3 canonical user ID (64 hex characters).
func (s *Server) canonicalUserID() string { return sha256Hex([]byte("canonical-user:" + s.st.Account)) }

func opCreateBucket(c *call, name, _ string) (*s3Response, *apiError) {
	if !bucketNamePattern.MatchString(name) || strings.Contains(name, "..") {
		c.authorized = true
		return nil, newError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", name)
	}
	region := c.s.opts.Region
	if body := bytes.TrimSpace(c.rq.body); len(body) > 0 {
		var conf struct {
			LocationConstraint string
		}
		if err := xml.Unmarshal(body, &conf); err != nil {
			c.authorized = true
			return nil, newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		if conf.LocationConstraint != "" {
			region = conf.LocationConstraint
		}
	}
	if err := c.authorize("arn:aws:s3:::" + name); err != nil {
		return nil, err
	}
	if region != c.s.opts.Region {
		return nil, newError(http.StatusBadRequest, "IllegalLocationConstraintException",
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", region)
	}
	if b := c.s.st.Buckets[name]; b != nil {
		if c.s.opts.Region == "us-east-1" {
			// us-east-1 answers a repeated CreateBucket by the owner with success.
			return bucketCreated(name), nil
		}
		return nil, newError(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.").with("BucketName", name)
	}
	c.s.st.Buckets[name] = &bucket{Name: name, Created: c.rq.now, Region: region, Objects: map[string]*object{}}
	return bucketCreated(name), nil
}

func bucketCreated(name string) *s3Response {
	r := emptyResponse(http.StatusOK)
	r.header.Set("Location", "/"+name)
	return r
}

// findBucket authorises the call on the bucket and finds it.
func (c *call) findBucket(bucket, resource string) (*bucket, *apiError) {
	if err := c.authorize(resource); err != nil {
		return nil, err
	}
	b := c.s.st.Buckets[bucket]
	if b == nil {
		return nil, errNoSuchBucket(bucket)
	}
	return b, nil
}

func opDeleteBucket(c *call, bucket, _ string) (*s3Response, *apiError) {
	b, aerr := c.findBucket(bucket, "arn:aws:s3:::"+bucket)
	if aerr != nil {
		return nil, aerr
	}
	if len(b.Objects) > 0 {
		return nil, newError(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", bucket)
	}
	delete(c.s.st.Buckets, bucket)
	return emptyResponse(http.StatusNoContent), nil
}

func opHeadBucket(c *call, bucket, _ string) (*s3Response, *apiError) {
	b, aerr := c.findBucket(bucket, "arn:aws:s3:::"+bucket)
	if aerr != nil {
		return nil, aerr
	}
	r := emptyResponse(http.StatusOK)
	r.header.Set("x-amz-bucket-region", b.Region)
	return r, nil
}

func opGetBucketLocation(c *call, bucket, _ string) (*s3Response, *apiError) {
	b, aerr := c.findBucket(bucket, "arn:aws:s3:::"+bucket)
	if aerr != nil {
		return nil, aerr
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = "" // S3's historical answer for us-east-1
	}
	return xmlResponse(http.StatusOK, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Value   string   `xml:",chardata"`
	}{NS: s3Namespace, Value: loc})
}

// s3Escape URL-encodes a key for responses that asked for encoding-type=url.
func s3Escape(s string, encode bool) string {
	if !encode {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
