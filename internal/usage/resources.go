package usage

import (
	"bytes"
	"net/url"
	"strings"
)

// Resource ARNs come from the record's resources field and from request parameters, so
// that suggestions can scope Resource, not only Action. Each candidate has a kind (where
// it came from); whether an action takes a kind of ARN is decided once per (action, kind)
// by the catalog's resource types.

// candidate is one resource ARN of an event, stored in the extractor's arena.
type candidate struct {
	start, end int
	kind       string // "s3:object", "iam:role", "res:AWS::KMS::Key", ...
	cut        int    // collapse point relative to start, or -1
	copySource bool   // the source object of a copy
}

type extractor struct {
	arena []byte
	cands []candidate
	kinds map[string]string // interned "res:" kinds
}

func (x *extractor) arn(c candidate) []byte { return x.arena[c.start:c.end] }

// begin starts a candidate ARN "arn:PARTITION:SERVICE:REGION:ACCOUNT:".
func (x *extractor) begin(partition, service string, region, account []byte) int {
	start := len(x.arena)
	x.arena = append(x.arena, "arn:"...)
	x.arena = append(x.arena, partition...)
	x.arena = append(x.arena, ':')
	x.arena = append(x.arena, service...)
	x.arena = append(x.arena, ':')
	x.arena = append(x.arena, region...)
	x.arena = append(x.arena, ':')
	x.arena = append(x.arena, account...)
	x.arena = append(x.arena, ':')
	return start
}

func (x *extractor) push(start int, kind string, cut int, copySource bool) {
	x.cands = append(x.cands, candidate{start: start, end: len(x.arena), kind: kind, cut: cut, copySource: copySource})
}

// literal adds an ARN given whole (a policyArn, topicArn, resources[].ARN).
func (x *extractor) literal(arn []byte, kind string) {
	if !bytes.HasPrefix(arn, []byte("arn:")) {
		return
	}
	start := len(x.arena)
	x.arena = append(x.arena, arn...)
	x.push(start, kind, -1, false)
}

func partitionOf(region []byte) string {
	switch {
	case bytes.HasPrefix(region, []byte("cn-")):
		return "aws-cn"
	case bytes.HasPrefix(region, []byte("us-gov-")):
		return "aws-us-gov"
	case bytes.HasPrefix(region, []byte("us-isob-")):
		return "aws-iso-b"
	case bytes.HasPrefix(region, []byte("us-iso-")):
		return "aws-iso"
	}
	return "aws"
}

