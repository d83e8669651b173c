package difftest

import (
	"sort"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/simcase"
)

// setFor returns the actions an action pattern matches (cached: policies repeat patterns).
func (g *Generator) setFor(pattern string) catalog.ActionSet {
	key := strings.ToLower(pattern)
	s, ok := g.sets[key]
	if !ok {
		s = g.cat.Match(key)
		g.sets[key] = s
	}
	return s
}

func (g *Generator) idsFor(pattern string) []catalog.ActionID {
	key := strings.ToLower(pattern)
	ids, ok := g.ids[key]
	if !ok {
		ids = g.setFor(key).IDs()
		g.ids[key] = ids
	}
	return ids
}

// statementMatchesAction reports whether the statement's Action/NotAction covers a.
func (g *Generator) statementMatchesAction(s *iam.Statement, a *catalog.Action) bool {
	in := false
	for _, p := range s.Actions {
		if g.setFor(p).Has(a.ID) {
			in = true
			break
		}
	}
	return in != s.NotAction
}

func (g *Generator) randomAction() *catalog.Action {
	return g.cat.Action(catalog.ActionID(g.rng.IntN(g.cat.NumActions())))
}

// actionIn picks an action the statement's action element covers, or nil.
func (g *Generator) actionIn(s *iam.Statement) *catalog.Action {
	if s.NotAction {
		for range 40 {
			if a := g.randomAction(); g.statementMatchesAction(s, a) {
				return a
			}
		}
		return nil
	}
	for _, i := range g.rng.Perm(len(s.Actions)) {
		if ids := g.idsFor(s.Actions[i]); len(ids) > 0 {
			return g.cat.Action(ids[g.rng.IntN(len(ids))])
		}
	}
	return nil
}

// actionOutside picks an action the statement does not cover, preferring the services it
// names (a miss that is close is more telling than one in another service).
func (g *Generator) actionOutside(s *iam.Statement) *catalog.Action {
	if s.NotAction {
		// Any action the NotAction list names is outside the statement.
		for _, i := range g.rng.Perm(len(s.Actions)) {
			if ids := g.idsFor(s.Actions[i]); len(ids) > 0 {
				return g.cat.Action(ids[g.rng.IntN(len(ids))])
			}
		}
		return nil
	}
	if len(s.Actions) > 0 && g.chance(70) {
		if svc := g.cat.Service(splitService(s.Actions[g.rng.IntN(len(s.Actions))])); svc != nil && svc.NumActions() > 0 {
			for range 20 {
				a := g.cat.Action(svc.First + catalog.ActionID(g.rng.IntN(svc.NumActions())))
				if !g.statementMatchesAction(s, a) {
					return a
				}
			}
		}
	}
	for range 40 {
		if a := g.randomAction(); !g.statementMatchesAction(s, a) {
			return a
		}
	}
	return nil
}

// neighbourOutside picks an action next to a (in name order, same service) that the
// statement does not cover: s3:GetObject against a statement for s3:GetObjectAcl, say.
func (g *Generator) neighbourOutside(s *iam.Statement, a *catalog.Action) *catalog.Action {
	for _, d := range []int{1, -1, 2, -2, 3, -3} {
		id := int(a.ID) + d
		if id < int(a.Service.First) || id >= int(a.Service.End) {
			continue
		}
		if b := g.cat.Action(catalog.ActionID(id)); !g.statementMatchesAction(s, b) {
			return b
		}
	}
	return nil
}

