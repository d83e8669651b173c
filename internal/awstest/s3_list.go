package awstest

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// S3 listings: ListObjectsV2 and ListObjects (v1).

type xmlObject struct {
	Key          string
	LastModified s3Time
	ETag         string
	Size         int
	StorageClass string
	Owner        *struct{ ID, DisplayName string } `xml:",omitempty"`
}

type xmlPrefix struct{ Prefix string }

// listing is one page of a bucket listing.
type listing struct {
	contents  []xmlObject
	prefixes  []xmlPrefix
	truncated bool
	last      string // the last key or common prefix returned
	lastIsPre bool
}

// listBucket walks the bucket's keys after `after` (a key, or a common prefix when
// afterPrefix), grouping by delimiter, up to max entries.
func listBucket(b *bucket, prefix, delimiter, after string, afterPrefix bool, max int, owner *struct{ ID, DisplayName string }) listing {
	var l listing
	count := 0
	lastPrefix := ""
	for _, k := range b.sortedKeys() {
		if k <= after || afterPrefix && strings.HasPrefix(k, after) || !strings.HasPrefix(k, prefix) {
			continue
		}
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				cp := k[:len(prefix)+i+len(delimiter)]
				if cp == lastPrefix {
					continue
				}
				if count == max {
					l.truncated = true
					break
				}
				lastPrefix = cp
				l.prefixes = append(l.prefixes, xmlPrefix{cp})
				l.last, l.lastIsPre = cp, true
				count++
				continue
			}
		}
		if count == max {
			l.truncated = true
			break
		}
		o := b.Objects[k]
		l.contents = append(l.contents, xmlObject{Key: k, LastModified: s3Time(o.LastModified), ETag: o.ETag, Size: len(o.Data), StorageClass: "STANDARD", Owner: owner})
		l.last, l.lastIsPre = k, false
		count++
	}
	return l
}

// listParams reads and checks the listing parameters shared by both versions, and
// sets the s3:prefix, s3:delimiter and s3:max-keys condition keys.
func (c *call) listParams() (prefix, delimiter string, max int, encode bool, aerr *apiError) {
	q := c.rq.r.URL.Query()
	prefix, delimiter = q.Get("prefix"), q.Get("delimiter")
	max = 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return "", "", 0, false, newError(http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range").with("ArgumentName", "max-keys").with("ArgumentValue", v)
		}
		if n < max {
			max = n
		}
	}
	switch et := q.Get("encoding-type"); et {
	case "", "url":
		encode = et == "url"
	default:
		return "", "", 0, false, newError(http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request").with("ArgumentName", "encoding-type").with("ArgumentValue", et)
	}
	c.setCtx("s3:prefix", prefix)
	if delimiter != "" {
		c.setCtx("s3:delimiter", delimiter)
	}
	c.setCtx("s3:max-keys", strconv.Itoa(max))
	return prefix, delimiter, max, encode, nil
}

func encodeListing(l *listing, encode bool) {
	for i := range l.contents {
		l.contents[i].Key = s3Escape(l.contents[i].Key, encode)
	}
	for i := range l.prefixes {
		l.prefixes[i].Prefix = s3Escape(l.prefixes[i].Prefix, encode)
	}
}

func opListObjectsV2(c *call, bucket, _ string) (*s3Response, *apiError) {
	prefix, delimiter, max, encode, aerr := c.listParams()
	if aerr != nil {
		c.authorized = true
		return nil, aerr
	}
	q := c.rq.r.URL.Query()
	token, startAfter := q.Get("continuation-token"), q.Get("start-after")
	after, afterPrefix := startAfter, false
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) < 2 || raw[1] != ':' || raw[0] != 'K' && raw[0] != 'P' {
			c.authorized = true
			return nil, newError(http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect").with("ArgumentName", "continuation-token")
		}
		after, afterPrefix = string(raw[2:]), raw[0] == 'P'
	}
	b, aerr := c.findBucket(bucket, "arn:aws:s3:::"+bucket)
	if aerr != nil {
		return nil, aerr
	}
	var owner *struct{ ID, DisplayName string }
	if q.Get("fetch-owner") == "true" {
		owner = &struct{ ID, DisplayName string }{c.s.canonicalUserID(), "sandbox"}
	}
	l := listBucket(b, prefix, delimiter, after, afterPrefix, max, owner)
	out := struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		NS                    string   `xml:"xmlns,attr"`
		Name                  string
		Prefix                string
		Delimiter             string `xml:",omitempty"`
		MaxKeys               int
		KeyCount              int
		IsTruncated           bool
		EncodingType          string `xml:",omitempty"`
		ContinuationToken     string `xml:",omitempty"`
		NextContinuationToken string `xml:",omitempty"`
		StartAfter            string `xml:",omitempty"`
		Contents              []xmlObject
		CommonPrefixes        []xmlPrefix
	}{NS: s3Namespace, Name: bucket, Prefix: s3Escape(prefix, encode), Delimiter: s3Escape(delimiter, encode), MaxKeys: max,
		KeyCount: len(l.contents) + len(l.prefixes), IsTruncated: l.truncated, ContinuationToken: token, StartAfter: s3Escape(startAfter, encode)}
	if encode {
		out.EncodingType = "url"
	}
	if l.truncated {
		kind := "K:"
		if l.lastIsPre {
			kind = "P:"
		}
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(kind + l.last))
	}
	encodeListing(&l, encode)
	out.Contents, out.CommonPrefixes = l.contents, l.prefixes
	return xmlResponse(http.StatusOK, out)
}

func opListObjects(c *call, bucket, _ string) (*s3Response, *apiError) {
	prefix, delimiter, max, encode, aerr := c.listParams()
	if aerr != nil {
		c.authorized = true
		return nil, aerr
	}
	marker := c.rq.r.URL.Query().Get("marker")
	b, aerr := c.findBucket(bucket, "arn:aws:s3:::"+bucket)
	if aerr != nil {
		return nil, aerr
	}
	owner := &struct{ ID, DisplayName string }{c.s.canonicalUserID(), "sandbox"}
	l := listBucket(b, prefix, delimiter, marker, delimiter != "" && strings.HasSuffix(marker, delimiter), max, owner)
	out := struct {
		XMLName        xml.Name `xml:"ListBucketResult"`
		NS             string   `xml:"xmlns,attr"`
		Name           string
		Prefix         string
		Marker         string
		NextMarker     string `xml:",omitempty"`
		MaxKeys        int
		Delimiter      string `xml:",omitempty"`
		IsTruncated    bool
		EncodingType   string `xml:",omitempty"`
		Contents       []xmlObject
		CommonPrefixes []xmlPrefix
	}{NS: s3Namespace, Name: bucket, Prefix: s3Escape(prefix, encode), Marker: s3Escape(marker, encode), MaxKeys: max,
		Delimiter: s3Escape(delimiter, encode), IsTruncated: l.truncated}
	if encode {
		out.EncodingType = "url"
	}
	if l.truncated && delimiter != "" {
		out.NextMarker = s3Escape(l.last, encode)
	}
	encodeListing(&l, encode)
	out.Contents, out.CommonPrefixes = l.contents, l.prefixes
	return xmlResponse(http.StatusOK, out)
}
