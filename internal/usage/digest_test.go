package usage

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/internal/usage/trailgen"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The digest of a generated trail agrees with what the generator wrote: every event is
// attributed to the right principal and action, or accounted for elsewhere.
func TestDigestMatchesGeneratedTruth(t *testing.T) {
	dir := t.TempDir()
	sum, err := trailgen.Generate(context.Background(), trailgen.Config{Seed: 5, Events: 40000, PerFile: 2500}, dir)
	if err != nil {
		t.Fatal(err)
	}
	d := digestDir(t, dir, Options{Account: sum.Account, MaxResources: 8})
	if d.Problems.Total() != 0 {
		t.Fatalf("problems in generated input: %+v", d.Problems)
	}
	m := NewMapper(nil)
	type key struct{ principal, action string }
	wantCount := map[key]int64{}
	wantDenied := map[key]int64{}
	wantUnmapped := map[string]int64{}
	var wantService, wantOther, wantNonAPI int64
	for _, row := range sum.Truth {
		switch {
		case strings.HasPrefix(row.Principal, "aws-service"):
			wantService += row.Count
			continue
		case strings.HasPrefix(row.Principal, "other-account:"):
			wantOther += row.Count
			continue
		case row.NonAPI:
			wantNonAPI += row.Count
			continue
		}
		mp := m.Map(row.EventSource, row.EventName)
		if len(mp.Actions) == 0 {
			wantUnmapped[row.EventSource+" "+row.EventName] += row.Count
			continue
		}
		for _, a := range mp.Actions {
			k := key{row.Principal, a.Name}
			if row.Denied {
				wantDenied[k] += row.Count
			} else {
				wantCount[k] += row.Count
			}
		}
	}
	gotCount := map[key]int64{}
	gotDenied := map[key]int64{}
	for _, p := range d.Principals {
		for _, a := range p.Actions {
			k := key{p.ARN, a.Action}
			if a.Count > 0 {
				gotCount[k] = a.Count
			}
			if a.Denied > 0 {
				gotDenied[k] = a.Denied
			}
		}
	}
	compare := func(what string, got, want map[key]int64) {
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s %s %s: %d, want %d", what, k.principal, k.action, got[k], w)
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s %s %s: %d, want none", what, k.principal, k.action, g)
			}
		}
	}
	compare("count", gotCount, wantCount)
	compare("denied", gotDenied, wantDenied)
	gotUnmapped := map[string]int64{}
	for _, u := range d.Unmapped {
		if u.Reason != ReasonNotAnAction {
			gotUnmapped[u.EventSource+" "+u.EventName] = u.Count
		}
	}
	for k, w := range wantUnmapped {
		if gotUnmapped[k] != w {
			t.Errorf("unmapped %s: %d, want %d", k, gotUnmapped[k], w)
		}
	}
	tot := d.Totals
	if tot.Records != int64(sum.Events) || tot.AWSService != wantService || tot.OtherAccount != wantOther || tot.NonAPI != wantNonAPI {
		t.Errorf("totals %+v; want records %d, AWS service %d, other account %d, non-API %d", tot, sum.Events, wantService, wantOther, wantNonAPI)
	}
	if tot.DataEvents == 0 || tot.ManagementEvents == 0 {
		t.Errorf("data %d, management %d", tot.DataEvents, tot.ManagementEvents)
	}
	// Resources stay bounded however many objects were touched.
	for _, p := range d.Principals {
		for _, a := range p.Actions {
			if len(a.Resources) > 8 {
				t.Errorf("%s %s keeps %d resources, bound 8", p.ARN, a.Action, len(a.Resources))
			}
		}
	}
}

// The same input gives the same bytes: whatever the number of workers, the order the files
// are read in, and however the files are split.
func TestDigestDeterministic(t *testing.T) {
	dir := t.TempDir()
	sum, err := trailgen.Generate(context.Background(), trailgen.Config{Seed: 9, Events: 12000, PerFile: 700}, dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Account: sum.Account, MaxResources: 4}
	var first string
	for _, workers := range []int{1, 2, 3, 8} {
		opts.Workers = workers
		got := digestJSON(t, digestDir(t, dir, opts))
		if first == "" {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("digest with %d workers differs from 1 worker", workers)
		}
	}
	// The same records regrouped into other files (one big plain JSON file plus the rest
	// renamed so that they sort in another order) give the same usage.
	other := t.TempDir()
	files := readGenerated(t, dir, sum.Paths)
	var all []string
	for i, p := range sum.Paths {
		if i%3 == 0 {
			all = append(all, files[p]...)
			continue
		}
		name := filepath.Join(other, "z", strings.Repeat("x", len(sum.Paths)-i)+".json")
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(trailJSON(files[p]...)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(other, "all.json"), []byte(trailJSON(all...)), 0o644); err != nil {
		t.Fatal(err)
	}
	a := digestDir(t, dir, opts)
	b := digestDir(t, other, opts)
	if !samePrincipals(a, b) {
		t.Error("regrouped records give a different usage")
	}
}

func samePrincipals(a, b *Digest) bool {
	if len(a.Principals) != len(b.Principals) {
		return false
	}
	for i := range a.Principals {
		pa, pb := a.Principals[i], b.Principals[i]
		if pa.ARN != pb.ARN || pa.Count != pb.Count || pa.Denied != pb.Denied || len(pa.Actions) != len(pb.Actions) {
			return false
		}
		for j := range pa.Actions {
			x, y := pa.Actions[j], pb.Actions[j]
			if x.Action != y.Action || x.Count != y.Count || x.Denied != y.Denied || !x.First.Equal(y.First) || !x.Last.Equal(y.Last) ||
				strings.Join(x.Resources, " ") != strings.Join(y.Resources, " ") || x.ResourcesCollapsed != y.ResourcesCollapsed || x.ResourcesTruncated != y.ResourcesTruncated {
				return false
			}
		}
	}
	return true
}

// readGenerated splits generated files into their records' JSON.
func readGenerated(t *testing.T, dir string, paths []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range paths {
		raw := readGz(t, filepath.Join(dir, filepath.FromSlash(p)))
		body := strings.TrimSuffix(strings.TrimPrefix(raw, `{"Records":[`), `]}`)
		// Records are objects separated by "},{" at the top level: split with the scanner.
		sc := &scanner{b: []byte(body)}
		for sc.i < len(sc.b) {
			start := sc.i
			if err := sc.skip(0); err != nil {
				t.Fatal(err)
			}
			out[p] = append(out[p], body[start:sc.i])
			if sc.i < len(sc.b) && sc.b[sc.i] == ',' {
				sc.i++
			}
		}
	}
	return out
}

func readGz(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzipReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b := new(strings.Builder)
	if _, err := copyAll(b, zr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The digest of the generator's golden trail, byte for byte.
func TestGoldenDigest(t *testing.T) {
	src := filepath.Join("trailgen", "testdata", "golden")
	d, err := Collect(context.Background(), Options{Account: "123456789012", Window: Window{Since: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}}, LocalTrail{Path: src})
	if err != nil {
		t.Fatal(err)
	}
	d.Sources[0].Location = "trailgen/testdata/golden" // the same on every OS
	got := digestJSON(t, d)
	golden := filepath.Join("testdata", "golden-digest.json")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("digest differs from %s (run go test ./internal/usage -run TestGoldenDigest -update to accept a deliberate change)", golden)
	}
}
