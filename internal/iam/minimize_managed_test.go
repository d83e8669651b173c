package iam_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciem/ciem/internal/difftest"
	"github.com/ciem/ciem/internal/iam"
)

// TestMinimizePolicyManaged rewrites real AWS managed policies and checks that each still
// grants exactly the same: the same allowed actions, no difference by Diff (actions per
// resource, denies and conditions included), a second rewrite changes nothing, and the
// rewrite is never larger. It takes every 32nd policy (50 of them); CIEM_MANAGED_ALL=1 takes
// all 1,594 (about 15 s here).
func TestMinimizePolicyManaged(t *testing.T) {
	root, err := difftest.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, difftest.ManagedPoliciesFile)
	pols, err := difftest.LoadManagedPolicies(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing: run `make oracle` (make test does)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	step := 32
	if os.Getenv("CIEM_MANAGED_ALL") == "1" {
		step = 1
	}
	checked, shrunk := 0, 0
	for i := 0; i < len(pols); i += step {
		mp := pols[i]
		p, err := iam.Parse(mp.Document, iam.KindManaged)
		if err != nil {
			continue // the parser's tests own documents it rejects
		}
		for _, opts := range []iam.MinimizeOptions{iam.DefaultMinimizeOptions(), {}} {
			m := iam.MinimizePolicy(p, opts)
			if before, after := p.AllowedActions(), m.AllowedActions(); !before.Equal(after) {
				t.Errorf("%s (wildcards %v): allowed actions %d before, %d after", mp.Name, opts.Wildcards, before.Len(), after.Len())
				continue
			}
			if d := iam.Diff(p, m); !d.IsEmpty() {
				t.Errorf("%s (wildcards %v): minimised policy grants differently: +%v -%v", mp.Name, opts.Wildcards, d.Added, d.Removed)
				continue
			}
			if again := iam.MinimizePolicy(m, opts); !bytes.Equal(iam.Canonical(again), iam.Canonical(m)) {
				t.Errorf("%s (wildcards %v): a second rewrite changes it:\n%s\n%s", mp.Name, opts.Wildcards, iam.Canonical(m), iam.Canonical(again))
			}
			if opts.Wildcards {
				before, after := iam.Canonical(p), iam.Canonical(m)
				if len(m.Statements) > len(p.Statements) || (len(m.Statements) == len(p.Statements) && len(after) > len(before)) {
					t.Errorf("%s: the rewrite is larger:\n%s\n%s", mp.Name, before, after)
				}
				if len(after) < len(before) {
					shrunk++
				}
			}
		}
		checked++
	}
	if checked < 40 {
		t.Fatalf("only %d managed policies checked", checked)
	}
	t.Logf("%d managed policies rewritten exactly; %d came out shorter", checked, shrunk)
}
