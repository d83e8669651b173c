package devstack

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// EnvLines are the shell export lines written to dev.env.
func (i Info) EnvLines() string {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"CIEM_ADDR", i.BrokerURL},
		{"CIEM_TOKEN_ADMIN", i.Tokens.Admin},
		{"CIEM_TOKEN_ALICE", i.Tokens.Alice},
		{"CIEM_TOKEN_BOB", i.Tokens.Bob},
		{"AWS_ENDPOINT_URL", i.SandboxURL},
		{"AWS_ACCESS_KEY_ID", i.Admin.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", i.Admin.SecretAccessKey},
		{"AWS_REGION", i.Region},
		{"AWS_DEFAULT_REGION", i.Region}, // AWS CLI v1
	} {
		fmt.Fprintf(&b, "export %s=%s\n", kv[0], kv[1])
	}
	return b.String()
}

// WriteEnvFile writes EnvLines to i.EnvFile (mode 0600: it holds secrets).
func (i Info) WriteEnvFile() error {
	if err := os.WriteFile(i.EnvFile, []byte(i.EnvLines()), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", i.EnvFile, err)
	}
	return nil
}

// PrintWelcome prints where everything is and the commands to try next.
func (i Info) PrintWelcome(w io.Writer) {
	state := "fresh state"
	switch {
	case i.Reused:
		state = "state from the last run kept; delete the directory to start over"
	case i.Reset != "":
		state = "fresh state: the last run's was removed because " + i.Reset
	}
	issuer := "direct STS"
	if i.Issuer == IssuerVault {
		issuer = "Vault's AWS secrets engine at " + i.VaultURL + " (vaultdev)"
	}
	fmt.Fprintf(w, `ciem dev is running (%s, in %s)

  broker   %s   (API under /v1, OpenAPI at /v1/openapi.json; issuer: %s)
  sandbox  %s   (AWS IAM, STS, S3; account 111122223333)

Tokens: admin  %s
        alice  %s   (requester: group dev)
        bob    %s   (approver: group leads)
Profiles: readonly (read s3://%s; alice requests, bob approves), uploader (write uploads/; break-glass)

Everything is also in %s. In another shell:

  . %s
  export CIEM_TOKEN=$CIEM_TOKEN_ALICE
  ciem request readonly --duration 1m --reason "look at the Q1 report"     # note its id
  CIEM_TOKEN=$CIEM_TOKEN_BOB ciem approve ID
  eval "$(ciem creds ID --format env)"         # or, in ~/.aws/config (CIEM_ADDR, CIEM_TOKEN exported):
                                               #   credential_process = ciem creds ID
  aws s3 ls s3://%s --recursive                                     # allowed
  aws s3 cp s3://%s/README.txt -                                    # allowed
  aws s3 cp /etc/hostname s3://%s/x                                 # denied: read only
  sleep 60; aws s3 ls s3://%s                                       # denied: the grant has ended
  CIEM_TOKEN=$CIEM_TOKEN_ADMIN ciem requests; CIEM_TOKEN=$CIEM_TOKEN_ADMIN ciem audit verify

(The AWS CLI uses AWS_ENDPOINT_URL; CLIs older than 2.13 need --endpoint-url %s.)
Ctrl-C stops both.
`, state, i.DataDir, i.BrokerURL, issuer, i.SandboxURL, i.Tokens.Admin, i.Tokens.Alice, i.Tokens.Bob, Bucket,
		i.EnvFile, i.EnvFile, Bucket, Bucket, Bucket, Bucket, i.SandboxURL)
}
