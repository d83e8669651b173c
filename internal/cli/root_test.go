package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// cliRun runs the CLI as the ciem binary would, with stdin as its input, and returns the
// exit code and both outputs.
func cliRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), "test", args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}
