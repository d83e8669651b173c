package brokertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// OIDCIssuer is an in-process OpenID Connect provider for tests: a discovery document,
// a key set it can rotate, and real signed JWTs.
type OIDCIssuer struct {
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetches int
}

// SigningKey is a private key with its key id.
type SigningKey struct {
	KID string
	Key any
	Alg jose.SignatureAlgorithm
}

// NewOIDCIssuer starts a provider; it stops when the test ends.
func NewOIDCIssuer(t testing.TB) *OIDCIssuer {
	is := &OIDCIssuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.URL, "jwks_uri": is.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		defer is.mu.Unlock()
		is.fetches++
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.keys})
	})
	is.srv = httptest.NewServer(mux)
	is.URL = is.srv.URL
	t.Cleanup(is.srv.Close)
	return is
}

// Fetches counts key set downloads.
func (is *OIDCIssuer) Fetches() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.fetches
}

// Publish adds k's public key to the key set.
func (is *OIDCIssuer) Publish(k SigningKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	var pub any
	switch k := k.Key.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
	case *ecdsa.PrivateKey:
		pub = &k.PublicKey
	}
	is.keys = append(is.keys, jose.JSONWebKey{Key: pub, KeyID: k.KID, Algorithm: string(k.Alg), Use: "sig"})
}

// RSAKey makes an RS256 key.
func RSAKey(t testing.TB, kid string) SigningKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return SigningKey{kid, k, jose.RS256}
}

// ECKey makes an ES256 key.
func ECKey(t testing.TB, kid string) SigningKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return SigningKey{kid, k, jose.ES256}
}

// Sign returns a compact JWT with claims signed by k.
func Sign(t testing.TB, k SigningKey, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.Alg, Key: k.Key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.KID))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
