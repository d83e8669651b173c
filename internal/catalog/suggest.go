package catalog

import (
	"sort"
	"strings"
)

// Suggest returns up to n canonical action names close to name ("did you mean"), closest
// first. Distance is a case-insensitive edit distance (a swap of neighbours counts once).
// When the service is known only its actions are candidates; when it is unknown or
// misspelt, the actions of the closest services, or failing those of every service, are.
func (c *Catalog) Suggest(name string, n int) []string {
	if n <= 0 {
		return nil
	}
	svc, act, hasSvc := strings.Cut(strings.ToLower(strings.TrimSpace(name)), ":")
	if !hasSvc {
		svc, act = "", svc
	}
	var cands []candidate
	if s := c.byPrefix[svc]; s != nil {
		cands = c.actionCandidates(s, act, 0)
	} else {
		if hasSvc {
			for _, sc := range c.serviceCandidates(svc) {
				cands = append(cands, c.actionCandidates(sc.svc, act, sc.dist)...)
			}
		}
		if len(cands) == 0 {
			for _, s := range c.services {
				cands = append(cands, c.actionCandidates(s, act, 1)...)
			}
		}
	}
	return best(cands, n)
}

// SuggestService returns up to n service prefixes close to prefix, closest first.
func (c *Catalog) SuggestService(prefix string, n int) []string {
	if n <= 0 {
		return nil
	}
	var cands []candidate
	for _, sc := range c.serviceCandidates(strings.ToLower(strings.TrimSpace(prefix))) {
		cands = append(cands, candidate{name: sc.svc.Prefix, dist: sc.dist})
	}
	return best(cands, n)
}

type candidate struct {
	name string
	dist int
}

type serviceCandidate struct {
	svc  *Service
	dist int
}

func (c *Catalog) serviceCandidates(prefix string) []serviceCandidate {
	limit := threshold(prefix)
	var out []serviceCandidate
	for _, s := range c.services {
		if d := EditDistance(prefix, s.Prefix, limit); d <= limit {
			out = append(out, serviceCandidate{s, d})
		}
	}
	return out
}

// actionCandidates lists the service's actions within the threshold of act, each scored
// with its distance plus penalty.
func (c *Catalog) actionCandidates(s *Service, act string, penalty int) []candidate {
	limit := threshold(act)
	var out []candidate
	for id := s.First; id < s.End; id++ {
		ln := c.lowerNames[id][len(s.Prefix)+1:]
		if d := EditDistance(act, ln, limit); d <= limit {
			out = append(out, candidate{name: c.actions[id].fullName, dist: d + penalty})
		}
	}
	return out
}

// threshold is how far a suggestion may be from what was typed: two edits, or two in five
// characters for long names.
func threshold(s string) int { return max(2, len(s)*2/5) }

func best(cands []candidate, n int) []string {
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].name < cands[j].name
	})
	out := make([]string, 0, min(n, len(cands)))
	seen := map[string]bool{}
	for _, cd := range cands {
		if len(out) == n {
			break
		}
		if !seen[cd.name] {
			seen[cd.name] = true
			out = append(out, cd.name)
		}
	}
	return out
}

// EditDistance is the optimal-string-alignment distance between a and b (insert, delete,
// substitute, swap of neighbours), or limit+1 once it is certain to exceed limit. It
// compares bytes as they are: callers that want case not to count lower-case both.
func EditDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
