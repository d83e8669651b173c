package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ciem/ciem/broker/authn"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/store"
)

// CreateToken is the body of POST /v1/tokens.
type CreateToken struct {
	Name      string   `json:"name"`
	Subject   string   `json:"subject"`
	Groups    []string `json:"groups,omitempty"`
	Admin     bool     `json:"admin,omitempty"`
	ExpiresIn string   `json:"expires_in,omitempty"` // e.g. "720h"; empty: never
}

// TokenView is an API token as the API shows it: never its secret or hash.
type TokenView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Subject   string     `json:"subject"`
	Groups    []string   `json:"groups"`
	Admin     bool       `json:"admin"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// CreatedToken answers POST /v1/tokens: the token and, this once, its secret.
type CreatedToken struct {
	TokenView
	Token string `json:"token"`
}

func tokenView(tk store.Token) TokenView {
	groups := tk.Groups
	if groups == nil {
		groups = []string{}
	}
	return TokenView{ID: tk.ID, Name: tk.Name, Subject: tk.Subject, Groups: groups, Admin: tk.Admin,
		CreatedAt: tk.CreatedAt, CreatedBy: tk.CreatedBy, ExpiresAt: timePtr(tk.ExpiresAt), RevokedAt: timePtr(tk.RevokedAt)}
}

func (s *Server) createToken(c echo.Context) error {
	// Refuse before reading the body, so a non-administrator learns nothing from
	// validation errors.
	if !identity(c).Admin {
		return domain.ErrNotAdmin
	}
	var in CreateToken
	if err := bind(c, &in); err != nil {
		return err
	}
	ttl, err := parseDuration("expires_in", in.ExpiresIn, false)
	if err != nil {
		return err
	}
	tokens := &authn.Tokens{Store: s.svc.Store(), Clock: s.svc.Clock()}
	n := authn.NewToken{Name: in.Name, Subject: in.Subject, Groups: in.Groups, Admin: in.Admin, TTL: ttl}
	plain, tk, err := s.svc.CreateToken(c.Request().Context(), identity(c), func(ctx context.Context, by string) (string, store.Token, error) {
		return tokens.Create(ctx, by, n)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, CreatedToken{TokenView: tokenView(tk), Token: plain})
}

func (s *Server) listTokens(c echo.Context) error {
	tks, err := s.svc.Tokens(c.Request().Context(), identity(c))
	if err != nil {
		return err
	}
	out := make([]TokenView, 0, len(tks))
	for _, tk := range tks {
		out = append(out, tokenView(tk))
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) revokeToken(c echo.Context) error {
	tk, err := s.svc.RevokeToken(c.Request().Context(), identity(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tokenView(tk))
}
