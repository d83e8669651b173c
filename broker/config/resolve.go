package config

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/domain"
	"github.com/ciem/ciem/broker/notify"
	"github.com/ciem/ciem/broker/standing"
	"github.com/ciem/ciem/broker/workflow"
)

// resolve checks the decoded file and fills in defaults.
func resolve(raw file, filename string) (*Config, error) {
	cfg := &Config{Listen: raw.Listen, Store: raw.Store, PendingTimeout: 3 * time.Hour}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.Store == "" {
		cfg.Store = DefaultStore
	}
	var err error
	if raw.PendingTimeout != "" {
		if cfg.PendingTimeout, err = duration("pending_timeout", raw.PendingTimeout); err != nil {
			return nil, err
		}
	}
	if cfg.LogLevel, err = logLevel(raw.LogLevel); err != nil {
		return nil, err
	}
	if l := raw.Limits; l != nil {
		cfg.Limits = api.Limits{BodyBytes: l.BodyBytes, PerSecond: l.PerSecond, Burst: l.Burst, PerIPPerSecond: l.PerIPPerSecond, PerIPBurst: l.PerIPBurst}
	}
	if r := raw.Retry; r != nil {
		cfg.Retry.Attempts = r.Attempts
		for _, d := range []struct {
			name, v string
			dst     *time.Duration
		}{{"revocation_retry.base", r.Base, &cfg.Retry.Base}, {"revocation_retry.max", r.Max, &cfg.Retry.Max},
			{"revocation_retry.irrevocable_interval", r.Irrevocable, &cfg.Retry.Irrevocable}} {
			if d.v != "" {
				if *d.dst, err = duration(d.name, d.v); err != nil {
					return nil, err
				}
			}
		}
	}
	if a := raw.AWS; a != nil {
		cfg.AWS = AWS(*a)
	}
	if o := raw.OIDC; o != nil {
		cfg.OIDC = &OIDC{Issuer: o.Issuer, Audience: o.Audience, UsernameClaim: o.UsernameClaim, GroupsClaim: o.GroupsClaim}
	}
	if v := raw.Vault; v != nil {
		cfg.Vault = &Vault{Address: v.Address, Token: v.Token}
	}
	cfg.Admins = principals(raw.Admins)
	seen := map[string]bool{}
	for _, w := range raw.Webhooks {
		if seen["webhook "+w.Name] {
			return nil, fmt.Errorf("%s: webhook %q is defined twice", filename, w.Name)
		}
		seen["webhook "+w.Name] = true
		if w.Format == "" {
			w.Format = notify.FormatJSON
		}
		if w.Format != notify.FormatJSON && w.Format != notify.FormatSlack {
			return nil, fmt.Errorf("%s: webhook %q: format %q: use \"json\" or \"slack\"", filename, w.Name, w.Format)
		}
		if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
			return nil, fmt.Errorf("%s: webhook %q: url %q is not an http(s) URL", filename, w.Name, w.URL)
		}
		cfg.Webhooks = append(cfg.Webhooks, notify.Webhook{Name: w.Name, URL: w.URL, Format: w.Format, Events: w.Events, Secret: w.Secret})
	}
	for _, pb := range raw.Profiles {
		if seen["profile "+pb.Name] {
			return nil, fmt.Errorf("%s: profile %q is defined twice", filename, pb.Name)
		}
		seen["profile "+pb.Name] = true
		p, err := profile(pb)
		if err != nil {
			return nil, fmt.Errorf("%s: profile %q: %w", filename, pb.Name, err)
		}
		cfg.Profiles = append(cfg.Profiles, p)
	}
	if cfg.Standing, err = standingAccess(raw.Standing, filename); err != nil {
		return nil, err
	}
	return cfg, nil
}

// standingAccess resolves the optional standing_access block.
func standingAccess(b *standingBlock, filename string) (*standing.Config, error) {
	if b == nil {
		return nil, nil
	}
	sc := &standing.Config{Users: b.Users, Groups: b.Groups, UserPattern: b.UserPattern}
	if b.Cache != "" {
		d, err := time.ParseDuration(b.Cache)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%s: standing_access.cache %q: use a duration such as \"30s\" (\"0s\" for the default)", filename, b.Cache)
		}
		sc.CacheTTL = d
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	return sc, nil
}

func profile(pb profileBlock) (domain.Profile, error) {
	p := domain.Profile{
		Name: pb.Name, Description: pb.Description, SessionPolicy: pb.SessionPolicy,
		Target:        domain.Target{Issuer: pb.Issuer, RoleARN: pb.RoleARN, VaultRole: pb.VaultRole, VaultMount: pb.VaultMount, CredentialType: pb.CredentialType},
		Requesters:    principals(pb.Requesters),
		RequireReason: pb.RequireReason, RequireTicket: pb.RequireTicket,
	}
	if p.Target.Issuer == "" {
		p.Target.Issuer = domain.IssuerSTS
	}
	var err error
	if p.MaxDuration, err = duration("max_duration", pb.MaxDuration); err != nil {
		return p, err
	}
	p.DefaultDuration = min(time.Hour, p.MaxDuration)
	if pb.DefaultDuration != "" {
		if p.DefaultDuration, err = duration("default_duration", pb.DefaultDuration); err != nil {
			return p, err
		}
	}
	if a := pb.Approval; a != nil {
		p.Approval = domain.ApprovalRule{Approvers: domain.Principals{Users: a.Users, Groups: a.Groups}, Required: a.Required, Auto: a.Auto}
		if p.Approval.Required == 0 && !p.Approval.Auto {
			p.Approval.Required = 1
		}
	}
	if bg := pb.BreakGlass; bg != nil {
		p.BreakGlass = domain.BreakGlass{Enabled: true, MaxDuration: min(domain.DefaultBreakGlassMax, p.MaxDuration)}
		if bg.MaxDuration != "" {
			if p.BreakGlass.MaxDuration, err = duration("break_glass.max_duration", bg.MaxDuration); err != nil {
				return p, err
			}
		}
	}
	// The full check (the session policy with the IAM engine) is the workflow's.
	return workflow.NormaliseProfile(p)
}

func principals(b *principalsBlock) domain.Principals {
	if b == nil {
		return domain.Principals{}
	}
	return domain.Principals{Users: b.Users, Groups: b.Groups}
}

func duration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: use a duration such as \"90m\" or \"4h\"", name, v)
	}
	return d, nil
}

func logLevel(v string) (slog.Level, error) {
	var l slog.Level
	if v == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return l, fmt.Errorf("log_level %q: use debug, info, warn or error", v)
	}
	return l, nil
}
