package notify

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ciem/ciem/broker/audit"
)

// Summary is one line a person reads in a chat channel. approvers is set for
// break-glass events (everyone who approves the profile is told).
func Summary(e audit.Event, approvers string) string {
	var d map[string]any
	_ = json.Unmarshal(e.Data, &d)
	s := func(k string) string { v, _ := d[k].(string); return v }
	b := func(k string) bool { v, _ := d[k].(bool); return v }
	reason := func(k string) string {
		if r := s(k); r != "" {
			return ": " + r
		}
		return ""
	}
	at := func(k string) string {
		t, err := time.Parse(time.RFC3339Nano, s(k))
		if err != nil {
			return s(k)
		}
		return t.UTC().Format("2006-01-02 15:04 MST")
	}
	id := e.Subject
	switch e.Action {
	case audit.ActionRequestCreated:
		if b("break_glass") {
			return fmt.Sprintf(":rotating_light: BREAK-GLASS: %s took %s for %s%s (%s). Flagged for review; approvers: %s",
				e.Actor, s("profile"), s("duration"), reason("reason"), id, approvers)
		}
		return fmt.Sprintf("%s requests %s for %s%s (%s)", e.Actor, s("profile"), s("duration"), reason("reason"), id)
	case audit.ActionRequestApproval:
		return fmt.Sprintf("%s approved %s (%v of %v)", e.Actor, id, d["approvals"], d["required"])
	case audit.ActionRequestApproved:
		if b("break_glass") {
			return fmt.Sprintf(":rotating_light: BREAK-GLASS: %s approved their own request %s for %s. Approvers: %s", e.Actor, id, s("profile"), approvers)
		}
		return fmt.Sprintf("%s is approved (%s)", id, e.Actor)
	case audit.ActionRequestDenied:
		return fmt.Sprintf("%s denied %s%s", e.Actor, id, reason("reason"))
	case audit.ActionRequestCancelled:
		return fmt.Sprintf("%s cancelled %s", e.Actor, id)
	case audit.ActionRequestTimedOut:
		return fmt.Sprintf("%s timed out after %s without a decision", id, s("timeout"))
	case audit.ActionGrantActivated:
		return fmt.Sprintf("%s is active until %s", id, at("ends_at"))
	case audit.ActionGrantExtended:
		return fmt.Sprintf("%s extended until %s (%s)", id, at("ends_at"), s("extension"))
	case audit.ActionGrantExpired:
		return fmt.Sprintf("%s expired", id)
	case audit.ActionGrantRevoked:
		return fmt.Sprintf("%s revoked %s%s", e.Actor, id, reason("reason"))
	case audit.ActionIrrevocable:
		return fmt.Sprintf(":warning: access of %s could not be taken back after %v attempts (%s); retrying daily", id, d["attempts"], s("error"))
	case audit.ActionTeardownFailed:
		return fmt.Sprintf("taking back %s failed (attempt %v): %s", id, d["attempts"], s("error"))
	case audit.ActionProfilePut:
		return fmt.Sprintf("%s updated profile %s", e.Actor, id)
	case audit.ActionProfileDeleted:
		return fmt.Sprintf("%s deleted profile %s", e.Actor, id)
	}
	return fmt.Sprintf("%s: %s by %s", e.Action, id, e.Actor)
}
