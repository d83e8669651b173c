package usage

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/ciem/ciem/internal/catalog"
)

// Stats counts what a source (or the whole digest) read and where each record went. Every
// record read lands in exactly one of Counted, OutsideWindow, OtherAccount, AWSService,
// NonAPI, Unmapped, Unattributed and Invalid, so nothing is dropped silently.
type Stats struct {
	Files         int64 `json:"files,omitempty"`
	FilesPruned   int64 `json:"files_pruned_by_date,omitempty"`
	Records       int64 `json:"records"`
	Counted       int64 `json:"counted"`
	Denied        int64 `json:"denied"`
	OutsideWindow int64 `json:"outside_window"`
	OtherAccount  int64 `json:"other_account"`
	AWSService    int64 `json:"aws_service"`
	NonAPI        int64 `json:"non_api"`
	Unmapped      int64 `json:"unmapped"`
	Unattributed  int64 `json:"unattributed"`
	Invalid       int64 `json:"invalid"`
	// Malformed counts records that could not be read at all (and so are not in Records).
	Malformed        int64 `json:"malformed"`
	DataEvents       int64 `json:"data_events"`
	ManagementEvents int64 `json:"management_events"`
	Observations     int64 `json:"observations,omitempty"`
	FirstEvent       int64 `json:"-"`
	LastEvent        int64 `json:"-"`
}

func (s *Stats) add(o *Stats) {
	s.Files += o.Files
	s.FilesPruned += o.FilesPruned
	s.Records += o.Records
	s.Counted += o.Counted
	s.Denied += o.Denied
	s.OutsideWindow += o.OutsideWindow
	s.OtherAccount += o.OtherAccount
	s.AWSService += o.AWSService
	s.NonAPI += o.NonAPI
	s.Unmapped += o.Unmapped
	s.Unattributed += o.Unattributed
	s.Invalid += o.Invalid
	s.Malformed += o.Malformed
	s.DataEvents += o.DataEvents
	s.ManagementEvents += o.ManagementEvents
	s.Observations += o.Observations
	s.FirstEvent = minTime(s.FirstEvent, o.FirstEvent)
	s.LastEvent = max(s.LastEvent, o.LastEvent)
}

// minTime is min over Unix times where 0 means unset.
func minTime(a, b int64) int64 {
	if a == 0 || b != 0 && b < a {
		return b
	}
	return a
}

// identity types seen for a principal ("via")
const (
	viaAssumedRole uint8 = 1 << iota
	viaIAMUser
	viaFederatedUser
	viaRoot
	viaOther
)

var viaNames = []string{"AssumedRole", "IAMUser", "FederatedUser", "Root", "Other"}

func viaOf(t []byte) uint8 {
	switch string(t) {
	case "AssumedRole":
		return viaAssumedRole
	case "IAMUser":
		return viaIAMUser
	case "FederatedUser":
		return viaFederatedUser
	case "Root":
		return viaRoot
	}
	return viaOther
}

type actionAgg struct {
	count, denied           int64
	first, last             int64 // Unix seconds, 0 unset
	deniedFirst, deniedLast int64
	sources                 uint8
	res                     *resourceSet
}

func (a *actionAgg) seen(t int64) {
	a.first = minTime(a.first, t)
	a.last = max(a.last, t)
}

type serviceAgg struct {
	last    int64
	sources uint8
}

type principalAgg struct {
	via           uint8
	count, denied int64
	first, last   int64
	actions       map[catalog.ActionID]*actionAgg
	services      map[string]*serviceAgg
}

type unmappedEntry struct {
	reason UnmappedReason
	detail string
	tallyEntry
}

// aggregate is the digest under construction, per worker and merged.
type aggregate struct {
	principals    map[string]*principalAgg
	awsServices   tallyMap // by invokedBy (or eventSource)
	otherAccounts tallyMap
	unattributed  tallyMap // by identity type
	nonAPI        tallyMap // by eventType / reason
	dataEvents    tallyMap // by eventSource
	unmapped      map[string]map[string]*unmappedEntry
	problems      problemLog
}

func newAggregate() *aggregate {
	return &aggregate{
		principals:    map[string]*principalAgg{},
		awsServices:   tallyMap{},
		otherAccounts: tallyMap{},
		unattributed:  tallyMap{},
		nonAPI:        tallyMap{},
		dataEvents:    tallyMap{},
		unmapped:      map[string]map[string]*unmappedEntry{},
	}
}

