package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// leaseTTL gives a lease's TTL with Vault's rules (the SDK's framework.CalculateTTL), on the
// table's clock instead of the wall clock: the requested increment, else the engine's TTL,
// else the mount default; then capped so the lease ends no later than start plus the max
// TTL (the engine's, when it is stricter than the mount's or the mount has none: mountMax 0).
// start is the lease's issue time, or zero for a new lease. Times are truncated to the
// second, as Vault does. Tokens follow the same rules (tokenStore.ttl).
func leaseTTL(now time.Time, defaultTTL, mountMax, increment, engineTTL, engineMax time.Duration, start time.Time) (time.Duration, []string, error) {
	now = now.Truncate(time.Second)
	if start.IsZero() {
		start = now
	} else {
		start = start.Truncate(time.Second)
	}
	maxTTL := mountMax
	if engineMax > 0 && (maxTTL == 0 || engineMax < maxTTL) {
		maxTTL = engineMax
	}
	if maxTTL <= 0 {
		return 0, nil, errors.New("max TTL must be greater than zero")
	}
	ttl := defaultTTL
	switch {
	case increment > 0:
		ttl = increment
	case engineTTL > 0:
		ttl = engineTTL
	}
	left := start.Add(maxTTL).Sub(now)
	if left <= 0 {
		return 0, nil, errors.New("past the max TTL, cannot renew")
	}
	var warnings []string
	if ttl > left {
		warnings = append(warnings, fmt.Sprintf("TTL of %q exceeded the effective max_ttl of %q; TTL value is capped accordingly", humanDuration(ttl), humanDuration(left)))
		ttl = left
	}
	return ttl, warnings, nil
}

// humanDuration prints a duration without its zero parts ("1h", "1h30s"), as Vault's warnings do.
func humanDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if i := strings.Index(s, "h0m"); i > 0 {
		s = s[:i+1] + s[i+3:]
	}
	return s
}
