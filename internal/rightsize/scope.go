package rightsize

import (
	"fmt"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/usage"
)

// grant is one kept action on the resources of one granting statement (or on resources
// scoped from usage inside them), under that statement's conditions.
type grant struct {
	from        *statement
	resources   []string
	notResource bool
}

// scoper decides the resources each kept action keeps.
type scoper struct {
	cat    *catalog.Catalog
	within *containment
	opts   Options
}

// usedGrants returns the grants of a used action: scoped to the resources it was used on
// when scoping is on and the evidence allows it, else as granted. note says why not scoped
// when that is worth saying.
func (s *scoper) usedGrants(id catalog.ActionID, au *usage.ActionUsage, granting []*statement) (grants []grant, scoped bool, note string) {
	if !s.opts.ResourceScoping || len(s.cat.Action(id).Resources) == 0 {
		// Off, or the action takes no resource ("*" is all there is).
		return s.asGranted(id, granting), false, ""
	}
	if why := s.notScopable(id, au); why != "" {
		return s.asGranted(id, granting), false, why
	}
	name := s.cat.Action(id).FullName()
	var outside []string
	for _, r := range au.Resources {
		for _, it := range s.items(r) {
			g, ok := s.scopeOne(name, it.alts, granting)
			switch {
			case ok:
				grants = append(grants, g)
			case !it.optional:
				outside = append(outside, r)
			}
		}
	}
	if len(outside) > 0 {
		why := "outside the resources its statements grant (a resource-based policy may have allowed it)"
		for _, st := range granting {
			if strings.Contains(strings.Join(st.st.Resources, " "), "${") {
				why = "not provably inside the granted resources, which use policy variables"
			}
		}
		return s.asGranted(id, granting), false, fmt.Sprintf("used on %s, %s: kept as granted", strings.Join(outside, ", "), why)
	}
	return grants, true, ""
}

// notScopable says why usage cannot scope the action's resources, "" when it can. Scoping
// needs the events to have named every resource the calls were authorised against. The
// digest keeps the resources its events named (up to a bound), not how many events named
// none, so this is judged from what is known: trail events counted the action, the
// resource sample is complete, and the action is authorised against one resource a call
// (the catalog lists at most one required resource type: ec2:RunInstances, checked
// against an image, a subnet, a volume... at once, is not scoped from the few its events
// name).
func (s *scoper) notScopable(id catalog.ActionID, au *usage.ActionUsage) string {
	required := 0
	for _, r := range s.cat.Action(id).Resources {
		if r.Required {
			required++
		}
	}
	switch {
	case required > 1:
		return "not scoped: each call is authorised against several resources, more than its events name"
	case au.Count == 0:
		return "not scoped: no source that names resources counted it (Access Advisor gives times only)"
	case len(au.Resources) == 0:
		return "not scoped: its events named no resource"
	case au.ResourcesTruncated:
		return "not scoped: used on more resources than the digest keeps (raise --max-resources)"
	}
	return ""
}

// scopeItem is a resource to scope to: the first of alts that lies inside a granting
// statement. An optional item is dropped when none does.
type scopeItem struct {
	alts     []string
	optional bool
}

// items turns a resource the events named into what to scope to.
//
//   - An S3 object ARN becomes its bucket's objects when that too is inside the grant
//     (unless exact object ARNs are asked for): a workload that wrote a.json today writes
//     b.json tomorrow.
//   - An IAM role, user, group or instance profile named without a path may have one:
//     CloudTrail requests name them by name only, so the ARN the events give is
//     TYPE/NAME while the real one may be TYPE/PATH/NAME. TYPE/*/NAME is added, which
//     matches the same name under any path and nothing else.
func (s *scoper) items(r string) []scopeItem {
	if b, ok := bucketObjects(r); ok && !s.opts.ExactObjectARNs {
		return []scopeItem{{alts: []string{b, r}}}
	}
	if p, ok := iamAnyPath(r); ok {
		return []scopeItem{{alts: []string{r}}, {alts: []string{p}, optional: true}}
	}
	return []scopeItem{{alts: []string{r}}}
}

// iamAnyPath turns arn:P:iam::A:TYPE/NAME into arn:P:iam::A:TYPE/*/NAME for the IAM
// resource types that have paths.
func iamAnyPath(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "", false
	}
	typ, name, ok := strings.Cut(parts[5], "/")
	if !ok || name == "" || strings.ContainsAny(name, "/*?") {
		return "", false
	}
	switch typ {
	case "role", "user", "group", "instance-profile":
		parts[5] = typ + "/*/" + name
		return strings.Join(parts, ":"), true
	}
	return "", false
}

// scopeOne finds the granting statement whose resources hold the first alternative that
// any holds, unconditional statements first.
func (s *scoper) scopeOne(action string, alts []string, granting []*statement) (grant, bool) {
	for _, c := range alts {
		var conditional *statement
		for _, st := range granting {
			if !s.within.within(action, c, st.st) {
				continue
			}
			if st.cond == "" {
				return grant{from: st, resources: []string{c}}, true
			}
			if conditional == nil {
				conditional = st
			}
		}
		if conditional != nil {
			return grant{from: conditional, resources: []string{c}}, true
		}
	}
	return grant{}, false
}

// bucketObjects turns an S3 object ARN into the ARN of all its bucket's objects.
func bucketObjects(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	part, rest, _ := strings.Cut(rest, ":")
	res, ok := strings.CutPrefix(rest, "s3:::")
	if !ok {
		return "", false
	}
	bucket, key, ok := strings.Cut(res, "/")
	if !ok || bucket == "" || key == "*" || key == "" {
		return "", false
	}
	return "arn:" + part + ":s3:::" + bucket + "/*", true
}

// asGranted returns the action on the resources of every statement that grants it, except
// conditional grants that an unconditional one already covers.
func (s *scoper) asGranted(id catalog.ActionID, granting []*statement) []grant {
	name := s.cat.Action(id).FullName()
	var out []grant
	for _, st := range granting {
		if st.cond != "" && s.covered(name, st, granting) {
			continue
		}
		g := grant{from: st, resources: st.st.Resources, notResource: st.st.NotResource}
		if !st.st.HasResource() {
			g.resources = []string{"*"}
		}
		out = append(out, g)
	}
	return out
}

// covered reports whether an unconditional granting statement covers every resource of st.
func (s *scoper) covered(action string, st *statement, granting []*statement) bool {
	if st.st.NotResource {
		return false
	}
	res := st.st.Resources
	if !st.st.HasResource() {
		res = []string{"*"}
	}
	for _, u := range granting {
		if u.cond != "" {
			continue
		}
		all := true
		for _, r := range res {
			if !s.within.within(action, r, u.st) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
