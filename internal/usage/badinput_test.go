package usage

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// records returns n valid records of the role, one a minute.
func records(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = rec(idRole, "s3.amazonaws.com", "GetObject", fmt.Sprintf("2026-06-02T10:%02d:00Z", i%60), `"requestParameters":{"bucketName":"b","key":"k"}`)
	}
	return out
}

func TestBadInput(t *testing.T) {
	good := trailJSON(records(10)...)
	full := gz(t, trailJSON(records(200)...))
	corrupt := append([]byte(nil), full...)
	for i := len(corrupt) / 2; i < len(corrupt)/2+64; i++ {
		corrupt[i] ^= 0x5a
	}
	recs := records(5)
	badRecord := make([]string, 5)
	copy(badRecord, recs)
	badRecord[2] = strings.Replace(recs[2], `"eventName":"GetObject"`, `"eventName":GetObject`, 1)
	notObject := make([]string, 5)
	copy(notObject, recs)
	notObject[1] = `"just a string"`
	notObject[3] = `[1, {"a": [2]}]`
	plainCut := trailJSON(records(5)...)
	plainCut = plainCut[:len(plainCut)-len(recs[4])/2-2]

	tests := []struct {
		name    string
		content []byte
		// expected: records counted from this file, and problems as kind@record
		counted  int64
		problems []string
	}{
		{name: "truncated gzip", content: full[:len(full)*6/10], problems: []string{"truncated-gzip"}},
		{name: "corrupt gzip", content: corrupt, problems: []string{"corrupt-gzip"}},
		{name: "gzip header only", content: full[:5], problems: []string{"truncated-gzip@0"}},
		{name: "malformed record", content: []byte(trailJSON(badRecord...)), counted: 4, problems: []string{"malformed-record@2"}},
		{name: "elements that are not objects", content: []byte(trailJSON(notObject...)), counted: 3, problems: []string{"malformed-record@1", "malformed-record@3"}},
		{name: "plain JSON cut inside a record", content: []byte(plainCut), counted: 4, problems: []string{"truncated-json@4"}},
		{name: "empty file", content: nil, problems: []string{"not-a-trail-file@0"}},
		{name: "not a trail", content: []byte(`{"awsAccountId":"123456789012","digestStartTime":"x"}`), problems: []string{"not-a-trail-file@0"}},
		{name: "not JSON", content: []byte("hello"), problems: []string{"not-a-trail-file@0"}},
		{name: "other keys before Records", content: []byte(`{"Version":{"a":[1,2]},"Records":[` + recs[0] + `]}`), counted: 1},
		{name: "empty Records", content: []byte(`{"Records":[]}`)},
		{name: "garbage between records", content: []byte(`{"Records":[` + recs[0] + ` x ` + recs[1] + `]}`), counted: 1, problems: []string{"skipped-data@1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/bad.json.gz"
			dir := writeFiles(t, map[string][]byte{
				name: tt.content,
				"AWSLogs/123456789012/CloudTrail/us-east-1/2026/06/02/good.json": []byte(good),
			})
			d := digestDir(t, dir, Options{Account: acct})
			// The good file always counts in full, whatever happened to the bad one.
			wantCounted := 10 + tt.counted
			if strings.HasPrefix(tt.name, "truncated gzip") || strings.HasPrefix(tt.name, "corrupt gzip") {
				wantCounted = d.Totals.Counted // checked below instead
			}
			if d.Totals.Counted != wantCounted {
				t.Errorf("counted %d, want %d", d.Totals.Counted, wantCounted)
			}
			var got []string
			for _, p := range d.Problems.Items {
				if p.File != name {
					t.Errorf("problem in %s, want %s: %+v", p.File, name, p)
				}
				if p.Message == "" {
					t.Errorf("problem without a message: %+v", p)
				}
				got = append(got, fmt.Sprintf("%s@%d", p.Kind, p.Record))
			}
			switch {
			case tt.name == "corrupt gzip":
				// Damaged data reads as garbage up to where the inflater or the checksum
				// notices: the garbage is reported where it is, and so is the damage.
				if d.Problems.Counts[ProblemCorruptGzip] != 1 {
					t.Errorf("problems %v, want a corrupt-gzip among them", got)
				}
				if before := d.Totals.Counted - 10; before <= 0 || before >= 200 {
					t.Errorf("%d records counted before the damage", before)
				}
				return
			case len(tt.problems) == 1 && !strings.Contains(tt.problems[0], "@"):
				// Truncated or corrupt gzip: the records before the damage count, the
				// problem names the record where reading stopped and the byte offset.
				if len(d.Problems.Items) != 1 || string(d.Problems.Items[0].Kind) != tt.problems[0] {
					t.Fatalf("problems %v, want one %s", got, tt.problems[0])
				}
				p := d.Problems.Items[0]
				before := d.Totals.Counted - 10
				if before <= 0 || before >= 200 || p.Record != before || p.Offset <= 0 {
					t.Errorf("stopped at record %d offset %d with %d records counted before", p.Record, p.Offset, before)
				}
			default:
				if strings.Join(got, " ") != strings.Join(tt.problems, " ") {
					t.Errorf("problems %v, want %v", got, tt.problems)
				}
			}
			if d.Problems.Total() != int64(len(tt.problems)) {
				t.Errorf("problem counts %v", d.Problems.Counts)
			}
		})
	}
}

