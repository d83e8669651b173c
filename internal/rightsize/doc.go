// Package rightsize turns what a principal is granted and what it was seen using into a
// least-privilege policy, with the evidence for every decision.
//
// Input: the principal's granted policies (Granted: attached managed, inline, through its
// groups, and the permissions boundary that bounds them), read from IAM (ReadGrantedAWS)
// or from files (ReadGrantedFiles), and a usage digest (internal/usage) over a window.
//
// Every action the principal is effectively granted lands in exactly one class:
//
//   - kept: used in the window; its evidence (count, first and last seen, sources) goes
//     with it, and its resources are scoped to the ARNs it was used on when every use named
//     one and they lie inside what the granting statement allows;
//   - kept unobserved: no log can show its use (iam:PassRole is not logged as its own event;
//     data-event actions of a service for which the trail logged no data events; services
//     Access Advisor saw used without saying which actions; --keep patterns), kept as
//     granted and flagged;
//   - removed: unused in the window.
//
// Requested-but-denied actions are listed apart and never added. The suggestion never
// widens: each kept action is allowed only on resources, and under conditions, of a
// statement that granted it, the Deny statements that applied are carried over, and the
// result is checked with the engine's diff before it is returned.
//
// The same input gives the same Suggestion and the same bytes in every format.
package rightsize
