package awstest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strconv"
	"strings"
)

// S3 objects: Put, Get, Head, Delete, DeleteObjects.

func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// checksumAlgorithms are the x-amz-checksum-* headers S3 verifies, with their hashes.
var checksumAlgorithms = map[string]func() hash.Hash{
	"x-amz-checksum-crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"x-amz-checksum-crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"x-amz-checksum-crc64nvme": func() hash.Hash { return crc64.New(crc64.MakeTable(0x9A6C9329AC4BC9B5)) },
	"x-amz-checksum-sha1":      sha1.New,
	"x-amz-checksum-sha256":    sha256.New,
}

var checksumNames = map[string]string{
	"x-amz-checksum-crc32": "CRC32", "x-amz-checksum-crc32c": "CRC32C", "x-amz-checksum-crc64nvme": "CRC64NVME",
	"x-amz-checksum-sha1": "SHA1", "x-amz-checksum-sha256": "SHA256",
}

// checksums verifies the checksums sent with a body (as headers or aws-chunked
// trailers) and returns them for storage.
func (c *call) checksums(data []byte) (map[string]string, *apiError) {
	out := map[string]string{}
	for name, newHash := range checksumAlgorithms {
		v := c.rq.r.Header.Get(name)
		if v == "" && c.rq.trailer != nil {
			v = c.rq.trailer.Get(name)
		}
		if v == "" {
			continue
		}
		h := newHash()
		h.Write(data)
		if base64.StdEncoding.EncodeToString(h.Sum(nil)) != v {
			return nil, newError(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", checksumNames[name])
		}
		out[name] = v
	}
	if md := c.rq.r.Header.Get("Content-MD5"); md != "" {
		want, err := base64.StdEncoding.DecodeString(md)
		if err != nil || len(want) != md5.Size {
			return nil, newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		if got := md5.Sum(data); string(got[:]) != string(want) {
			return nil, newError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	return out, nil
}

func opPutObject(c *call, bucket, key string) (*s3Response, *apiError) {
	if len(key) > 1024 {
		c.authorized = true
		return nil, newError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	}
	b, aerr := c.findBucket(bucket, objectARN(bucket, key))
	if aerr != nil {
		return nil, aerr
	}
	data := c.rq.body
	sums, aerr := c.checksums(data)
	if aerr != nil {
		return nil, aerr
	}
	h := c.rq.r.Header
	sum := md5.Sum(data)
	o := &object{Key: key, Data: append([]byte(nil), data...), ETag: `"` + hex.EncodeToString(sum[:]) + `"`,
		ContentType: h.Get("Content-Type"), LastModified: c.rq.now, Metadata: map[string]string{}, Checksums: sums}
	if o.ContentType == "" {
		o.ContentType = "binary/octet-stream"
	}
	for k, v := range h {
		if lk := lower(k); strings.HasPrefix(lk, "x-amz-meta-") {
			o.Metadata[strings.TrimPrefix(lk, "x-amz-meta-")] = v[0]
		}
	}
	b.Objects[key] = o
	r := emptyResponse(http.StatusOK)
	r.header.Set("ETag", o.ETag)
	for name, v := range sums {
		r.header.Set(name, v)
	}
	return r, nil
}

// findObject authorises reading an object and finds it. A missing key is NoSuchKey
// only for callers who may list the bucket; others get AccessDenied, as from S3.
func (c *call) findObject(bucket, key string) (*object, *apiError) {
	b, aerr := c.findBucket(bucket, objectARN(bucket, key))
	if aerr != nil {
		return nil, aerr
	}
	if o := b.Objects[key]; o != nil {
		return o, nil
	}
	bucketARN := "arn:aws:s3:::" + bucket
	if d := c.s.decide(c.caller, "s3:ListBucket", bucketARN, c.requestContext()); !d.allowed {
		return nil, c.accessDenied("s3:ListBucket", bucketARN, d.reason)
	}
	return nil, newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").with("Key", key)
}

func objectHeaders(c *call, o *object) http.Header {
	h := http.Header{}
	h.Set("Content-Type", o.ContentType)
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	for k, v := range o.Metadata {
		h.Set("x-amz-meta-"+k, v)
	}
	if strings.EqualFold(c.rq.r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		for name, v := range o.Checksums {
			h.Set(name, v)
			h.Set("x-amz-checksum-type", "FULL_OBJECT")
		}
	}
	return h
}

// conditional applies If-Match and If-None-Match.
func conditional(r *http.Request, o *object) *apiError {
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && strings.Trim(m, `"`) != strings.Trim(o.ETag, `"`) {
		return newError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").with("Condition", "If-Match")
	}
	if m := r.Header.Get("If-None-Match"); m != "" && (m == "*" || strings.Trim(m, `"`) == strings.Trim(o.ETag, `"`)) {
		return &apiError{Status: http.StatusNotModified, Code: "NotModified", Message: "Not Modified"}
	}
	return nil
}

func opGetObject(c *call, bucket, key string) (*s3Response, *apiError) {
	o, aerr := c.findObject(bucket, key)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := conditional(c.rq.r, o); aerr != nil {
		return nil, aerr
	}
	h := objectHeaders(c, o)
	data := o.Data
	status := http.StatusOK
	if rg := c.rq.r.Header.Get("Range"); rg != "" {
		start, end, ok := parseRange(rg, int64(len(data)))
		if !ok {
			return nil, newError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
				with("RangeRequested", rg).with("ActualObjectSize", strconv.Itoa(len(data)))
		}
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.Itoa(len(data)))
		for name := range o.Checksums {
			h.Del(name)
		}
		h.Del("x-amz-checksum-type")
		data, status = data[start:end+1], http.StatusPartialContent
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	return &s3Response{status: status, header: h, body: data}, nil
}

// parseRange reads a single "bytes=" range.
func parseRange(spec string, size int64) (start, end int64, ok bool) {
	r, found := strings.CutPrefix(spec, "bytes=")
	if !found || strings.Contains(r, ",") {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(r, "-")
	var err error
	switch {
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		if n > size {
			n = size
		}
		return size - n, size - 1, size > 0
	case b == "":
		start, err = strconv.ParseInt(a, 10, 64)
		end = size - 1
	default:
		start, err = strconv.ParseInt(a, 10, 64)
		if err == nil {
			end, err = strconv.ParseInt(b, 10, 64)
		}
		if end >= size {
			end = size - 1
		}
	}
	if err != nil || start < 0 || start >= size || end < start {
		return 0, 0, false
	}
	return start, end, true
}

func opHeadObject(c *call, bucket, key string) (*s3Response, *apiError) {
	o, aerr := c.findObject(bucket, key)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := conditional(c.rq.r, o); aerr != nil {
		return nil, aerr
	}
	h := objectHeaders(c, o)
	h.Set("Content-Length", strconv.Itoa(len(o.Data)))
	return &s3Response{status: http.StatusOK, header: h}, nil
}

func opDeleteObject(c *call, bucket, key string) (*s3Response, *apiError) {
	b, aerr := c.findBucket(bucket, objectARN(bucket, key))
	if aerr != nil {
		return nil, aerr
	}
	if b.Objects[key] != nil {
		delete(b.Objects, key)
	}
	return emptyResponse(http.StatusNoContent), nil
}

func opDeleteObjects(c *call, bucket, _ string) (*s3Response, *apiError) {
	var req struct {
		Quiet  bool
		Object []struct{ Key string }
	}
	if err := xml.Unmarshal(c.rq.body, &req); err != nil || len(req.Object) == 0 || len(req.Object) > 1000 {
		c.authorized = true
		return nil, newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if _, aerr := c.checksums(c.rq.body); aerr != nil {
		c.authorized = true
		return nil, aerr
	}
	b := c.s.st.Buckets[bucket]
	type deleted struct{ Key string }
	type failed struct{ Key, Code, Message string }
	out := struct {
		XMLName xml.Name `xml:"DeleteResult"`
		NS      string   `xml:"xmlns,attr"`
		Deleted []deleted
		Error   []failed
	}{NS: s3Namespace}
	for _, o := range req.Object {
		if err := c.authorizeAction("s3:DeleteObject", objectARN(bucket, o.Key)); err != nil {
			out.Error = append(out.Error, failed{o.Key, "AccessDenied", "Access Denied"})
			continue
		}
		if b == nil {
			return nil, errNoSuchBucket(bucket)
		}
		if b.Objects[o.Key] != nil {
			delete(b.Objects, o.Key)
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, deleted{o.Key})
		}
	}
	return xmlResponse(http.StatusOK, out)
}
