package awstest

import (
	"sort"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/iam"
)

// Access Advisor: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails and
// GetServiceLastAccessedDetailsWithEntities, computed from the calls the sandbox served.

type advisorJob struct {
	ID        string                    `json:"id"`
	Type      string                    `json:"type"` // SERVICE_LEVEL or ACTION_LEVEL
	Created   time.Time                 `json:"created"`
	Completed time.Time                 `json:"completed"`
	Services  []serviceReport           `json:"services"`
	Entities  map[string][]entityReport `json:"entities"` // by service namespace
}

type serviceReport struct {
	Namespace string         `json:"namespace"`
	Last      *time.Time     `json:"last,omitempty"`
	Entity    string         `json:"entity,omitempty"`
	Region    string         `json:"region,omitempty"`
	TotalUsed int            `json:"totalUsed"`
	Tracked   bool           `json:"tracked,omitempty"`
	Actions   []actionReport `json:"actions,omitempty"`
}

type actionReport struct {
	Name   string    `json:"name"`
	Entity string    `json:"entity"`
	Last   time.Time `json:"last"`
	Region string    `json:"region"`
}

type entityReport struct {
	ARN, Name, Type, ID, Path string
	Last                      *time.Time
}

// serviceNames are Access Advisor's display names for the services the sandbox knows.
var serviceNames = map[string]string{
	"iam": "AWS Identity and Access Management", "sts": "AWS Security Token Service", "s3": "Amazon S3",
	"cloudtrail": "AWS CloudTrail", "ec2": "Amazon EC2", "lambda": "AWS Lambda", "kms": "AWS Key Management Service",
	"dynamodb": "Amazon DynamoDB", "sqs": "Amazon SQS", "sns": "Amazon SNS", "logs": "Amazon CloudWatch Logs",
	"cloudwatch": "Amazon CloudWatch", "secretsmanager": "AWS Secrets Manager", "ssm": "AWS Systems Manager",
}

func serviceName(ns string) string {
	if n, ok := serviceNames[ns]; ok {
		return n
	}
	return ns
}

// servedServices are the namespaces a wildcard grant reports at least.
var servedServices = []string{"cloudtrail", "iam", "s3", "sts"}

// advisorTarget is what a report covers: the documents that grant services, and the
// principals whose use counts.
type advisorTarget struct {
	docs     []string
	entities []entityReport
}

func (s *Server) advisorTarget(arn string) (*advisorTarget, *apiError) {
	t := &advisorTarget{}
	addUser := func(u *user) {
		t.entities = append(t.entities, entityReport{ARN: u.ARN, Name: u.Name, Type: "USER", ID: u.ID, Path: u.Path})
	}
	collect := func(p *principalCommon) {
		for _, d := range p.Inline {
			t.docs = append(t.docs, d)
		}
		for _, a := range p.Attached {
			if d, ok := s.policyDocument(a); ok {
				t.docs = append(t.docs, d)
			}
		}
	}
	for _, u := range s.st.Users {
		if u.ARN == arn {
			collect(&u.principalCommon)
			for _, g := range s.groupsOf(lower(u.Name)) {
				collect(&g.principalCommon)
			}
			addUser(u)
			return t, nil
		}
	}
	for _, r := range s.st.Roles {
		if r.ARN == arn {
			collect(&r.principalCommon)
			t.entities = append(t.entities, entityReport{ARN: r.ARN, Name: r.Name, Type: "ROLE", ID: r.ID, Path: r.Path})
			return t, nil
		}
	}
	for _, g := range s.st.Groups {
		if g.ARN == arn {
			collect(&g.principalCommon)
			for _, m := range g.Members {
				if u := s.st.Users[m]; u != nil {
					addUser(u)
				}
			}
			return t, nil
		}
	}
	if doc, ok := s.policyDocument(arn); ok {
		t.docs = append(t.docs, doc)
		for _, u := range s.st.Users {
			attached := u.isAttached(arn)
			for _, g := range s.groupsOf(lower(u.Name)) {
				attached = attached || g.isAttached(arn)
			}
			if attached {
				addUser(u)
			}
		}
		for _, r := range s.st.Roles {
			if r.isAttached(arn) {
				t.entities = append(t.entities, entityReport{ARN: r.ARN, Name: r.Name, Type: "ROLE", ID: r.ID, Path: r.Path})
			}
		}
		return t, nil
	}
	return nil, errNoSuchEntity("The entity with ARN %s cannot be found.", arn)
}

