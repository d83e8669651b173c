package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newCredsCmd() *cobra.Command {
	var (
		f      brokerFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "creds ID",
		Short: "Print credentials for your active grant (AWS credential_process JSON)",
		Long: `Print credentials for your active grant in the AWS credential_process format, so
that the AWS CLI and SDKs fetch them themselves. In ~/.aws/config:

  [profile jit-readonly]
  credential_process = ciem creds r-01j...

(with CIEM_ADDR and CIEM_TOKEN in the environment, or --addr and --token in the
line). The SDKs come back for new credentials at the grant's end, and are refused.
--format env prints shell export lines instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "json" && format != "env" {
				return fmt.Errorf("--format %q: want json or env", format)
			}
			f.format = "json"
			c, err := f.client()
			if err != nil {
				return err
			}
			cp, err := c.Credentials(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if format == "env" {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n", cp.AccessKeyID, cp.SecretAccessKey)
				if cp.SessionToken != "" {
					fmt.Fprintf(w, "export AWS_SESSION_TOKEN=%s\n", cp.SessionToken)
				}
				fmt.Fprintf(w, "# expires %s\n", cp.Expiration.Format(time.RFC3339))
				return nil
			}
			return brokerPrintJSON(cmd.OutOrStdout(), cp)
		},
	}
	addBrokerConnFlags(cmd, &f)
	cmd.Flags().StringVar(&format, "format", "json", "output format: json (credential_process) or env (shell exports)")
	return cmd
}
