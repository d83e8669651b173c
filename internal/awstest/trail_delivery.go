package awstest

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// DeliverTrailLogs writes the events each logging trail has not yet delivered into its
// bucket, as CloudTrail does every few minutes: one gzipped JSON file per region and
// day, at [prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
// <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz. It returns the keys
// written.
func (s *Server) DeliverTrailLogs() ([]string, error) {
	events := s.events.snapshot()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var written []string
	var errs []string
	for _, t := range s.sortedTrails() {
		if !t.Logging {
			continue
		}
		type group struct {
			region, day string
			records     []json.RawMessage
		}
		groups := map[string]*group{}
		last := t.Delivered
		for _, e := range events {
			if e.Seq <= t.Delivered {
				continue
			}
			last = e.Seq
			if !t.selects(e) || !t.MultiRegion && e.Region != t.HomeRegion && !(t.IncludeGlobal && e.Region == "us-east-1") {
				continue
			}
			day := e.Time.UTC().Format("2006/01/02")
			k := e.Region + "|" + day
			g := groups[k]
			if g == nil {
				g = &group{region: e.Region, day: day}
				groups[k] = g
			}
			g.records = append(g.records, e.Record)
		}
		if len(groups) == 0 {
			t.Delivered = last
			continue
		}
		b := s.st.Buckets[t.Bucket]
		if b == nil {
			t.LatestDeliveryErr = "NoSuchBucket"
			errs = append(errs, fmt.Sprintf("trail %s: bucket %s does not exist", t.Name, t.Bucket))
			continue
		}
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			g := groups[k]
			body, err := gzipRecords(g.records)
			if err != nil {
				return written, err
			}
			prefix := ""
			if t.Prefix != "" {
				prefix = strings.TrimSuffix(t.Prefix, "/") + "/"
			}
			acct := s.st.Account
			key := fmt.Sprintf("%sAWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz",
				prefix, acct, g.region, g.day, acct, g.region, now.UTC().Format("20060102T1504Z"), randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 16))
			sum := md5.Sum(body)
			b.Objects[key] = &object{Key: key, Data: body, ETag: `"` + hex.EncodeToString(sum[:]) + `"`,
				ContentType: "application/json", LastModified: now, Metadata: map[string]string{}}
			written = append(written, key)
		}
		t.Delivered = last
		t.LatestDelivery = &now
		t.LatestDeliveryErr = ""
	}
	if len(written) > 0 && s.saver != nil {
		s.saver.request()
	}
	if len(errs) > 0 {
		return written, fmt.Errorf("delivering CloudTrail logs: %s", strings.Join(errs, "; "))
	}
	return written, nil
}

func gzipRecords(records []json.RawMessage) ([]byte, error) {
	doc, err := json.Marshal(struct {
		Records []json.RawMessage `json:"Records"`
	}{records})
	if err != nil {
		return nil, fmt.Errorf("encoding CloudTrail log file: %w", err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(doc); err != nil {
		return nil, fmt.Errorf("compressing CloudTrail log file: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing CloudTrail log file: %w", err)
	}
	return buf.Bytes(), nil
}
