package usage

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ciem/ciem/internal/usage/trailgen"
)

// testAWSConfig is an SDK configuration for a local test endpoint.
func testAWSConfig() aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	}
}

// s3Server speaks the S3 REST protocol for path-style ListObjectsV2 and GetObject over an
// in-memory bucket, with small pages so that clients must follow continuation tokens.
type s3Server struct {
	bucket  string
	objects map[string][]byte
	page    int
	denied  map[string]bool // keys whose GetObject is refused

	mu      sync.Mutex
	gets    []string
	listing []string // prefix|delimiter|start-after of each list call
}

type listResult struct {
	XMLName               xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listObject   `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
}

type listObject struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int    `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

func (s *s3Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if bucket != s.bucket || r.Method != http.MethodGet {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "no such bucket")
		return
	}
	if key == "" && r.URL.Query().Get("list-type") == "2" {
		s.list(w, r)
		return
	}
	s.mu.Lock()
	s.gets = append(s.gets, key)
	s.mu.Unlock()
	if s.denied[key] {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	data, ok := s.objects[key]
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.Header().Set("ETag", `"etag"`)
	w.Write(data)
}

func (s *s3Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	prefix, delim, after, token := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after"), q.Get("continuation-token")
	s.mu.Lock()
	s.listing = append(s.listing, prefix+"|"+delim+"|"+after)
	s.mu.Unlock()
	if token != "" {
		after = token
	}
	keys := make([]string, 0, len(s.objects))
	for k := range s.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	res := listResult{Name: s.bucket, Prefix: prefix, Delimiter: delim, StartAfter: q.Get("start-after"), MaxKeys: s.page, ContinuationToken: token}
	seen := map[string]bool{}
	n := 0
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) || k <= after {
			continue
		}
		entry := k
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				entry = k[:len(prefix)+i+len(delim)]
				if seen[entry] || entry <= after {
					continue
				}
			}
		}
		if n == s.page {
			res.IsTruncated = true
			break
		}
		n++
		if entry != k {
			seen[entry] = true
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: entry})
			res.NextContinuationToken = entry + "\xff" // past every key under the prefix
		} else {
			res.Contents = append(res.Contents, listObject{Key: k, LastModified: "2026-07-01T00:00:00.000Z", ETag: `"etag"`, Size: len(s.objects[k]), StorageClass: "STANDARD"})
			res.NextContinuationToken = k
		}
	}
	if !res.IsTruncated {
		res.NextContinuationToken = ""
	}
	res.KeyCount = n
	w.Header().Set("Content-Type", "application/xml")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(res)
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>req</RequestId><HostId>host</HostId></Error>`, code, msg)
}

func newS3Client(url string) *s3.Client {
	return s3.NewFromConfig(testAWSConfig(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
	})
}

// loadObjects puts every file under dir into the bucket under prefix.
func loadObjects(t *testing.T, dir, prefix string, into map[string][]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		into[prefix+filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestS3TrailMatchesLocal(t *testing.T) {
	dir := t.TempDir()
	sum, err := trailgen.Generate(context.Background(), trailgen.Config{Seed: 21, Events: 6000, PerFile: 300, Days: 20}, dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := &s3Server{bucket: "trail-bucket", objects: map[string][]byte{}, page: 7}
	loadObjects(t, dir, "org/", srv.objects)
	srv.objects["org/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/06/05/digest.json.gz"] = gz(t, `{"digest":true}`)
	srv.objects["org/notes.txt"] = []byte("hello")
	ts := httptest.NewServer(srv)
	defer ts.Close()

	w := Window{Since: time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC)}
	opts := Options{Account: sum.Account, Window: w}
	remote, err := Collect(context.Background(), opts, S3Trail{Client: newS3Client(ts.URL), Bucket: "trail-bucket", Prefix: "org"})
	if err != nil {
		t.Fatal(err)
	}
	local := digestDir(t, dir, opts)
	if remote.Problems.Total() != 0 {
		t.Fatalf("problems %+v", remote.Problems)
	}
	if !samePrincipals(remote, local) || remote.Totals.Counted != local.Totals.Counted || remote.Totals.Counted == 0 {
		t.Errorf("S3 and local digests differ: counted %d vs %d", remote.Totals.Counted, local.Totals.Counted)
	}
	// Only the window's date folders (with a day's margin) were fetched, no digest files.
	for _, k := range srv.gets {
		parts := strings.Split(k, "/")
		day := strings.Join(parts[5:8], "-")
		if day < "2026-06-07" || day > "2026-06-14" || strings.Contains(k, "Digest") {
			t.Errorf("fetched %s, outside the window's folders", k)
		}
	}
	if len(srv.gets) == 0 || len(srv.gets) == len(sum.Paths) {
		t.Errorf("fetched %d of %d files", len(srv.gets), len(sum.Paths))
	}
	// Regions were listed from the window's first folder.
	var started int
	for _, l := range srv.listing {
		prefix, after, _ := strings.Cut(strings.Replace(l, "||", "|", 1), "|")
		if after == prefix+"2026/06/07" {
			started++
		}
	}
	if started != 3 {
		t.Errorf("listings %q: want one per region starting after 2026/06/07", srv.listing)
	}
	if !slices.ContainsFunc(remote.Sources[0].Notes, func(n string) bool { return strings.Contains(n, "2026/06/07 to 2026/06/14") }) {
		t.Errorf("notes %q", remote.Sources[0].Notes)
	}
}

func TestS3TrailErrors(t *testing.T) {
	good := trailJSON(records(3)...)
	srv := &s3Server{bucket: "b", page: 1000, objects: map[string][]byte{
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/a.json.gz": gz(t, good),
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/b.json.gz": gz(t, good),
		"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/c.json.gz": gz(t, good)[:40],
	}, denied: map[string]bool{"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/b.json.gz": true}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	d, err := Collect(context.Background(), Options{Account: acct}, S3Trail{Client: newS3Client(ts.URL), Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.Counted != 3 || d.Totals.Files != 3 {
		t.Errorf("counted %d from %d files", d.Totals.Counted, d.Totals.Files)
	}
	var kinds []string
	for _, p := range d.Problems.Items {
		kinds = append(kinds, string(p.Kind)+" "+p.File)
	}
	want := []string{
		"truncated-gzip s3://b/AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/c.json.gz",
		"unreadable-file s3://b/AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/b.json.gz",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("problems %q, want %q", kinds, want)
	}
	// A bucket that cannot be listed fails the source, with the reason.
	_, err = Collect(context.Background(), Options{}, S3Trail{Client: newS3Client(ts.URL), Bucket: "other"})
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("listing a missing bucket: %v", err)
	}
}

// Without the AWS layout every trail file under the prefix is read.
func TestS3TrailFlatPrefix(t *testing.T) {
	srv := &s3Server{bucket: "b", page: 2, objects: map[string][]byte{
		"exports/one.json":     []byte(trailJSON(records(2)...)),
		"exports/x/two.json":   []byte(trailJSON(records(3)...)),
		"exports/x/skip.csv":   []byte("a,b"),
		"elsewhere/three.json": []byte(trailJSON(records(4)...)),
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	d, err := Collect(context.Background(), Options{Account: acct}, S3Trail{Client: newS3Client(ts.URL), Bucket: "b", Prefix: "exports"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.Counted != 5 || len(d.Sources[0].Notes) != 1 {
		t.Errorf("counted %d, notes %q", d.Totals.Counted, d.Sources[0].Notes)
	}
}
