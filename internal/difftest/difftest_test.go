package difftest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/simcase"
)

// Sizes of the differential run. CIEM_DIFFTEST_CASES overrides both (to scale up, or to
// bisect), CIEM_DIFFTEST_SEED picks another deterministic case set.
const (
	defaultCases = 100_000
	shortCases   = 5_000
	maxRepros    = 20
	// The test fails when the reference rejects more than this share of the generated
	// cases: the generator is then producing cases that test nothing.
	maxInvalidShare = 0.05
)

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// pendingCase is a case sent to the reference, waiting for its answer.
type pendingCase struct {
	n        int
	category string
	features []string
	line     []byte
	ciem     simcase.Answer
}

type disagreement struct {
	pendingCase
	ref simcase.Answer
}

// answerText is the comparable form of an answer: the decision, or "error" (both
// simulators rejecting a case is agreement, whatever their messages).
func answerText(a simcase.Answer) string {
	if a.Error != "" {
		return "error"
	}
	return a.Result
}

type tally struct{ cases, agree, disagree, bothInvalid int }

// TestDifferential runs generated cases through ciem (in-process) and the reference
// simulator (one long-lived Node process) and requires the same decision from both. Where
// the reference is wrong against AWS's documentation, the generator keeps away and
// known_differences.json holds the cases instead (TestKnownDifferences).
func TestDifferential(t *testing.T) {
	n := defaultCases
	if testing.Short() {
		n = shortCases
	}
	n = envInt(t, "CIEM_DIFFTEST_CASES", n)
	seed := uint64(envInt(t, "CIEM_DIFFTEST_SEED", 1))

	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	or := startOracle(ctx, t, root)

	start := time.Now()
	managed, err := LoadManagedPolicies(filepath.Join(root, ManagedPoliciesFile))
	if err != nil {
		t.Fatalf("loading the AWS managed policies: %v: %s", err, oracleMissing)
	}
	t.Logf("loaded %d AWS managed policies in %v", len(managed), time.Since(start).Round(time.Millisecond))

	tr := simcase.NewTranslator(catalog.Default())
	pending := make(chan pendingCase, 4096)
	genErr := make(chan error, 1)
	go func() {
		defer close(pending)
		i := 0
		err := Generate(Config{Seed: seed, Cases: n, Managed: managed}, func(g Generated) error {
			line, err := json.Marshal(g.Case)
			if err != nil {
				return fmt.Errorf("case %d: %w", i, err)
			}
			p := pendingCase{n: i, category: g.Category, features: g.Features, line: line, ciem: tr.AnswerLine(line)}
			i++
			select {
			case pending <- p:
			default:
				// The reader is behind: hand the reference what it has before waiting.
				if err := or.flush(); err != nil {
					return err
				}
				select {
				case pending <- p:
				case <-ctx.Done(): // the test ended early
					return ctx.Err()
				}
			}
			return or.send(line)
		})
		if err == nil {
			err = or.flush()
		}
		genErr <- err
	}()

	byCat := map[string]*tally{}
	byFeat := map[string]*tally{}
	kinds := map[string]int{}
	var total tally
	var bad []disagreement
	for p := range pending {
		ref, err := or.receive()
		if err != nil {
			t.Fatalf("case %d: %v", p.n, err)
		}
		tallies := []*tally{&total, tallyFor(byCat, p.category)}
		for _, f := range p.features {
			tallies = append(tallies, tallyFor(byFeat, f))
		}
		c, r := answerText(p.ciem), answerText(ref)
		outcome := func(f func(*tally)) {
			for _, tl := range tallies {
				f(tl)
			}
		}
		outcome(func(tl *tally) { tl.cases++ })
		switch {
		case c == r:
			outcome(func(tl *tally) { tl.agree++ })
			if c == "error" {
				outcome(func(tl *tally) { tl.bothInvalid++ })
			}
		default:
			outcome(func(tl *tally) { tl.disagree++ })
			kinds[fmt.Sprintf("ciem %s, reference %s", c, r)]++
			bad = append(bad, disagreement{pendingCase: p, ref: ref})
		}
	}
	if err := <-genErr; err != nil {
		t.Fatalf("generating cases: %v", err)
	}
	elapsed := time.Since(start)
	t.Logf("%d cases in %v (%.0f cases/s): %d agree (%d invalid for both), %d disagreements",
		total.cases, elapsed.Round(time.Millisecond), float64(total.cases)/elapsed.Seconds(), total.agree, total.bothInvalid, total.disagree)
	if total.cases != n {
		t.Errorf("ran %d cases, want %d", total.cases, n)
	}
	if share := float64(total.bothInvalid) / float64(max(1, total.cases)); share > maxInvalidShare {
		t.Errorf("%.1f%% of the cases are invalid for both simulators (limit %.0f%%): the generator is producing cases that test nothing", 100*share, 100*maxInvalidShare)
	}
	if len(bad) == 0 {
		return
	}
	t.Errorf("%d disagreements between ciem and the reference simulator", len(bad))
	t.Log(summary(byCat, byFeat, kinds))
	for i, d := range bad {
		if i == maxRepros {
			t.Logf("... and %d more disagreements", len(bad)-maxRepros)
			break
		}
		t.Log(reproduction(or, tr, d))
	}
}

