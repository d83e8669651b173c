package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ciem/ciem/broker/domain"
)

// ErrorBody is every error response: {"error": {"code": "...", "message": "..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a stable code for programs and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf is the one place where error kinds become HTTP status codes.
func statusOf(k domain.Kind) int {
	switch k {
	case domain.KindInvalid:
		return http.StatusBadRequest
	case domain.KindUnauthenticated:
		return http.StatusUnauthorized
	case domain.KindForbidden:
		return http.StatusForbidden
	case domain.KindNotFound:
		return http.StatusNotFound
	case domain.KindConflict:
		return http.StatusConflict
	case domain.KindRateLimited:
		return http.StatusTooManyRequests
	case domain.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// echoCodes names Echo's own errors (routing, body limit) in the API's vocabulary.
var echoCodes = map[int]string{
	http.StatusNotFound:              "route_not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
}

// errorHandler writes any error as an ErrorBody. Typed broker errors keep their code;
// anything else is the server's fault: logged in full, answered without detail.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := describe(err)
		if status >= 500 {
			log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "status", status, "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func describe(err error) (int, ErrorBody) {
	var de *domain.Error
	if errors.As(err, &de) {
		msg := de.Message
		if de.Kind == domain.KindUnavailable {
			// The cause may name hosts or internals; the code and message say enough.
			msg = de.Message + " (a dependency failed; try again)"
		}
		return statusOf(de.Kind), ErrorBody{ErrorDetail{Code: de.Code, Message: msg}}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := echoCodes[he.Code]
		if code == "" {
			code = "http_error"
		}
		msg, ok := he.Message.(string)
		if !ok {
			msg = http.StatusText(he.Code)
		}
		return he.Code, ErrorBody{ErrorDetail{Code: code, Message: msg}}
	}
	return http.StatusInternalServerError, ErrorBody{ErrorDetail{Code: "internal", Message: "internal error; the broker's log has the details"}}
}
