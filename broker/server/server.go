// Package server assembles a broker from its configuration: store, issuers, workflow,
// expiry, notifications, authentication and the HTTP API; catches up on expiries
// before it reports ready; and shuts down cleanly.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/clock"
	"github.com/ciem/ciem/broker/config"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/expiry"
	"github.com/ciem/ciem/broker/issuer"
	"github.com/ciem/ciem/broker/issuer/stsissuer"
	"github.com/ciem/ciem/broker/issuer/vaultissuer"
	"github.com/ciem/ciem/broker/metrics"
	"github.com/ciem/ciem/broker/notify"
	"github.com/ciem/ciem/broker/standing"
	"github.com/ciem/ciem/broker/store/sqlstore"
	"github.com/ciem/ciem/broker/workflow"
)

// Options are what a configuration file cannot say.
type Options struct {
	Log   *slog.Logger
	Clock clock.Clock // default the wall clock
	// AWS replaces the AWS configuration built from the file (tests, ciem dev).
	AWS *aws.Config
}

// Server is an assembled broker.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	Store    *sqlstore.Store
	Service  *workflow.Service
	Tokens   *authn.Tokens
	API      *api.Server
	recon    *expiry.Reconciler
	notifier *notify.Dispatcher
	vault    *vaultissuer.Issuer // nil without a vault block
	listener net.Listener
	http     *http.Server
}

// New assembles a broker; nothing runs until Run.
func New(ctx context.Context, cfg *config.Config, o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	st, err := sqlstore.Open(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: o.Log, Store: st}
	if err := s.assemble(ctx, o); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) assemble(ctx context.Context, o Options) error {
	awsCfg, err := s.awsConfig(ctx, o)
	if err != nil {
		return err
	}
	sts := stsissuer.New(awsCfg, o.Clock)
	issuers := map[string]issuer.Issuer{domain.IssuerSTS: sts}
	if v := s.cfg.Vault; v != nil {
		vi, err := vaultissuer.New(v.Address, v.Token, o.Clock)
		if err != nil {
			return err
		}
		issuers[domain.IssuerVault] = vi
		s.vault = vi
	}
	s.Service = workflow.New(s.Store, o.Clock, issuers, sts, s.log, workflow.Config{PendingTimeout: s.cfg.PendingTimeout, Retry: s.cfg.Retry,
		Owner: instanceName(s.cfg.Listen)})
	if sc := s.cfg.Standing; sc != nil {
		if s.Service.Standing, err = standing.New(*sc, awsCfg, o.Clock); err != nil {
			return err
		}
	}
	m := metrics.New(s.Store)
	s.Service.Metrics = m
	if err := s.syncProfiles(ctx); err != nil {
		return err
	}
	s.Tokens = &authn.Tokens{Store: s.Store, Clock: o.Clock}
	chain := authn.Chain{Tokens: s.Tokens, Admins: s.cfg.Admins}
	if oc := s.cfg.OIDC; oc != nil {
		if chain.OIDC, err = authn.NewOIDC(ctx, authn.OIDCConfig{Issuer: oc.Issuer, Audience: oc.Audience,
			UsernameClaim: oc.UsernameClaim, GroupsClaim: oc.GroupsClaim, Clock: o.Clock}); err != nil {
			return err
		}
	}
	s.recon = expiry.New(s.Service, s.log, expiry.Options{})
	if len(s.cfg.Webhooks) > 0 {
		s.notifier = notify.New(s.Store, o.Clock, s.cfg.Webhooks, s.log, notify.Options{Owner: s.Service.Config().Owner})
	}
	s.API = api.New(api.Options{Service: s.Service, Auth: chain, Metrics: m, Log: s.log, Limits: s.cfg.Limits})
	return nil
}

func (s *Server) awsConfig(ctx context.Context, o Options) (aws.Config, error) {
	if o.AWS != nil {
		return *o.AWS, nil
	}
	var opts []func(*awsconfig.LoadOptions) error
	if s.cfg.AWS.Region != "" {
		opts = append(opts, awsconfig.WithRegion(s.cfg.AWS.Region))
	}
	if s.cfg.AWS.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(s.cfg.AWS.Profile))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return c, fmt.Errorf("the broker's AWS configuration: %w", err)
	}
	if s.cfg.AWS.Endpoint != "" {
		c.BaseEndpoint = aws.String(s.cfg.AWS.Endpoint)
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	return c, nil
}

// instanceName names this broker in leases: the same after a restart on the same host
// and address, different for any other broker (which cannot listen there too).
func instanceName(listen string) string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return host + "/" + listen
}

// configIdentity changes profiles declared in the configuration file.
var configIdentity = domain.Identity{Subject: "config", Admin: true, Via: "config"}

// syncProfiles stores the file's profiles, recording (and auditing) only real changes.
func (s *Server) syncProfiles(ctx context.Context) error {
	existing, err := s.Service.Profiles(ctx)
	if err != nil {
		return err
	}
	have := map[string]domain.Profile{}
	for _, p := range existing {
		p.UpdatedAt, p.UpdatedBy = time.Time{}, ""
		have[p.Name] = p
	}
	for _, p := range s.cfg.Profiles {
		if cur, ok := have[p.Name]; ok && reflect.DeepEqual(cur, p) {
			continue
		}
		if _, err := s.Service.PutProfile(ctx, configIdentity, p); err != nil {
			return fmt.Errorf("profile %s from the configuration: %w", p.Name, err)
		}
	}
	return nil
}

// Listen opens the listener (so a caller learns the address of ":0" before Run).
func (s *Server) Listen() (string, error) {
	if s.listener == nil {
		l, err := net.Listen("tcp", s.cfg.Listen)
		if err != nil {
			return "", fmt.Errorf("listening on %s: %w", s.cfg.Listen, err)
		}
		s.listener = l
	}
	return s.listener.Addr().String(), nil
}

// Run catches up on what came due while the broker was down, then serves until ctx
// ends, and shuts down: the HTTP server first, then the background loops, then the store.
func (s *Server) Run(ctx context.Context) error {
	defer s.Store.Close()
	if _, err := s.Listen(); err != nil {
		return err
	}
	s.http = &http.Server{Handler: s.API.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.http.Serve(s.listener) }() // /healthz answers; /readyz says starting
	start := time.Now()
	if err := s.recon.CatchUp(ctx); err != nil {
		s.log.Error("catching up on expiries failed; the reconciler keeps trying", "err", err)
	}
	s.log.Info("caught up on expiries", "took", time.Since(start).Round(time.Millisecond))
	if err := s.recon.Start(ctx); err != nil {
		return err
	}
	if s.notifier != nil {
		s.notifier.Start(ctx)
		s.Service.SetWake(func() { s.recon.Kick(); s.notifier.Kick() })
	}
	var keeper *vaultissuer.TokenKeeper // renews the vault token while Run runs
	if s.vault != nil {
		keeper = s.vault.KeepTokenAlive(s.log)
	}
	s.API.SetReady(true)
	s.log.Info("broker serving", "addr", s.listener.Addr().String(), "store", s.Store.Dialect())
	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	s.API.SetReady(false)
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if serr := s.http.Shutdown(shutCtx); serr != nil {
		err = errors.Join(err, serr)
	}
	s.recon.Stop()
	if s.notifier != nil {
		s.notifier.Stop()
	}
	if keeper != nil {
		keeper.Stop()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
