package usage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// arnCut is the collapse point of an S3 object ARN, as the extractor computes it.
func arnCut(arn string) int {
	const p = "arn:aws:s3:::"
	if !strings.HasPrefix(arn, p) {
		return -1
	}
	if i := strings.IndexByte(arn[len(p):], '/'); i >= 0 {
		return len(p) + i
	}
	return -1
}

func TestResourceSetBounds(t *testing.T) {
	tests := []struct {
		name      string
		arns      []string
		limit     int
		want      []string
		collapsed bool
		truncated bool
	}{
		{"under the bound: exact", []string{"arn:aws:s3:::b/1", "arn:aws:s3:::b/2", "arn:aws:s3:::b/1"}, 4,
			[]string{"arn:aws:s3:::b/1", "arn:aws:s3:::b/2"}, false, false},
		{"over the bound: objects collapse to their buckets", []string{"arn:aws:s3:::b/1", "arn:aws:s3:::b/2", "arn:aws:s3:::c/1", "arn:aws:s3:::b/3"}, 3,
			[]string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}, true, false},
		{"collapsed and still over: the smallest, truncated", []string{"arn:aws:s3:::d/1", "arn:aws:s3:::a/1", "arn:aws:s3:::c/1", "arn:aws:s3:::b/1", "arn:aws:s3:::e/1"}, 2,
			[]string{"arn:aws:s3:::a/*", "arn:aws:s3:::b/*"}, true, true},
		{"ARNs that do not collapse are kept smallest first", []string{"arn:aws:iam::1:role/d", "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/c"}, 3,
			[]string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/c"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resourceSet
			var scratch []byte
			for _, a := range tt.arns {
				r.add([]byte(a), arnCut(a), tt.limit, &scratch)
			}
			if got := r.sorted(); !slices.Equal(got, tt.want) || r.collapsed != tt.collapsed || r.truncated != tt.truncated {
				t.Errorf("got %v collapsed %v truncated %v; want %v %v %v", got, r.collapsed, r.truncated, tt.want, tt.collapsed, tt.truncated)
			}
		})
	}
}

// Whatever the order and however the ARNs are split between workers, the merged set is
// the same.
func TestResourceSetOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 1 + r.IntN(40)
		limit := 1 + r.IntN(10)
		var arns []string
		for range n {
			switch r.IntN(3) {
			case 0:
				arns = append(arns, fmt.Sprintf("arn:aws:s3:::bucket%d/key%d", r.IntN(5), r.IntN(20)))
			case 1:
				arns = append(arns, fmt.Sprintf("arn:aws:s3:::bucket%d", r.IntN(5)))
			default:
				arns = append(arns, fmt.Sprintf("arn:aws:iam::1:role/r%d", r.IntN(15)))
			}
		}
		build := func(order []string, parts int) *resourceSet {
			shards := make([]*resourceSet, parts)
			for i := range shards {
				shards[i] = &resourceSet{}
			}
			var scratch []byte
			for i, a := range order {
				shards[i%parts].add([]byte(a), arnCut(a), limit, &scratch)
			}
			out := &resourceSet{}
			for _, s := range shards {
				out.merge(s, limit)
			}
			return out
		}
		want := build(arns, 1)
		for trial := range 5 {
			shuffled := slices.Clone(arns)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got := build(shuffled, 1+trial)
			if !slices.Equal(got.sorted(), want.sorted()) || got.collapsed != want.collapsed || got.truncated != want.truncated {
				t.Fatalf("round %d, %d parts: %v (c %v t %v), want %v (c %v t %v); arns %v limit %d",
					round, 1+trial, got.sorted(), got.collapsed, got.truncated, want.sorted(), want.collapsed, want.truncated, arns, limit)
			}
		}
	}
}