func (g *aggregate) principal(arn []byte) *principalAgg {
	p := g.principals[string(arn)]
	if p == nil {
		p = &principalAgg{actions: map[catalog.ActionID]*actionAgg{}}
		g.principals[string(arn)] = p
	}
	return p
}

func (p *principalAgg) action(id catalog.ActionID) *actionAgg {
	a := p.actions[id]
	if a == nil {
		a = &actionAgg{}
		p.actions[id] = a
	}
	return a
}

func (g *aggregate) addUnmapped(source, name []byte, m *Mapping, pos *Position) {
	names := g.unmapped[string(source)]
	if names == nil {
		names = map[string]*unmappedEntry{}
		g.unmapped[string(source)] = names
	}
	e := names[string(name)]
	if e == nil {
		e = &unmappedEntry{reason: m.Reason, detail: m.Detail}
		names[string(name)] = e
	}
	e.count++
	if pos != nil && (!e.has || comparePositions(*pos, e.first) < 0) {
		e.first, e.has = *pos, true
	}
}

func (g *aggregate) merge(o *aggregate, limit int) {
	for arn, op := range o.principals {
		p := g.principals[arn]
		if p == nil {
			g.principals[arn] = op
			continue
		}
		p.via |= op.via
		p.count += op.count
		p.denied += op.denied
		p.first = minTime(p.first, op.first)
		p.last = max(p.last, op.last)
		for id, oa := range op.actions {
			a := p.actions[id]
			if a == nil {
				p.actions[id] = oa
				continue
			}
			a.count += oa.count
			a.denied += oa.denied
			a.first = minTime(a.first, oa.first)
			a.last = max(a.last, oa.last)
			a.deniedFirst = minTime(a.deniedFirst, oa.deniedFirst)
			a.deniedLast = max(a.deniedLast, oa.deniedLast)
			a.sources |= oa.sources
			if oa.res != nil {
				if a.res == nil {
					a.res = &resourceSet{}
				}
				a.res.merge(oa.res, limit)
			}
		}
		for svc, os := range op.services {
			if p.services == nil {
				p.services = map[string]*serviceAgg{}
			}
			s := p.services[svc]
			if s == nil {
				p.services[svc] = os
				continue
			}
			s.last = max(s.last, os.last)
			s.sources |= os.sources
		}
	}
	g.awsServices.merge(o.awsServices)
	g.otherAccounts.merge(o.otherAccounts)
	g.unattributed.merge(o.unattributed)
	g.nonAPI.merge(o.nonAPI)
	g.dataEvents.merge(o.dataEvents)
	for src, onames := range o.unmapped {
		names := g.unmapped[src]
		if names == nil {
			g.unmapped[src] = onames
			continue
		}
		for name, oe := range onames {
			e := names[name]
			if e == nil {
				names[name] = oe
				continue
			}
			e.count += oe.count
			if oe.has && (!e.has || comparePositions(oe.first, e.first) < 0) {
				e.first, e.has = oe.first, true
			}
		}
	}
	g.problems.merge(&o.problems)
}

// Shard is one worker's private aggregate for one source. It is not safe for concurrent
// use; merge it into the source run when the worker is done.
type Shard struct {
	run     *SourceRun
	kindBit uint8
	limit   int
	since   int64
	until   int64
	account []byte
	mapper  *Mapper
	mapped  map[string]map[string]*Mapping // eventSource -> eventName -> mapping
	accepts map[acceptKey]bool
	agg     *aggregate
	stats   Stats
	x       extractor
	buf     []byte // derived principal ARNs
	rsBuf   []byte // collapsed resource ARNs
}

type acceptKey struct {
	id   catalog.ActionID
	kind string
}

func newShard(r *SourceRun) *Shard {
	c := r.c
	return &Shard{
		run:     r,
		kindBit: r.report.Kind.bit(),
		limit:   c.opts.MaxResources,
		since:   c.since,
		until:   c.until,
		account: []byte(c.opts.Account),
		mapper:  c.mapper,
		mapped:  map[string]map[string]*Mapping{},
		accepts: map[acceptKey]bool{},
		agg:     newAggregate(),
	}
}