// reproduction reduces a disagreeing case and renders it with both answers.
func reproduction(or *oracle, tr *simcase.Translator, d disagreement) string {
	small := minimize(d.line, answerText(d.ciem), answerText(d.ref), 600, func(line []byte) (string, string, error) {
		ref, err := or.ask(line)
		if err != nil {
			return "", "", err
		}
		return answerText(tr.AnswerLine(line)), answerText(ref), nil
	})
	sum := sha256.Sum256(d.line)
	var b strings.Builder
	fmt.Fprintf(&b, "\n--- disagreement: case %d (%s %v), sha256 %s\n", d.n, d.category, d.features, hex.EncodeToString(sum[:]))
	fmt.Fprintf(&b, "ciem:      %s\n", answerJSON(d.ciem))
	fmt.Fprintf(&b, "reference: %s\n", answerJSON(d.ref))
	fmt.Fprintf(&b, "reduced case (same answers; run with: ciem policy simulate --batch):\n%s\n", small)
	return b.String()
}

func answerJSON(a simcase.Answer) string {
	b, _ := json.Marshal(a)
	return string(b)
}

func tallyFor(m map[string]*tally, key string) *tally {
	tl := m[key]
	if tl == nil {
		tl = &tally{}
		m[key] = tl
	}
	return tl
}

func summary(byCat, byFeat map[string]*tally, kinds map[string]int) string {
	var b strings.Builder
	b.WriteString("\ndisagreements by kind:\n")
	for _, k := range sortedKeys(kinds) {
		fmt.Fprintf(&b, "  %7d  %s\n", kinds[k], k)
	}
	table := func(title string, m map[string]*tally) {
		fmt.Fprintf(&b, "%-40s %8s %8s %8s\n", title, "cases", "disagree", "invalid")
		keys := sortedKeys(m)
		sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]].disagree > m[keys[j]].disagree })
		for _, k := range keys {
			tl := m[k]
			fmt.Fprintf(&b, "  %-38s %8d %8d %8d\n", k, tl.cases, tl.disagree, tl.bothInvalid)
		}
	}
	table("by category", byCat)
	table("by feature (a case may have several)", byFeat)
	return b.String()
}

// knownDifference is a case on which ciem deliberately answers differently from the
// reference, because the reference is wrong against AWS's documentation.
type knownDifference struct {
	ID        string          `json:"id"`
	Reason    string          `json:"reason"`
	Docs      string          `json:"docs"`
	Ciem      string          `json:"ciem"`      // decision, or "error"
	Reference string          `json:"reference"` // decision, or "error"
	Case      json.RawMessage `json:"case"`
}

// TestKnownDifferences checks every listed difference still holds on both sides: ciem gives
// the documented answer, and the reference still gives its wrong one (when it is fixed, the
// entry must go, and the generator may stop keeping away from the area).
func TestKnownDifferences(t *testing.T) {
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("known_differences.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Differences []knownDifference `json:"differences"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("known_differences.json: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	or := startOracle(ctx, t, root)
	tr := simcase.NewTranslator(catalog.Default())
	seen := map[string]bool{}
	for i, d := range doc.Differences {
		t.Run(d.ID, func(t *testing.T) {
			if d.ID == "" || d.Reason == "" || d.Docs == "" || len(d.Case) == 0 || seen[d.ID] {
				t.Fatalf("differences[%d]: id (unique), reason, docs and case are required", i)
			}
			seen[d.ID] = true
			var line bytes.Buffer
			if err := json.Compact(&line, d.Case); err != nil {
				t.Fatal(err)
			}
			ciem := tr.AnswerLine(line.Bytes())
			ref, err := or.ask(line.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if got := answerText(ciem); got != d.Ciem {
				t.Errorf("ciem answers %s, want %s (%s)", answerJSON(ciem), d.Ciem, d.Reason)
			}
			if got := answerText(ref); got != d.Reference {
				if got == d.Ciem {
					t.Errorf("the reference now agrees with ciem (%s): remove this entry and let the generator cover the area", answerJSON(ref))
				} else {
					t.Errorf("the reference answers %s, want %s", answerJSON(ref), d.Reference)
				}
			}
		})
	}
}
