// Package cli is the ciem command line (spf13/cobra). Each command lives in its own file;
// commands parse flags, call the engine packages, and print. No IAM logic lives here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code through cobra without printing anything more
// (the command already reported what went wrong, or the code alone is the answer).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Execute runs the CLI with args and returns the process exit code.
func Execute(ctx context.Context, version string, args []string) int {
	return run(ctx, version, args, os.Stdin, os.Stdout, os.Stderr)
}

func run(ctx context.Context, version string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(version)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintln(stderr, "ciem:", err)
		return 1
	}
}

// isTerminal reports whether w is a terminal: progress lines are drawn only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// terminalStderr returns the command's standard error when it is a terminal (for progress
// lines), else nil.
func terminalStderr(cmd *cobra.Command) io.Writer {
	if w := cmd.ErrOrStderr(); isTerminal(w) {
		return w
	}
	return nil
}

func newRootCmd(version string) *cobra.Command {
	root := &cobra.Command{
		Use:           "ciem",
		Short:         "Least-privilege AWS entitlements as code, and a just-in-time elevation broker",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newCatalogCmd(),
		newPolicyCmd(),
		newSandboxCmd(),
		newUsageCmd(),
		newScanCmd(),
		newRightsizeCmd(),
		newImportCmd(),
		newBrokerCmd(),
		newRequestCmd(),
		newApproveCmd(),
		newDenyCmd(),
		newCancelCmd(),
		newRevokeCmd(),
		newRequestsCmd(),
		newCredsCmd(),
		newAuditCmd(),
		newDevCmd(),
	)
	return root
}

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Validate, expand, canonicalise, simulate, diff, minimise and analyse IAM policies",
	}
	cmd.AddCommand(
		newPolicyValidateCmd(),
		newPolicyExpandCmd(),
		newPolicyCanonicalCmd(),
		newPolicySimulateCmd(),
		newPolicyDiffCmd(),
		newPolicyMinimizeCmd(),
		newPolicyAnalyzeCmd(),
	)
	return cmd
}

// readInput reads a file, or standard input when name is "-".
func readInput(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err // os errors already name the file
	}
	return b, nil
}