// grantedServices lists the namespaces the documents allow; a wildcard grants the
// served services and whatever the entities used.
func grantedServices(docs []string, used map[string]bool) []string {
	set := map[string]bool{}
	wild := false
	for _, d := range docs {
		p, err := iam.Parse([]byte(d), iam.KindManaged)
		if err != nil {
			continue
		}
		for _, st := range p.Statements {
			if st.Effect != iam.Allow {
				continue
			}
			if st.NotAction {
				wild = true
				continue
			}
			for _, a := range st.Actions {
				vendor, _, _ := strings.Cut(a, ":")
				if vendor == "*" || strings.ContainsAny(vendor, "*?") {
					wild = true
					continue
				}
				set[lower(vendor)] = true
			}
		}
	}
	if wild {
		for _, ns := range servedServices {
			set[ns] = true
		}
		for ns := range used {
			set[ns] = true
		}
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

func opGenerateServiceLastAccessedDetails(c *call) (any, *apiError) {
	arn := c.required("Arn", ruleArn)
	gran := c.enumParam("Granularity", "SERVICE_LEVEL", "SERVICE_LEVEL", "ACTION_LEVEL")
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize(arn); err != nil {
		return nil, err
	}
	s := c.s
	t, aerr := s.advisorTarget(arn)
	if aerr != nil {
		return nil, aerr
	}
	used := map[string]bool{}
	for _, e := range t.entities {
		if u := s.st.Usage[e.ARN]; u != nil {
			for ns := range u.Services {
				used[ns] = true
			}
		}
	}
	job := &advisorJob{ID: newRequestID(), Type: gran, Created: c.rq.now, Completed: c.rq.now, Entities: map[string][]entityReport{}}
	for _, ns := range grantedServices(t.docs, used) {
		rep := serviceReport{Namespace: ns, Tracked: gran == "ACTION_LEVEL" && actionTracked[ns]}
		actions := map[string]*actionReport{}
		for _, e := range t.entities {
			er := e
			u := s.st.Usage[e.ARN]
			if u == nil || u.Services[ns] == nil {
				job.Entities[ns] = append(job.Entities[ns], er)
				continue
			}
			su := u.Services[ns]
			last := su.Last
			er.Last = &last
			job.Entities[ns] = append(job.Entities[ns], er)
			rep.TotalUsed++
			if rep.Last == nil || su.Last.After(*rep.Last) {
				rep.Last, rep.Entity, rep.Region = &last, e.ARN, su.Region
			}
			if rep.Tracked {
				for name, au := range su.Actions {
					if cur := actions[name]; cur == nil || au.Last.After(cur.Last) {
						actions[name] = &actionReport{Name: name, Entity: e.ARN, Last: au.Last, Region: au.Region}
					}
				}
			}
		}
		for _, a := range actions {
			rep.Actions = append(rep.Actions, *a)
		}
		sort.Slice(rep.Actions, func(i, j int) bool { return rep.Actions[i].Name < rep.Actions[j].Name })
		job.Services = append(job.Services, rep)
	}
	s.st.Jobs[job.ID] = job
	return struct{ JobId string }{job.ID}, nil
}

type xmlTrackedAction struct {
	ActionName         string
	LastAccessedEntity string
	LastAccessedTime   isoTime
	LastAccessedRegion string
}

type xmlServiceLastAccessed struct {
	ServiceName                string
	LastAuthenticated          *isoTime `xml:",omitempty"`
	ServiceNamespace           string
	LastAuthenticatedEntity    string `xml:",omitempty"`
	LastAuthenticatedRegion    string `xml:",omitempty"`
	TotalAuthenticatedEntities int
	TrackedActionsLastAccessed *members[xmlTrackedAction] `xml:",omitempty"`
}

func (c *call) advisorJob() (*advisorJob, *apiError) {
	id := c.required("JobId", rule{36, 36, nil, ""})
	if err := c.failed(); err != nil {
		return nil, err
	}
	if err := c.authorize("*"); err != nil {
		return nil, err
	}
	job := c.s.st.Jobs[id]
	if job == nil {
		return nil, errNoSuchEntity("The job with id %s cannot be found.", id)
	}
	return job, nil
}

func opGetServiceLastAccessedDetails(c *call) (any, *apiError) {
	marker, max := c.paging()
	job, aerr := c.advisorJob()
	if aerr != nil {
		return nil, aerr
	}
	page, next, more, aerr := paginate(job.Services, func(r serviceReport) string { return r.Namespace }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	out := struct {
		JobStatus            string
		JobType              string
		JobCreationDate      isoTime
		ServicesLastAccessed members[xmlServiceLastAccessed]
		JobCompletionDate    isoTime
		listResult
	}{JobStatus: "COMPLETED", JobType: job.Type, JobCreationDate: isoTime(job.Created), JobCompletionDate: isoTime(job.Completed),
		listResult: listResult{more, next}}
	for _, r := range page {
		x := xmlServiceLastAccessed{ServiceName: serviceName(r.Namespace), LastAuthenticated: isoPtr(r.Last), ServiceNamespace: r.Namespace,
			LastAuthenticatedEntity: r.Entity, LastAuthenticatedRegion: r.Region, TotalAuthenticatedEntities: r.TotalUsed}
		if r.Tracked {
			x.TrackedActionsLastAccessed = &members[xmlTrackedAction]{}
			for _, a := range r.Actions {
				x.TrackedActionsLastAccessed.Member = append(x.TrackedActionsLastAccessed.Member,
					xmlTrackedAction{a.Name, a.Entity, isoTime(a.Last), a.Region})
			}
		}
		out.ServicesLastAccessed.Member = append(out.ServicesLastAccessed.Member, x)
	}
	return out, nil
}

func opGetServiceLastAccessedDetailsWithEntities(c *call) (any, *apiError) {
	ns := c.required("ServiceNamespace", rule{1, 64, nil, ""})
	marker, max := c.paging()
	job, aerr := c.advisorJob()
	if aerr != nil {
		return nil, aerr
	}
	list := append([]entityReport(nil), job.Entities[ns]...)
	sortByName(list, func(e entityReport) string { return e.ARN })
	page, next, more, aerr := paginate(list, func(e entityReport) string { return e.ARN }, marker, max)
	if aerr != nil {
		return nil, aerr
	}
	type xmlEntityInfo struct{ Arn, Name, Type, Id, Path string }
	type xmlEntityDetails struct {
		EntityInfo        xmlEntityInfo
		LastAuthenticated *isoTime `xml:",omitempty"`
	}
	out := struct {
		JobStatus         string
		JobCreationDate   isoTime
		JobCompletionDate isoTime
		EntityDetailsList members[xmlEntityDetails]
		listResult
	}{JobStatus: "COMPLETED", JobCreationDate: isoTime(job.Created), JobCompletionDate: isoTime(job.Completed), listResult: listResult{more, next}}
	for _, e := range page {
		out.EntityDetailsList.Member = append(out.EntityDetailsList.Member, xmlEntityDetails{xmlEntityInfo{e.ARN, e.Name, e.Type, e.ID, e.Path}, isoPtr(e.Last)})
	}
	return out, nil
}
