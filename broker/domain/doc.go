// Package domain holds the broker's model: profiles, requests and grants, their states,
// and the pure functions that validate input and move a request from one state to the
// next. Nothing here reads a clock, a database or the network: callers pass the time
// and the records in, and persist what comes out (the workflow package does that, one
// transaction per transition).
//
// A request becomes a grant when it is approved: the same record carries both, so its
// id is the grant id that names the AWS session.
//
//	pending -> approved -> active -> expired | revoked
//	pending -> denied | cancelled | timed_out
package domain
