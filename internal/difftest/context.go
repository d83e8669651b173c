package difftest

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
	"github.com/ciem/ciem/internal/simcase"
)

// keySet is the set of context keys a request may carry: the keys the reference accepts
// for the action and resource type (it drops any other key silently, where ciem takes the
// context as given, so the generator only writes keys both see).
type keySet struct {
	exact    map[string]bool // lowercase
	prefixes map[string]bool // lowercase "service:name/" of templated keys
}

func (k keySet) allows(key string) bool {
	lk := strings.ToLower(key)
	if k.exact[lk] {
		return true
	}
	if i := strings.IndexByte(lk, '/'); i >= 0 {
		return k.prefixes[lk[:i+1]]
	}
	return false
}

func (g *Generator) allowedKeys(r *req) keySet {
	ks := keySet{exact: map[string]bool{}, prefixes: map[string]bool{}}
	add := func(key string) {
		lk := strings.ToLower(key)
		ks.exact[lk] = true
		if i := strings.IndexByte(lk, '/'); i >= 0 {
			ks.prefixes[lk[:i+1]] = true
		}
	}
	for _, k := range r.action.ConditionKeys {
		add(k)
	}
	if r.art != nil {
		for _, k := range r.art.ConditionKeys {
			add(k)
		}
		for _, k := range r.art.Type.ConditionKeys {
			add(k)
		}
	}
	for _, k := range g.cat.GlobalConditionKeys() {
		add(k.Key)
	}
	if isS3BucketOrObject(r.resource) {
		// Without bucket ABAC the reference ignores resource tags on S3 buckets and objects.
		for k := range ks.exact {
			if strings.HasPrefix(k, "aws:resourcetag/") || strings.HasPrefix(k, "s3:buckettag/") {
				delete(ks.exact, k)
			}
		}
		delete(ks.prefixes, "aws:resourcetag/")
		delete(ks.prefixes, "s3:buckettag/")
	}
	return ks
}

func isS3BucketOrObject(arn string) bool {
	f := strings.SplitN(arn, ":", 6)
	return len(f) == 6 && f[2] == "s3" && f[3] == "" && f[4] == "" && f[5] != ""
}

// referenceKnowsKey reports whether the reference can type a context key: it looks a key up
// among the keys of the service its prefix names (and the global keys), and throws
// ("Condition key ec2:osuser not found") for a key listed only by another service
// (ec2-instance-connect lists ec2:osuser) or only in a "tag-key" form
// ("secretsmanager:ResourceTag/tag-key").
func (g *Generator) referenceKnowsKey(key string) bool {
	ck, ok := g.cat.ConditionKey(key)
	if !ok {
		return false
	}
	if ck.Global {
		return true
	}
	prefix, _, _ := strings.Cut(strings.ToLower(key), ":")
	svc := g.cat.Service(prefix)
	if svc == nil {
		return false
	}
	for _, k := range svc.ConditionKeys {
		if k == ck {
			return true
		}
	}
	return false
}

// keyIsMulti reports whether the catalog types the key as multi-valued (ArrayOf...).
func (g *Generator) keyIsMulti(key string) bool {
	k, ok := g.cat.ConditionKey(key)
	return ok && strings.HasPrefix(k.Type, "ArrayOf")
}

// fillContext writes the request's context: the values of the policy variables its
// resource was built with (mostly), and for the conditions of the statements that cover
// its action, a value that satisfies the condition, one that does not, or nothing.
func (g *Generator) fillContext(r *req, stmts []*iam.Statement) {
	ks := g.allowedKeys(r)
	ctx := map[string]simcase.ContextValue{}
	set := func(key string, vals []string) {
		if !ks.allows(key) {
			return
		}
		if _, tag, ok := strings.Cut(key, "/"); ok && strings.Contains(tag, ":") {
			// The reference throws on tag keys such as "aws:secretsmanager:owningService"
			// ("Condition key ... not found"); such keys are left out of the context.
			return
		}
		if !g.referenceKnowsKey(key) {
			return
		}
		if g.keyIsMulti(key) {
			ctx[key] = simcase.Multi(vals...)
		} else if len(vals) > 0 {
			ctx[key] = simcase.Single(vals[0])
		}
	}
	for _, k := range sortedKeys(r.vars) {
		if g.chance(85) {
			set(k, []string{r.vars[k]})
		}
	}
	all := g.chance(10)
	for _, s := range stmts {
		if len(s.Conditions) == 0 || (!all && !g.statementMatchesAction(s, r.action)) {
			continue
		}
		for i := range s.Conditions {
			c := &s.Conditions[i]
			if g.chance(25) {
				continue // key absent
			}
			vals, present := g.conditionValues(c, g.chance(60), set)
			if !present {
				continue
			}
			set(c.Key, vals)
		}
	}
	r.ctx = ctx
}

