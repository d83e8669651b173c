package catalog

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ciem/ciem/internal/catalog/internal/iamdata"
)

// TestEmbeddedIsFresh regenerates the catalog from the pinned iam-data package and compares
// it with the committed file. The comparison is on the uncompressed bytes, so a Go release
// that deflates differently does not count as stale data.
func TestEmbeddedIsFresh(t *testing.T) {
	if _, err := os.Stat(filepath.Join(DefaultDataDir, "package.json")); errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is not installed: run make oracle", DefaultDataDir)
	}
	d, err := iamdata.Read(DefaultDataDir)
	if err != nil {
		t.Fatalf("reading iam-data (run make oracle): %v", err)
	}
	fresh, err := encodeRaw(d)
	if err != nil {
		t.Fatal(err)
	}
	committed := gunzip(t, embedded)
	if !bytes.Equal(fresh, committed) {
		t.Fatalf("catalog.bin.gz is stale (%d bytes raw, fresh data %d bytes): run make catalog", len(committed), len(fresh))
	}

	// The generator's full path, into a temp dir: same bytes twice, and it loads.
	var out [2]bytes.Buffer
	for i := range out {
		if err := Encode(&out[i], d); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
		t.Fatal("Encode is not deterministic")
	}
	path := filepath.Join(t.TempDir(), "catalog.bin.gz")
	if err := os.WriteFile(path, out[0].Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Load(f)
	if err != nil {
		t.Fatalf("loading the regenerated file: %v", err)
	}
	if c.NumActions() != Default().NumActions() || c.Source() != Default().Source() {
		t.Errorf("regenerated catalog: %d actions from %q", c.NumActions(), c.Source())
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestLoadRejectsBadData(t *testing.T) {
	raw := gunzip(t, embedded)
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("hello")},
		{"empty", gz(nil)},
		{"bad magic", gz([]byte("NOTCATALOG"))},
		{"future version", gz(append([]byte(fileMagic), fileVersion+1))},
		{"truncated", gz(raw[:len(raw)/2])},
		{"trailing bytes", gz(append(append([]byte{}, raw...), 0))},
	} {
		if _, err := Load(bytes.NewReader(tc.data)); err == nil {
			t.Errorf("%s: Load succeeded", tc.name)
		}
	}
}
