// Package api is the broker's JSON API on Echo: /v1 for requests, grants, profiles
// and the audit log, /v1/openapi.json describing it, and /healthz, /readyz, /metrics
// for operators. Every /v1 route but the OpenAPI document needs a bearer token;
// typed errors become HTTP statuses in one place (errors.go).
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/metrics"
	"github.com/ciem/ciem/broker/workflow"
)

// Limits bound what one caller can send.
type Limits struct {
	BodyBytes int64   // largest request body (default 64 KiB)
	PerSecond float64 // sustained requests per second per identity (default 5)
	Burst     int     // burst per identity (default 30)
	// PerIPPerSecond and PerIPBurst bound every caller by address, before
	// authentication, so bad tokens cannot be tried without end (defaults 20 and 100).
	PerIPPerSecond float64
	PerIPBurst     int
}

func (l Limits) withDefaults() Limits {
	if l.BodyBytes <= 0 {
		l.BodyBytes = 64 << 10
	}
	if l.PerSecond <= 0 {
		l.PerSecond = 5
	}
	if l.Burst <= 0 {
		l.Burst = 30
	}
	if l.PerIPPerSecond <= 0 {
		l.PerIPPerSecond = 20
	}
	if l.PerIPBurst <= 0 {
		l.PerIPBurst = 100
	}
	return l
}

// Options build a Server.
type Options struct {
	Service *workflow.Service
	Auth    authn.Authenticator
	Metrics *metrics.Metrics // nil: no /metrics and no HTTP metrics
	Log     *slog.Logger
	Limits  Limits
}

// Server is the HTTP API.
type Server struct {
	svc     *workflow.Service
	auth    authn.Authenticator
	metrics *metrics.Metrics
	log     *slog.Logger
	limits  Limits
	echo    *echo.Echo
	ready   atomic.Bool
}

// New builds the API. It reports not ready until SetReady(true).
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: o.Service, auth: o.Auth, metrics: o.Metrics, log: o.Log, limits: o.Limits.withDefaults()}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(o.Log)
	e.Use(middleware.Recover(), s.observe, middleware.BodyLimit(byteSize(s.limits.BodyBytes)))

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if o.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(o.Metrics.Registry, promhttp.HandlerOpts{})))
	}
	e.GET("/v1/openapi.json", s.openapi)

	// Middleware per route rather than on a group: Echo's group middleware turns a wrong
	// method on a known path into 404 instead of 405.
	guard := []echo.MiddlewareFunc{s.limitByIP(), s.authenticate, s.limitByIdentity()}
	routes := []struct {
		method, path string
		h            echo.HandlerFunc
	}{
		{http.MethodGet, "/me", s.me},
		{http.MethodGet, "/profiles", s.listProfiles},
		{http.MethodGet, "/profiles/:name", s.getProfile},
		{http.MethodPut, "/profiles/:name", s.putProfile},
		{http.MethodDelete, "/profiles/:name", s.deleteProfile},
		{http.MethodPost, "/requests", s.createRequest},
		{http.MethodGet, "/requests", s.listRequests},
		{http.MethodGet, "/requests/:id", s.getRequest},
		{http.MethodGet, "/requests/:id/preview", s.previewRequest},
		{http.MethodPost, "/requests/:id/approve", s.approveRequest},
		{http.MethodPost, "/requests/:id/deny", s.denyRequest},
		{http.MethodPost, "/requests/:id/cancel", s.cancelRequest},
		{http.MethodPost, "/requests/:id/revoke", s.revokeRequest},
		{http.MethodGet, "/grants/:id/credentials", s.credentials},
		{http.MethodGet, "/audit", s.auditEvents},
		{http.MethodGet, "/audit/export", s.auditExport},
		{http.MethodGet, "/audit/verify", s.auditVerify},
		{http.MethodPost, "/tokens", s.createToken},
		{http.MethodGet, "/tokens", s.listTokens},
		{http.MethodDelete, "/tokens/:id", s.revokeToken},
	}
	for _, r := range routes {
		e.Add(r.method, "/v1"+r.path, r.h, guard...)
	}
	s.echo = e
	return s
}

// Handler is the API's http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router (tests list its routes).
func (s *Server) Echo() *echo.Echo { return s.echo }

// SetReady marks the broker ready to serve (after the expiry catch-up).
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// byteSize writes n for Echo's BodyLimit ("65536" means bytes... with a unit suffix
// required, so whole kilobytes are given as K).
func byteSize(n int64) string {
	return strconv.FormatInt((n+1023)/1024, 10) + "K"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

const identityKey = "ciem.identity"

// identity is the authenticated caller of c.
func identity(c echo.Context) domain.Identity {
	id, _ := c.Get(identityKey).(domain.Identity)
	return id
}

func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		bearer, err := authn.Bearer(c.Request())
		if err != nil {
			return err
		}
		id, err := s.auth.Authenticate(c.Request().Context(), bearer)
		if err != nil {
			return err
		}
		c.Set(identityKey, id)
		return next(c)
	}
}

var errRateLimited = &domain.Error{Kind: domain.KindRateLimited, Code: "rate_limited", Message: "too many requests; slow down"}

func (s *Server) limitByIdentity() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(s.limits.PerSecond), Burst: s.limits.Burst, ExpiresIn: 10 * time.Minute})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return "id:" + identity(c).Subject, nil },
		DenyHandler:         func(echo.Context, string, error) error { return errRateLimited },
		ErrorHandler:        func(_ echo.Context, err error) error { return err },
	})
}

func (s *Server) limitByIP() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(s.limits.PerIPPerSecond), Burst: s.limits.PerIPBurst, ExpiresIn: 10 * time.Minute})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return "ip:" + c.RealIP(), nil },
		DenyHandler:         func(echo.Context, string, error) error { return errRateLimited },
		ErrorHandler:        func(_ echo.Context, err error) error { return err },
	})
}

// observe logs each request and records its metrics.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error response now, so its status is what we record
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		if s.metrics != nil {
			s.metrics.HTTPRequests.WithLabelValues(c.Request().Method, route, itoa(int64(status))).Inc()
			s.metrics.HTTPDuration.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		}
		s.log.Debug("http", "method", c.Request().Method, "route", route, "status", status,
			"ms", time.Since(start).Milliseconds(), "subject", identity(c).Subject)
		return nil
	}
}

// bind decodes a JSON body strictly: unknown fields, trailing data and wrong types are
// errors that say where. An empty body leaves v as it is.
func bind(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return domain.Invalid("invalid_json", "reading the request body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return domain.Invalid("invalid_json", "request body: JSON syntax error at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return domain.Invalid("invalid_json", "request body: field %q: expected %s, got %s", te.Field, te.Type, te.Value)
		}
		return domain.Invalid("invalid_json", "request body: %v", err)
	}
	if dec.More() {
		return domain.Invalid("invalid_json", "request body: more than one JSON value")
	}
	return nil
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	if !s.ready.Load() {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "starting", "detail": "catching up on expiries"})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Store().Ping(ctx); err != nil {
		s.log.Warn("readiness: store unreachable", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "detail": "the store does not answer"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) me(c echo.Context) error {
	id := identity(c)
	groups := id.Groups
	if groups == nil {
		groups = []string{}
	}
	return c.JSON(http.StatusOK, Me{Subject: id.Subject, Groups: groups, Admin: id.Admin, Via: id.Via})
}
