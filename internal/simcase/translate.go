package simcase

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ciem/ciem/internal/catalog"
	"github.com/ciem/ciem/internal/iam"
)

// Translator turns cases into the engine's policy set and request. It keeps every policy
// it has parsed, keyed by kind and bytes, because the cases of a batch share policies
// heavily; the cache is dropped when it holds more than maxCacheBytes of documents.
// A Translator is not safe for concurrent use.
type Translator struct {
	cat        *catalog.Catalog
	cache      map[policyKey]*iam.Policy
	cacheBytes int
}

const maxCacheBytes = 256 << 20

type policyKey struct {
	kind iam.Kind
	doc  string
}

// NewTranslator returns a Translator that checks actions and resources against cat.
func NewTranslator(cat *catalog.Catalog) *Translator {
	return &Translator{cat: cat, cache: make(map[policyKey]*iam.Policy)}
}

// Translate checks the case as the reference simulator does and returns the engine's
// inputs. Errors name the element at fault.
func (t *Translator) Translate(c *Case) (*iam.PolicySet, *iam.Request, error) {
	req, err := t.request(c)
	if err != nil {
		return nil, nil, err
	}
	ps := &iam.PolicySet{
		ResourceAccount:  c.Request.Resource.AccountID,
		PrincipalAccount: principalAccount(c.Request.Principal),
	}
	if ps.Identity, err = t.named("identityPolicies", c.IdentityPolicies, iam.KindManaged); err != nil {
		return nil, nil, err
	}
	if ps.Boundaries, err = t.named("permissionBoundaryPolicies", c.PermissionBoundaryPolicies, iam.KindBoundary); err != nil {
		return nil, nil, err
	}
	for i, level := range c.ServiceControlPolicies {
		where := fmt.Sprintf("serviceControlPolicies[%d] (%s)", i, level.OrgIdentifier)
		pols, err := t.named(where+".policies", level.Policies, iam.KindSCP)
		if err != nil {
			return nil, nil, err
		}
		ps.SCPs = append(ps.SCPs, pols)
	}
	for i, level := range c.ResourceControlPolicies {
		// AWS's RCPFullAWSAccess is implied at every level, as in the reference; RCPs name
		// principals, so they parse as resource-based policies.
		where := fmt.Sprintf("resourceControlPolicies[%d] (%s)", i, level.OrgIdentifier)
		pols, err := t.named(where+".policies", level.Policies, iam.KindResource)
		if err != nil {
			return nil, nil, err
		}
		ps.RCPs = append(ps.RCPs, pols)
	}
	if len(c.ResourcePolicy) > 0 && string(c.ResourcePolicy) != "null" {
		p, err := t.parse("resourcePolicy", c.ResourcePolicy, iam.KindResource)
		if err != nil {
			return nil, nil, err
		}
		ps.Resource = &iam.NamedPolicy{Name: "ResourcePolicy", Policy: p}
	}
	if len(c.SessionPolicy) > 0 && string(c.SessionPolicy) != "null" {
		if !hasSessionPolicies(c.Request.Principal) {
			return nil, nil, fmt.Errorf("sessionPolicy: principal %q is not a role, role session or federated user, the only principals with session policies", c.Request.Principal)
		}
		p, err := t.parse("sessionPolicy", c.SessionPolicy, iam.KindSession)
		if err != nil {
			return nil, nil, err
		}
		ps.Session = []iam.NamedPolicy{{Name: "SessionPolicy", Policy: p}}
	}
	return ps, req, nil
}

func (t *Translator) named(where string, list []NamedPolicy, kind iam.Kind) ([]iam.NamedPolicy, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make([]iam.NamedPolicy, len(list))
	for i, np := range list {
		p, err := t.parse(fmt.Sprintf("%s[%d] (%s)", where, i, np.Name), np.Policy, kind)
		if err != nil {
			return nil, err
		}
		out[i] = iam.NamedPolicy{Name: np.Name, Policy: p}
	}
	return out, nil
}

func (t *Translator) parse(where string, raw []byte, kind iam.Kind) (*iam.Policy, error) {
	doc, err := PolicyBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	key := policyKey{kind: kind, doc: string(doc)}
	if p, ok := t.cache[key]; ok {
		return p, nil
	}
	p, err := iam.Parse(doc, kind)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if t.cacheBytes+len(doc) > maxCacheBytes {
		clear(t.cache)
		t.cacheBytes = 0
	}
	t.cache[key] = p
	t.cacheBytes += len(doc)
	return p, nil
}

