package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/domain"
)

func requireAdmin(c echo.Context) error {
	if !identity(c).Admin {
		return domain.ErrNotAdmin
	}
	return nil
}

func afterParam(c echo.Context) (int64, error) {
	a := c.QueryParam("after")
	if a == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(a, 10, 64)
	if err != nil || n < 0 {
		return 0, domain.Invalid("invalid_after", "after %q: a sequence number", a)
	}
	return n, nil
}

// auditEvents pages through the log: ?after=SEQ&limit=N (administrators).
func (s *Server) auditEvents(c echo.Context) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	after, err := afterParam(c)
	if err != nil {
		return err
	}
	limit := 100
	if l := c.QueryParam("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 1000 {
			return domain.Invalid("invalid_limit", "limit %q: a number from 1 to 1000", l)
		}
	}
	events := []audit.Event{}
	for e, err := range s.svc.Store().AuditEvents(c.Request().Context(), after) {
		if err != nil {
			return err
		}
		events = append(events, e)
		if len(events) == limit {
			break
		}
	}
	body := map[string]any{"events": events}
	if len(events) == limit {
		body["next_after"] = events[len(events)-1].Seq
	}
	return c.JSON(http.StatusOK, body)
}

// auditExport streams the log from ?after=SEQ as JSON lines (administrators).
func (s *Server) auditExport(c echo.Context) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	after, err := afterParam(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/x-ndjson")
	c.Response().WriteHeader(http.StatusOK)
	// Headers are sent: a failure now can only cut the stream short, which the
	// client's verification of the chain notices.
	if _, err := audit.WriteJSONLines(c.Response(), s.svc.Store().AuditEvents(c.Request().Context(), after)); err != nil {
		s.log.Error("audit export cut short", "err", err)
	}
	return nil
}

// auditVerify verifies the whole chain on the server (administrators).
func (s *Server) auditVerify(c echo.Context) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	rep, err := audit.Verify(s.svc.Store().AuditEvents(c.Request().Context(), 0))
	if err != nil {
		return domain.Unavailable("audit_read_failed", err, "reading the audit log")
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": rep.OK(), "report": rep})
}
