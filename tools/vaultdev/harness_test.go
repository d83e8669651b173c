package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

const testToken = "test-root-token"

// testVault is vaultdev on a random loopback port, driven by a fake clock, with the real
// github.com/hashicorp/vault/api client pointed at it.
type testVault struct {
	srv     *Server
	url     string
	clock   *fakeClock
	client  *api.Client
	expired chan expiry // every revocation attempted at expiry
}

type expiry struct {
	id  string
	err error
}

func startVault(t *testing.T, opts ...func(*Config)) *testVault {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	clock := newFakeClock()
	cfg := Config{
		RootToken: testToken,
		Clock:     clock,
		Logger:    slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := NewServer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tv := &testVault{srv: srv, clock: clock, expired: make(chan expiry, 100)}
	srv.leases.expired = func(id string, err error) { tv.expired <- expiry{id, err} }
	hs := httptest.NewServer(srv)
	done := make(chan struct{})
	go func() { srv.Run(ctx); close(done) }()
	t.Cleanup(func() {
		hs.Close()
		cancel()
		<-done
		srv.Close(context.Background())
	})
	tv.url = hs.URL
	acfg := api.DefaultConfig()
	acfg.Address = hs.URL
	acfg.MaxRetries = 0
	c, err := api.NewClient(acfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(testToken)
	tv.client = c
	return tv
}

// raw sends one HTTP request to vaultdev and returns the status and body.
func (tv *testVault) raw(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, tv.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Vault-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// waitExpiry waits for the expiry loop to report on a lease; the timeout is only a safety net.
func (tv *testVault) waitExpiry(t *testing.T, id string) error {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case e := <-tv.expired:
			if e.id == id {
				return e.err
			}
		case <-timeout:
			t.Fatalf("lease %s: no revocation at expiry", id)
		}
	}
}

// testWriter sends logs to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