// Problem records bad input.
func (s *Shard) Problem(kind ProblemKind, pos Position, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	if kind == ProblemMalformed || kind == ProblemTruncatedJSON {
		s.stats.Malformed++
	}
	s.agg.problems.add(Problem{Kind: kind, Position: pos, Message: msg})
}

func (s *Shard) mapping(source, name []byte) *Mapping {
	names := s.mapped[string(source)]
	if names == nil {
		names = map[string]*Mapping{}
		s.mapped[string(source)] = names
	}
	m := names[string(name)]
	if m == nil {
		mm := s.mapper.Map(string(source), string(name))
		m = &mm
		names[string(name)] = m
	}
	return m
}

// isDenied reports whether an errorCode means the call was not authorised.
func isDenied(code []byte) bool {
	if len(code) == 0 {
		return false
	}
	switch string(code) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation",
		"AuthorizationError", "AuthorizationErrorException", "UnauthorizedAccess", "AccessDeniedFault",
		"UnauthorizedException", "Client.AccessDenied", "Forbidden", "ForbiddenException":
		return true
	}
	return bytes.Contains(code, []byte("AccessDenied")) || bytes.Contains(code, []byte("UnauthorizedOperation"))
}

// AddRecord counts one CloudTrail record read at pos.
func (s *Shard) AddRecord(r *Record, pos Position) {
	s.stats.Records++
	if len(r.EventTime) == 0 {
		s.stats.Invalid++
		s.Problem(ProblemInvalidRecord, pos, "record lacks %s", missingFields(r))
		return
	}
	t, ok := parseEventTime(r.EventTime)
	if !ok {
		s.stats.Invalid++
		s.Problem(ProblemInvalidRecord, pos, "eventTime %q is not an RFC 3339 time", r.EventTime)
		return
	}
	if t < s.since || t >= s.until {
		s.stats.OutsideWindow++
		return
	}
	s.stats.FirstEvent = minTime(s.stats.FirstEvent, t)
	s.stats.LastEvent = max(s.stats.LastEvent, t)
	g := s.agg
	switch string(r.EventType) {
	case "", "AwsApiCall", "AwsConsoleAction":
	case "AwsServiceEvent":
		s.stats.AWSService++
		g.awsServices.add(serviceKey(r), &pos)
		return
	default: // AwsConsoleSignIn, AwsCloudTrailInsight, AwsVpceEvent, ...
		s.stats.NonAPI++
		g.nonAPI.add(r.EventType, &pos)
		return
	}
	if len(r.EventSource) == 0 || len(r.EventName) == 0 {
		s.stats.Invalid++
		s.Problem(ProblemInvalidRecord, pos, "record lacks %s", missingFields(r))
		return
	}
	if len(s.account) > 0 {
		if acct := r.RecipientAccountID; len(acct) > 0 && !bytes.Equal(acct, s.account) {
			s.stats.OtherAccount++
			g.otherAccounts.add(acct, &pos)
			return
		}
		if acct := r.Identity.AccountID; len(acct) > 0 && !bytes.Equal(acct, s.account) {
			s.stats.OtherAccount++
			g.otherAccounts.add(acct, &pos)
			return
		}
	}
	arn, class, reason := rollup(&r.Identity, &s.buf)
	switch class {
	case idAWSService:
		s.stats.AWSService++
		g.awsServices.add(serviceKey(r), &pos)
		return
	case idUnattributed:
		s.stats.Unattributed++
		if len(reason) == 0 {
			reason = []byte("unknown")
		}
		g.unattributed.add(reason, &pos)
		return
	}
	m := s.mapping(r.EventSource, r.EventName)
	if len(m.Actions) == 0 {
		if m.Reason == ReasonNotAnAction {
			s.stats.NonAPI++
		} else {
			s.stats.Unmapped++
		}
		g.addUnmapped(r.EventSource, r.EventName, m, &pos)
		return
	}
	if r.EventCategory != nil && string(r.EventCategory) == "Data" || r.EventCategory == nil && r.ManagementEvent == 0 {
		s.stats.DataEvents++
		g.dataEvents.add(r.EventSource, nil)
	} else {
		s.stats.ManagementEvents++
	}
	denied := isDenied(r.ErrorCode)
	s.stats.Counted++
	p := g.principal(arn)
	p.via |= viaOf(r.Identity.Type)
	if denied {
		s.stats.Denied++
		p.denied++
	} else {
		p.count++
		p.first = minTime(p.first, t)
		p.last = max(p.last, t)
		s.x.extract(r, m.Prefix)
	}
	for i := range m.Actions {
		ma := &m.Actions[i]
		id := ma.ID
		if ma.HasVersioned && s.namesVersion(r, ma.OnCopySource) {
			id = ma.Versioned
		}
		a := p.action(id)
		a.sources |= s.kindBit
		if denied {
			a.denied++
			a.deniedFirst = minTime(a.deniedFirst, t)
			a.deniedLast = max(a.deniedLast, t)
			continue
		}
		a.count++
		a.seen(t)
		for _, c := range s.x.cands {
			if c.copySource != ma.OnCopySource {
				continue
			}
			arn := s.x.arn(c)
			if !s.accepts1(id, c.kind, arn) {
				continue
			}
			if a.res == nil {
				a.res = &resourceSet{}
			}
			a.res.add(arn, c.cut, s.limit, &s.rsBuf)
		}
	}
}

