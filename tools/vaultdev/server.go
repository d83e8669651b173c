package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-uuid"
	"github.com/hashicorp/vault/sdk/logical"
)

// Vault's system defaults for lease TTLs (768h both) and its rollback manager's period.
const (
	defaultLeaseTTL  = 768 * time.Hour
	defaultMaxTTL    = 768 * time.Hour
	rollbackInterval = time.Minute
)

// Config is how a Server is built. Zero values take Vault's defaults.
type Config struct {
	RootToken       string        // empty: a random "hvs." token
	DefaultLeaseTTL time.Duration // 768h
	MaxLeaseTTL     time.Duration // 768h
	Clock           Clock         // the wall clock
	Logger          *slog.Logger  // vaultdev's own log; discarded when nil
	EngineLogger    hclog.Logger  // the engine's log (Vault's plugins log through hclog)
}

// Server is a Vault HTTP API in front of Vault's AWS secrets engine, mounted at aws/.
type Server struct {
	clock  Clock
	log    *slog.Logger
	eng    *engine
	leases *leaseTable
	tokens *tokenStore

	sysAccessor            string
	clusterName, clusterID string

	mu          sync.Mutex
	description string // the aws/ mount's, as set by an enable request
}

// NewServer mounts the engine and prepares the API. Run starts its background work.
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DefaultLeaseTTL == 0 {
		cfg.DefaultLeaseTTL = defaultLeaseTTL
	}
	if cfg.MaxLeaseTTL == 0 {
		cfg.MaxLeaseTTL = defaultMaxTTL
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.EngineLogger == nil {
		cfg.EngineLogger = hclog.NewNullLogger()
	}
	tokenAccessor, err := randomBase62(24)
	if err != nil {
		return nil, fmt.Errorf("token accessor: %w", err)
	}
	if cfg.RootToken == "" {
		r, err := randomBase62(24)
		if err != nil {
			return nil, fmt.Errorf("root token: %w", err)
		}
		cfg.RootToken = "hvs." + r
	}
	eng, err := newEngine(ctx, cfg.DefaultLeaseTTL, cfg.MaxLeaseTTL, cfg.EngineLogger)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 3)
	for i := range ids {
		if ids[i], err = uuid.GenerateUUID(); err != nil {
			return nil, fmt.Errorf("server ids: %w", err)
		}
	}
	return &Server{
		clock:  cfg.Clock,
		log:    cfg.Logger,
		eng:    eng,
		leases: newLeaseTable(cfg.Clock, eng, cfg.Logger),
		tokens: &tokenStore{
			clock:  cfg.Clock,
			maxTTL: cfg.MaxLeaseTTL,
			defTTL: cfg.DefaultLeaseTTL,
			root:   &token{id: cfg.RootToken, accessor: tokenAccessor, root: true, displayName: "root", created: cfg.Clock.Now().Truncate(time.Second)},
			byID:   map[string]*token{},
		},
		sysAccessor: "system_" + ids[0][:8],
		clusterName: "vault-cluster-" + ids[1][:8],
		clusterID:   ids[2],
	}, nil
}

// RootToken is the root token. It may create other tokens (auth/token/create); every
// request must carry one of them.
func (s *Server) RootToken() string { return s.tokens.root.id }

// Run revokes leases at expiry and runs the engine's periodic work until ctx ends.
func (s *Server) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.leases.run(ctx) })
	wg.Go(func() {
		runRollback(ctx, s.clock, s.eng, rollbackInterval, func(err error) {
			s.log.Warn("engine periodic work failed", "err", err)
		})
	})
	wg.Wait()
}

// Close releases the engine. Leases are not revoked: like a Vault dev server, vaultdev keeps
// nothing across restarts, so whatever was issued stays until AWS expires it or it is deleted.
func (s *Server) Close(ctx context.Context) {
	s.eng.close(ctx)
}

// ServeHTTP is Vault's HTTP API, the part a client of the AWS secrets engine uses.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	p, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok {
		respondError(w, http.StatusNotFound, nil)
		return
	}
	if p == "sys/health" {
		s.health(w, r)
		return
	}
	if err := unsupportedHeaders(r); err != nil {
		respondError(w, http.StatusBadRequest, err)
		return
	}
	caller := s.tokens.lookup(tokenFrom(r))
	if caller == nil {
		respondError(w, http.StatusForbidden, logical.ErrPermissionDenied)
		return
	}
	op, p, data, status, err := parseRequest(w, r, p)
	if err != nil {
		respondError(w, status, err)
		return
	}
	id, err := uuid.GenerateUUID()
	if err != nil {
		respondError(w, http.StatusInternalServerError, err)
		return
	}
	req := &logical.Request{
		ID:                  id,
		Operation:           op,
		Path:                p,
		Data:                data,
		ClientToken:         caller.id,
		ClientTokenAccessor: caller.accessor,
		DisplayName:         engineDisplayName,
		Connection:          &logical.Connection{RemoteAddr: r.RemoteAddr},
	}
	ctx := r.Context()
	switch {
	case p+"/" == mountPath || strings.HasPrefix(p, mountPath):
		s.engineRequest(ctx, w, req)
	case p == "sys/mounts" || strings.HasPrefix(p, "sys/mounts/"):
		resp, err := s.sysMounts(req)
		respond(w, req, resp, err, sysMountType, true)
	case strings.HasPrefix(p, "sys/leases/"):
		resp, err := s.sysLeases(ctx, req)
		respond(w, req, resp, err, sysMountType, false)
	case strings.HasPrefix(p, "auth/token/"):
		resp, err := s.tokens.tokenRequest(caller, req)
		respond(w, req, resp, err, tokenMountType, false)
	case strings.HasPrefix(p, "sys/"):
		respond(w, req, nil, errUnsupportedPath, sysMountType, false)
	default:
		respondError(w, http.StatusNotFound, routeNotFound(p))
	}
}

// engineRequest passes a request under aws/ to the engine and registers any secret it returns
// as a lease, as Vault's core does.
func (s *Server) engineRequest(ctx context.Context, w http.ResponseWriter, req *logical.Request) {
	full := req.Path
	engReq := *req
	engReq.Path = strings.TrimPrefix(strings.TrimPrefix(full, strings.TrimSuffix(mountPath, "/")), "/")
	resp, err := s.eng.handle(ctx, &engReq)
	if err == nil && resp != nil && resp.Secret != nil && !resp.IsError() {
		if rerr := s.leases.register(ctx, full, resp); rerr != nil {
			s.log.Error("lease registration failed", "path", full, "err", rerr)
			respond(w, req, nil, rerr, mountType, false)
			return
		}
	}
	respond(w, req, resp, err, mountType, false)
}

// unsupportedHeaders refuses requests that ask for Vault features vaultdev does not have,
// rather than answering as if they had been honoured.
func unsupportedHeaders(r *http.Request) error {
	if r.Header.Get("X-Vault-Wrap-TTL") != "" {
		return errors.New("vaultdev does not support response wrapping (X-Vault-Wrap-TTL)")
	}
	if ns := strings.Trim(r.Header.Get("X-Vault-Namespace"), "/"); ns != "" && ns != "root" {
		return fmt.Errorf("vaultdev has no namespaces (X-Vault-Namespace %q)", ns)
	}
	return nil
}

// routeNotFound is Vault's answer for a path under no mount, word for word (hence a type: the
// message ends with a full stop, which Go's error conventions otherwise avoid).
type routeNotFound string

func (r routeNotFound) Error() string {
	return fmt.Sprintf("no handler for route %q. route entry not found.", string(r))
}
