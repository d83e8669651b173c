package awstest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one CloudTrail record, in AWS's record format (eventVersion 1.08).
type Event struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   any             `json:"requestParameters"`
	ResponseElements    any             `json:"responseElements"`
	AdditionalEventData any             `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []eventResource `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	EventCategory       string          `json:"eventCategory"`
}

// UserIdentity is a record's userIdentity element.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn"`
	AccountID      string          `json:"accountId"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes temporary credentials behind a call.
type SessionContext struct {
	SessionIssuer       *SessionIssuer    `json:"sessionIssuer,omitempty"`
	WebIDFederationData map[string]string `json:"webIdFederationData,omitempty"`
	Attributes          SessionAttributes `json:"attributes"`
	SourceIdentity      string            `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role or user that issued a session.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttributes are a session's creation date and MFA state.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

type eventResource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// storedEvent is an event with what LookupEvents filters on.
type storedEvent struct {
	Seq       uint64          `json:"seq"`
	Time      time.Time       `json:"time"`
	Username  string          `json:"username"`
	Lookup    []lookupRes     `json:"lookup,omitempty"` // LookupEvents' Resources
	Record    json.RawMessage `json:"record"`           // the CloudTrail record, as delivered
	Region    string          `json:"region"`
	Mgmt      bool            `json:"mgmt"`
	ReadOnly  bool            `json:"readOnly"`
	Name      string          `json:"name"`
	Source    string          `json:"source"`
	ID        string          `json:"id"`
	AccessKey string          `json:"accessKey,omitempty"`
	DataARNs  []string        `json:"dataArns,omitempty"` // S3 object/bucket ARNs of data events
}

type lookupRes struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// eventLog keeps the most recent events in order.
type eventLog struct {
	mu     sync.RWMutex
	max    int
	next   uint64
	events []*storedEvent
}

func newEventLog(max int) *eventLog { return &eventLog{max: max, next: 1} }

func (l *eventLog) add(e *storedEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Seq = l.next
	l.next++
	l.events = append(l.events, e)
	// Trim in batches (an eighth over the bound) so that a full log costs O(1) per event.
	if len(l.events) > l.max+l.max/8 {
		l.events = append(l.events[:0:0], l.events[len(l.events)-l.max:]...)
	}
}

// snapshot returns the events (oldest first); the slice is a copy.
func (l *eventLog) snapshot() []*storedEvent {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]*storedEvent(nil), l.events...)
}

func (l *eventLog) restore(events []*storedEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sort.Slice(events, func(i, j int) bool { return events[i].Seq < events[j].Seq })
	l.events = events
	if n := len(events); n > 0 {
		l.next = events[n-1].Seq + 1
	}
}

// Events returns the CloudTrail records the sandbox has kept, oldest first.
func (s *Server) Events() []Event {
	var out []Event
	for _, e := range s.events.snapshot() {
		var ev Event
		if err := json.Unmarshal(e.Record, &ev); err == nil {
			out = append(out, ev)
		}
	}
	return out
}

func cloudTrailDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// cloudTrailExpiration is how CloudTrail prints credential expirations in
// responseElements ("Jan 2, 2024, 3:04:05 PM").
func cloudTrailExpiration(t time.Time) string { return t.UTC().Format("Jan 2, 2006, 3:04:05 PM") }

var eventSources = map[string]string{
	serviceIAM:        "iam.amazonaws.com",
	serviceSTS:        "sts.amazonaws.com",
	serviceS3:         "s3.amazonaws.com",
	serviceCloudTrail: "cloudtrail.amazonaws.com",
}

// userIdentity builds a record's userIdentity for the caller.
func (s *Server) userIdentity(cl *caller) UserIdentity {
	acct := s.opts.Account
	ui := UserIdentity{Type: cl.kind, PrincipalID: cl.principalID, ARN: cl.arn, AccountID: acct, AccessKeyID: cl.keyID}
	if cl.kind == sessionUser && cl.user != nil {
		ui.UserName = cl.user.Name
	}
	if cl.sess == nil {
		return ui
	}
	sc := &SessionContext{Attributes: SessionAttributes{CreationDate: cloudTrailDate(cl.sess.Issued), MFAAuthenticated: strconv.FormatBool(cl.sess.MFA)},
		SourceIdentity: cl.sess.SourceIdentity}
	switch cl.kind {
	case sessionAssumedRole:
		roleName := cl.sess.RoleARN[strings.LastIndexByte(cl.sess.RoleARN, '/')+1:]
		sc.SessionIssuer = &SessionIssuer{Type: "Role", PrincipalID: cl.sess.RoleID, ARN: cl.sess.RoleARN, AccountID: acct, UserName: roleName}
		sc.WebIDFederationData = map[string]string{}
	case sessionFederated:
		if cl.user != nil {
			sc.SessionIssuer = &SessionIssuer{Type: "IAMUser", PrincipalID: cl.user.ID, ARN: cl.user.ARN, AccountID: acct, UserName: cl.user.Name}
		}
		sc.WebIDFederationData = map[string]string{}
	}
	ui.SessionContext = sc
	return ui
}