// request checks the request as the reference does: a known "service:Action", and a
// resource that is "*" for actions without resource types, else one concrete ARN that fits
// exactly one of the action's resource types.
func (t *Translator) request(c *Case) (*iam.Request, error) {
	r := c.Request
	if r.Principal == "" {
		return nil, fmt.Errorf("request.principal: missing")
	}
	if strings.Count(r.Action, ":") != 1 {
		return nil, fmt.Errorf("request.action: %q is not of the form service:Action", r.Action)
	}
	svc, _, _ := strings.Cut(r.Action, ":")
	if t.cat.Service(svc) == nil {
		return nil, fmt.Errorf("request.action: unknown service %q", svc)
	}
	id, ok := t.cat.LookupAction(r.Action)
	if !ok {
		return nil, fmt.Errorf("request.action: unknown action %q", r.Action)
	}
	if err := CheckResource(t.cat.Action(id), r.Resource.Resource); err != nil {
		return nil, fmt.Errorf("request.resource.resource: %w", err)
	}
	ctx, err := t.context(r.ContextVariables)
	if err != nil {
		return nil, err
	}
	return &iam.Request{Principal: r.Principal, Action: r.Action, Resource: r.Resource.Resource, Context: ctx}, nil
}

// context builds the request context from contextVariables, nothing more. A key's
// multi-valuedness follows its catalog type where the catalog knows the key (a key of type
// ArrayOf... is a set even when written as one string, as the reference also reads it),
// else the JSON form: an array is multi-valued, a string single-valued.
func (t *Translator) context(vars map[string]ContextValue) (*iam.Context, error) {
	ctx := iam.NewContext()
	for k, v := range vars {
		if k == "" {
			return nil, fmt.Errorf("request.contextVariables: empty key")
		}
		multi := v.Multi
		if ck, ok := t.cat.ConditionKey(k); ok && ck.Type != "" {
			multi = strings.HasPrefix(ck.Type, "ArrayOf")
			if !multi && len(v.Values) != 1 {
				return nil, fmt.Errorf("request.contextVariables[%q]: the key is single-valued (%s) but has %d values", k, ck.Type, len(v.Values))
			}
		}
		if multi {
			ctx.SetMulti(k, v.Values...)
		} else {
			ctx.Set(k, v.Values...)
		}
	}
	return ctx, nil
}

// CheckResource applies the reference's rule for which resources an action's request may name.
func CheckResource(a *catalog.Action, resource string) error {
	_, err := ResourceTypeOf(a, resource)
	return err
}

// ResourceTypeOf returns the resource type of the action that the request's resource is
// (nil for actions without resource types, whose resource must be "*"), or why there is
// not exactly one.
func ResourceTypeOf(a *catalog.Action, resource string) (*catalog.ActionResource, error) {
	if len(a.Resources) == 0 {
		if resource != "*" {
			return nil, fmt.Errorf("%s has no resource types, so its resource must be \"*\", not %q", a.FullName(), resource)
		}
		return nil, nil
	}
	if resource == "" {
		return nil, fmt.Errorf("missing")
	}
	if strings.ContainsAny(resource, "*?") {
		return nil, fmt.Errorf("%q is a pattern; a request names one resource", resource)
	}
	patterns := make([]string, len(a.Resources))
	for i, ar := range a.Resources {
		patterns[i] = ar.Type.ARN
	}
	switch fit := mostSpecificFits(resource, patterns); len(fit) {
	case 1:
		return &a.Resources[fit[0]], nil
	case 0:
		return nil, fmt.Errorf("%q is none of the resource types of %s (%s)", resource, a.FullName(), typeList(a, nil))
	default:
		return nil, fmt.Errorf("%q fits more than one resource type of %s (%s)", resource, a.FullName(), typeList(a, fit))
	}
}

func typeList(a *catalog.Action, only []int) string {
	var names []string
	for i, ar := range a.Resources {
		if only != nil && !slices.Contains(only, i) {
			continue
		}
		names = append(names, ar.Type.Name+" "+ar.Type.ARN)
	}
	return strings.Join(names, ", ")
}

// principalAccount is the account field of an ARN principal, "" for service principals
// and anything else without one.
func principalAccount(p string) string {
	f := strings.SplitN(p, ":", 6)
	if len(f) < 6 || f[0] != "arn" {
		return ""
	}
	return f[4]
}

// hasSessionPolicies reports whether the principal is an IAM role, an assumed-role session
// or a federated user: the principals whose sessions carry session policies.
func hasSessionPolicies(p string) bool {
	f := strings.SplitN(p, ":", 6)
	if len(f) < 6 || f[0] != "arn" || len(f[4]) != 12 {
		return false
	}
	switch {
	case f[2] == "iam" && strings.HasPrefix(f[5], "role/"):
	case f[2] == "sts" && (strings.HasPrefix(f[5], "assumed-role/") || strings.HasPrefix(f[5], "federated-user/")):
	default:
		return false
	}
	return f[3] == ""
}