// Positions point at the record: its index and the byte offset where it starts.
func TestProblemPositions(t *testing.T) {
	recs := records(3)
	recs[1] = strings.Replace(recs[1], `"readOnly":true`, `"readOnly":tru`, 1)
	content := trailJSON(recs...)
	d := digestDir(t, writeFiles(t, map[string][]byte{"x.json": []byte(content)}), Options{Account: acct})
	if len(d.Problems.Items) != 1 {
		t.Fatalf("problems %+v", d.Problems)
	}
	p := d.Problems.Items[0]
	wantOffset := int64(strings.Index(content, recs[1]))
	if p.Kind != ProblemMalformed || p.File != "x.json" || p.Record != 1 || p.Offset != wantOffset {
		t.Errorf("problem %+v, want malformed-record in x.json record 1 at byte %d", p, wantOffset)
	}
	if !strings.Contains(p.Message, "want true") {
		t.Errorf("message %q does not say what is wrong", p.Message)
	}
	if d.Totals.Counted != 2 || d.Totals.Malformed != 1 {
		t.Errorf("counted %d malformed %d", d.Totals.Counted, d.Totals.Malformed)
	}
}

// Many bad records: every one is counted, the first ones listed.
func TestManyProblemsAreCountedAndBounded(t *testing.T) {
	recs := records(300)
	for i := range recs {
		if i%2 == 0 {
			recs[i] = `{"eventTime":"bad","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`
		}
	}
	dir := writeFiles(t, map[string][]byte{"a.json": []byte(trailJSON(recs...)), "b.json": []byte(trailJSON(recs...))})
	d := digestDir(t, dir, Options{Account: acct, Workers: 2})
	if n := d.Problems.Counts[ProblemInvalidRecord]; n != 300 {
		t.Errorf("invalid records %d, want 300", n)
	}
	if len(d.Problems.Items) != maxProblemItems || !d.Problems.ItemsTruncated {
		t.Errorf("%d items listed, truncated %v", len(d.Problems.Items), d.Problems.ItemsTruncated)
	}
	// The first by position, whatever the order the workers read the files in.
	if first := d.Problems.Items[0]; first.File != "a.json" || first.Record != 0 {
		t.Errorf("first problem %+v", first)
	}
	if last := d.Problems.Items[maxProblemItems-1]; last.File != "a.json" || last.Record != 2*(maxProblemItems-1) {
		t.Errorf("last listed problem %+v", last)
	}
}

// Positions of excluded events point at the first one seen.
func TestExcludedEventPositions(t *testing.T) {
	recs := []string{
		rec(idUser, "iam.amazonaws.com", "ListRoles", "2026-06-02T11:00:00Z"),
		rec(idXacc, "s3.amazonaws.com", "GetObject", "2026-06-02T13:00:00Z"),
		rec(idRole, "nosuch.amazonaws.com", "Frob", "2026-06-02T15:00:00Z"),
		rec(idXacc, "s3.amazonaws.com", "GetObject", "2026-06-02T13:00:00Z"),
	}
	d := digestDir(t, writeFiles(t, map[string][]byte{
		"z.json": []byte(trailJSON(recs...)),
		"a.json": []byte(trailJSON(recs[3], recs[2])),
	}), Options{Account: acct})
	if len(d.OtherAccounts) != 1 || d.OtherAccounts[0].Count != 3 || *d.OtherAccounts[0].First != (Position{File: "a.json", Record: 0, Offset: 12}) {
		t.Errorf("other accounts %+v %+v", d.OtherAccounts, d.OtherAccounts[0].First)
	}
	if len(d.Unmapped) != 1 || d.Unmapped[0].Count != 2 || d.Unmapped[0].First.File != "a.json" || d.Unmapped[0].First.Record != 1 {
		t.Errorf("unmapped %+v %+v", d.Unmapped, d.Unmapped[0].First)
	}
}

// A record larger than the reader's bound is reported, and the file is not read further.
func TestRecordTooLarge(t *testing.T) {
	big := rec(idRole, "s3.amazonaws.com", "GetObject", "2026-06-02T10:00:00Z", `"responseElements":{"blob":"`+strings.Repeat("x", 3*windowSize)+`"}`)
	content := trailJSON(append(records(2), big, records(1)[0])...)
	run := NewCollector(Options{Account: acct}).Begin(SourceCloudTrailDir, "test")
	shard := run.NewShard()
	tr := newTrailReader(shard)
	tr.maxRecord = 2 * windowSize
	tr.readFile(context.Background(), "big.json", strings.NewReader(content))
	run.Merge(shard)
	d := run.c.Digest()
	if d.Totals.Counted != 2 || len(d.Problems.Items) != 1 {
		t.Fatalf("counted %d, problems %+v", d.Totals.Counted, d.Problems)
	}
	if p := d.Problems.Items[0]; p.Kind != ProblemSkippedData || p.Record != 2 || !strings.Contains(p.Message, "larger than") {
		t.Errorf("problem %+v", p)
	}
}