// requestFor builds a request about one of stmts: one that hits a statement (action and
// resource match), misses it (another action, or a resource of the right type elsewhere),
// or borders it (a neighbouring action, the action in another case, a resource one edit
// away). The mode names which, for the summary.
func (g *Generator) requestFor(stmts []*iam.Statement, focus *catalog.Action) (*req, string) {
	r := &req{principal: g.pick(principals)}
	acct := accountA
	if g.chance(10) {
		acct = accountB
	}
	if len(stmts) == 0 {
		r.action = g.randomAction()
		for !g.resolvable(r.action) {
			r.action = g.randomAction()
		}
		r.name = r.action.FullName()
		g.resourceFromType(r, acct)
		return r, "no-statements"
	}
	s := stmts[g.rng.IntN(len(stmts))]
	mode := "hit"
	switch x := g.rng.IntN(100); {
	case x < 45:
	case x < 60:
		mode = "miss-action"
	case x < 72:
		mode = "miss-resource"
	case x < 86:
		mode = "border-action"
	default:
		mode = "border-resource"
	}
	var a *catalog.Action
	switch mode {
	case "miss-action":
		a = g.actionOutside(s)
	case "border-action":
		if in := g.actionIn(s); in != nil {
			if g.chance(50) {
				a = g.neighbourOutside(s, in)
			} else {
				a = in
				r.name = g.mangleCase(in.FullName())
			}
		}
	default:
		a = g.actionIn(s)
	}
	if a != nil && !g.resolvable(a) {
		a = nil
	}
	if a == nil {
		a = focus
	}
	for a == nil || !g.resolvable(a) {
		a = g.randomAction()
		mode = "random"
	}
	r.action = a
	if r.name == "" {
		r.name = a.FullName()
	}
	switch mode {
	case "miss-resource":
		g.resourceFromType(r, acct)
	case "border-resource":
		if g.resourceFromStatement(r, s, acct) {
			g.mutateResource(r)
		} else {
			g.resourceFromType(r, acct)
		}
	default:
		if !g.resourceFromStatement(r, s, acct) {
			g.resourceFromType(r, acct)
		}
	}
	return r, mode
}

