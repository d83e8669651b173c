package issuer

import (
	"fmt"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// AWSTimeFormat is how IAM writes aws:CurrentTime and aws:TokenIssueTime.
const AWSTimeFormat = "2006-01-02T15:04:05Z"

// BoundPolicy returns the session policy for a grant ending at end: every Allow
// statement of doc gains `"DateLessThan": {"aws:CurrentTime": end}`, so AWS itself
// stops the session at the grant's end whatever the session's own expiry. An empty doc
// becomes one Allow of everything until end (the role's permissions, bounded in time).
// The end is rounded down to the second: access never outlives the grant.
func BoundPolicy(doc string, end time.Time) (string, error) {
	endText := end.UTC().Truncate(time.Second).Format(AWSTimeFormat)
	if strings.TrimSpace(doc) == "" {
		doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	}
	p, err := iam.Parse([]byte(doc), iam.KindSession)
	if err != nil {
		return "", fmt.Errorf("session policy: %w", err)
	}
	for _, s := range p.Statements {
		if s.Effect != iam.Allow {
			continue
		}
		bound := endText
		kept := s.Conditions[:0:0]
		for _, c := range s.Conditions {
			// A DateLessThan on aws:CurrentTime already there would be a duplicate JSON key
			// next to ours; keep the earlier of the two ends instead (its values are ORed,
			// so it allows up to the latest of them).
			if c.CanonicalOperator() == "DateLessThan" && strings.EqualFold(c.Key, "aws:CurrentTime") {
				if latest, ok := latestTime(c.Values); ok && latest.Before(end) {
					bound = latest.UTC().Format(AWSTimeFormat)
				}
				continue
			}
			kept = append(kept, c)
		}
		s.Conditions = append(kept, iam.Condition{Operator: "DateLessThan", Base: "DateLessThan", Key: "aws:CurrentTime", Values: []string{bound}})
	}
	return string(iam.Canonical(p)), nil
}

func latestTime(values []string) (time.Time, bool) {
	var latest time.Time
	for _, v := range values {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, false
		}
		if t.After(latest) {
			latest = t
		}
	}
	return latest, !latest.IsZero()
}
