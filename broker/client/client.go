// Package client is a Go client for the broker's /v1 API, used by the CLI (and by
// anything else that talks to a broker).
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/audit"
	"github.com/ciem/ciem/broker/workflow"
)

// Client calls one broker.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// New returns a client for the broker at addr (e.g. http://127.0.0.1:8080)
// authenticating with token.
func New(addr, token string) (*Client, error) {
	if addr == "" {
		return nil, errors.New("no broker address: set CIEM_ADDR or --addr (e.g. http://127.0.0.1:8080)")
	}
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("broker address %q: not a URL", addr)
	}
	if token == "" {
		return nil, errors.New("no token: set CIEM_TOKEN or --token")
	}
	return &Client{base: u, token: token, http: &http.Client{Timeout: 60 * time.Second}}, nil
}

// Error is an error answer from the broker.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (%s, HTTP %d)", e.Message, e.Code, e.Status)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return nil
}

// send makes the call and turns a non-2xx answer into *Error; the caller closes the body.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	u := c.base.JoinPath(strings.Split(path, "?")[0])
	if i := strings.IndexByte(path, '?'); i >= 0 {
		u.RawQuery = path[i+1:]
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calling the broker at %s: %w", c.base, err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var eb api.ErrorBody
	if json.Unmarshal(raw, &eb) == nil && eb.Error.Code != "" {
		return nil, &Error{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
	}
	return nil, &Error{Status: resp.StatusCode, Code: "http_error", Message: strings.TrimSpace(string(raw))}
}

// Me returns the caller's identity.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var me api.Me
	return me, c.do(ctx, http.MethodGet, "/v1/me", nil, &me)
}

// Profiles lists profiles.
func (c *Client) Profiles(ctx context.Context) ([]api.ProfileView, error) {
	var out struct {
		Profiles []api.ProfileView `json:"profiles"`
	}
	return out.Profiles, c.do(ctx, http.MethodGet, "/v1/profiles", nil, &out)
}

// Profile reads one profile.
func (c *Client) Profile(ctx context.Context, name string) (api.ProfileView, error) {
	var p api.ProfileView
	return p, c.do(ctx, http.MethodGet, "/v1/profiles/"+url.PathEscape(name), nil, &p)
}

// PutProfile creates or replaces a profile.
func (c *Client) PutProfile(ctx context.Context, p api.ProfileView) (api.ProfileView, error) {
	var out api.ProfileView
	return out, c.do(ctx, http.MethodPut, "/v1/profiles/"+url.PathEscape(p.Name), p, &out)
}

// DeleteProfile deletes a profile.
func (c *Client) DeleteProfile(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/v1/profiles/"+url.PathEscape(name), nil, nil)
}

// Create files a request.
func (c *Client) Create(ctx context.Context, in api.CreateRequest) (api.RequestView, error) {
	var r api.RequestView
	return r, c.do(ctx, http.MethodPost, "/v1/requests", in, &r)
}

// ListOptions filter List.
type ListOptions struct {
	States  []string
	Profile string
	Mine    bool
	Limit   int
	Before  string
}

// List lists requests the caller may see.
func (c *Client) List(ctx context.Context, o ListOptions) ([]api.RequestView, error) {
	q := url.Values{}
	for _, s := range o.States {
		q.Add("state", s)
	}
	if o.Profile != "" {
		q.Set("profile", o.Profile)
	}
	if o.Mine {
		q.Set("mine", "true")
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Before != "" {
		q.Set("before", o.Before)
	}
	var out struct {
		Requests []api.RequestView `json:"requests"`
	}
	return out.Requests, c.do(ctx, http.MethodGet, "/v1/requests?"+q.Encode(), nil, &out)
}

// Get reads a request.
func (c *Client) Get(ctx context.Context, id string) (api.RequestView, error) {
	var r api.RequestView
	return r, c.do(ctx, http.MethodGet, "/v1/requests/"+url.PathEscape(id), nil, &r)
}

// Preview reads what approving a request would add.
func (c *Client) Preview(ctx context.Context, id string) (workflow.Preview, error) {
	var p workflow.Preview
	return p, c.do(ctx, http.MethodGet, "/v1/requests/"+url.PathEscape(id)+"/preview", nil, &p)
}

func (c *Client) decide(ctx context.Context, id, verb string, d api.Decision) (api.RequestView, error) {
	var r api.RequestView
	return r, c.do(ctx, http.MethodPost, "/v1/requests/"+url.PathEscape(id)+"/"+verb, d, &r)
}

// Approve approves a request.
func (c *Client) Approve(ctx context.Context, id, comment string) (api.RequestView, error) {
	return c.decide(ctx, id, "approve", api.Decision{Comment: comment})
}

// Deny denies a request.
func (c *Client) Deny(ctx context.Context, id, reason string) (api.RequestView, error) {
	return c.decide(ctx, id, "deny", api.Decision{Reason: reason})
}

// Cancel cancels a pending request.
func (c *Client) Cancel(ctx context.Context, id string) (api.RequestView, error) {
	return c.decide(ctx, id, "cancel", api.Decision{})
}

// Revoke ends a grant early.
func (c *Client) Revoke(ctx context.Context, id, reason string) (api.RequestView, error) {
	return c.decide(ctx, id, "revoke", api.Decision{Reason: reason})
}

// Credentials returns credentials for the caller's active grant.
func (c *Client) Credentials(ctx context.Context, id string) (api.CredentialProcess, error) {
	var cp api.CredentialProcess
	return cp, c.do(ctx, http.MethodGet, "/v1/grants/"+url.PathEscape(id)+"/credentials", nil, &cp)
}

// AuditExport streams the audit log as JSON lines; the caller closes it.
func (c *Client) AuditExport(ctx context.Context, after int64) (io.ReadCloser, error) {
	resp, err := c.send(ctx, http.MethodGet, "/v1/audit/export?after="+strconv.FormatInt(after, 10), nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// AuditVerifyLocal downloads the whole log and verifies its chain here, trusting
// nothing the broker says about it; anchors are heads recorded earlier.
func (c *Client) AuditVerifyLocal(ctx context.Context, anchors ...audit.Anchor) (audit.Report, error) {
	body, err := c.AuditExport(ctx, 0)
	if err != nil {
		return audit.Report{}, err
	}
	defer body.Close()
	return audit.Verify(audit.ReadJSONLines(body), anchors...)
}
