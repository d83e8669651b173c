// Package accountgen writes a synthetic AWS account as the JSON of `aws iam
// get-account-authorization-details`, for benchmarks and demos of the account scan. The
// same options give the same bytes.
//
// The account looks like a large real one: customer managed policies of a few statements
// each (service actions on named resources, some wildcards), groups of policies, users in
// groups, roles trusted by services, by principals of the account, by the whole account,
// by other accounts and by identity providers, some permissions boundaries, some policy
// versions. A few principals have the grants of known escalation paths (pass a role to
// Lambda, create policy versions, create access keys for others, assume an administrator
// role), so that the escalation graph has work to do. Grants whose targets are "*" (assume
// any role, pass any role) go to a fixed number of principals, not a share of them: their
// edges grow with the product of principals and roles, and a real account has a handful.
package accountgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Options size the account.
type Options struct {
	Seed     uint64
	Account  string // default 123456789012
	Users    int
	Roles    int
	Groups   int
	Policies int // customer managed policies
}

// Stats says what was written.
type Stats struct {
	Users, Roles, Groups, Policies, EscalationSeeds int
}

type gen struct {
	o     Options
	r     *rand.Rand
	acct  string
	start time.Time
	stats Stats
}

// Write writes the account to w.
func Write(w io.Writer, o Options) (Stats, error) {
	if o.Account == "" {
		o.Account = "123456789012"
	}
	if o.Groups == 0 {
		o.Groups = max(1, o.Users/20)
	}
	if o.Users < 0 || o.Roles < 0 || o.Policies < 1 || o.Groups < 1 {
		return Stats{}, fmt.Errorf("accountgen: need at least one policy and one group, and no negative counts")
	}
	g := &gen{o: o, r: rand.New(rand.NewPCG(o.Seed, 0x5ca9)), acct: o.Account, start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	bw := bufio.NewWriterSize(w, 1<<20)
	doc := g.build()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return Stats{}, fmt.Errorf("accountgen: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return Stats{}, fmt.Errorf("accountgen: %w", err)
	}
	return g.stats, nil
}

type object = map[string]any

func (g *gen) date(days int) string {
	return g.start.AddDate(0, 0, days).Format("2006-01-02T15:04:05Z")
}

func (g *gen) arn(kind, path, name string) string {
	return "arn:aws:iam::" + g.acct + ":" + kind + path + name
}

func statement(effect string, actions any, resources any, cond object) object {
	s := object{"Effect": effect, "Action": actions, "Resource": resources}
	if cond != nil {
		s["Condition"] = cond
	}
	return s
}

func policyDoc(stmts ...object) object {
	return object{"Version": "2012-10-17", "Statement": stmts}
}

// Services and actions the ordinary policies draw from.
var pool = []struct {
	svc     string
	actions []string
	res     string // resource ARN template: %s is a generated name
}{
	{"s3", []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"}, "arn:aws:s3:::%s/*"},
	{"dynamodb", []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}, "arn:aws:dynamodb:us-east-1:ACCT:table/%s"},
	{"sqs", []string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"}, "arn:aws:sqs:us-east-1:ACCT:%s"},
	{"sns", []string{"sns:Publish", "sns:Subscribe"}, "arn:aws:sns:us-east-1:ACCT:%s"},
	{"lambda", []string{"lambda:InvokeFunction", "lambda:GetFunction"}, "arn:aws:lambda:us-east-1:ACCT:function:%s"},
	{"logs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "arn:aws:logs:us-east-1:ACCT:log-group:%s:*"},
	{"kms", []string{"kms:Decrypt", "kms:GenerateDataKey"}, "arn:aws:kms:us-east-1:ACCT:key/%s"},
	{"secretsmanager", []string{"secretsmanager:GetSecretValue"}, "arn:aws:secretsmanager:us-east-1:ACCT:secret:%s"},
	{"ssm", []string{"ssm:GetParameter", "ssm:GetParameters"}, "arn:aws:ssm:us-east-1:ACCT:parameter/%s"},
	{"ecr", []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, "arn:aws:ecr:us-east-1:ACCT:repository/%s"},
}

var wildcards = []string{"ec2:Describe*", "cloudwatch:Get*", "cloudwatch:List*", "s3:List*", "dynamodb:Describe*", "logs:Describe*", "rds:Describe*", "iam:Get*", "iam:List*"}

func (g *gen) name(prefix string) string {
	return fmt.Sprintf("%s-%06x", prefix, g.r.Uint32()&0xffffff)
}

func (g *gen) resource(tmpl string) string {
	return strings.Replace(fmt.Sprintf(tmpl, g.name("res")), "ACCT", g.acct, 1)
}

// ordinaryDoc is a policy of one to four statements of everyday grants.
func (g *gen) ordinaryDoc() object {
	n := 1 + g.r.IntN(4)
	var stmts []object
	for i := 0; i < n; i++ {
		if g.r.IntN(6) == 0 {
			stmts = append(stmts, statement("Allow", []string{wildcards[g.r.IntN(len(wildcards))], wildcards[g.r.IntN(len(wildcards))]}, "*", nil))
			continue
		}
		p := pool[g.r.IntN(len(pool))]
		k := 1 + g.r.IntN(len(p.actions))
		acts := append([]string(nil), p.actions[:k]...)
		res := []string{g.resource(p.res)}
		if g.r.IntN(3) == 0 {
			res = append(res, g.resource(p.res))
		}
		var cond object
		if g.r.IntN(10) == 0 {
			cond = object{"StringEquals": object{"aws:RequestedRegion": "us-east-1"}}
		}
		stmts = append(stmts, statement("Allow", acts, res, cond))
	}
	if g.r.IntN(20) == 0 {
		stmts = append(stmts, statement("Deny", "s3:DeleteBucket", "*", nil))
	}
	return policyDoc(stmts...)
}

func (g *gen) build() object {
	o := g.o
	adminARN := "arn:aws:iam::aws:policy/AdministratorAccess"
	readARN := "arn:aws:iam::aws:policy/ReadOnlyAccess"

	// Customer managed policies; the first few are the special ones.
	type pol struct {
		name, arn string
		docs      []object
	}
	pols := make([]pol, o.Policies)
	for i := range pols {
		name := fmt.Sprintf("policy-%05d", i)
		pols[i] = pol{name: name, arn: g.arn("policy", "/", name), docs: []object{g.ordinaryDoc()}}
		if g.r.IntN(25) == 0 {
			pols[i].docs = append(pols[i].docs, g.ordinaryDoc()) // an older version
		}
	}
	boundaryARN := ""
	if len(pols) > 1 {
		pols[1].name = "boundary-app"
		pols[1].arn = g.arn("policy", "/boundaries/", "boundary-app")
		pols[1].docs = []object{policyDoc(statement("Allow", []string{"s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "kms:Decrypt", "iam:Get*", "iam:List*", "sts:AssumeRole"}, "*", nil))}
		boundaryARN = pols[1].arn
	}
	lo := min(2, len(pols)-1) // the ordinary policies start after the special ones
	pick := func() pol { return pols[lo+g.r.IntN(len(pols)-lo)] }

	// Groups.
	groups := make([]object, o.Groups)
	groupNames := make([]string, o.Groups)
	for i := range groups {
		name := fmt.Sprintf("group-%03d", i)
		groupNames[i] = name
		var att []object
		for k := 0; k < 1+g.r.IntN(3); k++ {
			p := pick()
			att = append(att, object{"PolicyName": p.name, "PolicyArn": p.arn})
		}
		if i == 0 {
			att = append(att, object{"PolicyName": "ReadOnlyAccess", "PolicyArn": readARN})
		}
		groups[i] = object{"Path": "/", "GroupName": name, "GroupId": fmt.Sprintf("AGPA%016X", g.r.Uint64()), "Arn": g.arn("group", "/", name),
			"CreateDate": g.date(g.r.IntN(300)), "GroupPolicyList": []object{}, "AttachedManagedPolicies": att}
	}
	g.stats.Groups = len(groups)

	userARN := func(i int) string { return g.arn("user", "/", fmt.Sprintf("user-%05d", i)) }
	roleName := func(i int) string { return fmt.Sprintf("role-%05d", i) }
	roleARN := func(i int) string { return g.arn("role", "/app/", roleName(i)) }

	// Users.
	users := make([]object, o.Users)
	const broad = 5 // principals with grants on every role (see the package comment)
	for i := range users {
		name := fmt.Sprintf("user-%05d", i)
		var gl []string
		for k := 0; k < 1+g.r.IntN(3); k++ {
			gl = append(gl, groupNames[g.r.IntN(len(groupNames))])
		}
		gl = uniq(gl)
		var att []object
		var inline []object
		if g.r.IntN(5) == 0 {
			p := pick()
			att = append(att, object{"PolicyName": p.name, "PolicyArn": p.arn})
		}
		if g.r.IntN(10) == 0 {
			inline = append(inline, object{"PolicyName": "inline", "PolicyDocument": g.ordinaryDoc()})
		}
		// Escalation seeds: a user in fifty assumes one role; a few pass roles to Lambda,
		// edit their own policy, or create others' access keys.
		switch {
		case i%50 == 7 && o.Roles > 0:
			inline = append(inline, object{"PolicyName": "assume", "PolicyDocument": policyDoc(statement("Allow", "sts:AssumeRole", roleARN(g.r.IntN(o.Roles)), nil))})
			g.stats.EscalationSeeds++
		case i%200 == 11 && o.Roles > 0:
			inline = append(inline, object{"PolicyName": "lambda", "PolicyDocument": policyDoc(
				statement("Allow", "iam:PassRole", roleARN(g.r.IntN(o.Roles)), nil),
				statement("Allow", []string{"lambda:CreateFunction", "lambda:InvokeFunction"}, "*", nil))})
			g.stats.EscalationSeeds++
		case i%250 == 13:
			p := pick()
			att = append(att, object{"PolicyName": p.name, "PolicyArn": p.arn})
			inline = append(inline, object{"PolicyName": "edit-own", "PolicyDocument": policyDoc(statement("Allow", "iam:CreatePolicyVersion", p.arn, nil))})
			g.stats.EscalationSeeds++
		case i%300 == 17 && o.Users > 1:
			inline = append(inline, object{"PolicyName": "keys", "PolicyDocument": policyDoc(statement("Allow", "iam:CreateAccessKey", userARN(g.r.IntN(o.Users)), nil))})
			g.stats.EscalationSeeds++
		case i < broad:
			inline = append(inline, object{"PolicyName": "ops", "PolicyDocument": policyDoc(statement("Allow", []string{"sts:AssumeRole", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"}, "*", nil))})
			g.stats.EscalationSeeds++
		case i == broad && o.Users > broad:
			att = append(att, object{"PolicyName": "AdministratorAccess", "PolicyArn": adminARN})
		}
		u := object{"Path": "/", "UserName": name, "UserId": fmt.Sprintf("AIDA%016X", g.r.Uint64()), "Arn": userARN(i), "CreateDate": g.date(g.r.IntN(300)),
			"UserPolicyList": nonNil(inline), "GroupList": gl, "AttachedManagedPolicies": nonNil(att),
			"Tags": []object{{"Key": "team", "Value": fmt.Sprintf("team-%d", g.r.IntN(20))}}}
		if boundaryARN != "" && g.r.IntN(20) == 0 {
			u["PermissionsBoundary"] = object{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundaryARN}
		}
		users[i] = u
	}
	g.stats.Users = len(users)

	// Roles.
	services := []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "glue.amazonaws.com"}
	roles := make([]object, o.Roles)
	for i := range roles {
		var principal object
		var cond object
		action := "sts:AssumeRole"
		switch k := g.r.IntN(100); {
		case k < 70:
			principal = object{"Service": services[g.r.IntN(len(services))]}
		case k < 88 && o.Users > 0:
			principal = object{"AWS": userARN(g.r.IntN(o.Users))}
		case k < 92 && o.Roles > 1:
			principal = object{"AWS": roleARN(g.r.IntN(o.Roles))}
		case k < 95:
			principal = object{"AWS": "arn:aws:iam::" + g.acct + ":root"}
		case k < 98:
			principal = object{"AWS": fmt.Sprintf("arn:aws:iam::%012d:root", 100000000000+g.r.IntN(1000))}
			if g.r.IntN(2) == 0 {
				cond = object{"StringEquals": object{"sts:ExternalId": g.name("ext")}}
			}
		default:
			principal = object{"Federated": "arn:aws:iam::" + g.acct + ":oidc-provider/token.actions.githubusercontent.com"}
			action = "sts:AssumeRoleWithWebIdentity"
			cond = object{"StringEquals": object{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
			if g.r.IntN(2) == 0 {
				cond["StringLike"] = object{"token.actions.githubusercontent.com:sub": "repo:example/" + g.name("repo") + ":*"}
			}
		}
		trustStmt := object{"Effect": "Allow", "Principal": principal, "Action": action}
		if cond != nil {
			trustStmt["Condition"] = cond
		}
		var att []object
		for k := 0; k < 1+g.r.IntN(4); k++ {
			p := pick()
			att = append(att, object{"PolicyName": p.name, "PolicyArn": p.arn})
		}
		if g.r.IntN(50) == 0 {
			att = append(att, object{"PolicyName": "AdministratorAccess", "PolicyArn": adminARN})
		}
		var inline []object
		if g.r.IntN(3) == 0 {
			inline = append(inline, object{"PolicyName": "inline", "PolicyDocument": g.ordinaryDoc()})
		}
		var profiles []object
		if principal["Service"] == "ec2.amazonaws.com" {
			profiles = append(profiles, object{"Path": "/", "InstanceProfileName": roleName(i), "InstanceProfileId": fmt.Sprintf("AIPA%016X", g.r.Uint64()),
				"Arn": g.arn("instance-profile", "/", roleName(i)), "CreateDate": g.date(10), "Roles": []object{}})
		}
		role := object{"Path": "/app/", "RoleName": roleName(i), "RoleId": fmt.Sprintf("AROA%016X", g.r.Uint64()), "Arn": roleARN(i),
			"CreateDate": g.date(g.r.IntN(300)), "AssumeRolePolicyDocument": policyDoc(trustStmt), "InstanceProfileList": nonNil(profiles),
			"RolePolicyList": nonNil(inline), "AttachedManagedPolicies": att, "Tags": []object{},
			"RoleLastUsed": object{"LastUsedDate": g.date(300 + g.r.IntN(60)), "Region": "us-east-1"}}
		if boundaryARN != "" && g.r.IntN(10) == 0 {
			role["PermissionsBoundary"] = object{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundaryARN}
		}
		roles[i] = role
	}
	g.stats.Roles = len(roles)

	policies := make([]object, 0, len(pols)+2)
	for _, p := range pols {
		var versions []object
		for k, d := range p.docs {
			id := fmt.Sprintf("v%d", len(p.docs)-k)
			versions = append(versions, object{"Document": d, "VersionId": id, "IsDefaultVersion": k == 0, "CreateDate": g.date(k)})
		}
		policies = append(policies, object{"PolicyName": p.name, "PolicyId": fmt.Sprintf("ANPA%016X", g.r.Uint64()), "Arn": p.arn, "Path": "/",
			"DefaultVersionId": fmt.Sprintf("v%d", len(p.docs)), "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
			"CreateDate": g.date(0), "UpdateDate": g.date(1), "PolicyVersionList": versions})
	}
	policies = append(policies,
		awsManaged("AdministratorAccess", adminARN, policyDoc(statement("Allow", "*", "*", nil))),
		awsManaged("ReadOnlyAccess", readARN, policyDoc(statement("Allow", []string{"ec2:Describe*", "s3:Get*", "s3:List*", "iam:Get*", "iam:List*",
			"dynamodb:Describe*", "dynamodb:Get*", "dynamodb:Query", "dynamodb:Scan", "logs:Get*", "logs:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
			"lambda:Get*", "lambda:List*", "sqs:Get*", "sqs:List*", "sns:Get*", "sns:List*", "rds:Describe*"}, "*", nil))))
	g.stats.Policies = len(policies)
	return object{"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}
}

func awsManaged(name, arn string, doc object) object {
	return object{"PolicyName": name, "PolicyId": "ANPA" + name, "Arn": arn, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
		"PermissionsBoundaryUsageCount": 0, "IsAttachable": true, "CreateDate": "2015-02-06T18:39:46Z", "UpdateDate": "2015-02-06T18:39:46Z",
		"PolicyVersionList": []object{{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2015-02-06T18:39:46Z"}}}
}

func nonNil(s []object) []object {
	if s == nil {
		return []object{}
	}
	return s
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