// conditionValues returns context values for the condition's key: ones the condition's
// values match when match is set, others otherwise. Multi-valued keys get one to three
// values (sometimes none). Policy variables in the condition's values are given values,
// written into the context through set. present is false when the key should be absent
// (a Null condition asking for absence).
func (g *Generator) conditionValues(c *iam.Condition, match bool, set func(string, []string)) ([]string, bool) {
	one := func(m bool) string {
		if len(c.Values) == 0 {
			return g.token()
		}
		return g.valueFor(c.Base, c.Key, c.Values[g.rng.IntN(len(c.Values))], m, set)
	}
	if c.Base == "Null" {
		if g.chance(50) {
			return nil, false
		}
		return []string{g.token()}, true
	}
	if !g.keyIsMulti(c.Key) {
		return []string{one(match)}, true
	}
	n := 1 + g.rng.IntN(3)
	if g.chance(5) {
		n = 0
	}
	vals := make([]string, 0, n)
	for i := range n {
		// With match set, the values all match (ForAllValues) or the first does (ForAnyValue
		// sees a match either way); without, some do not.
		m := match || (i > 0 && g.chance(50))
		vals = append(vals, one(m))
	}
	return vals, true
}

// valueFor returns a context value for key that v (a condition value of operator base)
// matches, or one it does not.
func (g *Generator) valueFor(base, key, v string, match bool, set func(string, []string)) string {
	switch base {
	case "StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals":
		if match {
			return g.resolveVars(v, set)
		}
		return g.otherString(v)
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		if match {
			return g.mangleCase(g.resolveVars(v, set))
		}
		return g.otherString(v)
	case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike":
		if match {
			return g.fillWildcards(g.resolveVars(v, set))
		}
		return g.otherString(v)
	case "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		return g.numberNear(v, match)
	case "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals":
		return g.dateNear(key, v, match)
	case "Bool":
		if match {
			if g.chance(20) {
				return g.mangleCase(v)
			}
			return v
		}
		if strings.EqualFold(v, "true") {
			return "false"
		}
		return "true"
	case "BinaryEquals":
		if match {
			return v
		}
		return "b3RoZXI="
	case "IpAddress", "NotIpAddress":
		return g.addressNear(v, match)
	}
	if match {
		return v
	}
	return g.otherString(v)
}

func (g *Generator) otherString(v string) string {
	switch g.rng.IntN(3) {
	case 0:
		return g.token()
	case 1:
		return strings.ReplaceAll(v, "*", "") + "-other"
	default:
		return strings.ToUpper(strings.ReplaceAll(v, "*", "x"))
	}
}

// resolveVars replaces policy variables in a condition value with values, and mostly puts
// those values into the context too, so that the condition can match.
func (g *Generator) resolveVars(v string, set func(string, []string)) string {
	if !strings.Contains(v, "${") {
		return v
	}
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(v[i:], '}')
		}
		if i < 0 || j < 0 {
			b.WriteString(v)
			return b.String()
		}
		b.WriteString(v[:i])
		inner := v[i+2 : i+j]
		switch inner {
		case "*", "?", "$":
			b.WriteString(inner)
		default:
			key, def, hasDef := strings.Cut(inner, ",")
			key = strings.TrimSpace(key)
			if g.chance(80) {
				val := g.token()
				set(key, []string{val})
				b.WriteString(val)
			} else if hasDef {
				b.WriteString(strings.Trim(strings.TrimSpace(def), "'"))
			} else {
				b.WriteString(g.token())
			}
		}
		v = v[i+j+1:]
	}
}

