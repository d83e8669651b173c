package cli

import (
	"bytes"
	"fmt"
	"io"
	"iter"

	"github.com/spf13/cobra"

	"github.com/ciem/ciem/broker/audit"
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify and export the broker's hash-chained audit log",
	}
	cmd.AddCommand(newAuditVerifyCmd(), newAuditExportCmd())
	return cmd
}

func newAuditVerifyCmd() *cobra.Command {
	var (
		f        brokerFlags
		path     string
		file     string
		wantHead string
	)
	cmd := &cobra.Command{
		Use:   "verify [--config FILE | --file EXPORT.jsonl] [--head SEQ:HASH]",
		Short: "Prove the audit log untampered: no event edited, removed or reordered",
		Long: `Verify the audit log's hash chain. By default the log is downloaded from the broker
(CIEM_ADDR, an administrator's CIEM_TOKEN) and checked here, trusting nothing the
broker says; --config reads the broker's store directly; --file checks an export.

Each event's hash covers its content and the previous hash, so an edited, removed or
reordered event breaks the chain. Cutting events off the end leaves a shorter valid
chain: keep the printed head (SEQ:HASH) somewhere else and pass it back with --head to
prove the log still extends it. Exits 1 when the chain does not verify.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var anchors []audit.Anchor
			if wantHead != "" {
				a, err := audit.ParseAnchor(wantHead)
				if err != nil {
					return fmt.Errorf("--head: %w", err)
				}
				anchors = append(anchors, a)
			}
			var events iter.Seq2[audit.Event, error]
			switch {
			case file != "":
				b, err := readInput(cmd, file)
				if err != nil {
					return err
				}
				events = audit.ReadJSONLines(bytes.NewReader(b))
			case path != "":
				st, err := brokerStore(cmd.Context(), path)
				if err != nil {
					return err
				}
				defer st.Close()
				events = st.AuditEvents(cmd.Context(), 0)
			}
			var rep audit.Report
			var err error
			if events != nil {
				rep, err = audit.Verify(events, anchors...)
			} else {
				c, cerr := f.client()
				if cerr != nil {
					return cerr
				}
				rep, err = c.AuditVerifyLocal(cmd.Context(), anchors...)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.format == "json" {
				if err := brokerPrintJSON(out, map[string]any{"ok": rep.OK(), "report": rep}); err != nil {
					return err
				}
			} else {
				auditPrintVerify(out, rep)
			}
			if !rep.OK() {
				return exitError{1}
			}
			return nil
		},
	}
	addBrokerFlags(cmd, &f)
	cmd.Flags().StringVar(&path, "config", "", "verify the store of the broker this HCL configuration names")
	cmd.Flags().StringVar(&file, "file", "", "verify an export (JSON lines; - for standard input)")
	cmd.Flags().StringVar(&wantHead, "head", "", "an earlier head (SEQ:HASH) the log must still contain")
	return cmd
}

func auditPrintVerify(w io.Writer, rep audit.Report) {
	if rep.OK() {
		fmt.Fprintf(w, "audit log verified: %d events, head %d:%s\n", rep.Events, rep.HeadSeq, rep.HeadHash)
		return
	}
	fmt.Fprintf(w, "audit log does NOT verify (%d events read):\n", rep.Events)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  event %d: %s\n", p.Seq, p.Reason)
	}
}

func newAuditExportCmd() *cobra.Command {
	var (
		f     brokerFlags
		path  string
		after int64
	)
	cmd := &cobra.Command{
		Use:   "export [--config FILE] [--after SEQ]",
		Short: "Write the audit log as JSON lines (one event per line)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if path != "" {
				st, err := brokerStore(cmd.Context(), path)
				if err != nil {
					return err
				}
				defer st.Close()
				_, err = audit.WriteJSONLines(out, st.AuditEvents(cmd.Context(), after))
				return err
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			body, err := c.AuditExport(cmd.Context(), after)
			if err != nil {
				return err
			}
			defer body.Close()
			_, err = io.Copy(out, body)
			return err
		},
	}
	addBrokerConnFlags(cmd, &f)
	f.format = "text"
	cmd.Flags().StringVar(&path, "config", "", "read the store of the broker this HCL configuration names")
	cmd.Flags().Int64Var(&after, "after", 0, "only events after this sequence number")
	return cmd
}
