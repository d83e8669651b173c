package usage

import (
	"bytes"
	"strings"
)

// PrincipalType is the kind of IAM principal that holds the permissions an event used.
type PrincipalType string

const (
	PrincipalRole  PrincipalType = "role"
	PrincipalUser  PrincipalType = "user"
	PrincipalRoot  PrincipalType = "root"
	PrincipalOther PrincipalType = "other"
)

// identityClass says how an event's caller is counted.
type identityClass uint8

const (
	idPrincipal    identityClass = iota // rolls up to an IAM principal
	idAWSService                        // an AWS service acting itself: counted separately
	idUnattributed                      // no IAM principal can be named (external identity, unknown)
)

// rollup returns the ARN of the IAM principal whose permissions the event used: an
// assumed-role session rolls up to its role (the session issuer), a federated user to the
// user or role that issued the federation token, an IAM user to itself, the root user to
// the account root. *buf is scratch space for ARNs that must be derived. For callers that
// are not attributed, reason is the identity type (or a description).
func rollup(id *Identity, buf *[]byte) (arn []byte, class identityClass, reason []byte) {
	switch string(id.Type) {
	case "AssumedRole":
		if len(id.IssuerARN) > 0 {
			return id.IssuerARN, idPrincipal, nil
		}
		// No session issuer: derive the role from the session ARN
		// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (the role's path is not in it).
		if role, ok := roleFromSessionARN(id.ARN, buf); ok {
			return role, idPrincipal, nil
		}
	case "FederatedUser":
		if len(id.IssuerARN) > 0 {
			return id.IssuerARN, idPrincipal, nil
		}
	case "IAMUser":
		if len(id.ARN) > 0 {
			return id.ARN, idPrincipal, nil
		}
	case "Root":
		if len(id.ARN) > 0 {
			return id.ARN, idPrincipal, nil
		}
		if len(id.AccountID) > 0 {
			b := append((*buf)[:0], "arn:aws:iam::"...)
			b = append(b, id.AccountID...)
			*buf = append(b, ":root"...)
			return *buf, idPrincipal, nil
		}
	case "AWSService":
		return nil, idAWSService, nil
	case "":
		if len(id.InvokedBy) > 0 {
			return nil, idAWSService, nil
		}
		return nil, idUnattributed, []byte("no userIdentity.type")
	}
	return nil, idUnattributed, id.Type
}

// roleFromSessionARN turns arn:PART:sts::ACCT:assumed-role/ROLE/SESSION into
// arn:PART:iam::ACCT:role/ROLE.
func roleFromSessionARN(arn []byte, buf *[]byte) ([]byte, bool) {
	const marker = ":assumed-role/"
	i := bytes.Index(arn, []byte(marker))
	if i < 0 || !bytes.HasPrefix(arn, []byte("arn:")) {
		return nil, false
	}
	head := arn[:i] // arn:PART:sts::ACCT
	rest := arn[i+len(marker):]
	j := bytes.IndexByte(rest, '/')
	if j <= 0 {
		return nil, false
	}
	stsAt := bytes.Index(head, []byte(":sts:"))
	if stsAt < 0 {
		return nil, false
	}
	b := append((*buf)[:0], head[:stsAt]...)
	b = append(b, ":iam:"...)
	b = append(b, head[stsAt+len(":sts:"):]...)
	b = append(b, ":role/"...)
	*buf = append(b, rest[:j]...)
	return *buf, true
}

// principalTypeOf classifies a rolled-up principal ARN.
func principalTypeOf(arn string) PrincipalType {
	rest := arn
	for range 5 { // skip arn:partition:service:region:account:
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return PrincipalOther
		}
		rest = rest[i+1:]
	}
	switch {
	case rest == "root":
		return PrincipalRoot
	case strings.HasPrefix(rest, "role/"):
		return PrincipalRole
	case strings.HasPrefix(rest, "user/"):
		return PrincipalUser
	}
	return PrincipalOther
}