func (g *Generator) numberNear(v string, match bool) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return strconv.Itoa(g.rng.IntN(100))
	}
	if match {
		return v
	}
	d := []float64{-1, 1, 0.5, -100, 3600}[g.rng.IntN(5)]
	x := f + d
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.000Z", "2006-01-02"}

func parseDate(v string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	return time.Time{}, false
}

// dateNear returns the same instant or one nearby, written as AWS writes the key's
// context value: epoch seconds for aws:EpochTime, ISO 8601 for the others.
func (g *Generator) dateNear(key, v string, match bool) string {
	t, ok := parseDate(v)
	if !ok {
		t = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	}
	if !match {
		d := []time.Duration{-time.Second, time.Second, -24 * time.Hour, 24 * time.Hour, 365 * 24 * time.Hour}[g.rng.IntN(5)]
		t = t.Add(d)
	}
	if strings.EqualFold(key, "aws:EpochTime") {
		return strconv.FormatInt(t.Unix(), 10)
	}
	if g.chance(30) {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// addressNear returns an address inside the CIDR (or equal to the address) or outside it.
func (g *Generator) addressNear(v string, match bool) string {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "192.0.2.10"
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	a := p.Masked().Addr()
	if match {
		if p.Bits() < a.BitLen() {
			a = a.Next()
		}
		return a.String()
	}
	// Step just past the prefix: its last address + 1.
	last := a
	bits := a.BitLen() - p.Bits()
	if bits > 16 {
		bits = 16
	}
	for range 1 << bits {
		n := last.Next()
		if !n.IsValid() || !p.Contains(n) {
			break
		}
		last = n
	}
	if n := last.Next(); n.IsValid() && !p.Contains(n) {
		return n.String()
	}
	if a.Is4() {
		return "198.51.100.7"
	}
	return "2001:db8:ffff::1"
}

// instantiateKey fills a templated condition key's placeholder ("aws:PrincipalTag/${TagKey}").
func (g *Generator) instantiateKey(key string) string {
	i := strings.Index(key, "${")
	if i < 0 {
		if j := strings.IndexByte(key, '<'); j >= 0 {
			if k := strings.IndexByte(key[j:], '>'); k > 0 {
				return key[:j] + g.pick(tagKeys) + key[j+k+1:]
			}
		}
		return key
	}
	j := strings.IndexByte(key[i:], '}')
	if j < 0 {
		return key
	}
	return key[:i] + g.pick(tagKeys) + key[i+j+1:]
}

var tagKeys = []string{"team", "env", "Project", "cost-center"}

// keyType is the catalog type of a condition key, "String" when unknown.
func (g *Generator) keyType(key string) string {
	if k, ok := g.cat.ConditionKey(key); ok && k.Type != "" {
		return k.Type
	}
	return "String"
}

// keysFor lists the condition keys a request about r may carry, instantiated.
func (g *Generator) keysFor(r *req) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		k = g.instantiateKey(k)
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			keys = append(keys, k)
		}
	}
	for _, k := range r.action.ConditionKeys {
		add(k)
	}
	if r.art != nil {
		for _, k := range r.art.ConditionKeys {
			add(k)
		}
		for _, k := range r.art.Type.ConditionKeys {
			add(k)
		}
	}
	return keys
}

// commonGlobalKeys are global keys synthetic conditions use, covering every key type.
var commonGlobalKeys = []string{
	"aws:username", "aws:userid", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID",
	"aws:PrincipalOrgPaths", "aws:PrincipalTag/team", "aws:PrincipalType", "aws:SourceIp", "aws:VpcSourceIp",
	"aws:SourceVpce", "aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime", "aws:MultiFactorAuthPresent",
	"aws:MultiFactorAuthAge", "aws:SecureTransport", "aws:RequestedRegion", "aws:CalledVia", "aws:ViaAWSService",
	"aws:SourceArn", "aws:SourceAccount", "aws:ResourceAccount", "aws:RequestTag/env", "aws:ResourceTag/team",
	"aws:TagKeys", "aws:PrincipalIsAWSService", "aws:SourceIdentity", "aws:referer", "aws:UserAgent",
}
