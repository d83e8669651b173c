package trailgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The world: the account's principals, each with the operations it calls and the
// resources it calls them on. Built once per seed.

type principalKind uint8

const (
	kindUser principalKind = iota
	kindRole
	kindFederated
	kindRoot
	kindService
	kindCrossAccount
)

type principal struct {
	kind        principalKind
	name        string
	account     string
	arn         string // the holding principal (user, role, root)
	principalID string
	// role sessions and federated users
	sessions  []string
	issuerARN string
	issuerID  string
	issuer    string // issuer name
	// AWS services
	invokedBy string

	userAgents []string
	sourceIPs  []string
	weight     float64
	ops        []weightedOp
	opTotal    float64
	res        resources
	console    bool // signs in to the console now and then
	mfa        bool
}

type weightedOp struct {
	op     *op
	weight float64
}

// resources a principal works on.
type resources struct {
	buckets, tables, functions, queues, topics, secrets, keys, params, repos, logGroups, stacks, roles, instances []string
}

type world struct {
	account, other string
	principals     []*principal
	total          float64
}

var (
	userNames  = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yolanda"}
	appWords   = []string{"orders", "billing", "payments", "catalog", "search", "inventory", "shipping", "auth", "profile", "reports", "ingest", "export", "notify", "audit", "media", "thumbs", "etl", "ledger", "pricing", "reviews"}
	services   = []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com", "config.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs-tasks.amazonaws.com", "s3.amazonaws.com", "logs.amazonaws.com", "sns.amazonaws.com"}
	userAgents = []string{
		"aws-sdk-go-v2/1.30.3 ua/2.1 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/%s#1.58.2 m/E,g",
		"Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/AWS_Lambda_python3.11 cfg/retry-mode#legacy Botocore/1.34.131",
		"aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#%s.list",
		"aws-sdk-java/2.26.7 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard",
		"aws-sdk-js/3.614.0 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 lang/js md/nodejs#20.15.1 api/%s#3.614.0",
		"Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.58.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.1 ua/2.0 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/%s#1.34.1",
	}
	consoleAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randID(r *rand.Rand, prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for range n {
		b.WriteByte(idChars[r.IntN(len(idChars))])
	}
	return b.String()
}

func hexString(r *rand.Rand, n int) string {
	const hx = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hx[r.IntN(16)]
	}
	return string(b)
}

func randIP(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
	return fmt.Sprintf("%d.%d.%d.%d", 3+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func newWorld(seed uint64, account, other string) *world {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	w := &world{account: account, other: other}
	add := func(p *principal, weight float64) {
		p.weight = weight
		w.principals = append(w.principals, p)
		w.total += weight
	}
	agents := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = pick(r, userAgents)
		}
		return out
	}
	ips := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = randIP(r)
		}
		return out
	}
	// IAM users: people and a few old automation users.
	for i, name := range userNames[:12] {
		p := &principal{kind: kindUser, name: name, account: account,
			arn: "arn:aws:iam::" + account + ":user/" + name, principalID: randID(r, "AIDA", 17),
			userAgents: agents(2), sourceIPs: ips(2), console: i < 8, mfa: i%3 != 0}
		if i >= 9 {
			p.name = "svc-" + appWords[i]
			p.arn = "arn:aws:iam::" + account + ":user/automation/" + p.name
			p.console = false
		}
		add(p, 0.3+r.Float64())
	}
	// Roles, assumed through sessions: application roles, Lambda execution roles, CI,
	// Identity Center permission sets.
	for i := range 32 {
		word := appWords[i%len(appWords)]
		var name, path string
		var sessions []string
		switch {
		case i < 12:
			name = "app-" + word
			for range 3 {
				sessions = append(sessions, "i-0"+hexString(r, 17))
			}
		case i < 22:
			name, path = word+"-lambda-exec", "service-role/"
			sessions = []string{word + "-handler", word + "-worker"}
		case i < 26:
			name = []string{"ci-deployer", "terraform-apply", "release-bot", "backup-runner"}[i-22]
			sessions = []string{"GitHubActions", "botocore-session-" + fmt.Sprint(1700000000+r.IntN(9999999))}
		default:
			name = "AWSReservedSSO_" + []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "DataEngineer", "Billing", "SecurityAudit"}[i-26] + "_" + hexString(r, 16)
			path = "aws-reserved/sso.amazonaws.com/"
			for _, u := range userNames[12:] {
				sessions = append(sessions, u+"@example.com")
			}
		}
		roleID := randID(r, "AROA", 17)
		p := &principal{kind: kindRole, name: name, account: account,
			arn: "arn:aws:iam::" + account + ":role/" + path + name, principalID: roleID,
			sessions: sessions, userAgents: agents(3), sourceIPs: ips(3)}
		weight := 1 + 4*r.Float64()
		if i < 12 {
			weight *= 3 // the busy application roles
		}
		add(p, weight)
	}
	// Federated users (GetFederationToken) issued by an automation user.
	issuer := w.principals[9]
	for _, name := range []string{"broker-session-ana", "broker-session-ben"} {
		add(&principal{kind: kindFederated, name: name, account: account,
			arn: issuer.arn, issuerARN: issuer.arn, issuerID: issuer.principalID, issuer: issuer.name,
			principalID: account + ":" + name, userAgents: agents(1), sourceIPs: ips(1)}, 0.4)
	}
	add(&principal{kind: kindRoot, name: "root", account: account, arn: "arn:aws:iam::" + account + ":root",
		principalID: account, userAgents: []string{consoleAgent}, sourceIPs: ips(1), console: true, mfa: true}, 0.05)
	for _, svc := range services {
		add(&principal{kind: kindService, name: svc, account: account, invokedBy: svc}, 1.2)
	}
	add(&principal{kind: kindCrossAccount, name: "OrgAuditor", account: other,
		arn: "arn:aws:iam::" + other + ":role/OrgAuditor", principalID: randID(r, "AROA", 17),
		sessions: []string{"audit-run"}, userAgents: agents(1), sourceIPs: ips(1)}, 0.6)

	for _, p := range w.principals {
		p.res = newResources(r, account, p)
		p.ops = chooseOps(r, p)
		for _, o := range p.ops {
			p.opTotal += o.weight
		}
	}
	return w
}