func (s *Shard) namesVersion(r *Record, copySource bool) bool {
	if copySource {
		return bytes.Contains(r.Params[pCopySource], []byte("versionId="))
	}
	return len(r.Params[pVersionID]) > 0 && string(r.Params[pVersionID]) != "null"
}

// accepts1 reports whether action id takes ARNs of this kind, deciding once per kind by
// the catalog's resource types.
func (s *Shard) accepts1(id catalog.ActionID, kind string, arn []byte) bool {
	k := acceptKey{id, kind}
	ok, known := s.accepts[k]
	if known {
		return ok
	}
	a := s.mapper.cat.Action(id)
	arnStr := string(arn)
	for _, rt := range a.Resources {
		if rt.Type.MatchARN(arnStr) {
			ok = true
			break
		}
	}
	s.accepts[k] = ok
	return ok
}

func serviceKey(r *Record) []byte {
	if len(r.Identity.InvokedBy) > 0 {
		return r.Identity.InvokedBy
	}
	if len(r.EventSource) > 0 {
		return r.EventSource
	}
	return []byte("unknown")
}

func missingFields(r *Record) string {
	var miss []string
	if len(r.EventTime) == 0 {
		miss = append(miss, "eventTime")
	}
	if len(r.EventSource) == 0 {
		miss = append(miss, "eventSource")
	}
	if len(r.EventName) == 0 {
		miss = append(miss, "eventName")
	}
	return strings.Join(miss, ", ")
}

// Observation is usage known without a CloudTrail record: an Access Advisor last-access
// time, a broker grant.
type Observation struct {
	Principal string // the principal's ARN
	// Action is "service:Action"; empty for a service-level observation.
	Action string
	// Service is the service prefix of a service-level observation.
	Service string
	Time    time.Time
	// Count is the number of uses, 0 when the source does not count (Access Advisor).
	Count     int64
	Resources []string
	Position  Position
}

// Observe records an observation.
func (s *Shard) Observe(o Observation) {
	s.stats.Observations++
	t := o.Time.Unix()
	if o.Time.IsZero() || t < s.since || t >= s.until {
		s.stats.OutsideWindow++
		return
	}
	p := s.agg.principal([]byte(o.Principal))
	if o.Action == "" {
		if p.services == nil {
			p.services = map[string]*serviceAgg{}
		}
		sv := p.services[o.Service]
		if sv == nil {
			sv = &serviceAgg{}
			p.services[o.Service] = sv
		}
		sv.last = max(sv.last, t)
		sv.sources |= s.kindBit
		return
	}
	id, ok := s.mapper.cat.LookupAction(o.Action)
	if !ok {
		s.stats.Unmapped++
		m := Mapping{Reason: ReasonNoAction, Detail: o.Action}
		s.agg.addUnmapped([]byte(s.run.report.Kind), []byte(o.Action), &m, &o.Position)
		return
	}
	a := p.action(id)
	a.sources |= s.kindBit
	a.last = max(a.last, t)
	p.last = max(p.last, t)
	if o.Count > 0 {
		a.count += o.Count
		a.first = minTime(a.first, t)
		p.count += o.Count
		p.first = minTime(p.first, t)
	}
	for _, arn := range o.Resources {
		if a.res == nil {
			a.res = &resourceSet{}
		}
		a.res.add([]byte(arn), -1, s.limit, &s.rsBuf)
	}
}
