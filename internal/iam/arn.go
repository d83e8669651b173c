package iam

import (
	"errors"
	"strings"
)

// ARNParts is an ARN split into its six fields:
// arn:Partition:Service:Region:Account:Resource. Fields keep their text, wildcards and
// policy variables included.
type ARNParts struct {
	Partition, Service, Region, Account, Resource string
}

// SplitARN splits an ARN as written in a policy into its fields. Colons inside a policy
// variable ("${aws:username}") do not separate fields, and the resource field keeps any
// further colons ("function:my-fn:1"). It checks structure only: the "arn" prefix, six
// fields, a non-empty service and resource. Whether a field's value is sensible
// (a known partition, a 12-digit account) is Validate's concern.
func SplitARN(arn string) (ARNParts, error) {
	fields := splitARNFields(arn, 6)
	if fields[0] != "arn" {
		if strings.EqualFold(fields[0], "arn") {
			return ARNParts{}, errors.New(`an ARN starts with "arn:" in lower case`)
		}
		return ARNParts{}, errors.New(`an ARN starts with "arn:" (arn:partition:service:region:account:resource)`)
	}
	if len(fields) < 6 {
		return ARNParts{}, errors.New("an ARN has six fields separated by ':' (arn:partition:service:region:account:resource)")
	}
	a := ARNParts{Partition: fields[1], Service: fields[2], Region: fields[3], Account: fields[4], Resource: fields[5]}
	switch {
	case a.Partition == "":
		return a, errors.New("the ARN's partition is empty (e.g. aws, aws-cn, aws-us-gov)")
	case a.Service == "":
		return a, errors.New("the ARN's service is empty")
	case a.Resource == "":
		return a, errors.New("the ARN's resource is empty")
	}
	return a, nil
}

// splitARNFields splits s at ':' into at most n fields, not splitting inside ${...}.
func splitARNFields(s string, n int) []string {
	var out []string
	start, depth := 0, 0
	for i := 0; i < len(s) && len(out) < n-1; i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