func newResources(r *rand.Rand, account string, p *principal) resources {
	word := pick(r, appWords)
	if p.kind == kindRole {
		for _, w := range appWords {
			if strings.Contains(p.name, w) {
				word = w
			}
		}
	}
	var res resources
	n := 1 + r.IntN(3)
	for i := range n {
		res.buckets = append(res.buckets, fmt.Sprintf("%s-%s-%d", word, []string{"data", "artifacts", "logs"}[i%3], 100000+r.IntN(900000)))
		res.tables = append(res.tables, fmt.Sprintf("%s-%s", word, []string{"items", "events", "sessions"}[i%3]))
		res.queues = append(res.queues, fmt.Sprintf("%s-%s", word, []string{"jobs", "dlq", "events"}[i%3]))
	}
	res.functions = []string{word + "-handler", word + "-worker"}
	res.topics = []string{word + "-alerts"}
	res.secrets = []string{"prod/" + word + "/db", "prod/" + word + "/api-key"}
	res.keys = []string{uuid(r), uuid(r)}
	res.params = []string{"/" + word + "/prod/config", "/" + word + "/prod/feature-flags"}
	res.repos = []string{word + "-service"}
	res.logGroups = []string{"/aws/lambda/" + word + "-handler", "/ecs/" + word}
	res.stacks = []string{word + "-prod", word + "-network"}
	res.roles = []string{"app-" + word, word + "-lambda-exec"}
	for range 3 {
		res.instances = append(res.instances, "i-0"+hexString(r, 17))
	}
	return res
}

func uuid(r *rand.Rand) string {
	h := hexString(r, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + "89ab"[r.IntN(4):][:1] + h[17:20] + "-" + h[20:32]
}

// chooseOps gives each principal its habits: a weighted subset of the operations that
// fit its kind.
func chooseOps(r *rand.Rand, p *principal) []weightedOp {
	var pool []*op
	for i := range allOps {
		o := &allOps[i]
		switch p.kind {
		case kindService:
			if !o.byService {
				continue
			}
		case kindCrossAccount:
			if !o.crossAccount {
				continue
			}
		default:
			if o.byService && !o.alsoPrincipals {
				continue
			}
		}
		pool = append(pool, o)
	}
	n := len(pool)
	if p.kind != kindService && p.kind != kindCrossAccount {
		n = 8 + r.IntN(min(18, len(pool)-8))
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := make([]weightedOp, 0, n)
	for i, o := range pool[:n] {
		// Zipf-like: a few operations dominate each principal's traffic.
		w := o.weight / float64(i+1)
		out = append(out, weightedOp{op: o, weight: w})
	}
	return out
}

func (w *world) pickPrincipal(r *rand.Rand) *principal {
	x := r.Float64() * w.total
	for _, p := range w.principals {
		x -= p.weight
		if x < 0 {
			return p
		}
	}
	return w.principals[len(w.principals)-1]
}

func (p *principal) pickOp(r *rand.Rand) *op {
	x := r.Float64() * p.opTotal
	for _, o := range p.ops {
		x -= o.weight
		if x < 0 {
			return o.op
		}
	}
	return p.ops[len(p.ops)-1].op
}
