package awstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestS3BucketsAndObjects(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	c := admin(t, srv).s3
	bkt := aws.String("objects")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bkt})
	noErr(t, err)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	wantAPIError(t, err, "InvalidBucketName", 400, "The specified bucket is not valid.")
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bkt})
	noErr(t, err)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	wantAPIError(t, err, "NotFound", 404, "")
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: bkt})
	noErr(t, err)
	if loc.LocationConstraint != "" {
		t.Fatalf("us-east-1 location: %q", loc.LocationConstraint)
	}

	// Keys that exercise the signature's path and query encoding.
	keys := []string{"plain.txt", "dir/with space.txt", "sym+bols=&?.txt", "unicode/é ü ß.txt", "tilde~star*(paren)!'.txt", "a//double/slash"}
	for _, k := range keys {
		t.Run("put and get "+k, func(t *testing.T) {
			body := "content of " + k
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bkt, Key: aws.String(k), Body: strings.NewReader(body), ContentType: aws.String("text/plain"),
				Metadata: map[string]string{"owner": "test"}})
			noErr(t, err)
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bkt, Key: aws.String(k)})
			noErr(t, err)
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(got) != body || *out.ContentType != "text/plain" || out.Metadata["owner"] != "test" {
				t.Fatalf("GetObject: %q %s %v", got, *out.ContentType, out.Metadata)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bkt, Key: aws.String(k)})
			noErr(t, err)
			if *head.ContentLength != int64(len(body)) || *head.ETag != *out.ETag {
				t.Fatalf("HeadObject: %d %s", *head.ContentLength, *head.ETag)
			}
		})
	}

	// Ranges.
	r, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bkt, Key: aws.String("plain.txt"), Range: aws.String("bytes=0-6")})
	noErr(t, err)
	got, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if string(got) != "content" || *r.ContentRange != "bytes 0-6/20" {
		t.Fatalf("range: %q %s", got, *r.ContentRange)
	}

	// Errors.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bkt, Key: aws.String("nope")})
	wantAPIError(t, err, "NoSuchKey", 404, "The specified key does not exist.")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("missing"), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchBucket", 404, "The specified bucket does not exist")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bkt, Key: aws.String("nope")})
	wantAPIError(t, err, "NotFound", 404, "")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bkt})
	wantAPIError(t, err, "BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bkt, Policy: aws.String(allowAll)})
	wantAPIError(t, err, "NotImplemented", 501, "")

	// Delete: one, then the rest in a batch, then the bucket.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bkt, Key: aws.String("plain.txt")})
	noErr(t, err)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bkt, Key: aws.String("plain.txt")})
	noErr(t, err)
	var ids []s3types.ObjectIdentifier
	for _, k := range keys[1:] {
		ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(k)})
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bkt, Delete: &s3types.Delete{Objects: ids}})
	noErr(t, err)
	if len(del.Deleted) != len(keys)-1 || len(del.Errors) != 0 {
		t.Fatalf("DeleteObjects: %d deleted, %d errors", len(del.Deleted), len(del.Errors))
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bkt})
	noErr(t, err)
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	noErr(t, err)
	if len(list.Buckets) != 0 {
		t.Fatalf("buckets left: %d", len(list.Buckets))
	}
}

func TestS3ChecksumsAreVerified(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	c := admin(t, srv).s3
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sums")})
	noErr(t, err)
	for _, alg := range []s3types.ChecksumAlgorithm{s3types.ChecksumAlgorithmCrc32, s3types.ChecksumAlgorithmCrc32c, s3types.ChecksumAlgorithmSha1, s3types.ChecksumAlgorithmSha256, s3types.ChecksumAlgorithmCrc64nvme} {
		t.Run(string(alg), func(t *testing.T) {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(string(alg)), Body: bytes.NewReader([]byte("checked")), ChecksumAlgorithm: alg})
			noErr(t, err)
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(string(alg)), ChecksumMode: s3types.ChecksumModeEnabled})
			noErr(t, err)
			b, err := io.ReadAll(out.Body) // the SDK validates the returned checksum while reading
			out.Body.Close()
			noErr(t, err)
			if string(b) != "checked" {
				t.Fatalf("body %q", b)
			}
		})
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader("x"), ChecksumCRC32: aws.String("AAAAAA==")})
	wantAPIError(t, err, "BadDigest", 400, "")
}

