package awsx

import (
	"context"
	"fmt"
	"strings"
)

// PrincipalKind is the kind of IAM identity a managed policy can be attached to.
type PrincipalKind string

// Principal kinds.
const (
	KindRole  PrincipalKind = "role"
	KindUser  PrincipalKind = "user"
	KindGroup PrincipalKind = "group"
)

// Principal is an IAM role, user or group, named by its ARN.
type Principal struct {
	ARN       string
	Partition string
	Account   string
	Kind      PrincipalKind
	Path      string // "/" or "/a/b/"
	Name      string
}

// ParsePrincipalARN reads a role, user or group ARN
// (arn:aws:iam::111122223333:role/path/name). It checks the form only; FindPrincipal
// checks that the principal exists.
func ParsePrincipalARN(arn string) (Principal, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" {
		return Principal{}, fmt.Errorf("principal ARN %q: not an ARN (want arn:aws:iam::ACCOUNT:role/NAME, user/NAME or group/NAME)", arn)
	}
	if parts[2] != "iam" {
		return Principal{}, fmt.Errorf("principal ARN %q: service %q is not iam", arn, parts[2])
	}
	if parts[3] != "" {
		return Principal{}, fmt.Errorf("principal ARN %q: IAM ARNs have no region, found %q", arn, parts[3])
	}
	if len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return Principal{}, fmt.Errorf("principal ARN %q: account %q is not 12 digits", arn, parts[4])
	}
	kind, rest, ok := strings.Cut(parts[5], "/")
	if !ok || rest == "" {
		return Principal{}, fmt.Errorf("principal ARN %q: want role/NAME, user/NAME or group/NAME after the account", arn)
	}
	switch PrincipalKind(kind) {
	case KindRole, KindUser, KindGroup:
	default:
		return Principal{}, fmt.Errorf("principal ARN %q: %q is not a role, user or group (managed policies attach only to those)", arn, kind)
	}
	path, name := "/", rest
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	if name == "" || strings.Contains(name, "*") {
		return Principal{}, fmt.Errorf("principal ARN %q: the name is empty or has a wildcard", arn)
	}
	return Principal{ARN: arn, Partition: parts[1], Account: parts[4], Kind: PrincipalKind(kind), Path: path, Name: name}, nil
}

// FindPrincipal checks that the principal named by arn exists and returns it with the
// ARN IAM reports (which differs from the one given only in case). A missing principal
// is an error for which IsNotFound holds.
func (x *IAM) FindPrincipal(ctx context.Context, arn string) (Principal, error) {
	p, err := ParsePrincipalARN(arn)
	if err != nil {
		return Principal{}, err
	}
	got, err := x.principalARN(ctx, p)
	if err != nil {
		return Principal{}, err
	}
	if got != arn {
		// IAM names are case-insensitive: the same name with another path is another ARN,
		// and so not this principal.
		found, err := ParsePrincipalARN(got)
		if err != nil {
			return Principal{}, fmt.Errorf("IAM returned %q for %s: %w", got, arn, err)
		}
		if found.Path != p.Path || found.Account != p.Account {
			return Principal{}, fmt.Errorf("%s: %w: IAM has %s", arn, ErrNotFound, got)
		}
		return found, nil
	}
	return p, nil
}
