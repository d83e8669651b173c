package main

import (
	"testing"
	"time"
)

func TestLeaseTTL(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	h := time.Hour
	tests := []struct {
		name                          string
		def, mountMax, inc, eng, engM time.Duration
		start                         time.Time
		want                          time.Duration
		warn                          bool
		err                           string
	}{
		{name: "mount default", def: h, mountMax: 2 * h, want: h},
		{name: "engine ttl wins over default", def: h, mountMax: 2 * h, eng: 30 * time.Minute, want: 30 * time.Minute},
		{name: "increment wins over engine ttl", def: h, mountMax: 3 * h, inc: 2 * h, eng: 30 * time.Minute, want: 2 * h},
		{name: "capped by mount max", def: h, mountMax: 2 * h, eng: 5 * h, want: 2 * h, warn: true},
		{name: "capped by stricter engine max", def: h, mountMax: 10 * h, eng: 5 * h, engM: 90 * time.Minute, want: 90 * time.Minute, warn: true},
		{name: "looser engine max ignored", def: h, mountMax: 2 * h, eng: 5 * h, engM: 10 * h, want: 2 * h, warn: true},
		{name: "renewal capped by time left since issue", def: h, mountMax: 2 * h, inc: 2 * h, start: now.Add(-90 * time.Minute), want: 30 * time.Minute, warn: true},
		{name: "renewal past max", def: h, mountMax: 2 * h, inc: h, start: now.Add(-3 * h), err: "past the max TTL, cannot renew"},
		{name: "no max", def: h, err: "max TTL must be greater than zero"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, warnings, err := leaseTTL(now, tc.def, tc.mountMax, tc.inc, tc.eng, tc.engM, tc.start)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("ttl = %s, want %s", got, tc.want)
			}
			if (len(warnings) > 0) != tc.warn {
				t.Errorf("warnings = %q, want some: %v", warnings, tc.warn)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour:                    "1h",
		90 * time.Minute:             "1h30m",
		time.Hour + 30*time.Second:   "1h30s",
		15 * time.Minute:             "15m",
		1500 * time.Millisecond:      "1.5s",
		768 * time.Hour:              "768h",
		2*time.Hour + 5*time.Minute:  "2h5m",
		2*time.Hour + 59*time.Second: "2h59s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