// finish records the call in CloudTrail and the access key's last use, and has the
// state written (every call adds an event, so every call changes it).
func (s *Server) finish(c *call, aerr *apiError) {
	if c.caller == nil {
		return
	}
	rq := c.rq
	region := rq.region
	if c.service == serviceIAM {
		region = "us-east-1" // IAM is global; CloudTrail records it in us-east-1
	}
	ev := Event{
		EventVersion:       "1.08",
		UserIdentity:       s.userIdentity(c.caller),
		EventTime:          cloudTrailDate(rq.now),
		EventSource:        eventSources[c.service],
		EventName:          c.op,
		AWSRegion:          region,
		SourceIPAddress:    rq.sourceIP(),
		UserAgent:          rq.userAgent(),
		RequestParameters:  c.reqParams,
		RequestID:          rq.id,
		EventID:            newRequestID(),
		ReadOnly:           c.readOnly,
		Resources:          c.resources,
		EventType:          "AwsApiCall",
		ManagementEvent:    c.management,
		RecipientAccountID: s.opts.Account,
		EventCategory:      "Management",
	}
	if !c.management {
		ev.EventCategory = "Data"
	}
	if ev.RequestParameters == nil && c.params != nil && c.service != serviceS3 {
		ev.RequestParameters = queryParamsForEvent(c.params)
	}
	if len(c.extraData) > 0 {
		ev.AdditionalEventData = c.extraData
	}
	if aerr != nil {
		ev.ErrorCode, ev.ErrorMessage = aerr.Code, aerr.Message
	} else {
		ev.ResponseElements = c.respElems
	}
	rec, err := json.Marshal(ev)
	if err != nil {
		s.log.Error("encoding CloudTrail record", "err", err)
		return
	}
	se := &storedEvent{Time: rq.now, Username: c.caller.name, Record: rec, Region: region, Mgmt: c.management,
		ReadOnly: c.readOnly, Name: c.op, Source: ev.EventSource, ID: ev.EventID, AccessKey: c.caller.keyID,
		Lookup: lookupResources(c)}
	for _, r := range c.resources {
		se.DataARNs = append(se.DataARNs, r.ARN)
	}
	s.events.add(se)

	s.mu.Lock()
	if c.caller.sess == nil {
		if k := s.st.AccessKeys[c.caller.keyID]; k != nil {
			now := rq.now
			k.LastUsed, k.LastUsedService, k.LastUsedRegion = &now, c.service, region
		}
	}
	s.mu.Unlock()
	if s.saver != nil {
		s.saver.request()
	}
}

// lookupResources lists the resources LookupEvents shows for a call.
func lookupResources(c *call) []lookupRes {
	var out []lookupRes
	add := func(typ, name string) {
		if name != "" {
			out = append(out, lookupRes{typ, name})
		}
	}
	if c.params != nil && c.service != serviceS3 {
		add("AWS::IAM::User", c.params.Get("UserName"))
		add("AWS::IAM::Group", c.params.Get("GroupName"))
		add("AWS::IAM::Role", c.params.Get("RoleName"))
		add("AWS::IAM::Policy", c.params.Get("PolicyArn"))
		add("AWS::IAM::AccessKey", c.params.Get("AccessKeyId"))
		add("AWS::IAM::Role", c.params.Get("RoleArn"))
	}
	for _, r := range c.resources {
		if c.service == serviceS3 {
			add(r.Type, r.ARN)
		}
	}
	return out
}

// methodReadOnly reports whether an HTTP method only reads.
func methodReadOnly(m string) bool { return m == http.MethodGet || m == http.MethodHead }
