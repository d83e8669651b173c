package config

import "fmt"

// Environment variables that override the file.
const (
	EnvListen         = "CIEM_LISTEN"
	EnvStore          = "CIEM_STORE"
	EnvPendingTimeout = "CIEM_PENDING_TIMEOUT"
	EnvLogLevel       = "CIEM_LOG_LEVEL"
	EnvAWSRegion      = "CIEM_AWS_REGION"
	EnvAWSEndpoint    = "CIEM_AWS_ENDPOINT"
	EnvAWSProfile     = "CIEM_AWS_PROFILE"
	EnvOIDCIssuer     = "CIEM_OIDC_ISSUER"
	EnvOIDCAudience   = "CIEM_OIDC_AUDIENCE"
	EnvVaultAddr      = "CIEM_VAULT_ADDR"  // else VAULT_ADDR, when a vault block is present
	EnvVaultToken     = "CIEM_VAULT_TOKEN" // else VAULT_TOKEN, when a vault block is present
)

func applyEnv(cfg *Config, getenv func(string) string) error {
	set := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(EnvListen, &cfg.Listen)
	set(EnvStore, &cfg.Store)
	set(EnvAWSRegion, &cfg.AWS.Region)
	set(EnvAWSEndpoint, &cfg.AWS.Endpoint)
	set(EnvAWSProfile, &cfg.AWS.Profile)
	if v := getenv(EnvPendingTimeout); v != "" {
		d, err := duration(EnvPendingTimeout, v)
		if err != nil {
			return err
		}
		cfg.PendingTimeout = d
	}
	if v := getenv(EnvLogLevel); v != "" {
		l, err := logLevel(v)
		if err != nil {
			return fmt.Errorf("%s: %w", EnvLogLevel, err)
		}
		cfg.LogLevel = l
	}
	if getenv(EnvVaultAddr) != "" && cfg.Vault == nil {
		cfg.Vault = &Vault{}
	}
	if v := cfg.Vault; v != nil {
		for _, name := range []string{"VAULT_ADDR", EnvVaultAddr} {
			set(name, &v.Address)
		}
		for _, name := range []string{"VAULT_TOKEN", EnvVaultToken} {
			set(name, &v.Token)
		}
		if v.Address == "" || v.Token == "" {
			return fmt.Errorf("vault: an address and a token are required (vault block, or %s and %s)", EnvVaultAddr, EnvVaultToken)
		}
	}
	if iss, aud := getenv(EnvOIDCIssuer), getenv(EnvOIDCAudience); iss != "" || aud != "" {
		if cfg.OIDC == nil {
			cfg.OIDC = &OIDC{}
		}
		set(EnvOIDCIssuer, &cfg.OIDC.Issuer)
		set(EnvOIDCAudience, &cfg.OIDC.Audience)
		if cfg.OIDC.Issuer == "" || cfg.OIDC.Audience == "" {
			return fmt.Errorf("OIDC needs both an issuer and an audience (%s, %s)", EnvOIDCIssuer, EnvOIDCAudience)
		}
	}
	return nil
}
