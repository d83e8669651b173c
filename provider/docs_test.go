package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tfplugindocsOwned are the entries of docs/ that tfplugindocs generates; other pages
// there (docs/policy-validation.md) are written by hand.
var tfplugindocsOwned = map[string]bool{
	"index.md": true, "data-sources": true, "guides": true, "resources": true, "functions": true,
	"ephemeral-resources": true, "actions": true, "list-resources": true, "state-stores": true,
}

// TestDocsUpToDate regenerates the documentation (tools/docs.sh, as `make docs` does)
// into a temporary folder and fails when docs/ differs: run `make docs` and commit.
// It needs bin/tofu and bin/tfplugindocs from `make tools`, so it runs with the
// acceptance tests (TF_ACC=1).
func TestDocsUpToDate(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs bin/tofu and bin/tfplugindocs (make tools): runs with TF_ACC=1, as make test sets it")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("..", "tools", "docs.sh"), out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tools/docs.sh: %v\n%s", err, stderr.String())
	}
	want := readTree(t, out, func(string) bool { return true })
	got := readTree(t, filepath.Join("..", "docs"), func(rel string) bool {
		return tfplugindocsOwned[filepath.ToSlash(rel)[:firstSlash(filepath.ToSlash(rel))]]
	})
	if len(want) == 0 {
		t.Fatal("tools/docs.sh generated nothing")
	}
	for name, content := range want {
		switch have, ok := got[name]; {
		case !ok:
			t.Errorf("docs/%s is missing: run make docs", name)
		case !bytes.Equal(have, content):
			t.Errorf("docs/%s is out of date: run make docs", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/%s is no longer generated: run make docs", name)
		}
	}
}

func firstSlash(s string) int {
	for i, c := range s {
		if c == '/' {
			return i
		}
	}
	return len(s)
}

// readTree reads every file under root whose root-relative path keep accepts.
func readTree(t *testing.T, root string, keep func(rel string) bool) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || !keep(rel) {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
