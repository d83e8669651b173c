package usage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSince reads a window bound as the command line gives it: a duration back from now
// ("90d", "12h", "2w"), a date ("2026-06-01", UTC midnight), an RFC 3339 time, or "all"
// (no bound, the zero time).
func ParseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	switch v {
	case "", "all":
		return time.Time{}, nil
	}
	if d, ok, err := parseAgo(v); ok {
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(-d).UTC().Truncate(time.Second), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q: want a duration such as 90d, 12h or 2w, a date (2026-06-01), an RFC 3339 time, or all", v)
}

// parseAgo reads "<n><unit>" with unit d (days), w (weeks), h, m or s.
func parseAgo(v string) (time.Duration, bool, error) {
	if len(v) < 2 {
		return 0, false, nil
	}
	unit := v[len(v)-1]
	var per time.Duration
	switch unit {
	case 'd':
		per = 24 * time.Hour
	case 'w':
		per = 7 * 24 * time.Hour
	case 'h':
		per = time.Hour
	case 'm':
		per = time.Minute
	case 's':
		per = time.Second
	default:
		return 0, false, nil
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil {
		return 0, false, nil
	}
	if n < 0 {
		return 0, true, fmt.Errorf("%q: a negative duration", v)
	}
	return time.Duration(n) * per, true, nil
}