// extract collects the candidate resource ARNs of r (whose service prefix is prefix).
func (x *extractor) extract(r *Record, prefix string) {
	x.arena = x.arena[:0]
	x.cands = x.cands[:0]
	for _, ref := range r.Resources {
		kind, ok := x.kinds[string(ref.Type)]
		if !ok {
			kind = "res:" + string(ref.Type)
			if x.kinds == nil {
				x.kinds = map[string]string{}
			}
			x.kinds[string(ref.Type)] = kind
		}
		cut := -1
		if bytes.HasPrefix(ref.ARN, []byte("arn:aws:s3:::")) {
			if i := bytes.IndexByte(ref.ARN[len("arn:aws:s3:::"):], '/'); i >= 0 {
				cut = len("arn:aws:s3:::") + i
			}
		}
		start := len(x.arena)
		x.arena = append(x.arena, ref.ARN...)
		x.push(start, kind, cut, false)
	}
	p := &r.Params
	region := r.AWSRegion
	part := partitionOf(region)
	account := r.RecipientAccountID
	if len(account) == 0 {
		account = r.Identity.AccountID
	}
	switch prefix {
	case "s3":
		if b := p[pBucketName]; len(b) > 0 && bytes.IndexByte(b, '/') < 0 {
			start := x.begin(part, "s3", nil, nil)
			x.arena = append(x.arena, b...)
			x.push(start, "s3:bucket", -1, false)
			if k := p[pKey]; len(k) > 0 {
				start := x.begin(part, "s3", nil, nil)
				x.arena = append(x.arena, b...)
				cut := len(x.arena) - start
				x.arena = append(x.arena, '/')
				x.arena = append(x.arena, k...)
				x.push(start, "s3:object", cut, false)
			}
		}
		if src := p[pCopySource]; len(src) > 0 {
			x.copySource(part, src)
		}
	case "iam":
		x.named(part, "iam", nil, account, "role/", p[pRoleName], "iam:role")
		x.named(part, "iam", nil, account, "user/", p[pUserName], "iam:user")
		x.named(part, "iam", nil, account, "group/", p[pGroupName], "iam:group")
		x.named(part, "iam", nil, account, "instance-profile/", p[pInstanceProfileName], "iam:instance-profile")
		x.literal(p[pPolicyArn], "iam:policy")
	case "sts":
		x.literal(p[pRoleArn], "sts:role")
	case "lambda":
		if f := p[pFunctionName]; len(f) > 0 {
			if bytes.HasPrefix(f, []byte("arn:")) {
				x.literal(trimQualifier(f), "lambda:function")
			} else if bytes.IndexByte(f, ':') < 0 {
				x.named(part, "lambda", region, account, "function:", f, "lambda:function")
			}
		}
	case "dynamodb":
		if t := p[pTableName]; bytes.HasPrefix(t, []byte("arn:")) {
			x.literal(t, "dynamodb:table")
		} else {
			x.named(part, "dynamodb", region, account, "table/", t, "dynamodb:table")
		}
	case "sqs":
		x.queueURL(part, p[pQueueURL])
	case "sns":
		x.literal(p[pTopicArn], "sns:topic")
	case "secretsmanager":
		if id := p[pSecretID]; bytes.HasPrefix(id, []byte("arn:")) {
			x.literal(id, "secretsmanager:secret")
		} else if len(id) > 0 {
			// A secret's ARN ends in six random characters; AWS's documented pattern.
			start := x.begin(part, "secretsmanager", region, account)
			x.arena = append(x.arena, "secret:"...)
			x.arena = append(x.arena, id...)
			x.arena = append(x.arena, "-??????"...)
			x.push(start, "secretsmanager:secret", -1, false)
		}
	case "kms":
		if k := p[pKeyID]; bytes.HasPrefix(k, []byte("arn:")) {
			x.literal(k, "kms:key")
		} else if bytes.HasPrefix(k, []byte("alias/")) {
			x.named(part, "kms", region, account, "", k, "kms:alias")
		} else {
			x.named(part, "kms", region, account, "key/", k, "kms:key")
		}
	case "logs":
		if g := p[pLogGroupName]; len(g) > 0 {
			x.named(part, "logs", region, account, "log-group:", g, "logs:log-group")
			if st := p[pLogStreamName]; len(st) > 0 && len(account) > 0 {
				start := x.begin(part, "logs", region, account)
				x.arena = append(x.arena, "log-group:"...)
				x.arena = append(x.arena, g...)
				x.arena = append(x.arena, ":log-stream:"...)
				x.arena = append(x.arena, st...)
				x.push(start, "logs:log-stream", -1, false)
			}
		}
	case "ssm":
		if n := p[pName]; len(n) > 0 && !bytes.HasPrefix(n, []byte("arn:")) {
			if n[0] == '/' {
				x.named(part, "ssm", region, account, "parameter", n, "ssm:parameter")
			} else {
				x.named(part, "ssm", region, account, "parameter/", n, "ssm:parameter")
			}
		}
	case "ecr":
		x.named(part, "ecr", region, account, "repository/", p[pRepositoryName], "ecr:repository")
	case "kinesis":
		x.named(part, "kinesis", region, account, "stream/", p[pStreamName], "kinesis:stream")
	case "states":
		x.literal(p[pStateMachineArn], "states:stateMachine")
	case "cloudformation":
		if s := p[pStackName]; bytes.HasPrefix(s, []byte("arn:")) {
			x.literal(s, "cloudformation:stack")
		} else if len(s) > 0 {
			start := x.begin(part, "cloudformation", region, account)
			x.arena = append(x.arena, "stack/"...)
			x.arena = append(x.arena, s...)
			x.arena = append(x.arena, "/*"...)
			x.push(start, "cloudformation:stack", -1, false)
		}
	}
}

// named adds ARN-PREFIX + kindPath + name when name is set.
func (x *extractor) named(part, service string, region, account []byte, path string, name []byte, kind string) {
	if len(name) == 0 || len(account) == 0 {
		return
	}
	start := x.begin(part, service, region, account)
	x.arena = append(x.arena, path...)
	x.arena = append(x.arena, name...)
	x.push(start, kind, -1, false)
}

// copySource adds the source object of a copy: "bucket/key" or "/bucket/key", URL-encoded,
// optionally with "?versionId=...".
func (x *extractor) copySource(part string, src []byte) {
	s := string(src)
	if i := strings.Index(s, "?versionId="); i >= 0 {
		s = s[:i]
	}
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	if len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	i := strings.IndexByte(s, '/')
	if i <= 0 || i == len(s)-1 {
		return
	}
	start := x.begin(part, "s3", nil, nil)
	x.arena = append(x.arena, s[:i]...)
	cut := len(x.arena) - start
	x.arena = append(x.arena, s[i:]...)
	x.push(start, "s3:object", cut, true)
}

func (x *extractor) queueURL(part string, u []byte) {
	// https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
	rest, ok := bytes.CutPrefix(u, []byte("https://"))
	if !ok {
		return
	}
	host, path, ok := bytes.Cut(rest, []byte("/"))
	if !ok {
		return
	}
	acct, name, ok := bytes.Cut(path, []byte("/"))
	if !ok || len(acct) == 0 || len(name) == 0 || bytes.IndexByte(name, '/') >= 0 {
		return
	}
	var region []byte
	if h, ok := bytes.CutPrefix(host, []byte("sqs.")); ok {
		if i := bytes.IndexByte(h, '.'); i > 0 {
			region = h[:i]
		}
	}
	if len(region) == 0 {
		return
	}
	start := x.begin(part, "sqs", region, acct)
	x.arena = append(x.arena, name...)
	x.push(start, "sqs:queue", -1, false)
}

// trimQualifier drops a version or alias from a Lambda function ARN.
func trimQualifier(arn []byte) []byte {
	n := 0
	for i, c := range arn {
		if c == ':' {
			n++
			if n == 7 {
				return arn[:i]
			}
		}
	}
	return arn
}
