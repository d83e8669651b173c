package workflow

import "time"

// RetryPolicy is how failed teardowns are retried, after Vault's expiration manager:
// exponential backoff with jitter, then "irrevocable" (alerted) and retried rarely.
type RetryPolicy struct {
	Base        time.Duration // first delay (default 10s)
	Max         time.Duration // longest delay between quick retries (default 10m)
	Jitter      float64       // +/- this fraction of the delay (default 0.5; negative: none)
	Attempts    int           // attempts before irrevocable (default 6)
	Irrevocable time.Duration // delay between retries once irrevocable (default 24h)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Base <= 0 {
		p.Base = 10 * time.Second
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Minute
	}
	switch {
	case p.Jitter == 0 || p.Jitter >= 1:
		p.Jitter = 0.5
	case p.Jitter < 0: // explicitly none
		p.Jitter = 0
	}
	if p.Attempts <= 0 {
		p.Attempts = 6
	}
	if p.Irrevocable <= 0 {
		p.Irrevocable = 24 * time.Hour
	}
	return p
}

// Delay is the wait after the given number of failed attempts (1 for the first
// failure); r is a random number in [0, 1).
func (p RetryPolicy) Delay(failures int, r float64) time.Duration {
	if failures >= p.Attempts {
		return p.Irrevocable
	}
	d := p.Base
	for i := 1; i < failures && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	// Spread retries of many grants that failed together (an AWS outage) apart.
	return time.Duration(float64(d) * (1 - p.Jitter + 2*p.Jitter*r))
}