func TestListObjectsV2(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	c := admin(t, srv).s3
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("listing")})
	noErr(t, err)
	var all []string
	for _, d := range []string{"a", "b", "c"} {
		for i := 0; i < 4; i++ {
			k := fmt.Sprintf("logs/%s/%02d.json", d, i)
			all = append(all, k)
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("listing"), Key: aws.String(k), Body: strings.NewReader("{}")})
			noErr(t, err)
		}
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("listing"), Key: aws.String("top.txt"), Body: strings.NewReader("x")})
	noErr(t, err)

	tests := []struct {
		name      string
		in        s3.ListObjectsV2Input
		keys      []string
		prefixes  []string
		truncated bool
	}{
		{"prefix", s3.ListObjectsV2Input{Prefix: aws.String("logs/b/")}, all[4:8], nil, false},
		{"delimiter", s3.ListObjectsV2Input{Delimiter: aws.String("/")}, []string{"top.txt"}, []string{"logs/"}, false},
		{"nested delimiter", s3.ListObjectsV2Input{Prefix: aws.String("logs/"), Delimiter: aws.String("/")}, nil, []string{"logs/a/", "logs/b/", "logs/c/"}, false},
		{"max keys", s3.ListObjectsV2Input{MaxKeys: aws.Int32(3)}, all[:3], nil, true},
		{"start after", s3.ListObjectsV2Input{StartAfter: aws.String("logs/c/01.json")}, append(append([]string{}, all[10:]...), "top.txt"), nil, false},
		{"prefixes count toward max keys", s3.ListObjectsV2Input{Prefix: aws.String("logs/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)}, nil, []string{"logs/a/", "logs/b/"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("listing")
			out, err := c.ListObjectsV2(ctx, &in)
			noErr(t, err)
			var keys, prefixes []string
			for _, o := range out.Contents {
				keys = append(keys, *o.Key)
			}
			for _, p := range out.CommonPrefixes {
				prefixes = append(prefixes, *p.Prefix)
			}
			if strings.Join(keys, ",") != strings.Join(tc.keys, ",") || strings.Join(prefixes, ",") != strings.Join(tc.prefixes, ",") || *out.IsTruncated != tc.truncated {
				t.Fatalf("keys %v prefixes %v truncated %v", keys, prefixes, *out.IsTruncated)
			}
			if int(*out.KeyCount) != len(keys)+len(prefixes) {
				t.Fatalf("KeyCount %d", *out.KeyCount)
			}
		})
	}

	// The paginator walks every key once, with the delimiter too.
	for _, delim := range []*string{nil, aws.String("/")} {
		var seen []string
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), MaxKeys: aws.Int32(2), Prefix: aws.String("logs/"), Delimiter: delim})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			noErr(t, err)
			for _, o := range out.Contents {
				seen = append(seen, *o.Key)
			}
			for _, cp := range out.CommonPrefixes {
				seen = append(seen, *cp.Prefix)
			}
		}
		want := strings.Join(all, ",")
		if delim != nil {
			want = "logs/a/,logs/b/,logs/c/"
		}
		if strings.Join(seen, ",") != want {
			t.Fatalf("paginated (delimiter %v): %v", delim != nil, seen)
		}
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), ContinuationToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidArgument", 400, "The continuation token provided is incorrect")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nope")})
	wantAPIError(t, err, "NoSuchBucket", 404, "")
}

func TestS3MissingKeyWithoutListPermission(t *testing.T) {
	srv := Start(t)
	s3Setup(t, srv, "guarded/present")
	only := newUserWithKey(t, srv, "getter", allow("s3:GetObject", "*"))
	wantAPIError(t, getObject(as(srv, only), "guarded/absent"), "AccessDenied", 403, `s3:ListBucket on resource: "arn:aws:s3:::guarded"`)
	lister := newUserWithKey(t, srv, "lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`)
	wantAPIError(t, getObject(as(srv, lister), "guarded/absent"), "NoSuchKey", 404, "")
}

func TestS3VirtualHostedStyleOnLocalhost(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	cfg := srv.AdminConfig(ctx)
	cfg.BaseEndpoint = aws.String("http://localhost:" + port)
	// Resolve every *.localhost to the sandbox, as systemd-resolved and browsers do.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
	}
	cfg.HTTPClient = &http.Client{Transport: bufferedBodies{tr}}
	c := s3.NewFromConfig(cfg)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost-bucket")})
	noErr(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost-bucket"), Key: aws.String("dir/k"), Body: strings.NewReader("v")})
	noErr(t, err)
	var host any
	for _, e := range srv.Events() {
		if e.EventName == "PutObject" {
			host = e.RequestParameters.(map[string]any)["Host"]
		}
	}
	if host != "vhost-bucket.localhost:"+port {
		t.Fatalf("the SDK did not address the bucket by host: %v", host)
	}
	// The same object through path-style addressing.
	out, err := admin(t, srv).s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost-bucket"), Key: aws.String("dir/k")})
	noErr(t, err)
	out.Body.Close()
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost-bucket")})
	noErr(t, err)
	if len(list.Contents) != 1 || *list.Contents[0].Key != "dir/k" {
		t.Fatalf("virtual-hosted listing: %+v", list.Contents)
	}
}
