// Package audit is the broker's append-only, hash-chained log: every transition, every
// credential issued and every profile change is one Event whose hash covers the event
// and the hash of the event before it, so that editing, removing or reordering any
// event breaks the chain from that point on.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one audit record.
type Event struct {
	// Seq numbers events from 1 with no gaps; the store assigns it.
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	// Subject is what the event is about: a request id, a profile name, a token name.
	Subject string `json:"subject"`
	// Data holds the event's details as a JSON object, stored byte for byte as hashed.
	Data     json.RawMessage `json:"data,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// Genesis is the previous hash of the first event.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Actions. Request and grant transitions are named after the state they reach.
const (
	ActionRequestCreated    = "request.created"
	ActionRequestApproval   = "request.approval_added"
	ActionRequestApproved   = "request.approved"
	ActionRequestDenied     = "request.denied"
	ActionRequestCancelled  = "request.cancelled"
	ActionRequestTimedOut   = "request.timed_out"
	ActionGrantActivated    = "grant.activated"
	ActionGrantExtended     = "grant.extended"
	ActionGrantExpired      = "grant.expired"
	ActionGrantRevoked      = "grant.revoked"
	ActionCredentialsIssued = "grant.credentials_issued"
	ActionTeardownDone      = "grant.teardown_done"
	ActionTeardownFailed    = "grant.teardown_failed"
	ActionIrrevocable       = "grant.irrevocable"
	ActionFenceApplied      = "grant.fence_applied"
	ActionFenceRemoved      = "grant.fence_removed"
	ActionProfilePut        = "profile.put"
	ActionProfileDeleted    = "profile.deleted"
	ActionTokenCreated      = "token.created"
	ActionTokenRevoked      = "token.revoked"
)

// hashed is the part of an event the hash covers, in a fixed field order. Time is in
// Unix milliseconds (what the store keeps), so a round trip through either database
// hashes the same.
type hashed struct {
	Seq     int64           `json:"seq"`
	TimeMS  int64           `json:"time_ms"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Subject string          `json:"subject"`
	Data    json.RawMessage `json:"data"`
}

// ComputeHash returns the hash of e chained to prev: hex(sha256(prev || JSON of the
// hashed fields)).
func ComputeHash(e Event, prev string) string {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	b, err := json.Marshal(hashed{e.Seq, e.Time.UnixMilli(), e.Actor, e.Action, e.Subject, data})
	if err != nil {
		// Data is validated when the event is built (Chain), so this cannot happen for
		// a stored event; hash the error text so a broken record still fails verification.
		b = []byte(err.Error())
	}
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Chain fills in e's sequence number, previous hash and hash as the event that follows
// the one with sequence prevSeq and hash prevHash (0 and Genesis for the first event).
func Chain(e Event, prevSeq int64, prevHash string) (Event, error) {
	if len(e.Data) > 0 && !json.Valid(e.Data) {
		return e, fmt.Errorf("audit event %s: data is not valid JSON", e.Action)
	}
	e.Time = e.Time.UTC().Truncate(time.Millisecond)
	e.Seq, e.PrevHash = prevSeq+1, prevHash
	e.Hash = ComputeHash(e, prevHash)
	return e, nil
}

// NewEvent builds an unchained event whose Data is data marshalled to JSON.
func NewEvent(at time.Time, actor, action, subject string, data any) (Event, error) {
	e := Event{Time: at, Actor: actor, Action: action, Subject: subject}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return e, fmt.Errorf("audit event %s for %s: encoding data: %w", action, subject, err)
		}
		e.Data = b
	}
	return e, nil
}
