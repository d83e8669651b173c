package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/workflow"
	"github.com/ciem/ciem/internal/awstest"
)

// The crash tests run brokers as child processes of the test binary, configured by
// these environment variables, and kill them (SIGKILL, from inside, at a crash point).
const (
	envChild   = "CIEM_CRASH_CHILD"   // the HCL configuration file
	envCrashAt = "CIEM_CRASH_AT"      // the crash point to die at ("" for none)
	envClock   = "CIEM_CRASH_CLOCK"   // the broker's time at start (RFC 3339)
	envAWS     = "CIEM_CRASH_AWS"     // the sandbox URL
	envAWSKeys = "CIEM_CRASH_AWS_KEY" // access key id:secret
)

// startedClock runs in real time from a given start.
type startedClock struct {
	base  time.Time
	start time.Time
}

func (c startedClock) Now() time.Time { return c.base.Add(time.Since(c.start)).UTC() }

func (c startedClock) AfterFunc(d time.Duration, f func()) clock.Timer { return time.AfterFunc(d, f) }

func crashChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	cfg, err := config.Load(os.Getenv(envChild), nil)
	if err != nil {
		return fail(err)
	}
	base, err := time.Parse(time.RFC3339Nano, os.Getenv(envClock))
	if err != nil {
		return fail(err)
	}
	var id, secret string
	if _, err := fmt.Sscanf(os.Getenv(envAWSKeys), "%s", &id); err != nil {
		return fail(err)
	}
	for i := range id {
		if id[i] == ':' {
			id, secret = id[:i], id[i+1:]
			break
		}
	}
	awsCfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(os.Getenv(envAWS)), HTTPClient: awstest.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}
	if at := os.Getenv(envCrashAt); at != "" {
		workflow.SetCrashpoint(func(step string) {
			if step == at {
				fmt.Fprintln(os.Stderr, "crash child: dying at", step)
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // never returns
			}
		})
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := New(ctx, cfg, Options{Log: log, Clock: startedClock{base: base, start: time.Now()}, AWS: &awsCfg})
	if err != nil {
		return fail(err)
	}
	if err := srv.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}
