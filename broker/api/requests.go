package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// CreateRequest is the body of POST /v1/requests.
type CreateRequest struct {
	Profile    string `json:"profile"`
	Duration   string `json:"duration,omitempty"` // e.g. "1h"; empty: the profile's default
	Reason     string `json:"reason,omitempty"`
	Ticket     string `json:"ticket,omitempty"`
	BreakGlass bool   `json:"break_glass,omitempty"`
	Extends    string `json:"extends,omitempty"`
}

// Decision is the body of approve, deny and revoke (all optional).
type Decision struct {
	Comment string `json:"comment,omitempty"` // approve
	Reason  string `json:"reason,omitempty"`  // deny, revoke
}

func (s *Server) createRequest(c echo.Context) error {
	var in CreateRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Profile == "" {
		return domain.Invalid("profile_required", "profile: name the profile to request")
	}
	d, err := parseDuration("duration", in.Duration, false)
	if err != nil {
		return err
	}
	r, err := s.svc.Create(c.Request().Context(), identity(c), domain.CreateInput{
		Profile: in.Profile, Duration: d, Reason: in.Reason, Ticket: in.Ticket, BreakGlass: in.BreakGlass, Extends: in.Extends})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, requestView(r))
}

func (s *Server) listRequests(c echo.Context) error {
	q := c.QueryParams()
	f := store.Filter{Profile: q.Get("profile"), Requester: q.Get("requester"), Before: q.Get("before")}
	if q.Get("mine") == "true" {
		f.Requester = identity(c).Subject
	}
	for _, st := range q["state"] {
		if !domain.State(st).Valid() {
			return domain.Invalid("invalid_state_filter", "state %q: use one of pending, approved, active, expired, revoked, denied, cancelled, timed_out", st)
		}
		f.States = append(f.States, domain.State(st))
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return domain.Invalid("invalid_limit", "limit %q: a number from 1 to 1000", l)
		}
		f.Limit = n
	} else {
		f.Limit = 100
	}
	rs, err := s.svc.List(c.Request().Context(), identity(c), f)
	if err != nil {
		return err
	}
	out := make([]RequestView, 0, len(rs))
	for _, r := range rs {
		out = append(out, requestView(r))
	}
	body := map[string]any{"requests": out}
	if len(rs) == f.Limit {
		body["next_before"] = rs[len(rs)-1].ID
	}
	return c.JSON(http.StatusOK, body)
}

func (s *Server) getRequest(c echo.Context) error {
	d, err := s.svc.Get(c.Request().Context(), identity(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, detailView(d))
}

func (s *Server) previewRequest(c echo.Context) error {
	p, err := s.svc.Preview(c.Request().Context(), identity(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// decide runs a decision use case and answers with the request as it then is.
func (s *Server) decide(c echo.Context, f func(id string, d Decision) (domain.Request, error)) error {
	var d Decision
	if err := bind(c, &d); err != nil {
		return err
	}
	if _, err := f(c.Param("id"), d); err != nil {
		return err
	}
	det, err := s.svc.Get(c.Request().Context(), identity(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, detailView(det))
}

func (s *Server) approveRequest(c echo.Context) error {
	return s.decide(c, func(id string, d Decision) (domain.Request, error) {
		return s.svc.Approve(c.Request().Context(), identity(c), id, d.Comment)
	})
}

func (s *Server) denyRequest(c echo.Context) error {
	return s.decide(c, func(id string, d Decision) (domain.Request, error) {
		return s.svc.Deny(c.Request().Context(), identity(c), id, d.Reason)
	})
}

func (s *Server) cancelRequest(c echo.Context) error {
	return s.decide(c, func(id string, _ Decision) (domain.Request, error) {
		return s.svc.Cancel(c.Request().Context(), identity(c), id)
	})
}

func (s *Server) revokeRequest(c echo.Context) error {
	return s.decide(c, func(id string, d Decision) (domain.Request, error) {
		return s.svc.Revoke(c.Request().Context(), identity(c), id, d.Reason)
	})
}

func (s *Server) credentials(c echo.Context) error {
	cr, err := s.svc.Credentials(c.Request().Context(), identity(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, CredentialProcess{Version: 1, AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey,
		SessionToken: cr.SessionToken, Expiration: cr.Expiration.UTC()})
}
