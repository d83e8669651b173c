package main

import "time"

// Clock is the lease table's time source. Leases are issued, renewed and expired on it, so
// tests drive expiry with a fake clock instead of waiting on wall time.
type Clock interface {
	Now() time.Time
	// After delivers once, no earlier than d from Now (at once when d <= 0).
	After(d time.Duration) <-chan time.Time
}

// wallClock is the real clock.
type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
