package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/api"
	"github.com/ciem/ciem/broker/client"
)

// Helpers (prefixed "broker") for the commands that talk to a broker (request, approve, deny, cancel,
// revoke, requests, creds, audit): they find it through CIEM_ADDR and CIEM_TOKEN, or
// --addr and --token, and print text or, with --format json, JSON.

// Environment variables the broker commands read.
const (
	envBrokerAddr  = "CIEM_ADDR"
	envBrokerToken = "CIEM_TOKEN"
)

type brokerFlags struct {
	addr, token, format string
}

func addBrokerFlags(cmd *cobra.Command, f *brokerFlags) {
	addBrokerConnFlags(cmd, f)
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
}

// addBrokerConnFlags adds --addr and --token only.
func addBrokerConnFlags(cmd *cobra.Command, f *brokerFlags) {
	cmd.Flags().StringVar(&f.addr, "addr", "", "broker URL (default $"+envBrokerAddr+")")
	cmd.Flags().StringVar(&f.token, "token", "", "bearer token (default $"+envBrokerToken+")")
}

func (f brokerFlags) client() (*client.Client, error) {
	if f.format != "text" && f.format != "json" {
		return nil, fmt.Errorf("--format %q: want text or json", f.format)
	}
	addr, token := f.addr, f.token
	if addr == "" {
		addr = os.Getenv(envBrokerAddr)
	}
	if token == "" {
		token = os.Getenv(envBrokerToken)
	}
	return client.New(addr, token)
}

func brokerPrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printRequest prints one request: JSON, or aligned "field: value" lines.
func brokerPrintRequest(w io.Writer, format string, r api.RequestView) error {
	if format == "json" {
		return brokerPrintJSON(w, r)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	line("id", r.ID)
	line("state", string(r.State))
	line("profile", r.Profile)
	line("requester", r.Requester)
	line("duration", r.Duration)
	line("reason", r.Reason)
	line("ticket", r.Ticket)
	if r.BreakGlass {
		line("break-glass", "yes (flagged for review)")
	}
	line("extends", r.Extends)
	line("role", r.RoleARN)
	line("decided by", r.DecidedBy)
	line("decision", r.DecideReason)
	for _, a := range r.Approvals {
		line("approved by", a.Approver+" at "+a.At.Format(time.RFC3339)+brokerCommentSuffix(a.Comment))
	}
	line("starts", brokerTimeText(r.StartsAt))
	line("ends", brokerTimeText(r.EndsAt))
	line("revoked by", r.RevokedBy)
	if r.Teardown != nil {
		td := string(r.Teardown.State)
		if r.Teardown.Error != "" {
			td += " (" + r.Teardown.Error + ")"
		}
		line("teardown", td)
	}
	return tw.Flush()
}

func brokerCommentSuffix(c string) string {
	if c == "" {
		return ""
	}
	return ": " + c
}

func brokerTimeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Local().Format(time.RFC3339)
}

// printRequests prints a table, or a JSON list.
func brokerPrintRequests(w io.Writer, format string, rs []api.RequestView) error {
	if format == "json" {
		if rs == nil {
			rs = []api.RequestView{}
		}
		return brokerPrintJSON(w, rs)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tPROFILE\tREQUESTER\tDURATION\tENDS\tREASON")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Profile, r.Requester, r.Duration, brokerTimeText(r.EndsAt), brokerOneLine(r.Reason, 40))
	}
	return tw.Flush()
}

func brokerOneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}
