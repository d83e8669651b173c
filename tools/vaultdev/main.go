// Command vaultdev is a test-only Vault server: Vault's real AWS secrets engine, mounted at aws/,
// behind the part of Vault's HTTP API that a client of that engine uses (see README.md). It
// keeps everything in memory and has one root token. Never use it outside development and tests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "vaultdev:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, rootToken, devRootToken, logLevel string
	defaultTTL, maxTTL                      time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("vaultdev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vaultdev [-addr 127.0.0.1:8200] [-root-token TOKEN] [flags]")
		fmt.Fprintln(stderr, "A test-only Vault server around Vault's AWS secrets engine (mounted at aws/), in memory.")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8200", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&o.rootToken, "root-token", "", "the root token clients must send (default: $VAULT_DEV_ROOT_TOKEN_ID, else random)")
	fs.StringVar(&o.devRootToken, "dev-root-token-id", "", "same as -root-token (the flag's name in 'vault server -dev')")
	fs.DurationVar(&o.defaultTTL, "default-lease-ttl", defaultLeaseTTL, "the mount's default lease TTL (Vault's default_lease_ttl)")
	fs.DurationVar(&o.maxTTL, "max-lease-ttl", defaultMaxTTL, "the mount's maximum lease TTL (Vault's max_lease_ttl)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (flags only)", fs.Args())
	}
	if o.rootToken != "" && o.devRootToken != "" && o.rootToken != o.devRootToken {
		return o, errors.New("-root-token and -dev-root-token-id disagree; give one")
	}
	if o.rootToken == "" {
		o.rootToken = o.devRootToken
	}
	if o.rootToken == "" {
		o.rootToken = os.Getenv("VAULT_DEV_ROOT_TOKEN_ID")
	}
	if o.defaultTTL <= 0 || o.maxTTL <= 0 || o.defaultTTL > o.maxTTL {
		return o, fmt.Errorf("-default-lease-ttl %s and -max-lease-ttl %s: both must be positive and the default no more than the max", o.defaultTTL, o.maxTTL)
	}
	return o, nil
}

// run serves until ctx ends. It prints the address and token as shell exports once it listens.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: %w", o.logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := NewServer(ctx, Config{
		RootToken:       o.rootToken,
		DefaultLeaseTTL: o.defaultTTL,
		MaxLeaseTTL:     o.maxTTL,
		Logger:          logger,
		EngineLogger: hclog.New(&hclog.LoggerOptions{
			Name: "secrets.aws", Output: stderr, Level: hclog.LevelFromString(o.logLevel),
		}),
	})
	if err != nil {
		return err
	}
	defer srv.Close(context.Background())

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", o.addr, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	addr := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "# vaultdev: Vault %s's AWS secrets engine at aws/, in memory (test use only)\n", vaultVersion)
	fmt.Fprintf(stdout, "export VAULT_ADDR=%s\nexport VAULT_TOKEN=%s\n", addr, srv.RootToken())
	logger.Info("serving", "addr", addr)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		srv.Run(runCtx)
		close(done)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()

	select {
	case err := <-serveErr:
		cancel()
		<-done
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down; leases are not revoked (nothing persists)")
	shutCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	err = httpSrv.Shutdown(shutCtx)
	cancel()
	<-done
	if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
