package workflow

import "sync/atomic"

// Crash points are the places between a database commit and an issuer call (or the
// other way round) where a broker that dies leaves work half done. Crash tests kill
// the broker process at each of them (SetCrashpoint) and check that a restarted broker
// finishes the work and nothing outlives its grant.
const (
	StepApproveCommitted    = "approve.committed"    // approved, not yet activated
	StepCredentialsRecorded = "credentials.recorded" // issue recorded, issuer not called
	StepCredentialsIssued   = "credentials.issued"   // issuer answered, not yet recorded
	StepRevokeDecided       = "revoke.decided"       // revoked, teardown not started
	StepFenceStored         = "fence.stored"         // fence recorded, not yet written at AWS
	StepFenceWritten        = "fence.written"        // written at AWS, not recorded as applied
	StepTeardownTaken       = "teardown.taken"       // access taken back, outcome not recorded
)

var crashpoint atomic.Pointer[func(step string)]

// SetCrashpoint installs f to be called at every crash point (nil removes it).
func SetCrashpoint(f func(step string)) {
	if f == nil {
		crashpoint.Store(nil)
		return
	}
	crashpoint.Store(&f)
}

func reach(step string) {
	if f := crashpoint.Load(); f != nil {
		(*f)(step)
	}
}
