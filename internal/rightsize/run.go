package rightsize

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/usage"
)

// Config is a right-sizing run as the command line describes it: the same path serves
// `ciem rightsize` and the tests that drive it.
type Config struct {
	Principal string
	// Sources are usage source specs (usage.ParseSourceSpec): cloudtrail-dir=PATH,
	// cloudtrail-s3=s3://BUCKET/PREFIX, lookup-events[=REGION,...], access-advisor[=ARN,...];
	// access-advisor with no ARN reports on Principal.
	Sources []string
	// Since and Until bound the window (usage.ParseSince); Since "" is 90 days back from
	// now, Until "" is now.
	Since, Until string
	// Granted are files to read the granted policies from (ReadGrantedFiles); none: read
	// them from IAM.
	Granted []string
	// AWSConfig loads the AWS configuration, called only when a source or IAM needs it.
	AWSConfig func(ctx context.Context) (aws.Config, error)
	// MaxResources and Workers tune the digest (usage.Options).
	MaxResources, Workers int
	Options               Options
	Clock                 usage.Clock  // default the system clock
	Progress              io.Writer    // LookupEvents' progress line, nil for none
	Logger                *slog.Logger // default slog.Default()
}

// DefaultSince is the default start of the window.
const DefaultSince = "90d"

// Result is a run's suggestion with what it was made from.
type Result struct {
	Suggestion *Suggestion
	Granted    *Granted
	Digest     *usage.Digest
}

// Run reads the granted policies (files or IAM) and the usage sources, and suggests.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	p, err := awsx.ParsePrincipalARN(cfg.Principal)
	if err != nil {
		return nil, fmt.Errorf("--principal: %w", err)
	}
	if len(cfg.Sources) == 0 {
		return nil, errors.New("no --source given: name at least one usage source")
	}
	clock := cfg.Clock
	if clock == nil {
		clock = usage.SystemClock{}
	}
	now := clock.Now()
	since := cfg.Since
	if since == "" {
		since = DefaultSince
	}
	var w usage.Window
	if w.Since, err = usage.ParseSince(since, now); err != nil {
		return nil, fmt.Errorf("--since: %w", err)
	}
	if cfg.Until != "" {
		if w.Until, err = usage.ParseSince(cfg.Until, now); err != nil {
			return nil, fmt.Errorf("--until: %w", err)
		}
	}
	if !w.Since.IsZero() && !w.Until.IsZero() && !w.Since.Before(w.Until) {
		return nil, fmt.Errorf("--since %s is not before --until %s", since, cfg.Until)
	}
	var specs []usage.SourceSpec
	for _, s := range cfg.Sources {
		spec, err := usage.ParseSourceSpec(s)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	awsConfig := onceConfig(cfg.AWSConfig)

	// The granted policies first: a wrong principal fails before a long read of the trail.
	var gr *Granted
	if len(cfg.Granted) > 0 {
		gr, err = ReadGrantedFiles(cfg.Principal, cfg.Granted)
	} else {
		var c aws.Config
		if c, err = awsConfig(ctx); err != nil {
			return nil, fmt.Errorf("reading the granted policies from IAM (or give them with --granted FILE): %w", err)
		}
		gr, err = ReadGrantedAWS(ctx, awsx.NewIAM(c), cfg.Principal)
	}
	if err != nil {
		return nil, err
	}
	sources, err := usage.BuildSources(ctx, specs, usage.SourceEnv{AWSConfig: awsConfig, Principals: []string{cfg.Principal}, Progress: cfg.Progress})
	if err != nil {
		return nil, err
	}
	d, err := usage.Collect(ctx, usage.Options{Window: w, Account: p.Account, MaxResources: cfg.MaxResources,
		Workers: cfg.Workers, Clock: clock, Logger: cfg.Logger}, sources...)
	if err != nil {
		return nil, err
	}
	s, err := Suggest(Input{Principal: cfg.Principal, Granted: gr, Digest: d}, cfg.Options)
	if err != nil {
		return nil, err
	}
	return &Result{Suggestion: s, Granted: gr, Digest: d}, nil
}

// onceConfig loads the AWS configuration once, when first needed.
func onceConfig(load func(context.Context) (aws.Config, error)) func(context.Context) (aws.Config, error) {
	var (
		mu     sync.Mutex
		cfg    aws.Config
		err    error
		loaded bool
	)
	return func(ctx context.Context) (aws.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		if loaded {
			return cfg, err
		}
		if load == nil {
			return aws.Config{}, errors.New("no AWS configuration available")
		}
		cfg, err = load(ctx)
		loaded = true
		return cfg, err
	}
}
