package catalog

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLoadCost holds the catalog to its budget: a load well under 100 ms and under 50 MB of
// heap. The time bound is generous (the machine is shared); the benchmark has the real figure.
func TestLoadCost(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	c, err := Load(bytes.NewReader(embedded))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("load: %v, live heap %.1f MB, allocated %.1f MB", elapsed, float64(heap)/1e6, float64(after.TotalAlloc-before.TotalAlloc)/1e6)
	if heap > 50<<20 {
		t.Errorf("catalog holds %d MB of heap, want under 50", heap>>20)
	}
	if elapsed > 500*time.Millisecond { // 5x the 100 ms target: only a real regression trips it
		t.Errorf("load took %v, want well under 100 ms", elapsed)
	}
}

// TestMatchIsCached: Match leaves its result in the cache under the lowercase pattern, a
// second call gives the same set, and the caller's copy is its own (changing it does not
// change the cache).
func TestMatchIsCached(t *testing.T) {
	c := Default()
	cached := func(p string) (ActionSet, bool) {
		c.matchMu.Lock()
		defer c.matchMu.Unlock()
		s, ok := c.matchCache[strings.ToLower(p)]
		return s, ok
	}
	for _, p := range []string{"*", "s3:Get*", "IAM:*Policy*", "s3:GetObject"} {
		first := c.Match(p)
		inCache, ok := cached(p)
		if !ok {
			t.Errorf("Match(%q) left nothing in the cache", p)
			continue
		}
		if !inCache.Equal(first) || !first.Equal(c.match(strings.ToLower(p))) || first.IsEmpty() {
			t.Errorf("Match(%q): cached %d actions, returned %d", p, inCache.Len(), first.Len())
		}
		first.MinusWith(first.Clone())
		if second := c.Match(p); !second.Equal(inCache) || second.IsEmpty() {
			t.Errorf("second Match(%q) = %d actions, want the cached %d", p, second.Len(), inCache.Len())
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(embedded)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadWithKeys is a load followed by the first condition key lookup, which builds
// the condition key index that Load leaves for first use.
func BenchmarkLoadWithKeys(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := Load(bytes.NewReader(embedded))
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := c.ConditionKey("aws:RequestTag/Env"); !ok {
			b.Fatal("aws:RequestTag/Env not found")
		}
	}
}

func BenchmarkLookupAction(b *testing.B) {
	c := Default()
	for b.Loop() {
		c.LookupAction("S3:GetObject")
	}
}

func BenchmarkMatch(b *testing.B) {
	c := Default()
	for _, p := range []string{"*", "s3:Get*", "iam:*Policy*"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				c.Match(p)
			}
		})
	}
}

func BenchmarkMatchUncached(b *testing.B) {
	c := Default()
	for _, p := range []string{"*", "s3:Get*", "*Object*"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				c.match(p)
			}
		})
	}
}

func BenchmarkConditionKey(b *testing.B) {
	c := Default()
	for _, k := range []string{"aws:SourceIp", "aws:RequestTag/Env", "s3:ExistingObjectTag/x"} {
		b.Run(k, func(b *testing.B) {
			for b.Loop() {
				c.ConditionKey(k)
			}
		})
	}
}

func BenchmarkMatchARN(b *testing.B) {
	rt := Default().Service("iam").ResourceType("role")
	for b.Loop() {
		rt.MatchARN("arn:aws:iam::123456789012:role/service-role/Admin")
	}
}

func BenchmarkSuggest(b *testing.B) {
	c := Default()
	for _, n := range []string{"s3:GetObjet", "s4:GetObject"} {
		b.Run(n, func(b *testing.B) {
			for b.Loop() {
				c.Suggest(n, 3)
			}
		})
	}
}
