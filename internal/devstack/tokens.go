package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/ciem/ciem/broker/authn"
)

// tokensFile keeps the tokens in clear text (mode 0600) so that a restart hands out the
// same ones: the broker stores only their hashes.
const tokensFile = "tokens.json"

// Tokens are the API tokens of the stack's three people.
type Tokens struct {
	Admin string `json:"admin"`
	Alice string `json:"alice"`
	Bob   string `json:"bob"`
}

// person is who a token acts as.
type person struct {
	subject string
	groups  []string
	admin   bool
	field   func(*Tokens) *string
}

var people = []person{
	{subject: "admin", admin: true, field: func(t *Tokens) *string { return &t.Admin }},
	{subject: "alice", groups: []string{"dev"}, field: func(t *Tokens) *string { return &t.Alice }},
	{subject: "bob", groups: []string{"leads"}, field: func(t *Tokens) *string { return &t.Bob }},
}

// ensureTokens reuses the tokens saved at path that still authenticate as their
// person, and creates (and saves) the others.
func ensureTokens(ctx context.Context, tk *authn.Tokens, path string) (Tokens, error) {
	var saved Tokens
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &saved); err != nil {
			return Tokens{}, fmt.Errorf("%s: %w (delete it to get new tokens)", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return Tokens{}, fmt.Errorf("reading the dev tokens: %w", err)
	}
	changed := false
	for _, p := range people {
		dst := p.field(&saved)
		if *dst != "" {
			id, err := tk.Authenticate(ctx, *dst)
			if err == nil && id.Subject == p.subject {
				continue
			}
		}
		// A unique name: an earlier one may exist (its clear text lost with tokens.json).
		name := "dev-" + p.subject + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		plain, _, err := tk.Create(ctx, "ciem-dev", authn.NewToken{Name: name, Subject: p.subject, Groups: p.groups, Admin: p.admin})
		if err != nil {
			return Tokens{}, fmt.Errorf("creating %s's token: %w", p.subject, err)
		}
		*dst, changed = plain, true
	}
	if changed {
		out, err := json.MarshalIndent(saved, "", "  ")
		if err != nil {
			return Tokens{}, err
		}
		if err := os.WriteFile(path, out, 0o600); err != nil {
			return Tokens{}, fmt.Errorf("saving the dev tokens: %w", err)
		}
	}
	return saved, nil
}
