package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStandingAccessBlock(t *testing.T) {
	cases := []struct {
		name, src string
		wantErr   string
		wantARNs  []string // alice in group dev
		wantTTL   time.Duration
	}{
		{name: "absent", src: ``},
		{name: "users, groups and pattern", src: `standing_access {
  users        = { "bob" = ["arn:aws:iam::111122223333:user/robert"] }
  groups       = { dev = ["arn:aws:iam::111122223333:group/developers"] }
  user_pattern = "arn:aws:iam::111122223333:user/{subject}"
  cache        = "30s"
}`, wantARNs: []string{"arn:aws:iam::111122223333:group/developers", "arn:aws:iam::111122223333:user/alice"}, wantTTL: 30 * time.Second},
		{name: "bad ARN", src: `standing_access { users = { alice = ["arn:aws:s3:::bucket"] } }`, wantErr: `standing_access.users["alice"]`},
		{name: "pattern without placeholder", src: `standing_access { user_pattern = "arn:aws:iam::111122223333:user/alice" }`, wantErr: "must contain {subject}"},
		{name: "bad cache", src: `standing_access { cache = "soon" }`, wantErr: "standing_access.cache"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.src), "broker.hcl", func(string) string { return "" })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "broker.hcl") {
					t.Fatalf("error = %v, want one naming broker.hcl and %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.src == "" {
				if cfg.Standing != nil {
					t.Fatalf("standing = %+v, want nil", cfg.Standing)
				}
				return
			}
			if got := cfg.Standing.Principals("alice", []string{"dev"}); !slices.Equal(got, tc.wantARNs) {
				t.Errorf("alice's principals = %v, want %v", got, tc.wantARNs)
			}
			if cfg.Standing.CacheTTL != tc.wantTTL {
				t.Errorf("cache = %v, want %v", cfg.Standing.CacheTTL, tc.wantTTL)
			}
		})
	}
}
