// Command evalbench makes the measurements of bench/run.sh's evaluation section: it writes
// the generated case file that ciem and the reference simulator both run, and times ciem's
// in-process evaluation, the expansion of "*" and the canonicalisation of the largest AWS
// managed policies. Results are printed as key=value lines for the script to tabulate.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"syscall"
	"time"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/difftest"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/simcase"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "evalbench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: evalbench gen|eval|expand|canonical [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	n := fs.Int("n", 20000, "gen: number of cases")
	seed := fs.Uint64("seed", 7, "gen: generator seed")
	outFile := fs.String("o", "", "gen: case file to write")
	cases := fs.String("cases", "", "eval: case file to read")
	minTime := fs.Duration("min-time", 3*time.Second, "eval, canonical: least time to measure for")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measurement to this file (for go tool pprof)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	switch args[0] {
	case "gen":
		return gen(*n, *seed, *outFile, out)
	case "eval":
		return eval(*cases, *minTime, out)
	case "expand":
		return expand(out)
	case "canonical":
		return canonical(*minTime, out)
	}
	return fmt.Errorf("unknown measurement %q", args[0])
}

func managedPolicies() ([]difftest.ManagedPolicy, error) {
	root, err := difftest.RepoRoot(".")
	if err != nil {
		return nil, err
	}
	return difftest.LoadManagedPolicies(filepath.Join(root, difftest.ManagedPoliciesFile))
}

// gen writes the case file: the differential test's generator, another seed.
func gen(n int, seed uint64, path string, out io.Writer) error {
	if path == "" {
		return errors.New("gen: -o is required")
	}
	managed, err := managedPolicies()
	if err != nil {
		return fmt.Errorf("loading AWS managed policies (run make oracle): %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = difftest.Generate(difftest.Config{Seed: seed, Cases: n, Managed: managed}, func(g difftest.Generated) error {
		b, err := json.Marshal(g.Case)
		if err != nil {
			return err
		}
		w.Write(b)
		return w.WriteByte('\n')
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fmt.Fprintf(out, "cases=%d\n", n)
	return nil
}

type prepared struct {
	ps  *iam.PolicySet
	req *iam.Request
}

// eval times ciem's evaluator over the case file's valid cases, with every policy parsed
// beforehand (the decisions alone), then compiled beforehand.
func eval(path string, minTime time.Duration, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := simcase.NewTranslator(catalog.Default())
	var cases []prepared
	invalid := 0
	start := time.Now()
	sc := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := sc.ReadBytes('\n')
		if len(line) > 1 {
			c, derr := simcase.Decode(line)
			if derr != nil {
				return fmt.Errorf("%s: case %d: %w", path, len(cases)+invalid+1, derr)
			}
			ps, req, terr := tr.Translate(c)
			if terr != nil {
				invalid++
			} else {
				cases = append(cases, prepared{ps, req})
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if len(cases) == 0 {
		return fmt.Errorf("%s: no valid cases", path)
	}
	fmt.Fprintf(out, "cases=%d\ninvalid=%d\nprepare_seconds=%.3f\n", len(cases)+invalid, invalid, time.Since(start).Seconds())

	rate := measure(minTime, func() int {
		for i := range cases {
			iam.Evaluate(cases[i].req, cases[i].ps)
		}
		return len(cases)
	})
	fmt.Fprintf(out, "evaluate_per_second=%.0f\nevaluate_per_cpu_second=%.0f\n", rate.wall, rate.cpu)

	start = time.Now()
	evs := make([]*iam.Evaluator, len(cases))
	for i := range cases {
		ev, err := iam.Compile(cases[i].ps)
		if err != nil {
			return fmt.Errorf("compiling case %d: %w", i, err)
		}
		evs[i] = ev
	}
	fmt.Fprintf(out, "compile_per_second=%.0f\n", float64(len(cases))/time.Since(start).Seconds())
	rate = measure(minTime, func() int {
		for i := range cases {
			evs[i].Evaluate(cases[i].req)
		}
		return len(cases)
	})
	fmt.Fprintf(out, "compiled_evaluate_per_second=%.0f\ncompiled_evaluate_per_cpu_second=%.0f\n", rate.wall, rate.cpu)
	return nil
}

// rates are operations per second of wall-clock time and per second of the process's CPU
// time (user and system, all threads): on a machine shared with other work the second is
// the steadier figure.
type rates struct{ wall, cpu float64 }

// measure runs round (which returns how many operations it did) until minTime has passed.
func measure(minTime time.Duration, round func() int) rates {
	n := 0
	cpu0 := cpuTime()
	start := time.Now()
	for time.Since(start) < minTime {
		n += round()
	}
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	return rates{wall: float64(n) / wall.Seconds(), cpu: float64(n) / cpu.Seconds()}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// expand times the expansion of "*": the catalog's load, the first Match("*") (cold) and
// later ones (warm, served from the pattern cache).
func expand(out io.Writer) error {
	start := time.Now()
	c := catalog.Default()
	load := time.Since(start)
	start = time.Now()
	s := c.Match("*")
	cold := time.Since(start)
	const rounds = 2000
	start = time.Now()
	for range rounds {
		s = c.Match("*")
	}
	warm := time.Since(start) / rounds
	fmt.Fprintf(out, "actions=%d\ncatalog_load_us=%.1f\ncold_us=%.1f\nwarm_us=%.2f\n", s.Len(),
		float64(load.Nanoseconds())/1e3, float64(cold.Nanoseconds())/1e3, float64(warm.Nanoseconds())/1e3)
	return nil
}

// canonical times parsing and canonicalising the ten largest AWS managed policies.
func canonical(minTime time.Duration, out io.Writer) error {
	managed, err := managedPolicies()
	if err != nil {
		return fmt.Errorf("loading AWS managed policies (run make oracle): %w", err)
	}
	sort.SliceStable(managed, func(i, j int) bool { return len(managed[i].Document) > len(managed[j].Document) })
	per := minTime / 10
	for _, mp := range managed[:min(10, len(managed))] {
		p, err := iam.Parse(mp.Document, iam.KindManaged)
		if err != nil {
			return fmt.Errorf("%s: %w", mp.Name, err)
		}
		parse := timePer(per, func() { _, _ = iam.Parse(mp.Document, iam.KindManaged) })
		canon := timePer(per, func() { iam.Canonical(p) })
		fmt.Fprintf(out, "policy=%s bytes=%d parse_us=%.1f canonical_us=%.1f\n", mp.Name, len(mp.Document),
			float64(parse.Nanoseconds())/1e3, float64(canon.Nanoseconds())/1e3)
	}
	return nil
}

// timePer runs f repeatedly for at least d and returns the mean time of one run.
func timePer(d time.Duration, f func()) time.Duration {
	n := 0
	start := time.Now()
	for time.Since(start) < d || n < 3 {
		f()
		n++
	}
	return time.Since(start) / time.Duration(n)
}
