package usage

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ciem/ciem/internal/usage/trailgen"
)

// BenchmarkDigest digests a generated trail of 30,000 events (about 48 MB of JSON).
// bench/usage.sh runs the full-size comparison with jq and gzip.
func BenchmarkDigest(b *testing.B) {
	dir := b.TempDir()
	sum, err := trailgen.Generate(context.Background(), trailgen.Config{Seed: 1, Events: 30000}, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(sum.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		d, err := Collect(context.Background(), Options{Account: sum.Account}, LocalTrail{Path: dir})
		if err != nil {
			b.Fatal(err)
		}
		if d.Totals.Records != int64(sum.Events) {
			b.Fatalf("%d records", d.Totals.Records)
		}
	}
	b.ReportMetric(float64(sum.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkParseRecords is the record scanner alone, over one decompressed trail file.
func BenchmarkParseRecords(b *testing.B) {
	dir := b.TempDir()
	sum, err := trailgen.Generate(context.Background(), trailgen.Config{Seed: 1, Events: 3000}, dir)
	if err != nil {
		b.Fatal(err)
	}
	raw := []byte(readGz(b, filepath.Join(dir, filepath.FromSlash(sum.Paths[0]))))
	body := raw[len(`{"Records":[`):]
	b.SetBytes(int64(len(raw)))
	rec := &Record{}
	for b.Loop() {
		sc := &scanner{b: body}
		for n := 0; ; n++ {
			sc.scratch = sc.scratch[:0]
			if err := sc.parseRecord(rec); err != nil {
				b.Fatalf("record %d: %v", n, err)
			}
			if sc.b[sc.i] == ']' {
				break
			}
			sc.i++ // ','
		}
	}
}