// setResource records res as the request's resource if the action accepts it.
func (g *Generator) setResource(r *req, res, acct string, vars map[string]string) bool {
	art, err := simcase.ResourceTypeOf(r.action, res)
	if err != nil || (art != nil && hasLiteralStar(art.Type.ARN)) {
		// A type written with a literal '*' (DMS's "...:rep:*") takes any ARN in ciem; the
		// reference rejects every concrete ARN of it (known_differences.json).
		return false
	}
	r.resource, r.art, r.vars = res, art, vars
	r.account = acct
	if f := strings.SplitN(res, ":", 6); len(f) == 6 && isAccountID(f[4]) {
		r.account = f[4]
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// resourceFromType sets a resource built from one of the action's resource-type ARN
// patterns (or "*" for actions without resource types). It always succeeds for actions
// whose types can be told apart; otherwise the resource is "*" and the case an error case.
func (g *Generator) resourceFromType(r *req, acct string) {
	if len(r.action.Resources) == 0 {
		r.resource, r.account, r.art = "*", acct, nil
		return
	}
	for _, i := range g.rng.Perm(len(r.action.Resources)) {
		if hasLiteralStar(r.action.Resources[i].Type.ARN) {
			continue // the reference accepts no concrete ARN of such a type
		}
		for range 3 {
			if g.setResource(r, g.instantiateType(r.action.Resources[i].Type.ARN, acct), acct, nil) {
				return
			}
		}
	}
	r.resource, r.account, r.art = "*", acct, nil
}

// hasLiteralStar reports whether an ARN pattern has a '*' outside its placeholders.
func hasLiteralStar(pattern string) bool {
	for {
		i := strings.Index(pattern, "${")
		if i < 0 {
			return strings.Contains(pattern, "*")
		}
		if strings.Contains(pattern[:i], "*") {
			return true
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			return false
		}
		pattern = pattern[i+j+1:]
	}
}

// resolvable reports whether a request about a can name a resource the reference accepts.
func (g *Generator) resolvable(a *catalog.Action) bool {
	if len(a.Resources) == 0 {
		return true
	}
	for _, ar := range a.Resources {
		if !hasLiteralStar(ar.Type.ARN) {
			return true
		}
	}
	return false
}

// resourceFromStatement sets a resource that the statement's Resource element names
// (instantiating its wildcards and policy variables), if one fits the action.
func (g *Generator) resourceFromStatement(r *req, s *iam.Statement, acct string) bool {
	if len(r.action.Resources) == 0 {
		r.resource, r.account, r.art = "*", acct, nil
		return true
	}
	for _, i := range g.rng.Perm(len(s.Resources)) {
		p := s.Resources[i]
		if p == "*" || !strings.HasPrefix(p, "arn:") {
			continue
		}
		res, vars := g.instantiatePattern(p, acct)
		if g.setResource(r, res, acct, vars) {
			return true
		}
	}
	return false
}

// instantiateType fills an ARN pattern's ${...} placeholders.
func (g *Generator) instantiateType(pattern, acct string) string {
	var b strings.Builder
	for {
		i := strings.Index(pattern, "${")
		if i < 0 {
			b.WriteString(pattern)
			return b.String()
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			b.WriteString(pattern)
			return b.String()
		}
		b.WriteString(pattern[:i])
		switch pattern[i+2 : i+j] {
		case "Partition":
			b.WriteString("aws")
		case "Region":
			b.WriteString(g.pick(regions))
		case "Account":
			b.WriteString(acct)
		default:
			b.WriteString(g.token())
		}
		pattern = pattern[i+j+1:]
	}
}

// instantiatePattern turns a policy's resource pattern into a concrete ARN: wildcards get
// values (regions and accounts where the ARN has them), policy variables get values that
// are returned so that the request's context can carry them.
func (g *Generator) instantiatePattern(p, acct string) (string, map[string]string) {
	var vars map[string]string
	// Policy variables first: ${aws:username} and the like, and the ${*} ${?} ${$} escapes.
	var b strings.Builder
	rest := p
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		inner := rest[i+2 : i+j]
		switch inner {
		case "*", "?":
			b.WriteString("_") // the literal character would make the request a pattern
		case "$":
			b.WriteString("$")
		default:
			key, _, _ := strings.Cut(inner, ",")
			key = strings.TrimSpace(key)
			v := g.token()
			if vars == nil {
				vars = make(map[string]string)
			}
			if old, ok := vars[key]; ok {
				v = old
			}
			vars[key] = v
			b.WriteString(v)
		}
		rest = rest[i+j+1:]
	}
	f := strings.SplitN(b.String(), ":", 6)
	for k := range f {
		switch {
		case k == 3 && f[k] == "*":
			f[k] = g.pick(regions)
		case k == 4 && f[k] == "*":
			f[k] = acct
		default:
			f[k] = g.fillWildcards(f[k])
		}
	}
	return strings.Join(f, ":"), vars
}

// fillWildcards replaces '*' with a word or nothing and '?' with one letter.
func (g *Generator) fillWildcards(s string) string {
	if !strings.ContainsAny(s, "*?") {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '*':
			if g.chance(75) {
				b.WriteString(g.token())
			}
		case '?':
			b.WriteByte('q')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mutateResource moves the request's resource one edit away from what the statement named:
// a letter's case, a character more or less, another region or account.
func (g *Generator) mutateResource(r *req) {
	orig := r.resource
	f := strings.SplitN(orig, ":", 6)
	if len(f) != 6 {
		return
	}
	var cands []string
	res := f[5]
	if i := strings.IndexFunc(res, func(c rune) bool { return c >= 'a' && c <= 'z' }); i >= 0 {
		cands = append(cands, join6(f, 5, res[:i]+strings.ToUpper(res[i:i+1])+res[i+1:]))
	}
	cands = append(cands, join6(f, 5, res+"x"), join6(f, 5, res+"/x"))
	if len(res) > 1 {
		cands = append(cands, join6(f, 5, res[:len(res)-1]))
	}
	if f[3] != "" {
		cands = append(cands, join6(f, 3, "us-west-2"))
	}
	if isAccountID(f[4]) {
		other := accountB
		if f[4] == accountB {
			other = accountA
		}
		cands = append(cands, join6(f, 4, other))
	}
	for _, i := range g.rng.Perm(len(cands)) {
		if g.setResource(r, cands[i], r.account, r.vars) {
			return
		}
	}
	r.resource = orig
}

func join6(f []string, k int, v string) string {
	g := append([]string(nil), f...)
	g[k] = v
	return strings.Join(g, ":")
}

// sortedKeys returns a map's keys in order (generation must not depend on map order).
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
