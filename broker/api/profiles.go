package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) listProfiles(c echo.Context) error {
	ps, err := s.svc.Profiles(c.Request().Context())
	if err != nil {
		return err
	}
	who := identity(c)
	out := make([]ProfileView, 0, len(ps))
	for _, p := range ps {
		out = append(out, profileView(p, who))
	}
	return c.JSON(http.StatusOK, map[string]any{"profiles": out})
}

func (s *Server) getProfile(c echo.Context) error {
	p, err := s.svc.Profile(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, profileView(p, identity(c)))
}

func (s *Server) putProfile(c echo.Context) error {
	var v ProfileView
	if err := bind(c, &v); err != nil {
		return err
	}
	p, err := profileFrom(c.Param("name"), v)
	if err != nil {
		return err
	}
	if p, err = s.svc.PutProfile(c.Request().Context(), identity(c), p); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, profileView(p, identity(c)))
}

func (s *Server) deleteProfile(c echo.Context) error {
	if err := s.svc.DeleteProfile(c.Request().Context(), identity(c), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
