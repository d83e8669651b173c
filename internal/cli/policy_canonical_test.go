package cli

import (
	"testing"
)

func TestPolicyCanonical(t *testing.T) {
	messy := `{
  "Statement": [
    {"Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b/*"], "Action": ["S3:getobject", "s3:ListBucket", "s3:GetObject"], "Effect": "Allow"},
    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
  ],
  "Version": "2012-10-17"
}`
	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}}`
	file := validateFile(t, "p.json", "{\n  \"Statement\": [\n    {\"Effect\": \"allow\", \"Action\": \"s3:GetObject\"}\n  ]\n}")
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{"compact", []string{"-"}, messy, 0,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}` + "\n", ""},
		{"indent", []string{"--indent", "--kind", "trust", "-"}, trust, 0, `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Service": [
          "ec2.amazonaws.com",
          "lambda.amazonaws.com"
        ]
      },
      "Action": "sts:AssumeRole"
    }
  ]
}
`, ""},
		{"trust as managed", []string{"-"}, trust, 1, "",
			"<stdin>:1:37: $.Statement: the statement has neither Resource nor NotResource\n" +
				"<stdin>:1:37: $.Statement: a managed policy must not name a Principal or NotPrincipal (only resource-based and trust policies do)\n"},
		{"errors with positions", []string{file}, "", 1, "",
			file + ":3:16: $.Statement[0].Effect: Effect must be \"Allow\" or \"Deny\", not \"allow\"\n" +
				file + ":3:5: $.Statement[0]: the statement has neither Resource nor NotResource\n"},
		{"syntax error", []string{"-"}, "{\"Statement\": [}", 1, "", "<stdin>:1:16: invalid JSON at line 1, column 16: invalid character '}' looking for beginning of value\n"},
		{"bad kind", []string{"--kind", "x", "-"}, messy, 1, "", "ciem: --kind \"x\": want one of managed, inline-user, inline-group, inline-role, scp, session, resource, trust, boundary\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cliRun(t, tc.stdin, append([]string{"policy", "canonical"}, tc.args...)...)
			if code != tc.code || stdout != tc.stdout || stderr != tc.stderr {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
