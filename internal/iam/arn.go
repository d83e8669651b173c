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
	fields := splitARNFields(arn)
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

// splitARNFields splits s at ':' into its six ARN fields (fewer when s has fewer colons),
// not splitting inside ${...}: the same split the evaluator uses (splitPolicyARN).
func splitARNFields(s string) []string {
	seg, n := splitPolicyARN(s, true)
	return seg[:n]
}
