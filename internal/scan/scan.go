package scan

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/ciem/ciem/internal/usage"
)

// Options configure a scan.
type Options struct {
	// Now is the time credential ages and usage are measured at; required with a
	// credential report or usage, unused (and not reported) otherwise, so that a scan of
	// the same authorization details gives the same bytes whenever it runs.
	Now time.Time
	// Source says where the authorization details came from: "aws" or "file".
	Source string
	// CredentialReport, when set, adds credential hygiene findings.
	CredentialReport *CredentialReport
	// Usage, when set, adds unused permissions and inactive principals.
	Usage *usage.Digest
	// Workers is the number of principals worked on at once (default GOMAXPROCS).
	Workers int
	// Progress, when set, is told how far each stage has got.
	Progress func(Progress)
}

// Progress is how far a scan has got.
type Progress struct {
	Stage       string // "permissions", "graph", "findings"
	Done, Total int
}

// Scan scans an account.
func Scan(ctx context.Context, a *Account, opts Options) (*Report, error) {
	if (opts.CredentialReport != nil || opts.Usage != nil) && opts.Now.IsZero() {
		return nil, fmt.Errorf("scan: a credential report or usage needs the time to measure ages at (Options.Now)")
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	progress := func(stage string, done, total int) {
		if opts.Progress != nil {
			opts.Progress(Progress{Stage: stage, Done: done, Total: total})
		}
	}
	ps := buildPrincipals(a)
	sums := newSummaries()

	// Effective permissions, once per distinct set of policies.
	sets := make([]grantSets, len(ps))
	perms := make([]Permissions, len(ps))
	var permCache sync.Map
	tick := ticker(len(ps), func(done int) { progress("permissions", done, len(ps)) })
	parallel(len(ps), opts.Workers, func(i int) {
		p := ps[i]
		sets[i] = sums.grants(p.identity, p.boundary)
		k := policySetKey(p.identity) + "|" + policySetKey(p.boundary)
		if v, ok := permCache.Load(k); ok {
			perms[i] = v.(Permissions)
		} else {
			perms[i] = permissionsOf(sets[i].effective)
			permCache.Store(k, perms[i])
		}
		perms[i].Wildcards = sums.wildcardsOf(p.identity)
		tick()
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The escalation graph.
	progress("graph", 0, len(ps))
	g := newGraph(a, sums, ps, opts.CredentialReport.logins())
	g.workers = opts.Workers
	g.build()
	paths := g.paths()
	edges := g.edges()
	progress("graph", len(ps), len(ps))
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Findings.
	z := newAnalyzer()
	found := make([][]Finding, len(ps))
	tick = ticker(len(ps), func(done int) { progress("findings", done, len(ps)) })
	parallel(len(ps), opts.Workers, func(i int) {
		p := ps[i]
		fs := riskFindings(z, sums, p, sets[i], g.otherUserCheck(i))
		if paths[i].Reachable && !paths[i].IsAdmin {
			fs = append(fs, pathFinding(p, paths[i]))
		}
		if p.role != nil {
			fs = append(fs, trustFindings(p.role, a.ID, paths[i].Reachable)...)
		}
		if f, ok := userAttachedFinding(p); ok {
			fs = append(fs, f)
		}
		if f, ok := cloudShellFinding(p); ok {
			fs = append(fs, f)
		}
		found[i] = fs
		tick()
	})
	byARN := map[string]int{}
	for i, p := range ps {
		byARN[p.arn] = i
	}
	acctFindings := accountFindings(a, sums, ps)
	if opts.CredentialReport != nil {
		for _, f := range credentialFindings(opts.CredentialReport, opts.Now) {
			if i, ok := byARN[f.Principal]; ok {
				found[i] = append(found[i], f)
			} else {
				acctFindings = append(acctFindings, f)
			}
		}
	}
	var use []usageResult
	if opts.Usage != nil {
		use = usageOf(opts.Usage, ps, sets, paths)
		for i := range ps {
			found[i] = append(found[i], use[i].findings...)
		}
	}

	r := &Report{Schema: SchemaVersion, Account: a.ID, Partition: a.Partition, Inputs: Inputs{AuthDetails: opts.Source, CredentialReport: opts.CredentialReport != nil},
		EscalationEdges: edges, Problems: a.Problems}
	if r.Inputs.AuthDetails == "" {
		r.Inputs.AuthDetails = "file"
	}
	if opts.CredentialReport != nil || opts.Usage != nil {
		r.AsOf = isoOrEmpty(opts.Now)
	}
	if opts.Usage != nil {
		r.Inputs.Usage = usageInfo(opts.Usage)
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	for i, p := range ps {
		pr := principalReport(p, perms[i], paths[i], found[i])
		if use != nil {
			pr.UnusedRatio, pr.LastActivity = use[i].ratio, use[i].last
			// Principals with the same policies share one summary: copy before adding usage.
			pr.Permissions.ByService = append([]ServicePermissions(nil), pr.Permissions.ByService...)
			for k := range pr.Permissions.ByService {
				n := use[i].usedBy[pr.Permissions.ByService[k].Service]
				pr.Permissions.ByService[k].Used = &n
			}
		}
		r.Principals = append(r.Principals, pr)
	}
	for k := range acctFindings {
		acctFindings[k].CIS = cisOf(acctFindings[k].Type)
	}
	sortFindings(acctFindings)
	r.AccountFindings = nonNilFindings(acctFindings)
	r.CIS = CISReport{Benchmark: CISBenchmark, Controls: cisResults(r.allFindings(), opts.CredentialReport != nil)}
	r.Summary = summaryOf(a, r, use)
	return r, nil
}

// ticker returns a function to call once per item done: it reports every 250 items and
// the last one.
func ticker(total int, report func(done int)) func() {
	var mu sync.Mutex
	done := 0
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done++
		if done%250 == 0 || done == total {
			report(done)
		}
	}
}

func principalReport(p *principal, perms Permissions, path PathResult, fs []Finding) PrincipalReport {
	pr := PrincipalReport{ARN: p.arn, Name: p.name, Type: p.typ, Path: p.path, Groups: []string{}, Policies: p.refs,
		IsAdmin: path.IsAdmin, AdminReachable: path.Reachable, AdminSteps: len(path.Steps), AdminVia: path.Via, AdminPath: path.Steps,
		Permissions: perms}
	if pr.Policies == nil {
		pr.Policies = []PolicyRef{}
	}
	if pr.AdminPath == nil {
		pr.AdminPath = []Step{}
	}
	if path.IsAdmin {
		pr.AdminVia = ""
	}
	for _, g := range p.groups {
		pr.Groups = append(pr.Groups, g.Name)
	}
	if len(p.boundary) > 0 {
		pr.Boundary = p.boundary[0].Name
	} else if p.user != nil && p.user.Boundary != "" {
		pr.Boundary = p.user.Boundary
	} else if p.role != nil && p.role.Boundary != "" {
		pr.Boundary = p.role.Boundary
	}
	switch {
	case p.user != nil:
		pr.Created = isoOrEmpty(p.user.Created)
	case p.role != nil:
		pr.Created = isoOrEmpty(p.role.Created)
		pr.LastUsed = isoOrEmpty(p.role.LastUsed)
	}
	for k := range fs {
		fs[k].CIS = cisOf(fs[k].Type)
	}
	sortFindings(fs)
	pr.Findings = nonNilFindings(fs)
	pr.Risk = "none"
	if len(fs) > 0 {
		pr.Risk = fs[0].Severity
	}
	return pr
}

func nonNilFindings(fs []Finding) []Finding {
	if fs == nil {
		return []Finding{}
	}
	return fs
}

func summaryOf(a *Account, r *Report, use []usageResult) Summary {
	s := Summary{Groups: len(a.Groups), ManagedPolicies: len(a.Policies), FindingsByType: map[string]int{}, EscalationEdges: len(r.EscalationEdges)}
	for _, mp := range a.Policies {
		if !mp.AWSManaged {
			s.CustomerManagedPolicies++
		}
	}
	for _, p := range r.Principals {
		switch p.Type {
		case TypeUser:
			s.Users++
		case TypeRole:
			s.Roles++
		}
		if p.IsAdmin {
			s.Admins++
		} else if p.AdminReachable {
			s.AdminReachable++
		}
		s.PrincipalsByRisk.add(p.Risk)
	}
	for _, f := range r.allFindings() {
		s.FindingsBySeverity.add(f.Severity)
		s.FindingsByType[f.Type]++
	}
	if use != nil {
		var granted, unused int
		for _, u := range use {
			granted += u.granted
			unused += u.unused
		}
		if granted > 0 {
			v := round4(float64(unused) / float64(granted))
			s.UnusedRatio = &v
		}
	}
	return s
}
