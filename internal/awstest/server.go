package awstest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Service names, as they appear in the SigV4 credential scope.
const (
	serviceIAM        = "iam"
	serviceSTS        = "sts"
	serviceS3         = "s3"
	serviceCloudTrail = "cloudtrail"
)

// Defaults.
const (
	DefaultAccount = "111122223333"
	DefaultRegion  = "us-east-1"
	DefaultAddr    = "127.0.0.1:4566"
	// AdminUserName is the IAM user that owns the admin access key; it has the AWS
	// managed AdministratorAccess policy attached.
	AdminUserName = "admin"
)

// Options configure a Server. The zero value is usable: account 111122223333,
// region us-east-1, the wall clock, state in memory, a fresh admin key.
type Options struct {
	Account string
	Region  string
	Clock   Clock
	Logger  *slog.Logger
	// DataDir, when set, holds the state file: loaded at start, written after every
	// change (atomically: temp file and rename).
	DataDir string
	// Seed declares a starting state, applied when the sandbox starts empty.
	Seed *Seed
	// MaxSkew rejects requests signed further than this from the sandbox clock, as AWS
	// does at 15 minutes. Zero disables the check (tests that move a manual clock).
	MaxSkew time.Duration
	// AdminAccessKeyID and AdminSecretAccessKey fix the admin key; random otherwise
	// (and kept in the state file when DataDir is set).
	AdminAccessKeyID     string
	AdminSecretAccessKey string
	// MaxEvents bounds the CloudTrail events kept in memory (oldest dropped first).
	// Default 100,000.
	MaxEvents int
	// MaxBodyBytes bounds request bodies. Default 64 MiB.
	MaxBodyBytes int64
}

// Credentials are an access key pair, with a session token for STS credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time // zero for long-term keys
}

// Server is a running (or ready to run) sandbox.
type Server struct {
	opts  Options
	clock Clock
	log   *slog.Logger

	mu sync.RWMutex // guards st
	st *state

	keys    signingKeys
	events  *eventLog
	authz   *authorizer
	managed *managedCatalog
	saver   *saver
	writeMu sync.Mutex // serialises state file writes

	httpSrv  *http.Server
	listener net.Listener
	serveErr chan error
	// URL is the endpoint, e.g. http://127.0.0.1:4566, once Listen has run.
	URL string

	closeOnce sync.Once
}

// New builds a sandbox from opts, loading state from opts.DataDir when there is one
// and applying opts.Seed to an empty state.
func New(opts Options) (*Server, error) {
	if opts.Account == "" {
		opts.Account = DefaultAccount
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = 100000
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if !validAccountID(opts.Account) {
		return nil, fmt.Errorf("account %q: must be 12 digits", opts.Account)
	}
	s := &Server{
		opts:    opts,
		clock:   opts.Clock,
		log:     opts.Logger,
		events:  newEventLog(opts.MaxEvents),
		authz:   newAuthorizer(),
		managed: defaultManagedCatalog(),
	}
	loaded, err := s.load()
	if err != nil {
		return nil, err
	}
	if !loaded {
		s.st = newState(opts.Account, opts.Region)
		if err := s.bootstrap(); err != nil {
			return nil, err
		}
		if opts.Seed != nil {
			if err := s.applySeed(opts.Seed); err != nil {
				return nil, fmt.Errorf("applying seed: %w", err)
			}
		}
	}
	if opts.DataDir != "" {
		s.saver = newSaver(s)
		s.saver.request()
	}
	return s, nil
}

// bootstrap creates the admin user and its key in a fresh state.
func (s *Server) bootstrap() error {
	now := s.clock.Now()
	u := s.newUser(AdminUserName, "/", now)
	u.Attached = []string{awsManagedARN("AdministratorAccess")}
	s.st.Users[lower(u.Name)] = u
	id, secret := s.opts.AdminAccessKeyID, s.opts.AdminSecretAccessKey
	if id == "" {
		id, secret = newAccessKeyID(prefixAccessKey), newSecretAccessKey()
	}
	if secret == "" {
		return errors.New("admin access key ID given without its secret")
	}
	s.st.AccessKeys[id] = &accessKey{ID: id, Secret: secret, UserKey: lower(u.Name), Status: "Active", Created: now}
	s.st.AdminKeyID = id
	s.st.touch()
	return nil
}

// Account returns the sandbox's account ID.
func (s *Server) Account() string { return s.opts.Account }

// Region returns the sandbox's region.
func (s *Server) Region() string { return s.opts.Region }

// Clock returns the sandbox's clock.
func (s *Server) Clock() Clock { return s.clock }

// Advance moves a ManualClock forward. It panics when the sandbox runs on another
// clock: only tests call it.
func (s *Server) Advance(d time.Duration) {
	mc, ok := s.clock.(*ManualClock)
	if !ok {
		panic("awstest: Advance needs a ManualClock")
	}
	mc.Advance(d)
}

// AdminCredentials returns the admin user's access key.
func (s *Server) AdminCredentials() Credentials {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.st.AccessKeys[s.st.AdminKeyID]
	if k == nil {
		return Credentials{}
	}
	return Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret}
}

// Listen binds addr ("127.0.0.1:0" for a random port) and serves on it in the
// background. URL is set when it returns.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	s.Serve(ln)
	return nil
}

// Serve serves on ln in the background until Shutdown or Close, and sets URL.
func (s *Server) Serve(ln net.Listener) {
	s.listener = ln
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.serveErr = make(chan error, 1)
	go func() {
		err := s.httpSrv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.serveErr <- err
	}()
	s.log.Info("sandbox listening", "url", s.URL, "account", s.opts.Account, "region", s.opts.Region)
}

// Shutdown stops accepting requests, waits for those in flight (until ctx ends), then
// writes the state one last time.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	s.closeOnce.Do(func() {
		if s.httpSrv != nil {
			if err := s.httpSrv.Shutdown(ctx); err != nil {
				// Requests still in flight (or idle connections net/http has not yet given
				// up on) when ctx ends are cut off rather than reported: the sandbox is
				// stopping either way, and its state is saved below.
				if cerr := s.httpSrv.Close(); cerr != nil {
					errs = append(errs, fmt.Errorf("stopping HTTP server: %w", cerr))
				}
			}
			if err := <-s.serveErr; err != nil {
				errs = append(errs, err)
			}
		}
		if s.saver != nil {
			if err := s.saver.close(); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}

// Close shuts the sandbox down, giving requests in flight five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// Save writes the state file now (a no-op without DataDir).
func (s *Server) Save() error {
	if s.opts.DataDir == "" {
		return nil
	}
	return s.writeState()
}

// ServeHTTP serves one AWS API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rq, aerr := s.begin(w, r)
	if aerr == nil {
		aerr = rq.authenticate()
	}
	if aerr == nil {
		aerr = rq.sessionMayCall()
	}
	if aerr != nil {
		rq.writeError(aerr)
		return
	}
	switch rq.service {
	case serviceIAM, serviceSTS:
		s.serveQuery(rq)
	case serviceS3:
		s.serveS3(rq)
	case serviceCloudTrail:
		s.serveCloudTrail(rq)
	default:
		rq.writeError(newError(http.StatusBadRequest, "UnknownService", "The sandbox does not serve the %q service (it serves iam, sts, s3 and cloudtrail).", rq.service))
	}
}

func validAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
