package awstest

import (
	"strings"
	"time"
)

// Access Advisor bookkeeping: when each principal last tried to use each service and,
// for the services IAM tracks at action level, each action.

type usage struct {
	Services map[string]*serviceUsage `json:"services"`
}

type serviceUsage struct {
	Last    time.Time               `json:"last"`
	Region  string                  `json:"region"`
	Actions map[string]*actionUsage `json:"actions,omitempty"`
}

type actionUsage struct {
	Last   time.Time `json:"last"`
	Region string    `json:"region"`
}

// actionTracked lists the services whose actions Access Advisor reports one by one.
var actionTracked = map[string]bool{"s3": true, "iam": true, "ec2": true, "lambda": true}

// recordAccess notes that the caller's entity tried action. Access Advisor counts
// attempts, allowed or not. The caller of s.mu holds it.
func (s *Server) recordAccess(c *call, action string, _ bool) {
	entity := c.caller.principalARN()
	if c.caller.kind == sessionFederated && c.caller.user != nil {
		entity = c.caller.user.ARN
	}
	if entity == "" {
		return
	}
	svc, name, ok := strings.Cut(action, ":")
	if !ok {
		return
	}
	u := s.st.Usage[entity]
	if u == nil {
		u = &usage{Services: map[string]*serviceUsage{}}
		s.st.Usage[entity] = u
	}
	su := u.Services[svc]
	if su == nil {
		su = &serviceUsage{}
		u.Services[svc] = su
	}
	now := c.rq.now
	if now.After(su.Last) {
		su.Last, su.Region = now, c.rq.region
	}
	if actionTracked[svc] {
		if su.Actions == nil {
			su.Actions = map[string]*actionUsage{}
		}
		au := su.Actions[name]
		if au == nil {
			au = &actionUsage{}
			su.Actions[name] = au
		}
		if now.After(au.Last) {
			au.Last, au.Region = now, c.rq.region
		}
	}
}
